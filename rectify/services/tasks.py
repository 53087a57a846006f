"""Status changes and sign-off (销号) of rectification tasks."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rectify.choices import Status
from rectify.models import RectificationTask
from rectify.services.records import save_record


@transaction.atomic
def change_status(
    tasks: Iterable[RectificationTask], status: str, user=None, reason: str = ""
) -> int:
    """Set the canonical status of several tasks at once: all or nothing.

    Completing a task records today as its completion date when none is set; moving a task
    back to 正在推进 clears it. A signed-off task must be reopened before it can go back.
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
        save_record(task, user, reason or _("批量修改整改状态为“{label}”").format(
            label=Status(status).label))
        changed += 1
    if errors:
        raise ValidationError(errors)
    return changed


@transaction.atomic
def sign_off(task: RectificationTask, user, when=None) -> RectificationTask:
    """Sign a completed task off (销号): signer and time are recorded."""
    if task.status not in Status.done():
        raise ValidationError(_("只有已完成的任务才能销号。"))
    if task.is_signed_off:
        raise ValidationError(_("该任务已于 {when} 销号。").format(when=task.signed_off_at))
    task.signed_off_by = user
    task.signed_off_at = when or timezone.now()
    return save_record(task, user, _("销号"))
