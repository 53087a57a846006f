"""Due dates: when each task is due, whether it is overdue, its three-colour warning, and
each round's milestones with countdowns. The one home of the rule, computed by the database.

A task is due (``due_on``) by its own deadline (整改时限) or, without one, by the end of its
round's concentrated rectification (``InspectionRound.rectification_end_date``, stored).
Until it is completed it is

* **overdue** (已逾期) once that date has passed;
* **red** (红色) within ``RED_DAYS`` days of that date, or past it;
* **yellow** (黄色) within ``YELLOW_DAYS`` days;
* **green** (绿色) otherwise.

A completed task, or one with no date at all, has no warning and is never overdue.
:func:`with_due_dates` adds ``due_on``, ``is_overdue`` and ``warning`` to a task queryset as
SQL expressions; every surface — the work list and page, the overview, the admin, the API,
the ledger, the filters, the statistics and the reminders — reads them from there. The caller
passes ``today`` where it matters (the reminders, the tests).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import models
from django.db.models import BooleanField, Case, CharField, F, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from rectify.models.choices import Status

YELLOW_DAYS = 20
RED_DAYS = 10


class Warning(models.TextChoices):
    GREEN = "green", _("绿色")
    YELLOW = "yellow", _("黄色")
    RED = "red", _("红色")


WARNING_HELP = {
    Warning.GREEN: format_lazy(_("距到期日{days}天以上"), days=YELLOW_DAYS),
    Warning.YELLOW: format_lazy(_("距到期日{days}天以内"), days=YELLOW_DAYS),
    Warning.RED: format_lazy(_("距到期日{days}天以内或已逾期"), days=RED_DAYS),
}


def _today(today: datetime.date | None) -> datetime.date:
    return today or timezone.localdate()


def due_on_expression() -> Coalesce:
    """A task's due date in SQL: its deadline, else its round's end of rectification."""
    return Coalesce(F("deadline"), F("round__rectification_end_date"))


def _open() -> Q:
    return ~Q(status__in=Status.done())


def with_due_dates(tasks: QuerySet, today: datetime.date | None = None) -> QuerySet:
    """``tasks`` with ``due_on`` (date), ``is_overdue`` (bool) and ``warning`` (a
    :class:`Warning` value, or None when done or without a date), computed in SQL."""
    today = _today(today)
    open_ = _open()
    return tasks.annotate(due_on=due_on_expression()).annotate(
        is_overdue=Case(When(open_ & Q(due_on__lt=today), then=Value(True)),
                        default=Value(False), output_field=BooleanField()),
        warning=Case(
            When(~open_ | Q(due_on__isnull=True), then=Value(None)),
            When(due_on__lte=today + datetime.timedelta(days=RED_DAYS),
                 then=Value(Warning.RED.value)),
            When(due_on__lte=today + datetime.timedelta(days=YELLOW_DAYS),
                 then=Value(Warning.YELLOW.value)),
            default=Value(Warning.GREEN.value), output_field=CharField(null=True)),
    )


def overdue(tasks: QuerySet, today: datetime.date | None = None) -> QuerySet:
    """The open tasks whose due date has passed."""
    return tasks.annotate(due_on=due_on_expression()).filter(
        _open(), due_on__lt=_today(today))


def not_overdue(tasks: QuerySet, today: datetime.date | None = None) -> QuerySet:
    return tasks.annotate(due_on=due_on_expression()).filter(
        ~_open() | Q(due_on__isnull=True) | Q(due_on__gte=_today(today)))


def with_warning(tasks: QuerySet, colour: str, today: datetime.date | None = None) -> QuerySet:
    """The tasks of one colour (``green``, ``yellow``, ``red``)."""
    return with_due_dates(tasks, today).filter(warning=colour)


def countdown(day: datetime.date | None, today: datetime.date | None = None) -> str:
    """“还剩 N 天”, “今天到期” or “已逾期 N 天” (empty without a date)."""
    if day is None:
        return ""
    left = (day - (today or timezone.localdate())).days
    if left > 0:
        return str(_("还剩 {n} 天")).format(n=left)
    if left == 0:
        return str(_("今天到期"))
    return str(_("已逾期 {n} 天")).format(n=-left)


@dataclass(frozen=True)
class Milestone:
    label: str
    date: datetime.date
    days_left: int
    countdown: str

    @property
    def passed(self) -> bool:
        return self.days_left < 0


def milestones(rnd, today: datetime.date | None = None) -> list[Milestone]:
    """A round's milestones from its feedback date: the feedback itself, the rectification
    report (due two months after feedback) and the end of concentrated rectification."""
    today = today or timezone.localdate()
    points = [  # (label, date, whether it counts down: the feedback is only a start)
        (_("巡察反馈"), rnd.feedback_date, False),
        (_("报送整改情况报告"), rnd.report_due, True),
        (_("集中整改结束"), rnd.rectification_end_date, True),
    ]
    return [
        Milestone(str(label), day, (day - today).days, countdown(day, today) if counts else "")
        for label, day, counts in points if day is not None
    ]
