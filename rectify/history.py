"""Append-only change history on top of django-simple-history.

Every model that matters registers ``HistoricalRecords(bases=[AppendOnlyHistory])``: each
save writes a snapshot row (who, when, the full record after the change), and the row before
it is the state before. Rows are written, never updated or deleted.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class AppendOnlyHistory(models.Model):
    """Abstract base of every historical model: a history row is written once, never edited."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionDenied("History is append-only")
        return super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionDenied("History is append-only")


@dataclass
class FieldChange:
    field: str
    label: str
    old: Any
    new: Any


@dataclass
class HistoryEntry:
    """One readable change: who, when, what kind, which fields went from what to what."""

    when: Any
    user: str
    action: str
    reason: str
    changes: list[FieldChange]


_ACTIONS = {"+": _("创建"), "~": _("修改"), "-": _("删除")}
_SKIP = {"updated_at", "created_at", "version"}


def history_entries(obj: models.Model) -> list[HistoryEntry]:
    """The object's history, newest first, each with its field-level before/after."""
    records = list(obj.history.select_related("history_user").order_by("-history_date", "-pk"))
    model = type(obj)
    entries = []
    for i, record in enumerate(records):
        previous = records[i + 1] if i + 1 < len(records) else None
        changes = []
        if previous is not None:
            delta = record.diff_against(previous)
            for change in delta.changes:
                if change.field in _SKIP:
                    continue
                label = str(model._meta.get_field(change.field).verbose_name)
                changes.append(FieldChange(change.field, label, change.old, change.new))
        user = record.history_user.get_username() if record.history_user else gettext("系统")
        entries.append(
            HistoryEntry(
                when=record.history_date,
                user=user,
                action=str(_ACTIONS.get(record.history_type, record.history_type)),
                reason=record.history_change_reason or "",
                changes=changes,
            )
        )
    return entries
