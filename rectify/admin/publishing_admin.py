"""Publishing a notice from the admin: the confirmation page and the published versions,
which staff may withdraw (撤回) through a confirmation page of their own."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _

from rectify.models import Publication
from rectify.models.choices import Status, WithholdGround
from rectify.rules import permissions
from rectify.services.publishing import publish_notice, withdraw_publication
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


class WithdrawForm(forms.Form):
    """What staff confirm before withdrawing a published version: why, and who approved."""

    reason = forms.CharField(
        label=_("撤回理由"), widget=forms.Textarea(attrs={"rows": 4}), max_length=2000,
        help_text=_("将在该版本的原发布页面上公开，替代其内容。"))
    approved_by = forms.CharField(
        label=_("撤回审批人（主要负责人）"), max_length=100,
        help_text=_("批准撤回的主要负责人的姓名。"))


def withdraw_view(model_admin, request, object_id):
    """The intermediate confirmation page; POST withdraws through the service."""
    publication = model_admin.get_object(request, unquote(object_id))
    if publication is None:
        return model_admin._get_obj_does_not_exist_redirect(request, model_admin.opts,
                                                            object_id)
    if not model_admin.has_withdraw_permission(request, publication):
        raise PermissionDenied
    form = WithdrawForm(request.POST or None,
                        initial={"approved_by": publication.approved_by})
    if publication.is_withdrawn:
        form = None
    elif request.method == "POST" and form.is_valid():
        try:
            withdraw_publication(publication, request.user, **form.cleaned_data)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(None if field == "__all__" else field, errors)
        else:
            model_admin.message_user(request, gettext("已撤回“{title}”第{version}版。").format(
                title=publication.title, version=publication.version), messages.SUCCESS)
            return redirect(reverse("admin:rectify_publication_change", args=[publication.pk]))
    context = {
        **model_admin.admin_site.each_context(request),
        "title": gettext("撤回已发布的通报"),
        "subtitle": str(publication),
        "opts": model_admin.opts,
        "original": publication,
        "publication": publication,
        "form": form,
        "media": model_admin.media,
    }
    return TemplateResponse(request, "admin/rectify/publication/withdraw.html", context)


def preview(notice) -> dict:
    """What publishing would freeze now: counts, withheld tasks and why, label flags."""
    content = build_snapshot(notice)
    return {
        "content": content,
        "task_count": content["counts"]["tasks"],
        # The snapshot keeps each status's label in the language it was built in.
        "by_status": [{**item, "label": Status(item["status"]).label}
                      for item in content["counts"]["by_status"]],
        "withheld": [{**item, "ground_label": WithholdGround(item["ground"]).label}
                     for item in content["withheld"]],
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
        "published_at", "published_by_name", "withdrawn_at")
    if not rows:
        return gettext("尚未发布")
    return format_html("<ul>{}</ul>", format_html_join("", '<li><a href="{}">{}</a> {}</li>', (
        (pub.get_absolute_url(),
         gettext("第{version}版").format(version=pub.version),
         gettext("{audiences}；审批人：{approved}；{who}发布于 {when}").format(
             audiences=pub.get_audiences_display(), approved=pub.approved_by,
             who=pub.published_by_name,
             when=timezone.localtime(pub.published_at).strftime("%Y-%m-%d %H:%M"))
         + (gettext("；已于 {when} 撤回").format(
             when=timezone.localtime(pub.withdrawn_at).strftime("%Y-%m-%d %H:%M"))
            if pub.withdrawn_at else ""))
        for pub in rows
    )))


@admin.register(Publication)
class PublicationAdmin(admin.ModelAdmin):
    """Published versions are frozen: they can be read here, never changed or deleted; staff
    may only withdraw one (撤回), with a reason and its approver, on a confirmation page."""

    list_display = ("title", "version", "issuer", "date", "audiences", "approved_by",
                    "published_by_name", "published_at", "withdrawn", "public_link")
    list_filter = ("for_public", "for_party", "kind", "round__party_group",
                   ("withdrawn_at", admin.EmptyFieldListFilter))
    actions = ["withdraw_selected"]
    search_fields = ("title", "issuer", "approved_by")
    date_hierarchy = "date"
    fields = ("notice", "round", "version", "title", "kind", "issuer", "date", "for_party",
              "for_public", "approved_by", "published_by_name", "published_at", "public_link",
              "withheld_tasks", "withdrawn_at", "withdrawn_by_name", "withdrawal_reason",
              "withdrawal_approved_by")
    readonly_fields = fields

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path("<path:object_id>/withdraw/", self.admin_site.admin_view(self.withdraw_view),
                 name="{}_{}_withdraw".format(*info)),
            *super().get_urls(),
        ]

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

    # -- withdrawing (撤回) ------------------------------------------------------------------

    def has_withdraw_permission(self, request, obj=None) -> bool:
        """Withdrawing is for inspection staff (``permissions.can_withdraw``)."""
        return permissions.can_withdraw(request.user)

    def withdraw_view(self, request, object_id):
        return withdraw_view(self, request, object_id)

    @admin.action(permissions=["withdraw"], description=_("撤回所选版本…"))
    def withdraw_selected(self, request, queryset):
        """Leads to the confirmation page of the one selected version."""
        chosen = list(queryset.values_list("pk", flat=True)[:2])
        if len(chosen) != 1:
            self.message_user(request, gettext("请一次只选择一个版本撤回。"), messages.WARNING)
            return None
        return redirect(reverse("admin:rectify_publication_withdraw", args=[chosen[0]]))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = dict(extra_context or {})
        if self.has_withdraw_permission(request):
            extra_context["withdraw_url"] = reverse("admin:rectify_publication_withdraw",
                                                    args=[object_id])
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.display(description=_("撤回"), boolean=True, ordering="withdrawn_at")
    def withdrawn(self, obj):
        return obj.withdrawn_at is not None

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
            "", "<li>{} {}" + pgettext("label separator", "：") + "{}{}</li>",
            ((item["number_path"], item["title"], WithholdGround(item["ground"]).label,
              pgettext("opening parenthesis", "（") + item["note"]
              + pgettext("closing parenthesis", "）") if item["note"] else "")
             for item in withheld)))
