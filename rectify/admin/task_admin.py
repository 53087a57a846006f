"""Rectification tasks: measures inline, filters, bulk status change and sign-off (销号)."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.views.main import ORDER_VAR
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Value
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator, format_lazy
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _

from rectify.admin.admin_base import RecordAdmin, without_version
from rectify.admin.admin_display import change_log, round_column, status_badge
from rectify.admin.admin_filters import OverdueFilter, ProposalFilter, RoundFilter, SignedOffFilter
from rectify.admin.admin_forms import MeasureInlineForm, TaskAdminForm
from rectify.admin.category_admin import TreeNumberMixin
from rectify.admin.figure_admin import TaskFigureInline
from rectify.models import DeadlineExtension, Measure, RectificationTask
from rectify.models.choices import Status
from rectify.models.problems import next_measure_position
from rectify.rules import due_dates, lifecycle, permissions, text_search
from rectify.rules.problem_tree import PrintOrderPages, print_ordering
from rectify.services import search_index
from rectify.services.workflow import change_status, sign_off

_TEXT_WIDGET = {"widget": forms.Textarea(attrs={"rows": 3, "cols": 80})}


class MeasureInline(admin.TabularInline):
    """The task's measures (整改措施) in print order."""

    model = Measure
    form = MeasureInlineForm
    fields = ("position", "text", "responsible_unit", "due_date", "version")
    ordering = ("position", "pk")
    extra = 1
    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 2,
                                                                            "cols": 70})}}

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj,
                                      **without_version(self, request, obj, kwargs))
        # A new measure goes after the existing ones unless placed otherwise.
        if "position" in formset.form.base_fields:
            formset.form.base_fields["position"].initial = next_measure_position(
                obj.pk if obj else None)
        return formset

    # A signed-off task's measures are locked with it.
    def has_add_permission(self, request, obj=None):
        return _unlocked(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return _unlocked(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return _unlocked(obj) and super().has_delete_permission(request, obj)


def _day(day) -> str:
    return day.isoformat() if day else "—"


def _unlocked(task) -> bool:
    return task is None or getattr(task, "signed_off_at", None) is None


def _locked(queryset):
    """The selected tasks, locked for the rest of the transaction, with what clean() reads."""
    return (RectificationTask.objects.filter(pk__in=queryset.values("pk"))
            .select_related("round", "category")
            .select_for_update(of=("self",))
            .order_by("round_id", "category_id", "position"))


def _status_action(status: Status):
    def action(modeladmin, request, queryset):
        modeladmin.apply_status(request, queryset, status)

    action.__name__ = f"mark_{status.value}"
    return admin.action(
        permissions=["change"],
        description=format_lazy(_("将所选任务的整改状态改为“{}”"), status.label),
    )(action)


@admin.register(RectificationTask)
class RectificationTaskAdmin(TreeNumberMixin, RecordAdmin):
    tree_kind = "task"
    form = TaskAdminForm
    inlines = [MeasureInline, TaskFigureInline]
    list_display = ("number", "short_title", round_column, "party_group", "status_with_result",
                    "due_on_display", "overdue", "signed_off")
    list_display_links = ("number", "short_title")
    list_filter = (("round", RoundFilter), "round__party_group", "status", OverdueFilter,
                   SignedOffFilter, ProposalFilter, "withhold_ground")
    list_select_related = ("round__party_group",)
    # The search box (shown because search_fields is set) searches the search's rows:
    # get_search_results below.
    search_fields = ("title",)
    search_help_text = _("按词语检索问题、问题详情、责任领导、责任科室、整改措施、整改进展和"
                         "整改成效，多个词语用空格分开")
    actions = [*(_status_action(status) for status in Status), "sign_off_selected"]
    formfield_overrides = {models.TextField: _TEXT_WIDGET}
    history_hidden_fields = ("number", "change_log", "work_page", "due_on_display",
                             "extension_list")

    add_fieldsets = [
        (None, {"fields": ("round", "category", "position", "printed_label", "title",
                           "detail")}),
        (_("责任与时限"), {"fields": ("responsible_leader", "responsible_department",
                                  "deadline")}),
        (_("整改情况"), {"fields": ("progress", "outcome")}),
        (_("向社会公开"), {"fields": ("withhold_ground", "withhold_note")}),
    ]
    fieldsets = [
        (None, {"fields": ("version", "round", "category", "position", "number",
                           "printed_label", "title", "detail")}),
        (_("责任与时限"), {"fields": ("responsible_leader", "responsible_department",
                                  "deadline", "extended_deadline", "due_on_display",
                                  "extension_list"),
                         "description": _("整改时限为原定时限；经批准延期的，到期日为延期后"
                                          "时限。延期在审核页面申请和审批。")}),
        (_("整改情况"), {
            "fields": ("status_with_result", "result_text", "progress", "outcome",
                       "completion_date"),
            "description": _("整改状态请在任务列表中用“将所选任务的整改状态改为…”操作修改，"
                             "以便统一记录完成时间和修改记录。"),
        }),
        (_("向社会公开"), {"fields": ("withhold_ground", "withhold_note"),
                          "description": _("选择不予公开理由的任务不出现在向社会公开的通报中，"
                                           "党内通报照常列出；发布前的确认页面列出全部此类任务。")}),
        (_("状态提议"), {"fields": ("work_page", "proposed_status", "proposal_note",
                                  "proposed_by", "proposed_completion_date", "proposed_at",
                                  "proposal_level"),
                         "description": _("单位联络员提议的整改状态，在审核页面查看佐证材料后"
                                          "通过（即销号）或退回；已销号的任务也在那里回头看重新打开。"
                                          "两级审核的轮次，提议须先经单位负责人审核通过。")}),
        (_("销号"), {"fields": ("signed_off_by", "signed_off_at")}),
        (_("修改记录"), {"classes": ("collapse",),
                         "fields": ("change_log", "created_at", "updated_at")}),
    ]

    @admin.display(description=_("审核页面"))
    def work_page(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        return format_html('<a href="{}#proposal">{}</a>', reverse("work:task", args=[obj.pk]),
                           gettext("打开审核页面（佐证材料、进展记录、审核与回头看）"))

    # -- form ---------------------------------------------------------------------------

    def get_readonly_fields(self, request, obj=None):
        if obj is None or self._in_history_version(request):
            return super().get_readonly_fields(request, obj)
        # The round is fixed once saved; what the lifecycle writes changes through the actions
        # and the review page (the status is shown as ``status_with_result``).
        lifecycle_fields = sorted(lifecycle.LIFECYCLE_FIELDS - {"status"})
        return ("round", "number", "status_with_result", *lifecycle_fields, "work_page",
                "due_on_display", "extension_list", "change_log", "created_at", "updated_at")

    def get_form(self, request, obj=None, change=False, **kwargs):
        return super().get_form(request, obj, change,
                                **without_version(self, request, obj, kwargs))

    def get_queryset(self, request):
        return due_dates.with_due_dates(super().get_queryset(request).select_related(
            "round__party_group", "category", "signed_off_by"))

    def get_ordering(self, request):
        """The notice's order, round by round, unless a column is sorted."""
        return print_ordering()

    def get_search_results(self, request, queryset, search_term):
        """The one search of every surface (``rectify.services.search_index``): the words
        in the problem, its detail, leader and department, measures, progress, outcome and
        result, from the search's rows (no join, no DISTINCT); the words ride along on each
        row for the problem column's highlight."""
        words = text_search.query_words(search_term)
        if not words:
            return queryset, False
        found = search_index.search_tasks(queryset, search_term)
        return found.annotate(search_words=Value(" ".join(words))), False

    def get_paginator(self, request, queryset, per_page, orphans=0,
                      allow_empty_first_page=True):
        """In the notice's order (no column sorted), a page is read round by round: the
        database sorts only the rounds the page covers, not every task."""
        if ORDER_VAR not in request.GET:
            queryset = PrintOrderPages(queryset)
        return super().get_paginator(request, queryset, per_page, orphans,
                                     allow_empty_first_page)

    # -- the sign-off lock ------------------------------------------------------------------

    def has_change_permission(self, request, obj=None):
        """A signed-off task is read-only for everyone until staff reopen it (回头看)."""
        if obj is not None and obj.signed_off_at is not None:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.signed_off_at is not None:
            return False
        return super().has_delete_permission(request, obj)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        task = self.get_object(request, object_id)
        if task is not None and task.signed_off_at is not None and request.method == "GET":
            messages.warning(request, format_html(
                '{} <a href="{}#proposal">{}</a>', lifecycle.locked_message(task),
                reverse("work:task", args=[task.pk]), gettext("到审核页面重新打开")))
        return super().change_view(request, object_id, form_url, extra_context)

    # -- columns and read-only fields ------------------------------------------------------

    @admin.display(description=_("问题"), ordering="title")
    def short_title(self, obj):
        title = Truncator(obj.title).chars(40)
        words = getattr(obj, "search_words", None)
        return text_search.highlight(title, words.split()) if words else title

    @admin.display(description=_("被巡察党组织"), ordering="round__party_group")
    def party_group(self, obj):
        return obj.round.party_group

    @admin.display(description=_("整改状态"), ordering="status")
    def status_with_result(self, obj):
        return status_badge(obj)

    @admin.display(description=_("到期日"), ordering="due_on")
    def due_on_display(self, obj):
        """The due date every surface uses (after an approved extension), with its colour."""
        due = getattr(obj, "due_on", None)
        if due is None:
            return "—"
        if obj.extended_deadline:
            return format_html("{} {}", due.isoformat(), gettext("（已延期）"))
        return due.isoformat()

    @admin.display(description=_("延期申请"))
    def extension_list(self, obj):
        """The task's extension requests and decisions, read only (a list, not an inline: the
        bureau asks and staff decide on the work page)."""
        rows = list(DeadlineExtension.objects.filter(task=obj).select_related(
            "requested_by", "decided_by").order_by("-requested_at", "-pk")) if obj.pk else []
        if not rows:
            return gettext("无")
        colon, semicolon = pgettext("label separator", "："), pgettext("clause separator", "；")
        items = format_html_join("", "<li>{} {} → {} · {} · {}" + colon + "{}{}</li>", (
            (row.get_status_display(), _day(row.current_due), _day(row.new_deadline),
             row.requested_by.get_username() if row.requested_by else "—",
             gettext("延期理由"), row.reason,
             format_html(semicolon + "{} {}" + colon + "{}", row.decided_by.get_username()
                         if row.decided_by else "—", gettext("审批意见"), row.comment)
             if row.decided_at else "")
            for row in rows))
        return format_html('<ul class="extensions">{}</ul>', items)

    @admin.display(description=_("逾期"), ordering="due_on")
    def overdue(self, obj):
        """"已逾期" in red for an overdue task, nothing otherwise (Django's boolean icons
        would show an overdue task as a green tick)."""
        if obj.is_overdue:
            return format_html('<span class="overdue-flag">{}</span>', gettext("已逾期"))
        return ""

    @admin.display(description=_("已销号"), boolean=True, ordering="signed_off_at")
    def signed_off(self, obj):
        return obj.is_signed_off

    @admin.display(description=_("修改记录"))
    def change_log(self, obj):
        return change_log(obj)

    # -- actions --------------------------------------------------------------------------

    def has_signoff_permission(self, request, obj=None):
        """销号 is for inspection staff only."""
        return self.has_change_permission(request, obj) and permissions.can_review(
            request.user)

    def apply_status(self, request, queryset, status: Status) -> None:
        """Change the status of the selected tasks through the service: all or nothing."""
        try:
            with transaction.atomic():
                tasks = list(_locked(queryset))
                changed = change_status(tasks, status, request.user)
        except ValidationError as exc:
            self.message_user(
                request,
                gettext("整改状态未修改，所选任务均保持原状：{errors}").format(
                    errors="；".join(exc.messages)),
                messages.ERROR,
            )
            return
        if changed:
            message = gettext("已将 {count} 项任务的整改状态改为“{label}”。").format(
                count=changed, label=status.label)
            if changed < len(tasks):
                message += gettext("其余 {count} 项原已是该状态。").format(
                    count=len(tasks) - changed)
            self.message_user(request, message, messages.SUCCESS)
        else:
            self.message_user(
                request, gettext("所选任务已是“{label}”，未作修改。").format(label=status.label),
                messages.WARNING,
            )

    @admin.action(permissions=["signoff"], description=_("销号所选任务"))
    def sign_off_selected(self, request, queryset):
        """Sign the selected tasks off (销号): all or nothing."""
        errors: list[str] = []
        count = 0
        with transaction.atomic():
            for task in _locked(queryset):
                try:
                    sign_off(task, request.user)
                    count += 1
                except ValidationError as exc:
                    errors.extend(
                        gettext("“{task}”：{error}").format(task=task, error=message)
                        for message in exc.messages
                    )
            if errors:
                transaction.set_rollback(True)
        if errors:
            self.message_user(
                request,
                gettext("未销号任何任务：{errors}").format(errors="；".join(errors)),
                messages.ERROR,
            )
        else:
            self.message_user(request, gettext("已销号 {count} 项任务。").format(count=count),
                              messages.SUCCESS)
