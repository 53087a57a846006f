"""Escalating deadline warnings (预警升级): which open tasks are due soon or overdue on a day,
and whom each of them reaches. The daily reminder e-mails (``rectify.services.reminders``)
and the warning notifications (``rectify.services.notifications.write_warnings``) are made
from the same selection.

Levels, by the colours of ``rectify.rules.due_dates`` (thresholds in the settings
``WARNING_YELLOW_DAYS``, 20, and ``WARNING_RED_DAYS``, 10):

==========  =====================================  ======================================
level       a task is                              reaches
==========  =====================================  ======================================
yellow      due within the yellow days             the bureau's clerks (who handle it)
red         due within the red days, not overdue   the clerks and the bureau's leaders
overdue     past its due date                      the clerks, the leaders and the office
==========  =====================================  ======================================

The handler keeps hearing about a task as it turns red and overdue; a leader hears of red
and overdue tasks, the inspection office (staff) of overdue ones only. Each recipient gets
the tasks at the levels that reach it, per bureau.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from functools import cached_property

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from bureaus.models import PartyGroup
from rectify.models import InspectionRound, RectificationTask
from rectify.rules import due_dates as deadlines
from rectify.rules import permissions
from rectify.rules.problem_tree import numbers_for

PROBLEM_CHARS = 80  # a task's problem text is cut to this length in the mail


class Level(models.TextChoices):
    YELLOW = "yellow", _("黄色预警")
    RED = "red", _("红色预警")
    OVERDUE = "overdue", _("已逾期")


#: The levels that reach each kind of recipient.
CLERK_LEVELS = frozenset({Level.YELLOW, Level.RED, Level.OVERDUE})
LEADER_LEVELS = frozenset({Level.RED, Level.OVERDUE})
STAFF_LEVELS = frozenset({Level.OVERDUE})


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
    def level(self) -> Level:
        if self.overdue:
            return Level.OVERDUE
        return Level.RED if self.warning == deadlines.Warning.RED else Level.YELLOW

    @property
    def colour_label(self) -> str:
        return str(self.warning.label)

    @cached_property  # a task is listed in several mails
    def problem(self) -> str:
        return Truncator(" ".join(self.task.title.split())).chars(PROBLEM_CHARS, truncate="……")

    @property
    def url(self) -> str:
        return settings.SITE_URL + reverse("work:task", kwargs={"pk": self.task.pk})


#: What a reminder shows of a task (and its number needs); the rest of the row is not read.
TASK_FIELDS = ("id", "round_id", "category_id", "position", "printed_label", "title")


def _due_items(tasks, today: datetime.date) -> list[DueTask]:
    """The yellow and red ones of ``tasks`` on ``today``, by due date: the tasks (their
    reminder's fields), their rounds with party groups (each read once, shared by its tasks)
    and their numbers (``problem_tree.numbers_for``): five queries, whatever the number."""
    found = list(deadlines.with_due_dates(tasks, today)
                 .filter(warning__in=[deadlines.Warning.YELLOW, deadlines.Warning.RED])
                 .only(*TASK_FIELDS).order_by())
    if not found:
        return []
    rounds = InspectionRound.objects.select_related("party_group").in_bulk(
        {task.round_id for task in found})
    for task in found:
        task.round = rounds[task.round_id]
    numbers = numbers_for(tasks=found)
    countdowns: dict[datetime.date, str] = {}
    items = []
    for task in found:
        due = task.due_on
        if due not in countdowns:
            countdowns[due] = deadlines.countdown(due, today)
        items.append(DueTask(task, due, (due - today).days, countdowns[due],
                             deadlines.Warning(task.warning),
                             getattr(numbers.get(("task", task.pk)), "number_path", "")))
    return sorted(items, key=lambda item: (item.due, item.task.round_id, item.task.pk))


def due_tasks(party_group, today: datetime.date | None = None) -> list[DueTask]:
    """The bureau's open tasks that are yellow or red on ``today``, by due date."""
    today = today or timezone.localdate()
    return _due_items(RectificationTask.objects.filter(round__party_group=party_group), today)


@dataclass
class BureauDue:
    """One bureau's due tasks on a day and, per recipient, those that reach it."""

    party_group: PartyGroup
    items: list[DueTask]
    recipients: list[tuple[object, list[DueTask]]] = field(default_factory=list)


def levels_for(member: permissions.BureauMember | None, staff: bool) -> frozenset[Level]:
    """The levels that reach a user: as the bureau's clerk, its leader, and as staff."""
    levels: frozenset[Level] = frozenset()
    if member is not None and member.clerk:
        levels |= CLERK_LEVELS
    if member is not None and member.leader:
        levels |= LEADER_LEVELS
    if staff:
        levels |= STAFF_LEVELS
    return levels


def escalation(today: datetime.date | None = None, party_group_ids=None) -> list[BureauDue]:
    """Every bureau with yellow or red tasks on ``today`` (by name), each recipient with the
    tasks that reach it (see the module). Eight queries, whatever the number of bureaus and
    tasks: the tasks, their rounds, their numbers (three), the bureaus' clerks and leaders
    (two), the staff."""
    today = today or timezone.localdate()
    tasks = RectificationTask.objects.all()
    if party_group_ids is not None:
        tasks = tasks.filter(round__party_group__in=list(party_group_ids))
    by_group: dict[int, list[DueTask]] = {}
    for item in _due_items(tasks, today):
        by_group.setdefault(item.task.round.party_group_id, []).append(item)
    if not by_group:
        return []
    members = permissions.bureau_members(by_group)
    staff = list(permissions.staff_users().order_by("username"))
    found = []
    for items in by_group.values():
        party_group = items[0].task.round.party_group
        due = BureauDue(party_group, items)
        listed = {member.user.pk: member for member in members.get(party_group.pk, [])}
        users = {member.user.pk: member.user for member in members.get(party_group.pk, [])}
        users.update((user.pk, user) for user in staff)
        staff_ids = {user.pk for user in staff}
        for user in sorted(users.values(), key=lambda user: user.get_username()):
            levels = levels_for(listed.get(user.pk), user.pk in staff_ids)
            reaching = [item for item in items if item.level in levels]
            if reaching:
                due.recipients.append((user, reaching))
        found.append(due)
    return sorted(found, key=lambda due: due.party_group.name)
