"""The task's lifecycle moves as services: each locks the task's row and checks the version
the caller read (``check_version``: the move is made on the row as stored now, never on the
caller's possibly older copy), asks ``rectify.rules.lifecycle`` whether the move is allowed
and what it changes, saves the task once (a history row whose reason names the move) and,
for a review decision, writes a :class:`~rectify.models.Review` that the bureau sees on its
task page.

Every surface calls these — the admin's actions, the API's actions, the work pages, the ledger
import; none of them sets a status, a sign-off or a proposal itself.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from rectify.models import RectificationTask, Review
from rectify.models.choices import ReviewDecision, ReviewLevel, Status
from rectify.rules import lifecycle
from rectify.services import notifications
from rectify.services.records import check_version, save_record


def _done(caller: RectificationTask, current: RectificationTask) -> RectificationTask:
    """After the move: the caller's copy reads what was saved."""
    if caller is not current:
        caller.refresh_from_db()
    return current


@transaction.atomic
def change_status(tasks: Iterable[RectificationTask], status: str, user=None,
                  reason: str = "", *, completion_date=None) -> int:
    """Set the status of several tasks at once (staff): all or nothing. Returns the number of
    tasks whose status changed; a signed-off task is refused (reopen it first)."""
    lifecycle.check_status(status)  # once, not once per task
    changed, errors = 0, []
    reason = reason or _("批量修改整改状态为“{label}”").format(label=Status(status).label)
    for task in tasks:
        try:
            changed += set_status(task, status, user, reason, completion_date=completion_date)
        except lifecycle.MoveRefused as refusal:
            errors.extend(_("“{task}”：{error}").format(task=task, error=message)
                          for message in refusal.messages)
    if errors:
        raise ValidationError(errors)
    return changed


@transaction.atomic
def set_status(task: RectificationTask, status: str, user=None, reason: str = "", *,
               completion_date=None, restate: bool = False,
               expected_version: int | None = None) -> bool:
    """Set one task's status (staff), its completion date, or (``restate``) its status in
    place of the printed result; returns whether anything changed."""
    current = check_version(task, expected_version)
    if not lifecycle.set_status(current, user, status, completion_date=completion_date,
                                restate=restate):
        return False
    save_record(current, user, reason or _("修改整改状态为“{label}”").format(
        label=Status(status).label))
    _done(task, current)
    return True


@transaction.atomic
def sign_off(task: RectificationTask, user, when=None, *,
             expected_version: int | None = None) -> RectificationTask:
    """Sign a completed task off (销号): signer and time are recorded; the task is locked."""
    current = check_version(task, expected_version)
    save_record(current, user, lifecycle.sign_off(current, user, when), move="sign_off")
    notifications.task_signed_off(current, user)
    return _done(task, current)


@transaction.atomic
def propose_status(task: RectificationTask, status: str, user, note: str = "", *,
                   completion_date=None,
                   expected_version: int | None = None) -> RectificationTask:
    """A bureau's proposal of a new status (e.g. 已完成), for staff to decide."""
    current = check_version(task, expected_version)
    reason = lifecycle.propose(current, user, status, note, completion_date=completion_date,
                               has_evidence=current.evidence.exists())
    save_record(current, user, reason)
    notifications.proposal_submitted(current, user)
    return _done(task, current)


def submit_proposal(task: RectificationTask, user, status: str, note: str, *,
                    completion_date=None, upload=None, description: str = "",
                    expected_version: int | None = None) -> RectificationTask:
    """A proposal with, optionally, a new evidence file: both or neither. The file is checked
    and stored first (a completion wants evidence on the task); if the proposal is then
    refused, the row goes with the transaction and the stored file is removed."""
    from rectify.services.evidence_files import add_evidence

    stored = None
    try:
        with transaction.atomic():
            if upload is not None:
                stored = add_evidence(task, upload, user, description)
            return propose_status(task, status, user, note, completion_date=completion_date,
                                  expected_version=expected_version)
    except Exception:
        if stored is not None:
            stored.file.storage.delete(stored.file.name)
        raise


@transaction.atomic
def withdraw_proposal(task: RectificationTask, user, reason: str = "", *,
                      expected_version: int | None = None) -> RectificationTask:
    """Withdraw (the bureau) or decline (staff) the task's pending proposal."""
    current = check_version(task, expected_version)
    save_record(current, user, lifecycle.withdraw(current, user, reason))
    return _done(task, current)


def _record(task, user, decision: str, comment: str, proposal: dict,
            level: int = ReviewLevel.OFFICE) -> Review:
    return Review.objects.create(task=task, decision=decision, comment=comment,
                                 reviewer=user, level=level, **proposal)


@transaction.atomic
def approve(task: RectificationTask, user, comment: str = "", *,
            expected_version: int | None = None) -> RectificationTask:
    """Accept the pending proposal at its level: the bureau leader passes it on to the office;
    the office's approval of a completion signs the task off (销号) at once."""
    current = check_version(task, expected_version)
    proposal, level = lifecycle.proposal_of(current), lifecycle.pending_level(current)
    reason = lifecycle.approve(current, user, comment)
    save_record(current, user, reason, move="approve")
    _record(current, user, ReviewDecision.APPROVED, (comment or "").strip(), proposal, level)
    notifications.proposal_approved(current, user, (comment or "").strip())
    return _done(task, current)


@transaction.atomic
def return_proposal(task: RectificationTask, user, comment: str, *,
                    expected_version: int | None = None) -> RectificationTask:
    """Send the pending proposal back, at its level, with a comment (required); the status
    stays."""
    current = check_version(task, expected_version)
    proposal, level = lifecycle.proposal_of(current), lifecycle.pending_level(current)
    reason = lifecycle.return_proposal(current, user, comment)
    save_record(current, user, reason)
    _record(current, user, ReviewDecision.RETURNED, comment.strip(), proposal, level)
    notifications.proposal_returned(current, user, comment.strip())
    return _done(task, current)


@transaction.atomic
def reopen(task: RectificationTask, user, reason: str, *,
           expected_version: int | None = None) -> RectificationTask:
    """Reopen a signed-off task after a recheck (回头看): 正在推进 again, the reason kept."""
    current = check_version(task, expected_version)
    why = lifecycle.reopen(current, user, reason)
    save_record(current, user, why, move="reopen")
    _record(current, user, ReviewDecision.REOPENED, reason.strip(),
            {"proposed_status": "", "proposal_note": "", "proposed_by": None})
    notifications.task_reopened(current, user, reason.strip())
    return _done(task, current)
