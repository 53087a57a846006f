"""Apply a planned ledger import all or nothing.

:func:`apply_plan` writes a plan without errors (``ledger_plan.read_ledger``) in one
transaction through ``save_record``, ``workflow.set_status``, ``delete_record``
(history rows by the importing user), re-checking each task's version under a row lock;
any refusal rolls everything back.
"""

from __future__ import annotations

from difflib import SequenceMatcher

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from rectify.ledger import ledger_columns as cols
from rectify.ledger.ledger_plan import ImportPlan, RowPlan
from rectify.ledger.ledger_sheet import CellError
from rectify.models import Measure, RectificationTask
from rectify.rules import permissions
from rectify.services import search_index
from rectify.services.records import delete_record, save_record
from rectify.services.workflow import set_status


class LedgerImportError(Exception):
    """Applying a plan was refused; nothing was written."""

    def __init__(self, errors: list[CellError]):
        self.errors = errors
        super().__init__("\n".join(str(error) for error in errors))


def apply_plan(plan: ImportPlan, user, progress=None) -> int:
    """Write the plan in one transaction as ``user``; returns the number of tasks changed.

    Each task is locked and its version checked again: a task changed after the preview
    refuses the whole import (:class:`LedgerImportError`), as does anything the services
    refuse. Nothing is written then. A background import passes ``progress(tasks_written,
    tasks, step=...)``.
    """
    if plan.errors:
        raise LedgerImportError(plan.errors)
    reason = _("Excel 台账导入（{file}）").format(file=plan.filename)
    step = _("写入修改（全部成功才生效）")
    with transaction.atomic(), search_index.batched():  # each task's search row once
        for done, row in enumerate(plan.rows):
            if progress is not None:
                progress(done, len(plan.rows), step=step)
            _apply_row(plan, row, user, reason)
    return len(plan.rows)


def _apply_row(plan: ImportPlan, row: RowPlan, user, reason: str) -> None:
    def refuse(column: cols.Column, message: str):
        return LedgerImportError([CellError(plan.sheet, row.row, column.label, "", message)])

    task = permissions.editable(RectificationTask, user).select_for_update().filter(
        pk=row.task_id).first()
    if task is None:
        raise refuse(cols.ID_COLUMN, _("无权修改任务 {id}。").format(id=row.task_id))
    measures = list(Measure.objects.select_for_update().filter(task=task)
                    .order_by("position", "pk"))
    now = cols.row_version(task, [(m.pk, m.version) for m in measures])
    if now != row.version:
        raise refuse(cols.VERSION_COLUMN, _(
            "任务 {id} 在预览之后已被他人修改（现在版本 {new}）：请重新导出台账后再修改。"
        ).format(id=task.pk, new=now))
    try:
        if row.fields:
            for name, value in row.fields.items():
                setattr(task, name, value)
            save_record(task, user, reason, expected_version=task.version)
        if row.status is not None:
            set_status(task, row.status, user, reason, completion_date=row.completion_date,
                       restate=row.restate)
        if row.measures is not None:
            _apply_measures(task, measures, row.measures, user, reason)
    except ValidationError as exc:
        raise refuse(cols.ID_COLUMN, "；".join(exc.messages))


def _apply_measures(task: RectificationTask, existing: list[Measure], texts: list[str], user,
                    reason: str) -> None:
    """Make the task's measures read ``texts``: unchanged measures keep their records (and
    their unit and date), edited ones are updated, missing ones deleted, new ones added."""
    old = [measure.text for measure in existing]
    final: list[Measure | str] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, old, texts, autojunk=False).get_opcodes():
        if tag == "equal":
            final.extend(existing[i1:i2])
            continue
        replaced, added = existing[i1:i2], texts[j1:j2]
        for measure, text in zip(replaced, added, strict=False):
            measure.text = text
            final.append(measure)
        final.extend(added[len(replaced):])
        for measure in replaced[len(added):]:
            delete_record(measure, user, reason, expected_version=measure.version)
    originals = {measure.pk: (text, measure.position) for measure, text in zip(existing, old,
                                                                                strict=True)}
    for position, item in enumerate(final, 1):
        if isinstance(item, str):
            save_record(Measure(task=task, position=position, text=item), user, reason)
            continue
        if originals[item.pk] != (item.text, position):
            item.position = position
            save_record(item, user, reason, expected_version=item.version)

