"""The task's lifecycle: its states, the moves between them, who may make each, and what each
move does. The only place that sets a task's status, its sign-off (销号) or its proposal.

States (read from the task's fields by :func:`state_of`):

==============  ===============================================================================
``open``        正在推进, nothing pending
``done``        已完成 or 已完成，长期坚持, not signed off
``proposed``    a bureau's status proposal waits for a decision (``proposed_status`` set) at
                its level (``proposal_level``): the bureau leader's (first level, in a round
                reviewed in two levels) or the inspection office's
``signed_off``  销号: locked on every surface until staff reopen it (回头看)
==============  ===============================================================================

Moves (:data:`MOVES`; ``who`` is a question of ``rectify.rules.permissions``):

============  ===========================  ===================  ================================
move          who                          from                 what it does
============  ===========================  ===================  ================================
propose       the bureau (clerk, leader)   open, done, proposed proposal: status, note, date;
              or staff                                          waits at the first level of the
                                                                round (see below)
withdraw      the bureau or staff          proposed             proposal cleared
approve       the level's decider, not     proposed             first level: passed on to the
              the proposer                                      office; office: status :=
                                                                proposed, a completion is signed
                                                                off at once
return        the level's decider          proposed             proposal cleared, comment kept
set_status    staff                        open, done, proposed status; completion date; printed
                                                                result and proposal cleared
sign_off      staff                        done (or proposed    signer and time recorded; a
                                           while done)          pending proposal is cleared
reopen        staff                        signed_off           正在推进 again; completion date,
                                                                sign-off, result cleared
import        the notice loader            (new task)           status, printed result, date
============  ===========================  ===================  ================================

**Levels** (逐级审核). A round is reviewed in one level (the office decides every proposal) or
in two (``InspectionRound.review_levels``): then a clerk's proposal waits for its bureau's
leader (单位负责人, ``ReviewLevel.BUREAU``), who passes it on to the office
(``ReviewLevel.OFFICE``) or returns it; only then may staff approve (销号) or return it. A
proposal made by the bureau's leader, or by staff, goes to the office at once. A decision at a
level that is not the proposal's (staff before the leader, a leader after passing it on) is
refused with :class:`WrongLevel`, which says which level the proposal waits at.

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
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from rectify.models import RectificationTask
from rectify.models.choices import ReviewLevel, ReviewLevels, Status
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


class WrongLevel(MoveRefused):
    """A review decision at a level the proposal does not wait at (a conflict with the task's
    state, not a bad request: the API answers 409)."""


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
    #: Who, in words: a text, or a function of the task giving it.
    who_text: str | Callable[[RectificationTask], str]
    sources: frozenset[str]
    #: What the task itself must satisfy besides its state (a sign-off: a completed status).
    ready: Callable[[RectificationTask], bool] = lambda task: True


def _bureau_or_staff(user, task) -> bool:
    return permissions.can_propose_status(user, task)


def _staff(user, task) -> bool:
    return permissions.can_review(user)


def _own_proposal(user, task) -> bool:
    return task.proposed_by_id is not None and task.proposed_by_id == getattr(user, "pk", None)


def pending_level(task: RectificationTask) -> int:
    """The level the pending proposal waits at (the office when not recorded)."""
    return task.proposal_level or ReviewLevel.OFFICE


def _decides_level(user, task, level: int) -> bool:
    if level == ReviewLevel.BUREAU:
        return permissions.leads_bureau_of(user, task)
    return _staff(user, task)


def _decider(user, task) -> bool:
    """Who decides the pending proposal: the bureau's leader at the first level, staff at the
    office's (or either of them, for a task with no proposal: the state check then says so)."""
    if task.proposed_status:
        return _decides_level(user, task, pending_level(task))
    return _staff(user, task) or (task.round.review_levels == ReviewLevels.TWO
                                  and permissions.leads_bureau_of(user, task))


def _reviewer(user, task) -> bool:
    """The level's decider, but not on a proposal of their own."""
    return _decider(user, task) and not _own_proposal(user, task)


def _completed(task) -> bool:
    return task.status in Status.done()


_BUREAU = _("本单位联络员、单位负责人或巡察办工作人员")
_STAFF = _("巡察办工作人员")
_LEVELS = _("本单位负责人（第一级）或巡察办工作人员（第二级）")


def _decider_text(task) -> str:
    return _LEVELS if task.round.review_levels == ReviewLevels.TWO else _STAFF


#: A move's name is worded as an action: its own translation context ("move").
MOVES: dict[str, Move] = {move.name: move for move in (
    Move("propose", pgettext_lazy("move", "提议整改状态"), _bureau_or_staff, _BUREAU,
         frozenset({OPEN, DONE, PROPOSED})),
    Move("withdraw", pgettext_lazy("move", "撤回状态提议"), _bureau_or_staff, _BUREAU,
         frozenset({PROPOSED})),
    Move("approve", pgettext_lazy("move", "审核通过"), _reviewer, _decider_text,
         frozenset({PROPOSED})),
    Move("return", pgettext_lazy("move", "退回状态提议"), _decider, _decider_text,
         frozenset({PROPOSED})),
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


def waiting_at(tasks: QuerySet, level: int) -> QuerySet:
    """The tasks of ``tasks`` whose pending proposal waits at ``level``."""
    pending = tasks.exclude(proposed_status="")
    if level == ReviewLevel.OFFICE:
        return pending.filter(Q(proposal_level=level) | Q(proposal_level__isnull=True))
    return pending.filter(proposal_level=level)


def waiting_for(tasks: QuerySet, user) -> QuerySet:
    """The tasks of ``tasks`` whose pending proposal waits for ``user`` to decide it: at the
    office's level for staff, at the first level of its bureaus for a leader; never the
    user's own proposals (someone else decides those)."""
    levels = Q(pk__in=[])
    if permissions.can_review(user):
        levels |= Q(proposal_level=ReviewLevel.OFFICE) | Q(proposal_level__isnull=True)
    led = permissions.led_party_group_ids(user)
    if led:
        levels |= Q(proposal_level=ReviewLevel.BUREAU, round__party_group__in=led)
    waiting = tasks.exclude(proposed_status="").filter(levels)
    if getattr(user, "pk", None) is not None:
        waiting = waiting.exclude(proposed_by=user.pk)
    return waiting


def first_level(task: RectificationTask, user) -> int:
    """The level a new proposal by ``user`` waits at: the bureau leader's in a round reviewed
    in two levels, unless the proposer is that leader or staff; else the office's."""
    if (task.round.review_levels == ReviewLevels.TWO and not _staff(user, task)
            and not permissions.leads_bureau_of(user, task)):
        return ReviewLevel.BUREAU
    return ReviewLevel.OFFICE


def check_level(task: RectificationTask, user) -> None:
    """Refuse a decision by someone who decides the *other* level of the pending proposal
    (:class:`WrongLevel`, saying which level it waits at); anyone else is left to
    :func:`check_who`."""
    if not task.proposed_status or task.round.review_levels != ReviewLevels.TWO:
        return
    level = pending_level(task)
    other = ReviewLevel.OFFICE if level == ReviewLevel.BUREAU else ReviewLevel.BUREAU
    if _decides_level(user, task, level) or not _decides_level(user, task, other):
        return
    if level == ReviewLevel.BUREAU:
        raise WrongLevel(gettext(
            "该提议尚未经单位负责人审核（缺少第一级审核），巡察办暂不能审核；"
            "请等待单位负责人审核通过后再办理。"), code="level_missing")
    raise WrongLevel(gettext(
        "该提议已过单位负责人审核（第一级），正等待巡察办审核（第二级），单位负责人不能再审核。"),
        code="wrong_level")


def check_who(name: str, task: RectificationTask, user) -> None:
    """Refuse ``name`` to a user the table does not name for it (asked first: someone who may
    not make a move learns nothing of the task's state from the refusal)."""
    move = MOVES[name]
    if not move.who(user, task):
        who = move.who_text(task) if callable(move.who_text) else move.who_text
        raise MoveRefused(gettext("“{move}”只能由{who}办理。").format(
            move=move.label, who=who), code="not_allowed")


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
    task.proposal_level = None
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
    task.proposal_level = first_level(task, user)
    if task.round.review_levels == ReviewLevels.TWO:
        return gettext("提议整改状态为“{label}”（待{level}）：{note}").format(
            label=Status(status).label, level=ReviewLevel(task.proposal_level).label,
            note=note)
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
    """Accept the pending proposal at its level: the bureau leader passes it on to the office;
    the office's approval sets the status, and a proposed completion is signed off (销号) at
    once, with the completion date the bureau gave."""
    if _decider(user, task) and _own_proposal(user, task):
        raise MoveRefused(gettext("不能审核自己提出的状态提议，请由其他工作人员审核。"),
                          code="own_proposal")
    check_level(task, user)
    check("approve", task, user)
    comment = (comment or "").strip()
    if pending_level(task) == ReviewLevel.BUREAU:
        task.proposal_level = ReviewLevel.OFFICE
        reason = gettext("单位负责人审核通过，报巡察办审核")
        return gettext("{action}：{comment}").format(action=reason, comment=comment) \
            if comment else reason
    status = task.proposed_status
    _set_status(task, status, task.proposed_completion_date)
    if status in Status.done():
        _sign(task, user)
        reason = gettext("审核通过并销号")
    else:
        reason = gettext("审核通过")
    _clear_proposal(task)
    return gettext("{action}：{comment}").format(action=reason, comment=comment) if comment \
        else reason


def return_proposal(task: RectificationTask, user, comment: str) -> str:
    """Send the pending proposal back to the bureau, at its level, with a comment."""
    check_level(task, user)
    check_who("return", task, user)
    comment = (comment or "").strip()
    if not comment:
        raise MoveRefused({"comment": gettext(
            "退回时须填写审核意见，说明需要补充或改正的内容。")})
    check("return", task, user)
    by_leader = pending_level(task) == ReviewLevel.BUREAU
    _clear_proposal(task)
    if by_leader:
        return gettext("单位负责人退回状态提议：{comment}").format(comment=comment)
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
    "proposal_level",
    "extended_deadline",
})
