"""Notices (通报): the text around a round's problem tree, and publishing it."""

from __future__ import annotations

import json

from django.contrib import admin, messages
from django.db.models import Count
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from rectify.admin.admin_base import RecordAdmin
from rectify.admin.admin_display import round_column
from rectify.admin.admin_filters import RoundFilter
from rectify.admin.publishing_admin import publications_list, publish_view
from rectify.models import Notice
from rectify.rules import permissions
from rectify.services import notice_summary


@admin.register(Notice)
class NoticeAdmin(RecordAdmin):
    list_display = ("title", round_column, "kind", "date", "approved_by", "published_versions")
    list_filter = ("kind", ("round", RoundFilter), "round__party_group", "date")
    list_select_related = ("round__party_group",)
    search_fields = ("title", "opening", "overall", "closing", "signature")
    date_hierarchy = "date"
    readonly_fields = ("summary_preview", "publications", "created_at", "updated_at")
    actions = ["publish_selected"]
    history_hidden_fields = ("publications", "summary_preview")
    change_form_template = "admin/rectify/notice/change_form.html"

    class Media:
        js = ["rectify/summary-preview.js"]
    fieldsets = [
        (None, {"fields": ("round", "kind", "title", "date")}),
        (_("正文"), {"fields": ("opening", "overall_heading", "overall", "problems_heading")}),
        (_("统计概要"), {"fields": ("show_summary", "summary_template", "summary_preview")}),
        (_("结尾与落款"), {"fields": ("closing", "signature", "approved_by")}),
        (_("发布"), {"fields": ("publications",)}),
        (_("记录"), {"classes": ("collapse",), "fields": ("created_at", "updated_at")}),
    ]

    def get_queryset(self, request):
        return (super().get_queryset(request).select_related("round__party_group")
                .annotate(publication_count=Count("publications")))

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path("<path:object_id>/publish/", self.admin_site.admin_view(self.publish_view),
                 name="{}_{}_publish".format(*info)),
            *super().get_urls(),
        ]

    # -- publishing ----------------------------------------------------------------------

    def has_publish_permission(self, request, obj=None) -> bool:
        """Publishing is for inspection staff (``permissions.can_publish``)."""
        return permissions.can_publish(request.user)

    def publish_view(self, request, object_id):
        return publish_view(self, request, object_id)

    @admin.action(permissions=["publish"], description=_("发布所选通报…"))
    def publish_selected(self, request, queryset):
        """Leads to the confirmation page of the one selected notice."""
        notices = list(queryset.values_list("pk", flat=True)[:2])
        if len(notices) != 1:
            self.message_user(request, gettext("请一次只选择一份通报发布。"), messages.WARNING)
            return None
        return redirect(reverse("admin:rectify_notice_publish", args=[notices[0]]))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = dict(extra_context or {})
        if self.has_publish_permission(request) and not self._in_history_version(request):
            extra_context["publish_url"] = reverse("admin:rectify_notice_publish",
                                                   args=[object_id])
        return super().change_view(request, object_id, form_url, extra_context)

    # -- columns and read-only fields ------------------------------------------------------

    @admin.display(description=_("已发布版本数"), ordering="publication_count")
    def published_versions(self, obj):
        return obj.publication_count

    @admin.display(description=_("概要预览"))
    def summary_preview(self, obj):
        """The paragraph as publishing would print it now, from the records; a script
        (static/rectify/summary-preview.js) follows the template as it is edited."""
        if obj is None or obj.pk is None:
            return gettext("保存后显示：数字由本轮的整改记录计算。")
        values = notice_summary.values(notice_summary.round_counts(obj))
        return format_html(
            '<p class="summary-preview" data-values="{}">{}</p>'
            '<p class="help">{}</p>',
            json.dumps(values, ensure_ascii=False),
            notice_summary.render_values(obj.summary_template, values),
            gettext("按本轮目前的记录计算；发布时重新计算并固定在该版本中。"))

    @admin.display(description=_("已发布版本"))
    def publications(self, obj):
        return publications_list(obj)
