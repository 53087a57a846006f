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
``manage.py send_reminders``. The queries do not grow with the number of bureaus, tasks or
mails: the log rows are written in one insert, the mails sent through one connection.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.db.models import Q
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
    return _render(party_group, user, items, today, links or {}, _Addresses())


class _Addresses:
    """The links of the mails: a task's page, a notification's, each built from one
    ``reverse`` per kind rather than one per task listed."""

    def __init__(self):
        self.task = _address("work:task")
        self.notification = _address("work:notification")
        self.tasks = settings.SITE_URL + reverse("work:index")
        self.notifications = settings.SITE_URL + reverse("work:notifications")


def _address(name: str):
    """``pk -> the absolute address`` of the URL ``name`` with that ``pk``."""
    marker = 987654321
    head, tail = (settings.SITE_URL + reverse(name, kwargs={"pk": marker})).split(str(marker))
    return lambda pk: f"{head}{pk}{tail}"


def _render(party_group: PartyGroup, user, items: list[DueTask], today: datetime.date,
            links: dict, addresses: _Addresses) -> tuple[str, str]:
    with translation.override("zh-hans"):
        subject = _("【整改提醒】{bureau}：{n}项整改任务临近时限或已逾期").format(
            bureau=party_group.short_name or party_group.name, n=len(items))
        levels = {item.level for item in items}
        body = render_to_string("work/email/reminder.txt", {
            "party_group": party_group, "today": today,
            "items": [(item, _link(item, links.get(item.task.pk), addresses))
                      for item in items],
            "name": f"{user.last_name}{user.first_name}".strip() or user.get_username(),
            "overdue_count": sum(item.overdue for item in items),
            "overdue_only": levels == {Level.OVERDUE},
            "yellow_days": deadlines.yellow_days(), "red_days": deadlines.red_days(),
            "tasks_url": addresses.tasks, "notifications_url": addresses.notifications,
        }).strip() + "\n"
    return subject, body


def _link(item: DueTask, note, addresses: _Addresses) -> str:
    if note is None:
        return addresses.task(item.task.pk)
    return addresses.notification(note.pk)


def send_reminders(today: datetime.date | None = None, *, dry_run: bool = False,
                   party_group_ids=None, stdout=None) -> Result:
    """Send the day's reminders and write its warning notifications (see the module);
    ``stdout`` gets a line per mail. A dry run writes nothing.

    A fixed number of queries, whatever the number of bureaus, tasks and mails: the
    selection (``escalation``: eight), the notifications (two), the day's log (one), the
    log rows of the mails to send (one insert) and, if any failed, their removal (one)."""
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
    outgoing: list[tuple[Mail, list[DueTask]]] = []
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
                outgoing.append((mail, items))
    if outgoing:
        _send(outgoing, today, result, stdout, links)
    return result


def _send(outgoing: list[tuple[Mail, list[DueTask]]], today: datetime.date, result: Result,
          stdout, links: dict) -> None:
    """Render the mails, log them (one insert), send them through one connection, and remove
    the log rows of those that failed, so that the next run tries them again.

    The log rows come first: a concurrent run's insert of the same rows fails on the unique
    constraint, and that run sends none of them. A run that dies while sending leaves the
    rows of the mails it had not sent yet: those are not sent again that day."""
    addresses = _Addresses()
    messages = []
    for mail, items in outgoing:
        subject, body = _render(mail.party_group, mail.user, items, today,
                                links.get(mail.user.pk, {}), addresses)
        messages.append((mail, EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL,
                                            [mail.user.email])))
    messages = _claim(messages, today, result)
    if not messages:
        return
    failed = []
    connection = get_connection()
    try:
        connection.open()
    except Exception:  # each send below fails with it, and is reported
        pass
    try:
        for mail, message in messages:
            message.connection = connection
            try:
                message.send()
            except Exception as error:  # one bad address or a hiccup must not stop the rest
                failed.append(mail)
                result.failed.append((mail, str(error)))
                _say(stdout, f"发送失败：{mail}（{error}）")
                _reopen(connection)
            else:
                result.sent.append(mail)
                _say(stdout, f"已发送：{mail}")
    finally:
        _quietly(connection.close)
    if failed:
        ReminderLog.objects.filter(_pairs(failed), date=today).delete()


def _claim(messages: list, today: datetime.date, result: Result) -> list:
    """Write the log rows of ``messages`` in one insert; those another run logged meanwhile
    are theirs (already sent), and the rest are tried again (one more insert)."""
    while messages:
        try:
            with transaction.atomic():
                ReminderLog.objects.bulk_create(
                    ReminderLog(party_group=mail.party_group, user=mail.user, date=today,
                                task_count=mail.task_count) for mail, _message in messages)
            return messages
        except IntegrityError:
            taken = set(ReminderLog.objects.filter(
                _pairs([mail for mail, _message in messages]), date=today)
                .values_list("party_group_id", "user_id"))
            if not taken:
                raise
            result.already_sent += [mail for mail, _message in messages
                                    if (mail.party_group.pk, mail.user.pk) in taken]
            messages = [(mail, message) for mail, message in messages
                        if (mail.party_group.pk, mail.user.pk) not in taken]
    return messages


def _pairs(mails: list[Mail]) -> Q:
    found = Q()
    for mail in mails:
        found |= Q(party_group=mail.party_group, user=mail.user)
    return found


def _reopen(connection) -> None:
    """A connection that failed is not reused: closed, and opened again for the next mail."""
    _quietly(connection.close)
    _quietly(connection.open)


def _quietly(action) -> None:
    try:
        action()
    except Exception:  # the next send reports what is wrong
        pass


def _say(stdout, line: str) -> None:
    if stdout is not None:
        stdout.write(line)
