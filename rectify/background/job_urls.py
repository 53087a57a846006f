"""The background jobs' pages, mounted at /jobs/ (namespace ``jobs``)."""

from django.urls import path

from rectify.background import job_views as views

app_name = "jobs"

urlpatterns = [
    path("", views.job_list, name="list"),
    path("periodic/", views.periodic, name="periodic"),
    path("periodic/<str:kind>/run/", views.run_periodic, name="run_periodic"),
    path("<int:pk>/", views.job_detail, name="detail"),
    path("<int:pk>/status/", views.job_status, name="status"),
    path("<int:pk>/download/", views.job_download, name="download"),
]
