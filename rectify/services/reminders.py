"""Reminder e-mails (整改提醒): each bureau's clerks hear once a day about the bureau's open tasks
that are due within ``deadlines.YELLOW_DAYS`` days or overdue (yellow and red).

``send_reminders`` sends one mail per clerk and bureau and writes a ``ReminderLog`` row for it;
a clerk who already has a row for the bureau and day is skipped, so that running it twice a
day sends nothing the second time. Run daily by ``manage.py send_reminders``.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from bureaus.models import PartyGroup
from rectify.models import RectificationTask, ReminderLog
from rectify.rules import due_dates as deadlines
from rectify.rules import permissions
from rectify.rules.problem_tree import numbers_for_rounds

PROBLEM_CHARS = 80  # a task's problem text is cut to this length in the mail


@dataclass(frozen=True)
class DueTask:
    """An open task of a bureau due soon or overdue, with its due date and colour."""

    task: RectificationTask
    due: datetime.date
    days_left: int  # negative when overdue
    countdown: str  # deadlines.countdown: “还剩 N 天”, “今天到期”, “已逾期 N 天”
    warning: deadlines.Warning  # yellow or red
    number: str = ""  # the derived number in the round's problem tree, e.g. (一)1.

    @property
    def overdue(self) -> bool:
        return self.days_left < 0

    @property
    def colour_label(self) -> str:
        return str(self.warning.label)

    @property
    def problem(self) -> str:
        return Truncator(" ".join(self.task.title.split())).chars(PROBLEM_CHARS, truncate="……")

    @property
    def url(self) -> str:
        return settings.SITE_URL + reverse("work:task", kwargs={"pk": self.task.pk})


def due_tasks(party_group, today: datetime.date | None = None) -> list[DueTask]:
    """The bureau's open tasks that are yellow or red on ``today``, by due date."""
    today = today or timezone.localdate()
    tasks = (deadlines.with_due_dates(
        RectificationTask.objects.filter(round__party_group=party_group), today)
        .filter(warning__in=[deadlines.Warning.YELLOW, deadlines.Warning.RED])
        .select_related("round", "round__party_group"))
    found = [(task, task.due_on, deadlines.Warning(task.warning)) for task in tasks]
    numbers = numbers_for_rounds({task.round_id for task, _due, _w in found}) if found else {}
    items = [
        DueTask(task, due, (due - today).days, deadlines.countdown(due, today), warning,
                getattr(numbers.get(("task", task.pk)), "number_path", ""))
        for task, due, warning in found
    ]
    return sorted(items, key=lambda item: (item.due, item.task.round_id, item.task.pk))


@dataclass(frozen=True)
class Mail:
    """One reminder to one clerk about one bureau (sent, or to be sent on a dry run)."""

    party_group: PartyGroup
    user: object
    task_count: int

    def __str__(self) -> str:
        address = f" <{self.user.email}>" if self.user.email else ""
        return (f"{self.party_group} → {self.user.get_username()}{address}："
                f"{self.task_count} 项")


@dataclass
class Result:
    today: datetime.date
    dry_run: bool = False
    sent: list[Mail] = field(default_factory=list)  # would be sent, on a dry run
    already_sent: list[Mail] = field(default_factory=list)  # logged earlier the same day
    without_email: list[Mail] = field(default_factory=list)  # clerks with no address
    failed: list[tuple[Mail, str]] = field(default_factory=list)  # (mail, error)


def clerks_of(party_group: PartyGroup):
    """The bureau's active members in the clerk role."""
    return permissions.bureau_users(party_group).order_by(
        "username")


def render_reminder(party_group: PartyGroup, user, items: list[DueTask],
                    today: datetime.date) -> tuple[str, str]:
    """Subject and body of a reminder, in Chinese."""
    with translation.override("zh-hans"):
        subject = _("【整改提醒】{bureau}：{n}项整改任务临近时限或已逾期").format(
            bureau=party_group.short_name or party_group.name, n=len(items))
        body = render_to_string("work/email/reminder.txt", {
            "party_group": party_group, "items": items, "today": today,
            "name": f"{user.last_name}{user.first_name}".strip() or user.get_username(),
            "overdue_count": sum(item.overdue for item in items),
            "yellow_days": deadlines.YELLOW_DAYS, "red_days": deadlines.RED_DAYS,
            "tasks_url": settings.SITE_URL + reverse("work:index"),
        }).strip() + "\n"
    return subject, body


def send_reminders(today: datetime.date | None = None, *, dry_run: bool = False,
                   party_group_ids=None, stdout=None) -> Result:
    """Send the day's reminders (see the module); ``stdout`` gets a line per mail."""
    today = today or timezone.localdate()
    result = Result(today=today, dry_run=dry_run)
    groups = PartyGroup.objects.order_by("name")
    if party_group_ids is not None:
        groups = groups.filter(pk__in=party_group_ids)
    for party_group in groups:
        clerks = list(clerks_of(party_group))
        items = due_tasks(party_group, today) if clerks else []
        if not items:
            continue
        logged = set(ReminderLog.objects.filter(party_group=party_group, date=today)
                     .values_list("user_id", flat=True))
        for user in clerks:
            mail = Mail(party_group, user, len(items))
            if user.pk in logged:
                result.already_sent.append(mail)
            elif not user.email:
                result.without_email.append(mail)
            elif dry_run:
                result.sent.append(mail)
                _say(stdout, f"将发送：{mail}")
            else:
                _send(mail, items, today, result, stdout)
    return result


def _send(mail: Mail, items: list[DueTask], today: datetime.date, result: Result,
          stdout) -> None:
    subject, body = render_reminder(mail.party_group, mail.user, items, today)
    message = EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [mail.user.email])
    try:
        # The log row first: a concurrent run hits the unique constraint and sends nothing;
        # a failed send rolls the row back, so that the next run tries again.
        with transaction.atomic():
            ReminderLog.objects.create(party_group=mail.party_group, user=mail.user,
                                       date=today, task_count=mail.task_count)
            message.send()
    except IntegrityError:
        result.already_sent.append(mail)
    except Exception as error:  # one bad address or a mail server hiccup must not stop the rest
        result.failed.append((mail, str(error)))
        _say(stdout, f"发送失败：{mail}（{error}）")
    else:
        result.sent.append(mail)
        _say(stdout, f"已发送：{mail}")


def _say(stdout, line: str) -> None:
    if stdout is not None:
        stdout.write(line)
