"""Deadline extensions (申请延期) as services: a bureau asks for a later due date, staff
approve or refuse it. Each locks the task's row and checks the version the caller read,
asks ``rectify.rules.extension_rules``, writes the extension and saves the task once (a
history row naming the request or the decision). Only an approval changes the task: its
``extended_deadline`` (延期后时限); the original deadline stays as it was.

Every surface (the API, the work pages) calls these; none writes an extension itself.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from rectify.models import DeadlineExtension, RectificationTask
from rectify.models.choices import ExtensionStatus
from rectify.rules import due_dates, extension_rules
from rectify.services import notifications
from rectify.services.records import check_version, save_record


def pending_of(task: RectificationTask) -> DeadlineExtension | None:
    """The task's request waiting for a decision, if any (at most one)."""
    return (DeadlineExtension.objects.filter(task=task, status=ExtensionStatus.PENDING)
            .select_related("requested_by").order_by("-requested_at", "-pk").first())


def _done(caller: RectificationTask, current: RectificationTask) -> None:
    if caller is not current:
        caller.refresh_from_db()


@transaction.atomic
def request_extension(task: RectificationTask, user, new_deadline: datetime.date | None,
                      reason: str, *, expected_version: int | None = None
                      ) -> DeadlineExtension:
    """Ask for ``new_deadline`` with ``reason``; refused (``MoveRefused``) with the field
    named, nothing written."""
    current = check_version(task, expected_version)
    reason = extension_rules.check_request(current, user, new_deadline, reason,
                                           pending=pending_of(current))
    extension = DeadlineExtension(
        task=current, current_due=due_dates.current_due(current), new_deadline=new_deadline,
        reason=reason, requested_by=user if getattr(user, "is_authenticated", False) else None,
        requested_at=timezone.now())
    save_record(extension, user, extension_rules.request_reason(new_deadline, reason))
    save_record(current, user, extension_rules.request_reason(new_deadline, reason))
    _done(task, current)
    return extension


@transaction.atomic
def decide_extension(task: RectificationTask, user, decision: str, comment: str = "", *,
                     expected_version: int | None = None) -> DeadlineExtension:
    """Approve (``approve``: the task's due date becomes the requested one) or refuse
    (``refuse``, with a comment) the task's pending request."""
    current = check_version(task, expected_version)
    pending = pending_of(current)
    comment = extension_rules.check_decision(current, user, pending, decision, comment)
    reason = extension_rules.decision_reason(pending, decision, comment)
    approved = decision == extension_rules.APPROVE
    pending.status = ExtensionStatus.APPROVED if approved else ExtensionStatus.REFUSED
    pending.decided_by = user if getattr(user, "is_authenticated", False) else None
    pending.decided_at = timezone.now()
    pending.comment = comment
    if approved:
        current.extended_deadline = pending.new_deadline
    # A refusal changes nothing of the task: the request of a task signed off meanwhile may
    # still be refused (the rule refuses an approval), without a line in the locked history.
    move = None if approved else "refuse_extension"
    save_record(pending, user, reason, move=move)
    if current.signed_off_at is None:
        save_record(current, user, reason)
    notifications.extension_decided(pending, user, approved, comment)
    _done(task, current)
    return pending
