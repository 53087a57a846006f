"""In-app notifications (站内通知): who hears of what, and reading them.

``notify`` writes one :class:`~rectify.models.Notification` per recipient (one bulk insert);
the actor never notifies itself and inactive users are skipped. The event functions below
decide the recipients; ``rectify.services.workflow`` calls them with one line at the end of
each lifecycle move, after the move, so that they read the task as it now is:

=========================  =============================================================
event                      recipients
=========================  =============================================================
``proposal_submitted``     whoever the proposal now waits for: at level 1
``proposal_forwarded``     (``task.proposal_level == ReviewLevel.BUREAU``) the bureau's
                           leaders, at level 2 or without a level the office (staff)
``proposal_returned``      the proposer (else the bureau's users)
``proposal_approved``      a proposal still pending after the approval was passed on by the
                           leader: the next level (as ``proposal_forwarded``) and the
                           proposer; otherwise the bureau's users (signed off, or approved)
``task_signed_off``        the bureau's users
``task_reopened``          the bureau's users
``extension_decided``      the requester (``requested_by``), else the bureau's users
``comment_added``          a new progress entry (进展记录): the bureau's other users and,
                           while a proposal waits at the office, the staff
``write_warnings``         the daily run (``rectify.services.reminders.send_reminders``):
                           a task turning yellow, red or overdue, to the recipients of
                           ``rectify.services.escalation``
=========================  =============================================================

A warning is written once per recipient, task, kind and due date: the daily run does not
repeat it the next day, and a task whose due date moves (an extension, a new deadline) is
warned again at the new date's thresholds.

Reading: ``unread_count``, ``mark_read`` (own notifications only: another's does not exist for
the user), ``mark_all_read``; ``mark_seen`` and ``last_seen`` keep when a user last opened a
task's page (``TaskVisit``), which also marks the user's notifications about it read.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db.models import QuerySet
from django.utils import timezone

from rectify.models import Notification, NotificationKind, RectificationTask, TaskVisit
from rectify.models.choices import ReviewDecision, ReviewLevel
from rectify.rules import permissions

Kind = NotificationKind


def notify(recipients: Iterable, kind: str, task: RectificationTask | None = None,
           actor=None, text: str = "", *, due_on: datetime.date | None = None
           ) -> list[Notification]:
    """One notification of ``kind`` for each distinct active recipient but the actor."""
    actor_id = getattr(actor, "pk", None) if getattr(actor, "is_authenticated", False) else None
    now = timezone.now()
    seen, rows = set(), []
    for user in recipients:
        if user is None or not user.is_active or user.pk == actor_id or user.pk in seen:
            continue
        seen.add(user.pk)
        rows.append(Notification(recipient=user, kind=kind, task=task, text=text or "",
                                 actor_id=actor_id, due_on=due_on, created_at=now))
    return Notification.objects.bulk_create(rows) if rows else []


# -- who --------------------------------------------------------------------------------------


def _bureau(task: RectificationTask, *, leaders: bool | None = None) -> QuerySet:
    return permissions.bureau_users(task.round.party_group, leaders=leaders)


def waiting_for(task: RectificationTask) -> QuerySet:
    """Whoever the task's pending proposal now waits for: its bureau's leaders at the first
    level, else the inspection office (staff)."""
    if task.proposal_level == ReviewLevel.BUREAU:
        return _bureau(task, leaders=True)
    return permissions.staff_users()


# -- events -----------------------------------------------------------------------------------


def proposal_submitted(task: RectificationTask, actor) -> list[Notification]:
    """A bureau proposed a status: those who decide it now."""
    if not task.proposed_status:
        return []
    return notify(waiting_for(task), Kind.PROPOSAL_WAITING, task, actor, task.proposal_note)


def proposal_forwarded(task: RectificationTask, actor) -> list[Notification]:
    """A leader passed the proposal on (level 1 → 2): the office now decides it."""
    return proposal_submitted(task, actor)


def _last_review(task: RectificationTask, decision: str):
    return (task.reviews.filter(decision=decision).select_related("proposed_by")
            .order_by("-created_at", "-pk").first())


def proposal_returned(task: RectificationTask, actor, comment: str = "") -> list[Notification]:
    """The proposal came back with a comment: its proposer hears (the bureau, without one)."""
    review = _last_review(task, ReviewDecision.RETURNED)
    proposer = review.proposed_by if review else None
    if comment == "" and review is not None:
        comment = review.comment
    recipients = [proposer] if proposer is not None and proposer.is_active else _bureau(task)
    return notify(recipients, Kind.RETURNED, task, actor, comment)


def proposal_approved(task: RectificationTask, actor, comment: str = "") -> list[Notification]:
    """An approval. Still pending afterwards (a leader's approval at the first level): the
    next level is asked and the proposer told; otherwise the bureau hears that the task was
    signed off (a completion) or its status approved."""
    if task.proposed_status:
        notes = proposal_forwarded(task, actor)
        proposer = [task.proposed_by] if task.proposed_by_id else []
        return notes + notify(proposer, Kind.APPROVED, task, actor, comment)
    if not comment:
        review = _last_review(task, ReviewDecision.APPROVED)
        comment = review.comment if review else ""
    kind = Kind.SIGNED_OFF if task.signed_off_at else Kind.APPROVED
    return notify(_bureau(task), kind, task, actor, comment)


def task_signed_off(task: RectificationTask, actor) -> list[Notification]:
    """Staff signed a completed task off (销号) directly."""
    return notify(_bureau(task), Kind.SIGNED_OFF, task, actor)


def task_reopened(task: RectificationTask, actor, reason: str = "") -> list[Notification]:
    """Staff reopened a signed-off task after a recheck (回头看)."""
    return notify(_bureau(task), Kind.REOPENED, task, actor, reason)


def extension_decided(extension_or_task, actor, approved: bool,
                      comment: str = "") -> list[Notification]:
    """An extension request (申请延期) was decided. Pass the request (anything with ``task``
    and, optionally, ``requested_by``) or the task itself; the requester hears, else the
    task's bureau. The text says the decision, then the comment."""
    from django.utils.translation import gettext

    task = getattr(extension_or_task, "task", extension_or_task)
    requester = getattr(extension_or_task, "requested_by", None)
    recipients = [requester] if requester is not None and requester.is_active else _bureau(task)
    verdict = gettext("延期申请已批准") if approved else gettext("延期申请未获批准")
    text = f"{verdict}：{comment.strip()}" if comment and comment.strip() else verdict
    return notify(recipients, Kind.EXTENSION_DECIDED, task, actor, text)


def comment_added(entry, actor) -> list[Notification]:
    """A new progress entry (进展记录): the bureau's other users hear; while a proposal waits
    at the office, its staff too (the entry may bear on their decision; at the first level the
    leaders are among the bureau's users already)."""
    task = entry.task
    recipients = list(_bureau(task))
    if task.proposed_status and task.proposal_level != ReviewLevel.BUREAU:
        recipients += list(permissions.staff_users())
    return notify(recipients, Kind.COMMENT, task, actor, entry.text)


# -- the daily warnings -----------------------------------------------------------------------

LEVEL_KINDS = {"yellow": Kind.TURNED_YELLOW, "red": Kind.TURNED_RED, "overdue": Kind.OVERDUE}


def write_warnings(bureaus) -> dict[tuple[int, int], Notification]:
    """Warning notifications for a day's selection (``escalation.escalation``): for each
    recipient and task, one of the task's level, unless the recipient already has it for the
    task's current due date. Returns every recipient's notification for each task, written
    now or before, keyed ``(user id, task id)``, for the e-mails' links. Two queries and one
    insert, whatever the number of bureaus."""
    wanted = {}  # (user id, task id, kind, due) -> (user, item)
    for due in bureaus:
        for user, items in due.recipients:
            for item in items:
                wanted[(user.pk, item.task.pk, LEVEL_KINDS[item.level], item.due)] = (user, item)
    if not wanted:
        return {}
    task_ids = {key[1] for key in wanted}
    existing = {
        (note.recipient_id, note.task_id, note.kind, note.due_on): note
        for note in Notification.objects.filter(task__in=task_ids, kind__in=Kind.warnings())
        .order_by("created_at", "pk")
    }
    now = timezone.now()
    new = [Notification(recipient=user, kind=key[2], task=item.task, due_on=item.due,
                        text=item.countdown, created_at=now)
           for key, (user, item) in wanted.items()
           if key not in existing and user.is_active]
    Notification.objects.bulk_create(new)
    found = {(key[0], key[1]): note for key, note in existing.items() if key in wanted}
    found.update(((note.recipient_id, note.task_id), note) for note in new)
    return found


def warnings_for_day(today: datetime.date | None = None, party_group_ids=None
                     ) -> dict[tuple[int, int], Notification]:
    """The day's warning notifications alone, without e-mails (``send_reminders`` writes them
    with its e-mails, from the same selection)."""
    from rectify.services.escalation import escalation

    return write_warnings(escalation(today, party_group_ids))


# -- reading ----------------------------------------------------------------------------------


def of(user) -> QuerySet:
    """The user's own notifications, newest first."""
    return Notification.objects.of(user).select_related("task", "actor")


def unread_count(user) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.of(user).unread().count()


def mark_read(notification_id, user) -> Notification:
    """Mark one of the user's own notifications read (already read: unchanged). Another
    user's, or an unknown id: ``Notification.DoesNotExist``, nothing changed."""
    note = Notification.objects.of(user).get(pk=notification_id)
    if note.read_at is None:
        note.read_at = timezone.now()
        Notification.objects.filter(pk=note.pk, read_at__isnull=True).update(
            read_at=note.read_at)
    return note


def mark_all_read(user) -> int:
    """Mark every unread notification of the user read; returns how many."""
    return Notification.objects.of(user).unread().update(read_at=timezone.now())


def last_seen(task: RectificationTask, user) -> datetime.datetime | None:
    """When the user last opened the task's page (None: never)."""
    if not getattr(user, "is_authenticated", False):
        return None
    return (TaskVisit.objects.filter(task=task, user=user)
            .values_list("seen_at", flat=True).first())


def mark_seen(task: RectificationTask, user) -> datetime.datetime | None:
    """Record that the user opened the task's page now; returns the previous visit. The
    user's notifications about the task are read with it. Three queries."""
    if not getattr(user, "is_authenticated", False):
        return None
    now = timezone.now()
    previous = last_seen(task, user)
    if previous is None:
        TaskVisit.objects.get_or_create(task=task, user=user, defaults={"seen_at": now})
    else:
        TaskVisit.objects.filter(task=task, user=user).update(seen_at=now)
    Notification.objects.of(user).unread().filter(task=task).update(read_at=now)
    return previous
