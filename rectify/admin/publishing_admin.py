"""Publishing a notice from the admin: the confirmation page and the published versions."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from rectify.models import Publication
from rectify.rules import permissions
from rectify.services.publishing import publish_notice
from rectify.services.snapshot import build_snapshot, iter_nodes, iter_tasks


class PublishForm(forms.Form):
    """What staff confirm before publishing: who approved it, and for whom it is."""

    approved_by = forms.CharField(
        label=_("审批人（主要负责人）"), max_length=100,
        help_text=_("本单位主要负责人（例如党组书记）的姓名；通报须经其审批后发布。"),
    )
    for_party = forms.BooleanField(label=_("党内通报（工作人员和审计人员可见）"), required=False,
                                   initial=True)
    for_public = forms.BooleanField(label=_("向社会通报（公众可见，不予公开的任务除外）"),
                                    required=False, initial=True)

    def clean_approved_by(self):
        value = self.cleaned_data["approved_by"].strip()
        if not value:
            raise ValidationError(_("请填写审批人（主要负责人）。"))
        return value

    def clean(self):
        cleaned = super().clean()
        if not (cleaned.get("for_party") or cleaned.get("for_public")):
            raise ValidationError(_("请至少选择一种发布范围：党内通报或向社会通报。"))
        return cleaned


def preview(notice) -> dict:
    """What publishing would freeze now: counts, withheld tasks and why, label flags."""
    content = build_snapshot(notice)
    return {
        "content": content,
        "task_count": content["counts"]["tasks"],
        "by_status": content["counts"]["by_status"],
        "withheld": content["withheld"],
        "flagged": [node for node in iter_nodes(content["tree"]) if node["label_flagged"]],
        "public_task_count": sum(1 for task in iter_tasks(content["tree"])
                                 if not task["withhold"]),
    }


def publish_view(model_admin, request, object_id):
    """The intermediate confirmation page; POST publishes through the service."""
    notice = model_admin.get_object(request, unquote(object_id))
    if notice is None:
        return model_admin._get_obj_does_not_exist_redirect(request, model_admin.opts,
                                                            object_id)
    if not model_admin.has_publish_permission(request, notice):
        raise PermissionDenied
    initial = {"approved_by": notice.approved_by, "for_party": True, "for_public": True}
    form = PublishForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            publication = publish_notice(notice, request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            model_admin.message_user(request, format_html(
                '{} <a href="{}">{}</a>',
                gettext("已发布“{title}”第{version}版（{audiences}）。").format(
                    title=publication.title, version=publication.version,
                    audiences=publication.get_audiences_display()),
                publication.get_absolute_url(), gettext("查看发布页面"),
            ), messages.SUCCESS)
            return redirect(reverse("admin:rectify_notice_change", args=[notice.pk]))
    versions = list(notice.round.publications.order_by("version").only(
        "id", "round_id", "version", "title", "date", "for_party", "for_public",
        "published_at"))
    context = {
        **model_admin.admin_site.each_context(request),
        "title": gettext("发布通报"),
        "subtitle": notice.title,
        "opts": model_admin.opts,
        "original": notice,
        "notice": notice,
        "form": form,
        "preview": preview(notice),
        "versions": versions,
        "next_version": (versions[-1].version if versions else 0) + 1,
        "media": model_admin.media,
    }
    return TemplateResponse(request, "admin/rectify/notice/publish.html", context)


def publications_list(notice) -> str:
    """The notice's published versions with links to their public pages."""
    if notice is None or notice.pk is None:
        return "—"
    rows = notice.publications.order_by("version").only(
        "id", "notice_id", "version", "date", "for_party", "for_public", "approved_by",
        "published_at", "published_by_name")
    if not rows:
        return gettext("尚未发布")
    return format_html("<ul>{}</ul>", format_html_join("", '<li><a href="{}">{}</a> {}</li>', (
        (pub.get_absolute_url(),
         gettext("第{version}版").format(version=pub.version),
         gettext("{audiences}；审批人：{approved}；{who}发布于 {when}").format(
             audiences=pub.get_audiences_display(), approved=pub.approved_by,
             who=pub.published_by_name,
             when=timezone.localtime(pub.published_at).strftime("%Y-%m-%d %H:%M")))
        for pub in rows
    )))


@admin.register(Publication)
class PublicationAdmin(admin.ModelAdmin):
    """Published versions are frozen: they can be read here, never changed or deleted."""

    list_display = ("title", "version", "issuer", "date", "audiences", "approved_by",
                    "published_by_name", "published_at", "public_link")
    list_filter = ("for_public", "for_party", "kind", "round__party_group")
    search_fields = ("title", "issuer", "approved_by")
    date_hierarchy = "date"
    fields = ("notice", "round", "version", "title", "kind", "issuer", "date", "for_party",
              "for_public", "approved_by", "published_by_name", "published_at", "public_link",
              "withheld_tasks")
    readonly_fields = fields

    def get_queryset(self, request):
        # The frozen content is large: only the page of one version reads it. Which versions:
        # the one rule (rectify.rules.permissions), as everywhere else.
        return permissions.visible(super().get_queryset(request), request.user).select_related(
            "round__party_group", "notice").defer(
            "snapshot", "public_snapshot", "search_text", "party_search_text")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("发布范围"))
    def audiences(self, obj):
        return obj.get_audiences_display()

    @admin.display(description=_("发布页面"))
    def public_link(self, obj):
        return format_html('<a href="{}">{}</a>', obj.get_absolute_url(), obj.get_absolute_url())

    @admin.display(description=_("不向社会公开的任务"))
    def withheld_tasks(self, obj):
        withheld = obj.snapshot.get("withheld", [])
        if not withheld:
            return gettext("无")
        return format_html("<ul>{}</ul>", format_html_join(
            "", "<li>{} {}：{}{}</li>",
            ((item["number_path"], item["title"], item["ground_label"],
              "（{}）".format(item["note"]) if item["note"] else "")
             for item in withheld)))
