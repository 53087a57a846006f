"""Notices (通报): the text around a round's problem tree."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from rectify.admin.base import RecordAdmin
from rectify.admin.filters import RoundFilter
from rectify.models import Notice


@admin.register(Notice)
class NoticeAdmin(RecordAdmin):
    list_display = ("title", "round", "kind", "date", "approved_by")
    list_filter = ("kind", ("round", RoundFilter), "round__party_group", "date")
    list_select_related = ("round__party_group",)
    search_fields = ("title", "opening", "overall", "closing", "signature")
    date_hierarchy = "date"
    readonly_fields = ("created_at", "updated_at")
    fieldsets = [
        (None, {"fields": ("round", "kind", "title", "date")}),
        (_("正文"), {"fields": ("opening", "overall_heading", "overall", "problems_heading")}),
        (_("结尾与落款"), {"fields": ("closing", "signature", "approved_by")}),
        (_("记录"), {"classes": ("collapse",), "fields": ("created_at", "updated_at")}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("round__party_group")
