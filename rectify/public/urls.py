"""Public notice pages, mounted at /notices/."""

from django.urls import path

from rectify.public import feeds, opendata, views
from rectify.public.access import chinese_page

app_name = "public"

urlpatterns = [
    path("", chinese_page(views.notice_list), name="notice_list"),
    path("feed/", chinese_page(feeds.feed), name="feed"),
    path("rounds/<int:round_pk>/", views.round_latest, name="round_latest"),
    path("<int:pk>/", chinese_page(views.notice_detail), name="notice_detail"),
    path("<int:pk>/changes/", chinese_page(views.notice_changes), name="notice_changes"),
    path("<int:pk>.json", chinese_page(opendata.notice_json), name="notice_json"),
    path("<int:pk>.csv", chinese_page(opendata.notice_csv), name="notice_csv"),
]
