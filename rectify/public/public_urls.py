"""Public notice pages, mounted at /notices/."""

from django.urls import path

from rectify.public import notice_documents as documents
from rectify.public import notice_feeds as feeds
from rectify.public import open_data as opendata
from rectify.public import page_cache
from rectify.public import public_views as views
from rectify.public.public_access import chinese_page

app_name = "public"

#: Answers kept for anonymous readers (rectify.public.page_cache): "page" and "data" until the
#: version's round changes or it is withdrawn, "list" and "feed" until anything is published.
cached = page_cache.cached

urlpatterns = [
    path("", cached("list")(chinese_page(views.notice_list)), name="notice_list"),
    path("feed/", cached("feed")(chinese_page(feeds.feed)), name="feed"),
    path("rounds/<int:round_pk>/", views.round_latest, name="round_latest"),
    path("<int:pk>/", cached("page")(chinese_page(views.notice_detail)), name="notice_detail"),
    path("<int:pk>/changes/", chinese_page(views.notice_changes), name="notice_changes"),
    path("<int:pk>.json", cached("data")(chinese_page(opendata.notice_json)),
         name="notice_json"),
    path("<int:pk>.csv", cached("data")(chinese_page(opendata.notice_csv)), name="notice_csv"),
    path("<int:pk>.docx", cached("data")(chinese_page(documents.notice_docx)),
         name="notice_docx"),
    path("<int:pk>.pdf", cached("data")(chinese_page(documents.notice_pdf)), name="notice_pdf"),
]
