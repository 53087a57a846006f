"""The work pages' URLs, mounted at /work/ (namespace ``work``)."""

from django.urls import path

from rectify.workpages import inbox_views, round_pages
from rectify.workpages import work_views as views

app_name = "work"

urlpatterns = [
    path("", views.task_list, name="index"),
    path("tasks/<int:pk>/", views.task_detail, name="task"),
    path("tasks/<int:pk>/progress/", views.task_progress, name="progress"),
    path("tasks/<int:pk>/entries/", views.entry_add, name="entry_add"),
    path("tasks/<int:pk>/measures/", views.measure_add, name="measure_add"),
    path("tasks/<int:pk>/measures/reorder/", views.measure_reorder, name="measure_reorder"),
    path("measures/<int:pk>/", views.measure_edit, name="measure_edit"),
    path("measures/<int:pk>/delete/", views.measure_delete, name="measure_delete"),
    path("tasks/<int:pk>/figures/", views.figure_add, name="figure_add"),
    path("figures/<int:pk>/", views.figure_edit, name="figure_edit"),
    path("figures/<int:pk>/delete/", views.figure_delete, name="figure_delete"),
    path("tasks/<int:pk>/evidence/", views.evidence_add, name="evidence_add"),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence"),
    path("evidence/<int:pk>/delete/", views.evidence_delete, name="evidence_delete"),
    path("tasks/<int:pk>/proposal/", views.proposal, name="proposal"),
    path("tasks/<int:pk>/proposal/withdraw/", views.proposal_withdraw, name="withdraw"),
    path("tasks/<int:pk>/review/", views.review, name="review_task"),
    path("tasks/<int:pk>/reopen/", views.reopen, name="reopen"),
    path("tasks/<int:pk>/extension/", views.extension_request, name="extension"),
    path("tasks/<int:pk>/extension/decision/", views.extension_decision,
         name="extension_decision"),
    path("rounds/<int:pk>/", round_pages.round_page, name="round"),
    path("rounds/<int:pk>/report.docx", round_pages.report_docx, name="round_report"),
    path("rounds/<int:pk>/plan.xlsx", round_pages.plan_xlsx, name="round_plan_xlsx"),
    path("rounds/<int:pk>/plan.docx", round_pages.plan_docx, name="round_plan_docx"),
    path("review/", views.review_queue, name="review"),
    path("overview/", views.overview, name="overview"),
    path("categories/", views.round_categories, name="round_categories"),
    path("notifications/", inbox_views.notification_list, name="notifications"),
    path("notifications/read-all/", inbox_views.notification_read_all,
         name="notifications_read_all"),
    path("notifications/<int:pk>/", inbox_views.notification_open, name="notification"),
    path("notifications/<int:pk>/read/", inbox_views.notification_read,
         name="notification_read"),
]
