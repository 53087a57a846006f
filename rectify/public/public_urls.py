"""Public notice pages, mounted at /notices/."""

from django.urls import path

from rectify.public import notice_documents as documents
from rectify.public import notice_feeds as feeds
from rectify.public import open_data as opendata
from rectify.public import public_views as views
from rectify.public.public_access import chinese_page

app_name = "public"

urlpatterns = [
    path("", chinese_page(views.notice_list), name="notice_list"),
    path("feed/", chinese_page(feeds.feed), name="feed"),
    path("rounds/<int:round_pk>/", views.round_latest, name="round_latest"),
    path("<int:pk>/", chinese_page(views.notice_detail), name="notice_detail"),
    path("<int:pk>/changes/", chinese_page(views.notice_changes), name="notice_changes"),
    path("<int:pk>.json", chinese_page(opendata.notice_json), name="notice_json"),
    path("<int:pk>.csv", chinese_page(opendata.notice_csv), name="notice_csv"),
    path("<int:pk>.docx", chinese_page(documents.notice_docx), name="notice_docx"),
    path("<int:pk>.pdf", chinese_page(documents.notice_pdf), name="notice_pdf"),
]
