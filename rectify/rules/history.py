"""Reading the append-only change history (django-simple-history) as people read it.

Every model that matters registers ``HistoricalRecords(bases=[AppendOnlyHistory])``
(``rectify.models.base``): each save writes a snapshot row (who, when, the full record after
the change), and the row before it is the state before. Rows are written, never updated or
deleted. Here they become readable entries, and a refused stale save a readable message.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils.translation import gettext, pgettext_lazy


@dataclass
class FieldChange:
    """One field's change; ``old`` and ``new`` are stored values, ``old_text`` and
    ``new_text`` what a reader sees (choice labels, user names, local times)."""

    field: str
    label: str
    old: Any
    new: Any
    model_field: models.Field | None = None
    names: dict | None = None  # shared cache of related records' names

    @property
    def old_text(self) -> str:
        return readable(self.model_field, self.old, self.names) if self.model_field else ""

    @property
    def new_text(self) -> str:
        return readable(self.model_field, self.new, self.names) if self.model_field else ""


def readable(field: models.Field, value: Any, cache: dict | None = None) -> str:
    """A stored value as a reader sees it: a choice's label, a related record's name (users
    by user name), a local date and time; empty for nothing."""
    from django.utils import timezone

    if value is None or value == "":
        return ""
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if field.is_relation:
        key = (field.related_model, value)
        if cache is None or key not in cache:
            related = field.related_model._default_manager.filter(pk=value).first()
            name = getattr(related, "get_username", None)
            text = str(value) if related is None else name() if name else str(related)
            if cache is None:
                return text
            cache[key] = text
        return cache[key]
    if isinstance(field, models.DateTimeField) and hasattr(value, "tzinfo"):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


@dataclass
class HistoryEntry:
    """One readable change: who, when, what kind, which fields went from what to what.

    ``model`` and ``object_id`` name the record changed (a task's history also holds its
    measures' changes); ``object_repr`` is how it read after (or, deleted, before) the change.
    """

    when: Any
    user: str
    action: str
    reason: str
    changes: list[FieldChange]
    model: str = ""
    object_id: Any = None
    object_repr: str = ""


#: What was done to the record, in the history's words (past tense in English: "Changed",
#: not the buttons' "Edit").
_ACTIONS = {"+": pgettext_lazy("history", "创建"), "~": pgettext_lazy("history", "修改"),
            "-": pgettext_lazy("history", "删除")}
#: Bookkeeping fields left out of every readable change list.
NOISE_FIELDS = frozenset({"updated_at", "created_at", "version"})


def entries_of(records: list, model: type[models.Model]) -> list[HistoryEntry]:
    """Readable entries of one record's history rows, given newest first."""
    entries = []
    names: dict = {}  # related records' names, looked up once per call when read
    for i, record in enumerate(records):
        previous = records[i + 1] if i + 1 < len(records) else None
        changes = []
        if previous is not None:
            delta = record.diff_against(previous)
            for change in delta.changes:
                if change.field in NOISE_FIELDS:
                    continue
                field = model._meta.get_field(change.field)
                changes.append(FieldChange(
                    change.field, str(field.verbose_name), change.old, change.new, field, names))
        user = record.history_user.get_username() if record.history_user else gettext("系统")
        entries.append(
            HistoryEntry(
                when=record.history_date,
                user=user,
                action=str(_ACTIONS.get(record.history_type, record.history_type)),
                # A reason the system wrote (导入通报…) is a catalogue string: shown translated.
                reason=gettext(record.history_change_reason) if record.history_change_reason
                else "",
                changes=changes,
                model=model._meta.model_name,
                object_id=getattr(record, model._meta.pk.attname),
                object_repr=str(record.instance)[:80],
            )
        )
    return entries


def history_entries(obj: models.Model) -> list[HistoryEntry]:
    """The object's history, newest first, each with its field-level before/after."""
    records = list(obj.history.select_related("history_user").order_by("-history_date", "-pk"))
    return entries_of(records, type(obj))


def task_history_entries(task) -> list[HistoryEntry]:
    """A task's history merged with its measures' and its outcome figures' (deleted ones
    too), newest first.

    Three queries: the task's history rows, the rows of every measure and of every outcome
    figure it ever had.
    """
    from rectify.models import Measure, OutcomeFigure

    entries = history_entries(task)
    for model in (Measure, OutcomeFigure):
        by_record: dict[int, list] = {}
        rows = (model.history.filter(task_id=task.pk).select_related("history_user")
                .order_by("-history_date", "-pk"))
        for row in rows:
            by_record.setdefault(row.id, []).append(row)
        for records in by_record.values():
            entries.extend(entries_of(records, model))
    entries.sort(key=lambda entry: entry.when, reverse=True)
    return entries


def _display(obj: models.Model, name: str) -> str:
    from django.utils.text import Truncator

    field = obj._meta.get_field(name)
    text = readable(field, getattr(obj, field.attname))
    return Truncator(text).chars(80) if text else gettext("（空）")


def stale_message(current: models.Model, submitted: dict[str, Any],
                  loaded: int | None) -> str:
    """Why a form over an older version of ``current`` was refused: who saved it first and
    when, and the stored value of every submitted field that differs from the submission."""
    from django.core.exceptions import FieldDoesNotExist
    from django.utils import timezone

    last = current.history.select_related("history_user").order_by(
        "-history_date", "-history_id").first()
    who = last.history_user.get_username() if last and last.history_user else gettext("其他用户")
    when = timezone.localtime(last.history_date).strftime("%Y-%m-%d %H:%M") if last else ""
    differences = []
    for name, value in submitted.items():
        try:
            field = current._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        stored = getattr(current, field.attname)
        if field.is_relation:
            value = getattr(value, "pk", value)
        if stored != value:
            differences.append(gettext("{label}：{value}").format(
                label=field.verbose_name, value=_display(current, name)))
    now = "；".join(differences) if differences else gettext("各项内容与您提交的相同")
    return gettext(
        "保存失败：您打开此页面后，{who}已于 {when} 先保存了这条记录（当前版本 {current}，"
        "您打开时为版本 {loaded}）。您的修改没有保存。当前内容：{now}。"
        "请核对后重新修改。"
    ).format(who=who, when=when, current=current.version,
             loaded=loaded if loaded is not None else "—", now=now)
