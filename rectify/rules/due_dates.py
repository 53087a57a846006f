"""Due dates: when each task is due, whether it is overdue, its three-colour warning, and
each round's milestones with countdowns. The one home of the rule, computed by the database.

A task is due (``due_on``) by its approved extension (延期后时限, ``extended_deadline``), else
by its own deadline (整改时限) or, without one, by the end of its round's concentrated
rectification (``InspectionRound.rectification_end_date``, stored). The date before any
extension (原定时限) is kept and shown beside (``original_due_on``).
Until it is completed it is

* **overdue** (已逾期) once that date has passed;
* **red** (红色) within ``red_days()`` days of that date (setting ``WARNING_RED_DAYS``, 10),
  or past it;
* **yellow** (黄色) within ``yellow_days()`` days (setting ``WARNING_YELLOW_DAYS``, 20);
* **green** (绿色) otherwise.

A completed task, or one with no date at all, has no warning and is never overdue.
:func:`with_due_dates` adds ``due_on``, ``is_overdue`` and ``warning`` to a task queryset as
SQL expressions; every surface — the work list and page, the overview, the admin, the API,
the ledger, the filters, the statistics and the reminders — reads them from there. The caller
passes ``today`` where it matters (the reminders, the tests).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from rectify.models.choices import Status


def yellow_days() -> int:
    """Yellow within this many days of the due date (``settings.WARNING_YELLOW_DAYS``), read
    when asked, so that the colours, their legends and the reminders always agree."""
    return settings.WARNING_YELLOW_DAYS


def red_days() -> int:
    """Red within this many days of the due date, or past it (``settings.WARNING_RED_DAYS``)."""
    return settings.WARNING_RED_DAYS


class Warning(models.TextChoices):
    GREEN = "green", _("绿色")
    YELLOW = "yellow", _("黄色")
    RED = "red", _("红色")


class _WarningHelp(Mapping):
    """Each colour's legend (“距到期日20天以内”), with the day counts of the settings when
    read."""

    def __getitem__(self, colour) -> str:
        text, days = {
            Warning.GREEN: (_("距到期日{days}天以上"), yellow_days),
            Warning.YELLOW: (_("距到期日{days}天以内"), yellow_days),
            Warning.RED: (_("距到期日{days}天以内或已逾期"), red_days),
        }[Warning(colour)]
        return str(format_lazy(text, days=days()))

    def __iter__(self) -> Iterator[Warning]:
        return iter(Warning)

    def __len__(self) -> int:
        return len(Warning)


WARNING_HELP = _WarningHelp()


def _today(today: datetime.date | None) -> datetime.date:
    return today or timezone.localdate()


def due_on_expression() -> Coalesce:
    """A task's due date in SQL: its approved extension (延期后时限), else its deadline, else
    its round's end of rectification."""
    return Coalesce(F("extended_deadline"), F("deadline"), F("round__rectification_end_date"))


def original_due_expression() -> Coalesce:
    """A task's due date before any extension (原定时限): its deadline, else its round's end
    of rectification."""
    return Coalesce(F("deadline"), F("round__rectification_end_date"))


def original_due(task) -> datetime.date | None:
    """:func:`original_due_expression` for one task in memory."""
    return task.deadline or task.round.rectification_end_date


def current_due(task) -> datetime.date | None:
    """:func:`due_on_expression` for one task in memory (the extension service checks a
    request against it on the row it has locked)."""
    return task.extended_deadline or original_due(task)


def _open() -> Q:
    return ~Q(status__in=Status.done())


def _overdue(today: datetime.date) -> Q:
    """Overdue, on a queryset annotated with ``due_on``: open, and due before ``today``."""
    return _open() & Q(due_on__lt=today)


def _not_overdue(today: datetime.date) -> Q:
    """The complement of :func:`_overdue`, spelled out: a task without a date is not overdue
    (SQL's NOT would drop it with the NULL)."""
    return ~_open() | Q(due_on__isnull=True) | Q(due_on__gte=today)


def with_due_dates(tasks: QuerySet, today: datetime.date | None = None) -> QuerySet:
    """``tasks`` with ``due_on`` (date, after any approved extension), ``original_due_on``
    (the date before any extension), ``is_overdue`` (bool) and ``warning`` (a
    :class:`Warning` value, or None when done or without a date), computed in SQL."""
    today = _today(today)
    open_ = _open()
    return tasks.annotate(due_on=due_on_expression(),
                          original_due_on=original_due_expression()).annotate(
        is_overdue=Case(When(_overdue(today), then=Value(True)),
                        default=Value(False), output_field=BooleanField()),
        warning=Case(
            When(~open_ | Q(due_on__isnull=True), then=Value(None)),
            When(due_on__lte=today + datetime.timedelta(days=red_days()),
                 then=Value(Warning.RED.value)),
            When(due_on__lte=today + datetime.timedelta(days=yellow_days()),
                 then=Value(Warning.YELLOW.value)),
            default=Value(Warning.GREEN.value), output_field=CharField(null=True)),
    )


def overdue(tasks: QuerySet, today: datetime.date | None = None) -> QuerySet:
    """The open tasks whose due date has passed."""
    return tasks.annotate(due_on=due_on_expression()).filter(_overdue(_today(today)))


def not_overdue(tasks: QuerySet, today: datetime.date | None = None) -> QuerySet:
    return tasks.annotate(due_on=due_on_expression()).filter(_not_overdue(_today(today)))


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
    """A point of a round's timetable: its date, and either a countdown or, once reached, what
    closed it (``done``: the report submitted, the final notice published)."""

    label: str
    date: datetime.date
    days_left: int
    countdown: str
    done: str = ""

    @property
    def passed(self) -> bool:
        return self.days_left < 0 or bool(self.done)


def milestones(rnd, today: datetime.date | None = None, *,
               final_published: bool = False) -> list[Milestone]:
    """A round's milestones from its feedback date: the feedback itself, the rectification
    report (due two months after feedback; closed when staff record it submitted) and the end
    of concentrated rectification (closed once the round's final notice is published, or the
    day has passed). A round whose final notice is published has nothing left to count down."""
    today = today or timezone.localdate()
    submitted = getattr(rnd, "report_submitted_on", None)
    report_done = (str(_("已报送 {date}")).format(date=submitted.isoformat()) if submitted
                   else str(_("终期通报已发布")) if final_published else "")
    end_done = str(_("终期通报已发布")) if final_published else ""
    points = [  # (label, date, whether it counts down: the feedback is only a start, done)
        (_("巡察反馈"), rnd.feedback_date, False, ""),
        (_("报送整改情况报告"), rnd.report_due, True, report_done),
        (_("集中整改结束"), rnd.rectification_end_date, True, end_done),
    ]
    return [
        Milestone(str(label), day, (day - today).days,
                  countdown(day, today) if counts and not done else "", done)
        for label, day, counts, done in points if day is not None
    ]


def _final_versions() -> QuerySet:
    """Published versions of final notices (整改情况通报), not withdrawn: once one is out,
    the round's milestones are done."""
    from rectify.models import Publication
    from rectify.models.choices import NoticeKind

    return Publication.objects.current().filter(kind=NoticeKind.FINAL)


def with_final_published(rounds: QuerySet) -> QuerySet:
    """``rounds`` annotated with ``final_published`` (whether a final notice is published),
    for :func:`milestones`."""
    return rounds.annotate(final_published=Exists(_final_versions().filter(
        round=OuterRef("pk"))))


def final_published(rnd) -> bool:
    return _final_versions().filter(round=rnd).exists()
