"""Plan the import of an edited ledger: what each row would change, or why it cannot.

:func:`read_ledger` checks the upload (``ledger_upload.check_file``), reads the 台账 sheet into
rows (``ledger_sheet.read_sheet``, which tells the current layout from the previous one) and
compares each row with its task as it is now, column by column of that layout: a
:class:`RowPlan` per changed task, a ``CellError`` (sheet, row, column, cell) for everything
wrong — unknown or duplicated task ids, a task changed since the export (the hidden 版本
column), edited read-only columns, invalid dates or statuses, a rewritten 整改结果 (it may
only be cleared: the status then replaces the printed words), measures that do not read back,
values the task refuses (``full_clean``). The running 序号 is not compared. Nothing is written
here: the preview shows the plan, ``ledger_apply.apply_plan`` writes it.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.utils.translation import gettext as _

from rectify.ledger import ledger_columns as cols
from rectify.ledger.ledger_export import places_for_rounds
from rectify.ledger.ledger_sheet import (
    CellError,
    SheetReading,
    SheetRow,
    normalise_text,
    parse_date,
    parse_status,
    read_sheet,
)
from rectify.ledger.ledger_upload import check_file
from rectify.models import Evidence, Measure, OutcomeFigure, RectificationTask
from rectify.models.choices import Status
from rectify.notice_import.measure_split import split_measures
from rectify.rules import due_dates, extension_rules, lifecycle, permissions
from rectify.rules.numbering import measures_text

#: Task ids looked up per query.
LOOKUP_CHUNK = 500


@dataclass(frozen=True)
class Change:
    """One cell that would change: before and after as the ledger shows them."""

    row: int
    task_id: int
    number: str
    column: str
    before: str
    after: str
    implied: bool = False  # follows from another change (a status sets the completion date)


@dataclass
class RowPlan:
    """What one ledger row changes on its task."""

    row: int
    task_id: int
    number: str
    version: str  # the 版本 cell, as exported
    changes: list[Change] = field(default_factory=list)
    fields: dict[str, Any] = field(default_factory=dict)  # plain task fields to save
    status: str | None = None  # the status to set (the lifecycle's set_status), if edited
    completion_date: datetime.date | None = None  # a new completion date, with the status
    restate: bool = False  # the status replaces the printed result (整改结果 cleared)
    measures: list[str] | None = None  # the new measure texts, in order


@dataclass
class ImportPlan(SheetReading):
    """Everything an uploaded ledger would change, or why it cannot be imported."""

    rows: list[RowPlan] = field(default_factory=list)

    @property
    def changes(self) -> list[Change]:
        return [change for row in self.rows for change in row.changes]

    @property
    def task_count(self) -> int:
        return len(self.rows)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class PlanSummary:
    """What the preview shows of a plan — the file, the sheet, the refusals, the cells that
    would change — kept as JSON between a background preview and the page that shows it
    (confirming reads and checks the file again: nothing here is applied)."""

    filename: str = ""
    sheet: str = ""
    row_count: int = 0
    previous_layout: bool = False
    errors: list[CellError] = field(default_factory=list)
    more_errors: int = 0
    ignored_columns: list[str] = field(default_factory=list)
    task_count: int = 0
    changes: list[Change] = field(default_factory=list)

    @classmethod
    def of(cls, plan: ImportPlan) -> PlanSummary:
        return cls(plan.filename, plan.sheet, plan.row_count, plan.previous_layout,
                   list(plan.errors), plan.more_errors, list(plan.ignored_columns),
                   plan.task_count, plan.changes)

    @property
    def ok(self) -> bool:
        return not self.errors

    def to_json(self) -> bytes:
        data = {name: getattr(self, name) for name in (
            "filename", "sheet", "row_count", "previous_layout", "more_errors",
            "ignored_columns", "task_count")}
        data["errors"] = [dataclasses.astuple(error) for error in self.errors]
        data["changes"] = [dataclasses.astuple(change) for change in self.changes]
        return json.dumps(data, ensure_ascii=False).encode()

    @classmethod
    def from_json(cls, raw: bytes) -> PlanSummary:
        data = json.loads(raw)
        data["errors"] = [CellError(*error) for error in data["errors"]]
        data["changes"] = [Change(*change) for change in data["changes"]]
        return cls(**data)


def _shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def _status_label(value: str) -> str:
    return str(Status(value).label)


def read_ledger(path: str | Path, user, *, filename: str = "", progress=None) -> ImportPlan:
    """Plan the import of the ledger at ``path`` for ``user`` (who must be allowed to edit the
    tasks). Raises :class:`LedgerFileError` for a file that is not a readable workbook;
    everything wrong inside it is listed in the plan's ``errors``. A background import passes
    ``progress(rows_done, rows_total, step=...)``: rows read, tasks looked up, rows compared."""
    path = Path(path)
    check_file(path, filename or path.name)
    plan = ImportPlan(filename=filename or path.name)
    rows, header_columns = read_sheet(path, plan, progress)
    if rows:
        _plan_rows(rows, header_columns, user, plan, progress)
    return plan


@dataclass
class _Current:
    """A task as it is now, with what the ledger shows of it."""

    task: RectificationTask
    row: cols.LedgerRow
    editable: bool


def _chunks(items: list[int], size: int) -> Iterable[list[int]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _current_tasks(ids: list[int], user, progress=None) -> dict[int, _Current]:
    """The tasks named by the ledger that ``user`` may see, as the ledger would show them
    (five queries per ``LOOKUP_CHUNK`` ids: tasks, editable ids, measures, outcome figures,
    evidence; three for the trees)."""
    visible = extension_rules.with_extension_counts(due_dates.with_due_dates(
        permissions.visible(RectificationTask, user))).select_related(
        "round__party_group", "signed_off_by")
    tasks: dict[int, RectificationTask] = {}
    measures: dict[int, list[tuple[int, int, str]]] = {}
    figures: dict[int, list[tuple]] = {}
    evidence: dict[int, list[str]] = {}
    editable: set[int] = set()
    step = _("读取当前记录")
    for done, chunk in enumerate(_chunks(ids, LOOKUP_CHUNK)):
        if progress is not None:
            progress(done * LOOKUP_CHUNK, len(ids), step=step)
        tasks.update((task.pk, task) for task in visible.filter(pk__in=chunk))
        editable.update(permissions.editable(RectificationTask, user).filter(pk__in=chunk)
                        .values_list("pk", flat=True))
        for task_id, pk, version, text in (
            Measure.objects.filter(task_id__in=chunk).order_by("task_id", "position", "pk")
            .values_list("task_id", "pk", "version", "text")
        ):
            measures.setdefault(task_id, []).append((pk, version, text))
        for task_id, *sums in (
            OutcomeFigure.objects.filter(task_id__in=chunk)
            .values_list("task_id", "kind", "label", "unit").annotate(total=Sum("value"))
            .order_by("task_id")
        ):
            figures.setdefault(task_id, []).append(sums)
        for task_id, name in (
            Evidence.objects.filter(task_id__in=chunk).order_by("task_id", "uploaded_at", "pk")
            .values_list("task_id", "original_name")
        ):
            evidence.setdefault(task_id, []).append(name)
    places = places_for_rounds(sorted({task.round_id for task in tasks.values()}))
    current = {}
    for pk, task in tasks.items():
        place = places.get(pk)
        row = cols.LedgerRow.of_task(
            task, measures.get(pk, []), number=place.number if place else "",
            category_path=place.category_path if place else "", round_label=str(task.round),
            party_group=task.round.party_group.name,
            figures=cols.figure_sums(figures.get(pk, [])), evidence=evidence.get(pk, []))
        current[pk] = _Current(task, row, pk in editable)
    return current


def _task_id(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _plan_rows(rows: list[SheetRow], header_columns: dict[str, int], user,
               plan: ImportPlan, progress=None) -> None:
    ids: dict[int, int] = {}  # task id -> first row
    keyed: list[tuple[SheetRow, int]] = []
    for row in rows:
        raw = row.value("id")
        coordinate = row.coordinate("id", header_columns)
        task_id = _task_id(raw)
        if raw is None:
            plan.error(row.number, cols.ID_COLUMN, coordinate,
                       _("缺少任务ID：台账导入只修改已有任务，不新增任务。"))
        elif task_id is None:
            plan.error(row.number, cols.ID_COLUMN, coordinate,
                       _("任务ID“{value}”不是整数。").format(value=raw))
        elif task_id in ids:
            plan.error(row.number, cols.ID_COLUMN, coordinate,
                       _("重复的行：任务 {id} 已在第 {row} 行出现。").format(
                           id=task_id, row=ids[task_id]))
        else:
            ids[task_id] = row.number
            keyed.append((row, task_id))
    current = _current_tasks(list(ids), user, progress)
    step = _("与当前记录逐格比对")
    for done, (row, task_id) in enumerate(keyed):
        if progress is not None:
            progress(done, len(keyed), step=step)
        now = current.get(task_id)
        coordinate = row.coordinate("id", header_columns)
        if now is None:
            plan.error(row.number, cols.ID_COLUMN, coordinate,
                       _("未知的任务ID {id}（不存在或无权查看）。").format(id=task_id))
            continue
        row_plan = _plan_row(row, header_columns, now, plan, user)
        if row_plan is not None and (row_plan.changes or row_plan.fields):
            if not now.editable:
                plan.error(row.number, cols.ID_COLUMN, coordinate,
                           _("无权修改任务 {id}。").format(id=task_id))
                continue
            plan.rows.append(row_plan)


def _plan_row(row: SheetRow, header_columns, now: _Current, plan: ImportPlan,
              user) -> RowPlan | None:
    """Compare one row with its task; record errors in ``plan``; None if the row is refused."""
    errors_before = len(plan.errors)
    task, shown = now.task, now.row
    layout = plan.layout

    def where(column: cols.Column) -> str:
        return row.coordinate(column.key, header_columns)

    version = normalise_text(row.value("version"))
    expected = cols.VERSION_COLUMN.getter(shown)
    if version != expected:
        plan.error(row.number, cols.VERSION_COLUMN, where(cols.VERSION_COLUMN), _(
            "任务 {id} 在导出之后已被修改（导出时版本 {old}，现在 {new}）：请重新导出台账后再修改。"
        ).format(id=task.pk, old=version or "?", new=expected))
        return None

    result = RowPlan(row.number, task.pk, shown.number, version)
    edited: list[cols.Column] = []  # the columns whose cells were edited, in order

    def change(column: cols.Column, before: Any, after: Any, *, implied: bool = False) -> None:
        if not implied and column not in edited:
            edited.append(column)
        result.changes.append(Change(row.number, task.pk, shown.number, column.label,
                                     _shown(before), _shown(after), implied))

    for column in layout.read_only:
        if (column.key not in header_columns or column.key in ("id", "version")
                or column.kind == cols.SERIAL):
            continue
        cell = row.value(column.key)
        current = column.getter(shown)
        if column.kind == cols.DATETIME:
            same = _same_time(cell, current)
        elif column.kind == cols.DATE:
            same = _same_date(cell, current)
        else:
            same = normalise_text(cell) == normalise_text(current, cell=False)
        if not same:
            plan.error(row.number, column, where(column), _(
                "“{column}”列是只读的，不能修改（当前为“{value}”）；如果没有改过这一列，"
                "说明导出之后记录已有变化，请重新导出台账。"
            ).format(column=column.label, value=normalise_text(current, cell=False)))

    asked_status: str | None = None  # the status the 整改状态 cell asks for, if it was edited
    restate = False  # the status is to replace the printed result
    dates_edited: dict[str, bool] = {}
    for column in layout.editable:
        if column.key not in header_columns:
            continue
        cell = row.value(column.key)
        if column.kind == cols.DATE:
            try:
                value = parse_date(cell)
            except ValueError:
                plan.error(row.number, column, where(column), _(
                    "无法识别的日期“{value}”：请填写日期，如 2024-06-30。"
                ).format(value=normalise_text(cell)))
                continue
            before = getattr(task, column.field)
            dates_edited[column.field] = value != before
            if value != before:
                result.fields[column.field] = value
                change(column, before, value)
        elif column.kind in (cols.STATUS, cols.LEGACY_STATUS):
            text = normalise_text(cell)
            shown_status = column.getter(shown)
            if text == normalise_text(shown_status, cell=False):
                continue
            status = parse_status(text)
            if status is None:
                plan.error(row.number, column, where(column), _(
                    "未知的整改状态“{value}”：应为“{choices}”之一。"
                ).format(value=text, choices="”“".join(str(label) for label in Status.labels)))
                continue
            if status == task.status and (column.kind == cols.STATUS or not task.result_text):
                continue  # the same status, spelt another way
            # The previous layout: the status typed over the printed result replaces it.
            change(column, shown_status, _status_label(status))
            asked_status = status
            restate = status == task.status
        elif column.kind == cols.RESULT:
            text = normalise_text(cell)
            if text == normalise_text(task.result_text, cell=False):
                continue
            if text:
                plan.error(row.number, column, where(column), _(
                    "“{column}”列是通报印出的整改结果原文，只能清空（由整改状态代替），不能改写"
                    "（当前为“{value}”）。"
                ).format(column=column.label, value=task.result_text or ""))
                continue
            change(column, task.result_text, "")
            restate = True
        elif column.kind == cols.MEASURES:
            text = normalise_text(cell)
            old = [measure_text for _pk, _version, measure_text in shown.measures]
            if text == normalise_text(measures_text(old), cell=False):
                continue
            texts, doubts = split_measures(text)
            if doubts:
                for doubt in doubts:
                    plan.error(row.number, column, where(column),
                               _("单元格内{doubt}").format(doubt=doubt))
                continue
            if texts != old:
                result.measures = texts
                change(column, measures_text(old), measures_text(texts))
        else:
            value = normalise_text(cell)
            before = getattr(task, column.field)
            if value != normalise_text(before, cell=False):
                result.fields[column.field] = value
                change(column, before, value)

    if edited and task.signed_off_at is not None:
        # Signed off means locked (rectify.rules.lifecycle): every edited cell is refused.
        for column in edited:
            plan.error(row.number, column, where(column), lifecycle.locked_message(task))
        return None
    completion_edited = dates_edited.get("completion_date", False)
    if asked_status is not None or completion_edited or restate:
        # The status, the completion date and the printed result are the lifecycle's
        # (set_status), not fields.
        status = asked_status or task.status
        completion = result.fields.pop("completion_date", None)
        effects = status_change_effects(
            task, user, status, completion_date=completion,
            completion_edited=completion_edited, restate=restate)
        for key, message in effects.refusals:
            plan.error(row.number, layout.by_key[key], where(layout.by_key[key]), message)
        for key, before, after in effects.implied:
            if key in layout.by_key and layout.by_key[key] not in edited:
                change(layout.by_key[key], before, after, implied=True)
        result.status, result.completion_date, result.restate = status, completion, restate
    if len(plan.errors) > errors_before:
        return None
    if result.fields:
        _validate(row, result, task, plan, where)
    return result if len(plan.errors) == errors_before else None


@dataclass
class StatusEffects:
    """What a new 整改状态, 整改结果 or 完成时间 cell implies for its task (nothing is written
    here)."""

    refusals: list[tuple[str, str]] = field(default_factory=list)  # (column key, message)
    implied: list[tuple[str, Any, Any]] = field(default_factory=list)  # (key, before, after)


def status_change_effects(task: RectificationTask, user, status: str, *,
                          completion_date: datetime.date | None,
                          completion_edited: bool, restate: bool = False) -> StatusEffects:
    """The preview of the lifecycle's ``set_status`` move on a copy of ``task``: what it
    refuses (naming the column), and what it changes besides the cells edited (the
    completion date set to today or cleared, the printed result cleared). The apply step
    makes the same move through ``services.workflow.set_status``; the rule itself is
    ``rectify.rules.lifecycle``'s."""
    effects = StatusEffects()
    if completion_edited and completion_date is None and status in Status.done():
        effects.refusals.append(("completion_date", _("已完成的任务须填写完成时间。")))
        return effects
    preview = copy.copy(task)
    try:
        lifecycle.set_status(preview, user, status, completion_date=completion_date,
                             restate=restate)
    except lifecycle.MoveRefused as refusal:
        by_field = refusal.message_dict if hasattr(refusal, "error_dict") else {
            "status": refusal.messages}
        for name, messages in by_field.items():
            key = "completion_date" if name == "completion_date" else "status"
            effects.refusals.extend((key, message) for message in messages)
        return effects
    if preview.completion_date != task.completion_date and not completion_edited:
        effects.implied.append(("completion_date", task.completion_date,
                                preview.completion_date))
    if preview.result_text != task.result_text:
        effects.implied.append(("result", task.result_text, preview.result_text))
    return effects


def _validate(row: SheetRow, result: RowPlan, task: RectificationTask, plan: ImportPlan,
              where) -> None:
    """Run the task's own validation on the new values (nothing is saved here)."""
    for name, value in result.fields.items():
        setattr(task, name, value)
    try:
        task.full_clean()
    except ValidationError as exc:
        by_field = {column.field: column for column in plan.layout.editable if column.field}
        for name, messages in exc.message_dict.items():
            column = by_field.get(name, cols.ID_COLUMN)
            for message in messages:
                plan.error(row.number, column, where(column), message)


def _same_date(cell: Any, current: datetime.date | None) -> bool:
    """A read-only date cell as exported (a date cell, or typed text such as 2024-06-30)."""
    try:
        return parse_date(cell) == current
    except ValueError:
        return False


def _same_time(cell: Any, current: datetime.datetime | None) -> bool:
    if current is None:
        return cell in (None, "")
    if isinstance(cell, str):
        try:
            cell = datetime.datetime.fromisoformat(normalise_text(cell))
        except ValueError:
            return False
    if not isinstance(cell, datetime.datetime):
        return False
    return abs((cell.replace(tzinfo=None) - current).total_seconds()) < 1
