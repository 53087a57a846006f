"""Staff's review of clerks' status proposals, sign-off on approval, and reopening after a
recheck (回头看). Every surface (the review pages, the API) calls these; the caller checks
that the user is staff (``permissions.can_sign_off``).

Each decision saves the task once (a history row whose reason carries the comment) and writes
a :class:`~rectify.models.Review`, which the clerk sees on its task page.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rectify.models import RectificationTask, Review
from rectify.models.choices import ReviewDecision, Status
from rectify.services.records import check_version, save_record
from rectify.services.tasks import clear_proposal, propose_status


def submit_proposal(task: RectificationTask, user, status: str, note: str, *,
                    completion_date=None, upload=None, description: str = "",
                    expected_version: int | None = None) -> RectificationTask:
    """A clerk's proposal with, optionally, a new evidence file: both or neither. The file is
    checked and stored first (``propose_status`` wants evidence on the task); if the proposal
    is then refused, the row goes with the transaction and the stored file is removed."""
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


def _record(task, user, decision: str, comment: str, proposal: dict) -> Review:
    return Review.objects.create(task=task, decision=decision, comment=comment,
                                 reviewer=user, **proposal)


def _proposal_of(task: RectificationTask) -> dict:
    if not task.proposed_status:
        raise ValidationError(_("该任务没有待审核的状态提议，可能已被他人处理。"))
    return {"proposed_status": task.proposed_status, "proposal_note": task.proposal_note,
            "proposed_by": task.proposed_by}


@transaction.atomic
def approve(task: RectificationTask, user, comment: str = "", *,
            expected_version: int | None = None) -> RectificationTask:
    """Accept the pending proposal. A proposed completion is signed off (销号) at once: the
    status, the completion date the clerk gave, the signer and the time are recorded."""
    task = check_version(task, expected_version)  # locked; stale raises
    proposal = _proposal_of(task)
    comment = (comment or "").strip()
    status = task.proposed_status
    task.status = status
    task.result_text = ""  # the printed text no longer describes the new state
    if status in Status.done():
        task.completion_date = task.proposed_completion_date or timezone.localdate()
        task.signed_off_by = user
        task.signed_off_at = timezone.now()
        reason = _("审核通过并销号")
    else:
        task.completion_date = None
        reason = _("审核通过")
    clear_proposal(task)
    if comment:
        reason = f"{reason}：{comment}"
    save_record(task, user, reason)
    _record(task, user, ReviewDecision.APPROVED, comment, proposal)
    return task


@transaction.atomic
def return_proposal(task: RectificationTask, user, comment: str, *,
                    expected_version: int | None = None) -> RectificationTask:
    """Send the pending proposal back to the clerk with a comment (required); the status
    stays as it was."""
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": _("退回时须填写审核意见，说明需要补充或改正的内容。")})
    task = check_version(task, expected_version)  # locked; stale raises
    proposal = _proposal_of(task)
    clear_proposal(task)
    save_record(task, user, _("退回状态提议：{comment}").format(comment=comment))
    _record(task, user, ReviewDecision.RETURNED, comment, proposal)
    return task


@transaction.atomic
def reopen(task: RectificationTask, user, reason: str, *,
           expected_version: int | None = None) -> RectificationTask:
    """Reopen a signed-off task after a recheck (回头看): the sign-off and the completion date
    are cleared, the task is 正在推进 again, and the reason (required) is kept."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("重新打开须填写理由（回头看发现的问题）。")})
    task = check_version(task, expected_version)  # locked; stale raises
    if not task.is_signed_off:
        raise ValidationError(_("只有已销号的任务才能重新打开。"))
    task.status = Status.IN_PROGRESS
    task.completion_date = None
    task.result_text = ""
    task.signed_off_by = None
    task.signed_off_at = None
    clear_proposal(task)
    save_record(task, user, _("回头看重新打开：{reason}").format(reason=reason))
    _record(task, user, ReviewDecision.REOPENED, reason,
            {"proposed_status": "", "proposal_note": "", "proposed_by": None})
    return task
