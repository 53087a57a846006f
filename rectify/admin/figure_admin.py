"""Outcome figures (整改成效数据): the list, each figure's page, and the inlines of the task
page (the task's figures) and of the round page (the round's own figures, without a task).

Staff change them, auditors read them (the one rule, ``rectify.rules.permissions``); a
signed-off task's figures are locked with it, as its measures are.
"""

from __future__ import annotations

from django.contrib import admin
from django.forms.models import BaseInlineFormSet
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from rectify.admin.admin_base import RecordAdmin, without_version
from rectify.admin.admin_filters import RoundFilter
from rectify.admin.admin_forms import MeasureInlineForm, VersionedAdminForm
from rectify.models import OutcomeFigure
from rectify.rules import permissions

FIELDS = ("kind", "value", "unit", "label", "note")


def _unlocked(obj) -> bool:
    """Whether a figure, or the figures of the page's record (a task, a round), may still
    change: not under a signed-off task."""
    task = obj.task if isinstance(obj, OutcomeFigure) else obj
    return task is None or getattr(task, "signed_off_at", None) is None


class FigureAdminForm(VersionedAdminForm):
    """A figure with its version: a save over someone else's newer one is refused."""

    deleted_message = _("该整改成效数据已被删除，无法保存。")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "version" in self.fields:
            self.fields["version"].required = self.instance.pk is not None

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is not None and "version" in self.fields:
            self.refuse_if_stale(list(self.fields))
        return cleaned


class _FigureRows(BaseInlineFormSet):
    """New rows take their round from the page's record (a task's round, or the round)."""

    def save_new(self, form, commit=True):
        page = self.instance  # a task (its round) or a round
        form.instance.round_id = page.round_id if hasattr(page, "round_id") else page.pk
        return super().save_new(form, commit)


class _FigureInline(admin.TabularInline):
    model = OutcomeFigure
    form = MeasureInlineForm  # the row's version: a stale changed row is refused
    formset = _FigureRows
    fields = (*FIELDS, "version")
    extra = 0

    def get_formset(self, request, obj=None, **kwargs):
        return super().get_formset(request, obj, **without_version(self, request, obj, kwargs))

    # The one rule: staff change, auditors read.
    def has_view_permission(self, request, obj=None):
        return permissions.reads_all(request.user)

    def has_add_permission(self, request, obj=None):
        return permissions.is_staff(request.user) and _unlocked(obj)

    def has_change_permission(self, request, obj=None):
        return permissions.is_staff(request.user) and _unlocked(obj)

    def has_delete_permission(self, request, obj=None):
        return permissions.is_staff(request.user) and _unlocked(obj)


class TaskFigureInline(_FigureInline):
    """The task's outcome figures (整改成效数据); locked once the task is signed off."""

    fk_name = "task"
    verbose_name_plural = _("整改成效数据")


class RoundFigureInline(_FigureInline):
    """The round's own outcome figures (整轮的成效，不属于某一任务); the tasks' are on their
    pages and in the list of figures."""

    fk_name = "round"
    verbose_name = _("整轮整改成效数据")
    verbose_name_plural = _("整轮整改成效数据（不属于某一任务；任务的成效数据在任务页面填报）")

    def get_queryset(self, request):
        return super().get_queryset(request).filter(task__isnull=True)


@admin.register(OutcomeFigure)
class OutcomeFigureAdmin(RecordAdmin):
    form = FigureAdminForm
    list_display = ("figure", "value_display", "unit", "round", "task_title", "author",
                    "updated_at")
    list_display_links = ("figure",)
    list_filter = ("kind", ("round", RoundFilter), "round__party_group")
    list_select_related = ("round__party_group", "task", "author")
    search_fields = ("label", "note", "task__title")
    raw_id_fields = ("task",)
    readonly_fields = ("author", "created_at", "updated_at")
    fieldsets = [
        (None, {"fields": ("version", "round", "task", *FIELDS),
                "description": _("任务的成效数据也可由单位在任务页面填报；整改任务留空即为整轮"
                                 "的成效数据。资金、损失以万元计。")}),
        (_("记录"), {"classes": ("collapse",), "fields": ("author", "created_at",
                                                         "updated_at")}),
    ]

    def get_form(self, request, obj=None, change=False, **kwargs):
        return super().get_form(request, obj, change,
                                **without_version(self, request, obj, kwargs))

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:  # a new figure has no version yet
            fieldsets = [(name, {**options, "fields": [f for f in options["fields"]
                                                       if f != "version"]})
                         for name, options in fieldsets]
        return fieldsets

    def save_model(self, request, obj, form, change):
        if not change and obj.author_id is None:
            obj.author = request.user
        super().save_model(request, obj, form, change)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and _unlocked(obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and _unlocked(obj)

    @admin.display(description=_("成效类别"), ordering="kind")
    def figure(self, obj):
        return obj.display_label

    @admin.display(description=_("数值"), ordering="value")
    def value_display(self, obj):
        return f"{obj.value.normalize():f}"

    @admin.display(description=_("整改任务"), ordering="task")
    def task_title(self, obj):
        return Truncator(obj.task.title).chars(40) if obj.task_id else _("（整轮）")
