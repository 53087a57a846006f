"""The task's lifecycle: its states, the moves between them, who may make each, and what each
move does. The only place that sets a task's status, its sign-off (销号) or its proposal.

States (read from the task's fields by :func:`state_of`):

==============  ===============================================================================
``open``        正在推进, nothing pending
``done``        已完成 or 已完成，长期坚持, not signed off
``proposed``    a bureau's status proposal waits for staff (``proposed_status`` set)
``signed_off``  销号: locked on every surface until staff reopen it (回头看)
==============  ===============================================================================

Moves (:data:`MOVES`; ``who`` is a question of ``rectify.rules.permissions``):

============  ===========================  ===================  ================================
move          who                          from                 what it does
============  ===========================  ===================  ================================
propose       the bureau (clerk) or staff  open, done, proposed proposal: status, note, date
withdraw      the bureau (clerk) or staff  proposed             proposal cleared
approve       staff, not the proposer      proposed             status := proposed; a completion
                                                                is signed off at once
return        staff                        proposed             proposal cleared, comment kept
set_status    staff                        open, done, proposed status; completion date; printed
                                                                result and proposal cleared
sign_off      staff                        done (or proposed    signer and time recorded; a
                                           while done)          pending proposal is cleared
reopen        staff                        signed_off           正在推进 again; completion date,
                                                                sign-off, result cleared
import        the notice loader            (new task)           status, printed result, date
============  ===========================  ===================  ================================

Each move function checks the move (raising :class:`MoveRefused` with the reason, in the
user's language) and changes the task *in memory*; the services (``rectify.services.workflow``)
lock the row, check the version, save it with the returned history reason and write the
review record. :func:`ensure_unlocked` is the lock that every write to a task, its measures,
progress entries and evidence passes (``rectify.services.records.save_record``).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from rectify.models import RectificationTask
from rectify.models.choices import Status
from rectify.rules import permissions

OPEN, DONE, PROPOSED, SIGNED_OFF = "open", "done", "proposed", "signed_off"

STATE_LABELS = {
    OPEN: _("正在推进"),
    DONE: _("已完成"),
    PROPOSED: _("状态提议待审核"),
    SIGNED_OFF: _("已销号"),
}


class MoveRefused(ValidationError):
    """A move the lifecycle does not allow here; the message says why."""


class TaskLocked(MoveRefused):
    """A change to a signed-off task (or its measures, progress, entries, evidence)."""


def state_of(task: RectificationTask) -> str:
    if task.signed_off_at is not None:
        return SIGNED_OFF
    if task.proposed_status:
        return PROPOSED
    return DONE if task.status in Status.done() else OPEN


@dataclass(frozen=True)
class Move:
    """One row of the table: a move, who may make it, and from which states."""

    name: str
    label: str
    who: Callable[[object, RectificationTask], bool]
    who_text: str
    sources: frozenset[str]
    #: What the task itself must satisfy besides its state (a sign-off: a completed status).
    ready: Callable[[RectificationTask], bool] = lambda task: True


def _bureau_or_staff(user, task) -> bool:
    return permissions.can_propose_status(user, task)


def _staff(user, task) -> bool:
    return permissions.can_review(user)


def _own_proposal(user, task) -> bool:
    return task.proposed_by_id is not None and task.proposed_by_id == getattr(user, "pk", None)


def _reviewer(user, task) -> bool:
    """Staff decide a proposal, but not one of their own."""
    return _staff(user, task) and not _own_proposal(user, task)


def _completed(task) -> bool:
    return task.status in Status.done()


_BUREAU = _("本单位联络员或巡察办工作人员")
_STAFF = _("巡察办工作人员")


#: A move's name is worded as an action: its own translation context ("move").
MOVES: dict[str, Move] = {move.name: move for move in (
    Move("propose", pgettext_lazy("move", "提议整改状态"), _bureau_or_staff, _BUREAU,
         frozenset({OPEN, DONE, PROPOSED})),
    Move("withdraw", pgettext_lazy("move", "撤回状态提议"), _bureau_or_staff, _BUREAU,
         frozenset({PROPOSED})),
    Move("approve", pgettext_lazy("move", "审核通过"), _reviewer, _STAFF, frozenset({PROPOSED})),
    Move("return", pgettext_lazy("move", "退回状态提议"), _staff, _STAFF, frozenset({PROPOSED})),
    Move("set_status", pgettext_lazy("move", "修改整改状态"), _staff, _STAFF,
         frozenset({OPEN, DONE, PROPOSED})),
    Move("sign_off", pgettext_lazy("move", "销号"), _staff, _STAFF, frozenset({DONE, PROPOSED}),
         ready=_completed),
    Move("reopen", pgettext_lazy("move", "回头看重新打开"), _staff, _STAFF,
         frozenset({SIGNED_OFF})),
)}


def allowed_moves(task: RectificationTask, user) -> set[str]:
    """The moves ``user`` may make on ``task`` now: what a page offers."""
    state = state_of(task)
    return {name for name, move in MOVES.items()
            if state in move.sources and move.ready(task) and move.who(user, task)}


def locked_message(task: RectificationTask) -> str:
    who = task.signed_off_by.get_username() if task.signed_off_by_id else gettext("工作人员")
    when = timezone.localtime(task.signed_off_at).strftime("%Y-%m-%d %H:%M")
    return gettext(
        "该任务已于 {when} 由 {who} 销号，已锁定，不能再修改任务及其整改措施、进展和佐证材料；"
        "如需修改，请巡察办工作人员先重新打开（回头看）。").format(when=when, who=who)


def ensure_unlocked(task: RectificationTask) -> None:
    """Refuse any change to a signed-off task (read the task as stored, locked, first)."""
    if task.signed_off_at is not None:
        raise TaskLocked(locked_message(task), code="signed_off")


def check_who(name: str, task: RectificationTask, user) -> None:
    """Refuse ``name`` to a user the table does not name for it (asked first: someone who may
    not make a move learns nothing of the task's state from the refusal)."""
    move = MOVES[name]
    if not move.who(user, task):
        raise MoveRefused(gettext("“{move}”只能由{who}办理。").format(
            move=move.label, who=move.who_text), code="not_allowed")


def check(name: str, task: RectificationTask, user) -> None:
    """Refuse ``name`` on ``task`` by ``user`` unless the table allows it."""
    move = MOVES[name]
    check_who(name, task, user)
    state = state_of(task)
    if state in move.sources:
        return
    if state == SIGNED_OFF:
        raise TaskLocked(locked_message(task), code="signed_off")
    if PROPOSED in move.sources and move.sources <= {PROPOSED}:
        raise MoveRefused(gettext("该任务没有待审核的状态提议，可能已被他人处理。"),
                          code="no_proposal")
    raise MoveRefused(gettext("任务当前为“{state}”，不能{move}。").format(
        state=STATE_LABELS[state], move=move.label), code="bad_state")


# -- what each move does (in memory; the services save) -----------------------------------------


def check_status(status: str, field: str = "status") -> None:
    """Refuse a status that is none of the three canonical ones."""
    if status not in Status.values:
        raise MoveRefused({field: gettext("未知的整改状态：{status}").format(status=status)})


def _check_completion(task: RectificationTask, day: datetime.date,
                      field: str = "completion_date") -> None:
    if day > timezone.localdate():
        raise MoveRefused({field: gettext("完成时间不能晚于今天。")})
    feedback = task.round.feedback_date
    if feedback and day < feedback:
        raise MoveRefused({field: gettext("完成时间不能早于反馈日期（{date}）。").format(
            date=feedback.isoformat())})


def _clear_proposal(task: RectificationTask) -> None:
    task.proposed_status = ""
    task.proposal_note = ""
    task.proposed_by = None
    task.proposed_at = None
    task.proposed_completion_date = None


def _set_status(task: RectificationTask, status: str, completion_date=None) -> None:
    task.status = status
    if status in Status.done():
        task.completion_date = completion_date or task.completion_date or timezone.localdate()
    else:
        task.completion_date = None
    task.result_text = ""  # the printed text no longer describes the new state


def propose(task: RectificationTask, user, status: str, note: str, *,
            completion_date: datetime.date | None = None, has_evidence: bool) -> str:
    """A proposal of a new status, for staff to decide; a completion needs evidence and a
    completion date between the feedback and today."""
    check("propose", task, user)
    errors = {}
    if status not in Status.values:
        errors["status"] = gettext("未知的整改状态：{status}").format(status=status)
    elif status == task.status:
        errors["status"] = gettext("提议的整改状态与当前状态相同。")
    note = (note or "").strip()
    if not note:
        errors["note"] = gettext("请填写提议说明：做了哪些整改、取得什么成效。")
    if status in Status.done():
        completion_date = completion_date or timezone.localdate()
        try:
            _check_completion(task, completion_date)
        except MoveRefused as refusal:
            errors.update(refusal.message_dict)
        if not has_evidence:
            errors["evidence"] = gettext("提议已完成须附佐证材料，请先上传。")
    else:
        completion_date = None
    if errors:
        raise MoveRefused(errors)
    task.proposed_status = status
    task.proposal_note = note
    task.proposed_completion_date = completion_date
    task.proposed_by = user if getattr(user, "is_authenticated", False) else None
    task.proposed_at = timezone.now()
    return gettext("提议整改状态为“{label}”：{note}").format(
        label=Status(status).label, note=note)


def withdraw(task: RectificationTask, user, reason: str = "") -> str:
    check("withdraw", task, user)
    _clear_proposal(task)
    return (reason or "").strip() or gettext("撤回整改状态提议")


def proposal_of(task: RectificationTask) -> dict:
    """The pending proposal, as a review record keeps it."""
    return {"proposed_status": task.proposed_status, "proposal_note": task.proposal_note,
            "proposed_by": task.proposed_by}


def approve(task: RectificationTask, user, comment: str = "") -> str:
    """Accept the pending proposal; a proposed completion is signed off (销号) at once, with
    the completion date the bureau gave."""
    if _staff(user, task) and _own_proposal(user, task):
        raise MoveRefused(gettext("不能审核自己提出的状态提议，请由其他工作人员审核。"),
                          code="own_proposal")
    check("approve", task, user)
    status = task.proposed_status
    _set_status(task, status, task.proposed_completion_date)
    if status in Status.done():
        _sign(task, user)
        reason = gettext("审核通过并销号")
    else:
        reason = gettext("审核通过")
    _clear_proposal(task)
    comment = (comment or "").strip()
    return gettext("{action}：{comment}").format(action=reason, comment=comment) if comment \
        else reason


def return_proposal(task: RectificationTask, user, comment: str) -> str:
    check_who("return", task, user)
    comment = (comment or "").strip()
    if not comment:
        raise MoveRefused({"comment": gettext(
            "退回时须填写审核意见，说明需要补充或改正的内容。")})
    check("return", task, user)
    _clear_proposal(task)
    return gettext("退回状态提议：{comment}").format(comment=comment)


def set_status(task: RectificationTask, user, status: str, *,
               completion_date: datetime.date | None = None, restate: bool = False) -> bool:
    """Staff set the status (the admin's bulk action, the API, the ledger import); a pending
    proposal is decided with it. ``completion_date`` (a completed status only) replaces the
    recorded one; ``restate``: the same status stated again replaces the printed result.
    Returns whether anything changed."""
    check_status(status)
    if completion_date is not None and status not in Status.done():
        raise MoveRefused({"completion_date": gettext(
            "整改状态为“正在推进”时不能填写完成时间。")})
    same = task.status == status
    if same and completion_date in (None, task.completion_date) and not (
            restate and task.result_text):
        if task.signed_off_at is not None:
            return False  # nothing to change: no reason to refuse
        check("set_status", task, user)
        return False
    check("set_status", task, user)
    if completion_date is not None:
        _check_completion(task, completion_date)
    if same:  # the date, or the printed words, and nothing else
        task.completion_date = completion_date or task.completion_date
        if restate:
            task.result_text = ""
        return True
    _set_status(task, status, completion_date)
    _clear_proposal(task)
    return True


def _sign(task: RectificationTask, user, when=None) -> None:
    task.signed_off_by = user
    task.signed_off_at = when or timezone.now()


def sign_off(task: RectificationTask, user, when=None) -> str:
    """Sign a completed task off; a pending proposal is decided with it (cleared)."""
    check_who("sign_off", task, user)
    if state_of(task) != SIGNED_OFF and not MOVES["sign_off"].ready(task):
        raise MoveRefused(gettext("只有已完成的任务才能销号。"), code="not_done")
    check("sign_off", task, user)
    _sign(task, user, when)
    _clear_proposal(task)
    return gettext("销号")


def reopen(task: RectificationTask, user, reason: str) -> str:
    check_who("reopen", task, user)
    reason = (reason or "").strip()
    if not reason:
        raise MoveRefused({"reason": gettext("重新打开须填写理由（回头看发现的问题）。")})
    if state_of(task) != SIGNED_OFF:
        raise MoveRefused(gettext("只有已销号的任务才能重新打开。"), code="not_signed_off")
    check("reopen", task, user)
    _set_status(task, Status.IN_PROGRESS)
    task.signed_off_by = None
    task.signed_off_at = None
    _clear_proposal(task)
    return gettext("回头看重新打开：{reason}").format(reason=reason)


def imported(task: RectificationTask, status: str, result_text: str = "",
             completion_date: datetime.date | None = None) -> None:
    """The state a task is imported in from a published notice: the canonical status read
    from the printed result, the printed words themselves, and the printed completion date."""
    check_status(status)
    task.status = status
    task.result_text = result_text
    task.completion_date = completion_date if status in Status.done() else None


#: Fields only the moves above (and an approved extension: ``extended_deadline``,
#: ``rectify.rules.extension_rules``) write; forms and serializers never offer them for editing.
LIFECYCLE_FIELDS = frozenset({
    "status", "completion_date", "result_text", "signed_off_by", "signed_off_at",
    "proposed_status", "proposal_note", "proposed_by", "proposed_at", "proposed_completion_date",
    "extended_deadline",
})
