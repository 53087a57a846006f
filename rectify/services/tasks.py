"""Status changes and sign-off (销号) of rectification tasks."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rectify.models import Measure, RectificationTask
from rectify.models.choices import Status
from rectify.services.records import StaleRecord, save_record


@transaction.atomic
def change_status(
    tasks: Iterable[RectificationTask], status: str, user=None, reason: str = ""
) -> int:
    """Set the canonical status of several tasks at once: all or nothing.

    Completing a task records today as its completion date when none is set; moving a task
    back to 正在推进 clears it. A signed-off task must be reopened before it can go back.
    A pending status proposal of a changed task is cleared: staff have decided.
    Returns the number of tasks whose status changed.
    """
    if status not in Status.values:
        raise ValidationError(_("未知的整改状态：{status}").format(status=status))
    changed = 0
    errors = []
    for task in tasks:
        if task.status == status:
            continue
        if task.is_signed_off and status not in Status.done():
            errors.append(
                _("任务“{task}”已销号，须先重新打开才能改为正在推进。").format(task=task)
            )
            continue
        task.status = status
        if status in Status.done():
            task.completion_date = task.completion_date or timezone.localdate()
        else:
            task.completion_date = None
        task.result_text = ""  # the printed text no longer describes the new state
        clear_proposal(task)  # decided: the proposal is accepted or overruled
        save_record(task, user, reason or _("批量修改整改状态为“{label}”").format(
            label=Status(status).label))
        changed += 1
    if errors:
        raise ValidationError(errors)
    return changed


@transaction.atomic
def sign_off(task: RectificationTask, user, when=None, *,
             expected_version: int | None = None) -> RectificationTask:
    """Sign a completed task off (销号): signer and time are recorded."""
    if task.status not in Status.done():
        raise ValidationError(_("只有已完成的任务才能销号。"))
    if task.is_signed_off:
        raise ValidationError(_("该任务已于 {when} 销号。").format(when=task.signed_off_at))
    task.signed_off_by = user
    task.signed_off_at = when or timezone.now()
    return save_record(task, user, _("销号"), expected_version=expected_version)


def clear_proposal(task: RectificationTask) -> None:
    """Forget the task's status proposal (in memory; the caller saves)."""
    task.proposed_status = ""
    task.proposal_note = ""
    task.proposed_by = None
    task.proposed_at = None
    task.proposed_completion_date = None


@transaction.atomic
def propose_status(
    task: RectificationTask, status: str, user, note: str = "", *,
    completion_date=None, expected_version: int | None = None,
) -> RectificationTask:
    """A clerk's proposal of a new canonical status (e.g. 已完成), for staff to decide.

    The note is required. Proposing completion needs evidence (佐证材料) on the task and a
    completion date no later than today (today when none is given). The status itself does
    not change here: staff approve (``rectify.services.reviews.approve``, which signs the task
    off) or return it; the clerk may withdraw it (``withdraw_proposal``).
    """
    errors = {}
    if status not in Status.values:
        errors["status"] = _("未知的整改状态：{status}").format(status=status)
    elif status == task.status:
        errors["status"] = _("提议的整改状态与当前状态相同。")
    note = (note or "").strip()
    if not note:
        errors["note"] = _("请填写提议说明：做了哪些整改、取得什么成效。")
    if task.is_signed_off:
        errors["status"] = _("该任务已销号，不能再提议修改整改状态。")
    if status in Status.done():
        completion_date = completion_date or timezone.localdate()
        if completion_date > timezone.localdate():
            errors["completion_date"] = _("完成时间不能晚于今天。")
        feedback = task.round.feedback_date
        if feedback and completion_date < feedback:
            errors["completion_date"] = _("完成时间不能早于反馈日期（{date}）。").format(
                date=feedback.isoformat())
        if not task.evidence.exists():
            errors["evidence"] = _("提议已完成须附佐证材料，请先上传。")
    else:
        completion_date = None
    if errors:
        raise ValidationError(errors)
    task.proposed_status = status
    task.proposal_note = note
    task.proposed_completion_date = completion_date
    task.proposed_by = user if getattr(user, "is_authenticated", False) else None
    task.proposed_at = timezone.now()
    return save_record(task, user, _("提议整改状态为“{label}”：{note}").format(
        label=Status(status).label, note=note), expected_version=expected_version)


@transaction.atomic
def withdraw_proposal(
    task: RectificationTask, user, reason: str = "", *, expected_version: int | None = None,
) -> RectificationTask:
    """Withdraw (clerk) or decline (staff) the task's pending status proposal."""
    if not task.proposed_status:
        raise ValidationError(_("该任务没有待审核的状态提议。"))
    clear_proposal(task)
    return save_record(task, user, reason or _("撤回整改状态提议"),
                       expected_version=expected_version)


@transaction.atomic
def reorder_measures(task: RectificationTask, measure_ids: list[int], user) -> list[Measure]:
    """Put the task's measures in the order of ``measure_ids``, which must name each of them
    exactly once; refused with :class:`StaleRecord` when the task's measures changed since
    the caller read them (one was added or deleted). Returns the measures in the new order.
    """
    task = RectificationTask.objects.select_for_update().get(pk=task.pk)  # one at a time
    measures = {m.pk: m for m in Measure.objects.filter(task=task)}
    if len(set(measure_ids)) != len(measure_ids):
        raise ValidationError({"measures": _("整改措施编号有重复。")})
    if set(measure_ids) != set(measures):
        raise StaleRecord(task, _("该任务的整改措施已被他人增删，请按最新的措施重新排序。"))
    ordered = [measures[pk] for pk in measure_ids]
    for position, measure in enumerate(ordered, start=1):
        if measure.position != position:
            measure.position = position
            save_record(measure, user, _("调整整改措施顺序"))
    return ordered


@transaction.atomic
def add_progress_entry(task: RectificationTask, user, text: str, date=None):
    """Record a dated line of progress on the task (整改进展记录)."""
    from rectify.models import ProgressEntry

    entry = ProgressEntry(task=task, text=text, date=date or timezone.localdate(),
                          author=user if getattr(user, "is_authenticated", False) else None)
    return save_record(entry, user, _("填报整改进展"))
