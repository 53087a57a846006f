"""Reminder e-mails (整改提醒), escalating (预警升级): once a day, each bureau's open tasks
that are yellow, red or overdue reach the people of ``rectify.services.escalation`` — the
clerks (who handle them) from yellow, the bureau's leaders from red, the inspection office
(staff) once overdue; the thresholds are the settings ``WARNING_YELLOW_DAYS`` and
``WARNING_RED_DAYS``.

``send_reminders`` sends one mail per recipient and bureau listing the tasks that reach it,
and writes a ``ReminderLog`` row for it; a recipient who already has a row for the bureau and
day is skipped, so that running it twice a day sends nothing the second time. The same run
writes the warning notifications (``notifications.write_warnings``, once per recipient, task,
colour and due date), and each task in a mail links to its notification
(``/work/notifications/<id>/``: opening it marks it read and shows the task). Run daily by
``manage.py send_reminders``. The queries do not grow with the number of bureaus (one insert
per mail sent).
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
from django.utils.translation import gettext as _

from bureaus.models import PartyGroup
from rectify.models import ReminderLog
from rectify.rules import due_dates as deadlines
from rectify.services import notifications
from rectify.services.escalation import DueTask, Level, due_tasks, escalation

__all__ = ["DueTask", "Mail", "Result", "due_tasks", "render_reminder", "send_reminders"]


@dataclass(frozen=True)
class Mail:
    """One reminder to one recipient about one bureau (sent, or to be sent on a dry run)."""

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
    without_email: list[Mail] = field(default_factory=list)  # recipients with no address
    failed: list[tuple[Mail, str]] = field(default_factory=list)  # (mail, error)


def render_reminder(party_group: PartyGroup, user, items: list[DueTask],
                    today: datetime.date, links: dict | None = None) -> tuple[str, str]:
    """Subject and body of a reminder, in Chinese; ``links`` maps a task id to its
    notification for this user (the item's link), else the task page is linked."""
    links = links or {}
    with translation.override("zh-hans"):
        subject = _("【整改提醒】{bureau}：{n}项整改任务临近时限或已逾期").format(
            bureau=party_group.short_name or party_group.name, n=len(items))
        levels = {item.level for item in items}
        body = render_to_string("work/email/reminder.txt", {
            "party_group": party_group, "today": today,
            "items": [(item, _link(item, links.get(item.task.pk))) for item in items],
            "name": f"{user.last_name}{user.first_name}".strip() or user.get_username(),
            "overdue_count": sum(item.overdue for item in items),
            "overdue_only": levels == {Level.OVERDUE},
            "yellow_days": deadlines.yellow_days(), "red_days": deadlines.red_days(),
            "tasks_url": settings.SITE_URL + reverse("work:index"),
            "notifications_url": settings.SITE_URL + reverse("work:notifications"),
        }).strip() + "\n"
    return subject, body


def _link(item: DueTask, note) -> str:
    if note is None:
        return item.url
    return settings.SITE_URL + reverse("work:notification", kwargs={"pk": note.pk})


def send_reminders(today: datetime.date | None = None, *, dry_run: bool = False,
                   party_group_ids=None, stdout=None) -> Result:
    """Send the day's reminders and write its warning notifications (see the module);
    ``stdout`` gets a line per mail. A dry run writes nothing."""
    today = today or timezone.localdate()
    result = Result(today=today, dry_run=dry_run)
    bureaus = escalation(today, party_group_ids)
    links: dict[int, dict] = {}  # user id -> task id -> the user's notification of the task
    for (user_id, task_id), note in (
            {} if dry_run else notifications.write_warnings(bureaus)).items():
        links.setdefault(user_id, {})[task_id] = note
    logged = set(ReminderLog.objects.filter(
        date=today, party_group__in=[due.party_group for due in bureaus])
        .values_list("party_group_id", "user_id")) if bureaus else set()
    for due in bureaus:
        for user, items in due.recipients:
            mail = Mail(due.party_group, user, len(items))
            if (due.party_group.pk, user.pk) in logged:
                result.already_sent.append(mail)
            elif not user.email:
                result.without_email.append(mail)
            elif dry_run:
                result.sent.append(mail)
                _say(stdout, f"将发送：{mail}")
            else:
                _send(mail, items, today, result, stdout, links.get(user.pk, {}))
    return result


def _send(mail: Mail, items: list[DueTask], today: datetime.date, result: Result,
          stdout, links: dict) -> None:
    subject, body = render_reminder(mail.party_group, mail.user, items, today, links)
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
