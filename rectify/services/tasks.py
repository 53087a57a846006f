"""A bureau's work on its tasks besides the lifecycle moves (``rectify.services.workflow``):
measures, their order, and dated progress entries. Every write passes the sign-off lock in
``save_record``."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rectify.models import Measure, RectificationTask
from rectify.services import notifications
from rectify.services.records import StaleRecord, save_record, unlocked_task


@transaction.atomic
def reorder_measures(task: RectificationTask, measure_ids: list[int], user) -> list[Measure]:
    """Put the task's measures in the order of ``measure_ids``, which must name each of them
    exactly once; refused with :class:`StaleRecord` when the task's measures changed since
    the caller read them (one was added or deleted). Returns the measures in the new order.
    """
    task = unlocked_task(task.pk)  # one at a time; refused once signed off
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
    entry = save_record(entry, user, _("填报整改进展"))
    notifications.comment_added(entry, user)
    return entry


@transaction.atomic
def update_progress(task: RectificationTask, user, progress: str, outcome: str | None = None,
                    *, expected_version: int | None = None) -> RectificationTask:
    """The task's progress summary (整改进展) and outcome paragraph (整改成效): the task
    fields a bureau writes."""
    task.progress = progress
    if outcome is not None:
        task.outcome = outcome
    return save_record(task, user, _("更新整改进展"), expected_version=expected_version)
