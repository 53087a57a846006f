"""The bureau overview (各单位整改进度总览): per bureau, the tasks a user may see, counted by
status, by warning colour, awaiting review, signed off and overdue, with the deadline
extensions approved and waiting.

One query for the tasks whatever their number (plus the user's roles, cached on the user); due
dates and colours come from ``rectify.rules.due_dates`` computed in Python.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.utils import timezone

from rectify.models import RectificationTask
from rectify.models.choices import ReviewLevel, Status
from rectify.rules import due_dates as deadlines
from rectify.rules import extension_rules, permissions


def _zero_by_status() -> dict[str, int]:
    return dict.fromkeys(Status.values, 0)


@dataclass
class Counts:
    """Task counts of one bureau, or of all of them.

    ``by_status`` is keyed by ``Status`` values (every value present). The colours count open
    (not done) tasks only: ``green``/``yellow``/``red`` as ``deadlines.Warning``, ``no_date``
    for open tasks with neither a deadline nor a round end. ``overdue`` is open and past its
    due date (these are red too). ``extensions`` counts approved deadline extensions (a task
    extended twice counts twice), ``extensions_pending`` the requests waiting for staff.
    """

    total: int = 0
    by_status: dict[str, int] = field(default_factory=_zero_by_status)
    green: int = 0
    yellow: int = 0
    red: int = 0
    no_date: int = 0
    awaiting_review: int = 0
    awaiting_leader: int = 0  # of those, waiting for the bureau leader (first level)
    signed_off: int = 0
    overdue: int = 0
    extensions: int = 0
    extensions_pending: int = 0

    @property
    def done(self) -> int:
        return sum(self.by_status.get(status, 0) for status in Status.done())

    @property
    def open(self) -> int:
        return self.total - self.done

    @property
    def statuses(self) -> list[tuple[str, str, int]]:
        """``(value, label, count)`` for every status, in the choices' order."""
        return [(value, str(label), self.by_status.get(value, 0))
                for value, label in Status.choices]

    def add(self, *, status: str, warning: deadlines.Warning | None, awaiting_review: bool,
            signed_off: bool, overdue: bool, extensions: int = 0,
            extension_pending: bool = False, awaiting_leader: bool = False) -> None:
        self.total += 1
        self.by_status[status] = self.by_status.get(status, 0) + 1
        if status not in Status.done():
            colour = warning.value if warning else "no_date"
            setattr(self, colour, getattr(self, colour) + 1)
        self.awaiting_review += awaiting_review
        self.awaiting_leader += awaiting_leader
        self.signed_off += signed_off
        self.overdue += overdue
        self.extensions += extensions
        self.extensions_pending += extension_pending


@dataclass(kw_only=True)
class BureauRow(Counts):
    """One bureau (party group) and its counts."""

    pk: int
    name: str
    short_name: str = ""

    @property
    def label(self) -> str:
        return self.short_name or self.name


@dataclass
class Overview:
    today: datetime.date
    rows: list[BureauRow]
    totals: Counts

    def __bool__(self) -> bool:
        return bool(self.rows)


_FIELDS = (
    "status", "proposed_status", "proposal_level", "signed_off_at", "warning", "is_overdue",
    "extension_count", "pending_extension_deadline", "round__party_group_id",
    "round__party_group__name", "round__party_group__short_name",
)


def bureau_overview(user, today: datetime.date | None = None) -> Overview:
    """One row per bureau with tasks visible to ``user``, ordered by bureau name, and totals."""
    today = today or timezone.localdate()
    rows: dict[int, BureauRow] = {}
    totals = Counts()
    tasks = extension_rules.with_extension_counts(
        deadlines.with_due_dates(permissions.visible(RectificationTask, user), today))
    for task in tasks.order_by().values(*_FIELDS):
        warning = task["warning"]
        facts = {
            "status": task["status"],
            "warning": deadlines.Warning(warning) if warning else None,
            "awaiting_review": bool(task["proposed_status"]),
            "awaiting_leader": bool(task["proposed_status"])
            and task["proposal_level"] == ReviewLevel.BUREAU,
            "signed_off": task["signed_off_at"] is not None,
            "overdue": task["is_overdue"],
            "extensions": task["extension_count"] or 0,
            "extension_pending": task["pending_extension_deadline"] is not None,
        }
        pk = task["round__party_group_id"]
        if pk not in rows:
            rows[pk] = BureauRow(pk=pk, name=task["round__party_group__name"],
                                 short_name=task["round__party_group__short_name"])
        rows[pk].add(**facts)
        totals.add(**facts)
    ordered = sorted(rows.values(), key=lambda row: (row.name, row.pk))
    return Overview(today=today, rows=ordered, totals=totals)
