"""The ledger's URLs, mounted at /ledger/ (namespace ``ledger``)."""

from django.urls import path

from rectify.ledger import ledger_views as views

app_name = "ledger"

urlpatterns = [
    path("", views.ledger, name="index"),
    path("import/", views.import_preview, name="import"),
    path("import/apply/", views.import_apply, name="apply"),
    path("import/cancel/", views.import_cancel, name="cancel"),
    path("import/jobs/<int:pk>/", views.import_job_preview, name="job_preview"),
]
