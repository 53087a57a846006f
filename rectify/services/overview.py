"""The bureau overview (各单位整改进度总览): per bureau, the tasks a user may see, counted by
status, by warning colour, awaiting review, signed off and overdue, with the deadline
extensions approved and waiting.

Counted by the database in two queries whatever the number of tasks (plus the user's roles,
cached on the user): the tasks grouped by party group, each count a conditional aggregate over
the due dates and colours of ``rectify.rules.due_dates`` (SQL annotations: the rule is not
written again here), and their deadline extensions grouped the same way (a subquery per task
would cost more than the counts themselves); the totals add up the rows.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Max, Q
from django.utils import timezone

from rectify.models import DeadlineExtension, RectificationTask
from rectify.models.choices import ExtensionStatus, ReviewLevel, Status
from rectify.rules import due_dates as deadlines
from rectify.rules import permissions


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


def _aggregates() -> dict:
    """The counts of a bureau, over tasks annotated by ``with_due_dates``: each name is a
    field of :class:`Counts` (a status ``status_<value>``)."""
    waiting = ~Q(proposed_status="")
    return {
        "total": Count("pk"),
        "name": Max("round__party_group__name"),
        "short_name": Max("round__party_group__short_name"),
        **{f"status_{value}": Count("pk", filter=Q(status=value)) for value in Status.values},
        # The colours are those of open tasks with a due date (None otherwise).
        **{colour.value: Count("pk", filter=Q(warning=colour.value))
           for colour in deadlines.Warning},
        "no_date": Count("pk", filter=~Q(status__in=Status.done()) & Q(due_on__isnull=True)),
        "awaiting_review": Count("pk", filter=waiting),
        "awaiting_leader": Count("pk", filter=waiting & Q(proposal_level=ReviewLevel.BUREAU)),
        "signed_off": Count("pk", filter=Q(signed_off_at__isnull=False)),
        "overdue": Count("pk", filter=Q(is_overdue=True)),
    }


_PLAIN = ("total", "green", "yellow", "red", "no_date", "awaiting_review", "awaiting_leader",
          "signed_off", "overdue")


def _fill(counts: Counts, row: dict) -> None:
    """Add one aggregated row to ``counts``."""
    for name in _PLAIN:
        setattr(counts, name, getattr(counts, name) + row[name])
    for value in Status.values:
        counts.by_status[value] += row[f"status_{value}"]


def _extensions(tasks) -> dict[int, dict[str, int]]:
    """Per party group, of ``tasks``: the approved extensions (a task extended twice counts
    twice) and the tasks with a request waiting (one query)."""
    rows = (DeadlineExtension.objects.filter(task__in=tasks.order_by().values("pk"))
            .values("task__round__party_group_id").order_by()
            .annotate(extensions=Count("pk", filter=Q(status=ExtensionStatus.APPROVED)),
                      extensions_pending=Count("task_id", distinct=True,
                                               filter=Q(status=ExtensionStatus.PENDING))))
    return {row.pop("task__round__party_group_id"): row for row in rows}


def bureau_overview(user, today: datetime.date | None = None) -> Overview:
    """One row per bureau with tasks visible to ``user``, ordered by bureau name, and totals."""
    today = today or timezone.localdate()
    visible = permissions.visible(RectificationTask, user)
    # Grouped by the party group's id alone (its names are aggregates): a hash of a few
    # hundred groups, not a sort of every task.
    grouped = (deadlines.with_due_dates(visible, today).order_by()
               .values("round__party_group_id").annotate(**_aggregates()))
    rows, totals = [], Counts()
    for row in grouped:
        bureau = BureauRow(pk=row["round__party_group_id"], name=row["name"],
                           short_name=row["short_name"])
        _fill(bureau, row)
        _fill(totals, row)
        rows.append(bureau)
    if rows:
        by_pk = {row.pk: row for row in rows}
        for pk, extensions in _extensions(visible).items():
            for counts in (by_pk[pk], totals):
                counts.extensions += extensions["extensions"]
                counts.extensions_pending += extensions["extensions_pending"]
    rows.sort(key=lambda row: (row.name, row.pk))
    return Overview(today=today, rows=rows, totals=totals)
