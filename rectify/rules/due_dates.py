"""Deadlines: each task's three-colour warning and each round's milestones, with countdowns.

A task is due by its own deadline (整改时限) or, without one, by the end of its round's
concentrated rectification. Until it is completed it is

* **red** (红色) within ``RED_DAYS`` days of that date, or past it;
* **yellow** (黄色) within ``YELLOW_DAYS`` days;
* **green** (绿色) otherwise.

A completed task, or one with no date at all, has no warning (``None``). Pure functions: the
caller passes ``today`` where it matters (the reminders, the tests).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rectify.models.choices import Status

YELLOW_DAYS = 20
RED_DAYS = 10


class Warning(models.TextChoices):
    GREEN = "green", _("绿色")
    YELLOW = "yellow", _("黄色")
    RED = "red", _("红色")


WARNING_HELP = {
    Warning.GREEN: _("距整改时限20天以上"),
    Warning.YELLOW: _("距整改时限20天以内"),
    Warning.RED: _("距整改时限10天以内或已逾期"),
}


def due_date(deadline: datetime.date | None, round_end: datetime.date | None):
    """The date a task is due: its own deadline, else its round's end of rectification."""
    return deadline or round_end


def warning_for(due: datetime.date | None, status: str,
                today: datetime.date | None = None) -> Warning | None:
    """The colour of an open task due on ``due`` (None when done or without a date)."""
    if due is None or status in Status.done():
        return None
    left = (due - (today or timezone.localdate())).days
    if left <= RED_DAYS:
        return Warning.RED
    if left <= YELLOW_DAYS:
        return Warning.YELLOW
    return Warning.GREEN


def round_end_date(rectification_end: datetime.date | None, feedback_date: datetime.date | None,
                   rectification_months: int | None) -> datetime.date | None:
    """A round's end of concentrated rectification from its raw fields, for callers that read
    ``values()`` rather than rounds: the rule of ``InspectionRound.rectification_end_date``."""
    from rectify.models import InspectionRound

    return InspectionRound(rectification_end=rectification_end, feedback_date=feedback_date,
                           rectification_months=rectification_months).rectification_end_date


def task_due_date(task) -> datetime.date | None:
    return due_date(task.deadline, task.round.rectification_end_date)


def task_warning(task, today: datetime.date | None = None) -> Warning | None:
    return warning_for(task_due_date(task), task.status, today)


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
