"""The dashboard's URLs, mounted at /dashboard/ (namespace ``dashboard``)."""

from django.urls import path

from rectify.dashboard import dashboard_views as views

app_name = "dashboard"

urlpatterns = [
    path("", views.dashboard, name="index"),
    path("export.csv", views.export_csv, name="export_csv"),
    path("export.xlsx", views.export_xlsx, name="export_xlsx"),
]
