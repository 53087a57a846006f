"""Write the ledger workbook of any selection of tasks: 台账, 汇总, and on request 历史记录.

Streaming and in a fixed number of queries whatever the number of rows: the selection's rounds
(one query), their numbered trees (``numbers_for_rounds``, three), the tasks and their measures
as two cursors read side by side in the same order (two), the summary (the statistics
service's, by party group and by round: ``statistics.QUERIES + statistics.ROUND_QUERIES + 1``), the
history (two, on request). Rows come out in the order of the printed notices: round by round,
each round in the order of its tree. Cells go to openpyxl's write-only workbook as they are made.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import IllegalCharacterError

from rectify.ledger import ledger_columns as cols
from rectify.models import FigureKind, InspectionRound, Measure, RectificationTask
from rectify.models.outcomes import UNITS
from rectify.rules import due_dates, extension_rules
from rectify.rules.cell_text import neutralise
from rectify.rules.history import entries_of as history_rows_entries
from rectify.rules.problem_tree import numbers_for_rounds
from rectify.services import statistics

#: Rows fetched per round trip by the task and measure cursors.
CHUNK_SIZE = 2000
#: ``write_ledger`` reports its progress every so many rows.
PROGRESS_ROWS = 250
#: The task fields the ledger reads (the others stay in the database).
TASK_FIELDS = (
    "pk", "round_id", "title", "responsible_leader", "responsible_department", "deadline",
    "progress", "status", "result_text", "completion_date", "signed_off_at", "updated_at",
    "version", "extended_deadline", "original_due_on", "extension_count",
)

DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
_TOP = Alignment(vertical="top")
_WRAP = Alignment(wrap_text=True, vertical="top")
_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDE4EE")
_HEADER_ALIGN = Alignment(wrap_text=True, vertical="center", horizontal="center")
_TITLE_FONT = Font(bold=True, size=13)


# -- rows ------------------------------------------------------------------------------------


@dataclass(slots=True)
class Place:
    """A task's place in its round's tree: document order, number path, category path."""

    order: int
    number: str
    category_path: str


def places_for_rounds(round_ids: list[int]) -> dict[int, Place]:
    """Every task of the rounds with its derived number and category path (three queries)."""
    places: dict[int, Place] = {}
    for index, ((kind, pk), node) in enumerate(numbers_for_rounds(round_ids).items()):
        if kind == "task":
            places[pk] = Place(index, node.number_as_printed, node.category_path)
    return places


@dataclass
class Selection:
    """The tasks of one export, prepared once and shared by the sheets."""

    tasks: QuerySet
    round_ids: list[int] = field(default_factory=list)
    places: dict[int, Place] = field(default_factory=dict)

    @classmethod
    def of(cls, tasks: QuerySet) -> Selection:
        tasks = tasks.order_by()
        round_ids = sorted(set(tasks.values_list("round_id", flat=True).distinct()))
        return cls(tasks, round_ids, places_for_rounds(round_ids))

    def ids(self) -> QuerySet:
        """The selected tasks' ids, as a subquery."""
        return self.tasks.values("pk")


def iter_rows(tasks: QuerySet | Selection) -> Iterator[cols.LedgerRow]:
    """The ledger rows of ``tasks`` in print order, streamed.

    Tasks (ordered by round, then id) and measures (ordered the same way by their task) are
    read by two cursors side by side and joined here; each round's tasks are put in the order
    of its tree before they are yielded, so memory holds one round at a time.
    """
    selection = tasks if isinstance(tasks, Selection) else Selection.of(tasks)
    round_labels = {
        rnd.pk: str(rnd) for rnd in
        InspectionRound.objects.filter(pk__in=selection.round_ids).select_related("party_group")
    }
    task_rows = ledger_tasks(selection.tasks).iterator(chunk_size=CHUNK_SIZE)
    measure_rows = iter(
        Measure.objects.filter(task__in=selection.ids())
        .order_by("task__round_id", "task_id", "position", "pk")
        .values_list("task__round_id", "task_id", "pk", "version", "text")
        .iterator(chunk_size=CHUNK_SIZE)
    )
    places = selection.places
    no_place = Place(len(places) + 1, "", "")
    pending = next(measure_rows, None)
    batch: list[tuple[int, cols.LedgerRow]] = []
    batch_round = None
    round_label = ""
    for task in task_rows:
        if task.round_id != batch_round:
            yield from _in_order(batch)
            batch, batch_round = [], task.round_id
            round_label = round_labels.get(task.round_id, "")
        key = (task.round_id, task.pk)
        while pending is not None and (pending[0], pending[1]) < key:
            pending = next(measure_rows, None)  # a measure of a task that left the selection
        own = []
        while pending is not None and pending[0] == key[0] and pending[1] == key[1]:
            own.append(pending[2:])
            pending = next(measure_rows, None)
        place = places.get(task.pk, no_place)
        batch.append((place.order, cols.LedgerRow(
            task, place.number, place.category_path, own, round_label, task[-1] or "")))
    yield from _in_order(batch)


def ledger_tasks(tasks: QuerySet) -> QuerySet:
    """The selected tasks as the ledger reads them: rows of the fields it shows (named like
    the task's attributes) and the signer's name, ordered by round and id.

    Rows, not model instances: building 50,000 instances would cost a third of the export.
    """
    signer = "signed_off_by__" + get_user_model().USERNAME_FIELD
    tasks = extension_rules.with_extension_counts(tasks.annotate(
        original_due_on=due_dates.original_due_expression()))
    return tasks.order_by("round_id", "pk").values_list(*TASK_FIELDS, signer, named=True)


def _in_order(batch: list[tuple[int, cols.LedgerRow]]) -> Iterator[cols.LedgerRow]:
    batch.sort(key=lambda item: item[0])
    for _order, row in batch:
        yield row


# -- cells -----------------------------------------------------------------------------------


class _TemplateCell(Cell):
    """A cell whose style is set once: its style id is looked up once, not on every write."""

    __slots__ = ("_style_id",)

    def __init__(self, sheet, column: int):
        super().__init__(sheet, row=1, column=column)
        self._style_id = None

    @property
    def style_id(self) -> int:
        if self._style_id is None:
            self._style_id = Cell.style_id.fget(self)
        return self._style_id


class _Cells:
    """Styled cells of one write-only sheet, one template per column, reused row after row.

    openpyxl writes an appended row as soon as it is appended, so one cell object per column
    can carry each row's value in turn. The sheet is handed ready cells directly (see
    :func:`_accept_cells`), which keeps styled rows about as fast as bare values.
    """

    def __init__(self, sheet, columns: list[cols.Column]):
        self.sheet = sheet
        self.texts = [column.kind in cols.TEXT_KINDS for column in columns]
        self.cells = []
        for index, column in enumerate(columns, 1):
            cell = _TemplateCell(sheet, index)
            if column.kind == cols.DATE:
                cell.number_format = DATE_FORMAT
            elif column.kind == cols.DATETIME:
                cell.number_format = DATETIME_FORMAT
            cell.alignment = _WRAP if column.wrap else _TOP
            self.cells.append(cell)
        _accept_cells(sheet)

    def row(self, values) -> list:
        """The cells of one row (None for an empty value); text is neutralised."""
        out = []
        append = out.append
        for cell, text, value in zip(self.cells, self.texts, values, strict=True):
            if value is None or value == "":
                append(None)
                continue
            if text:
                value = neutralise(str(value))
            try:
                cell.value = value
            except IllegalCharacterError:
                cell.value = ILLEGAL_CHARACTERS_RE.sub("", value)
            append(cell)
        return out


def _accept_cells(sheet) -> None:
    """Let ``sheet.append`` take rows of ready cells (or None) without converting each value.

    Stock openpyxl accepts a ready cell only after failing to convert it as a value, an
    exception per cell; rows here hold nothing but cells, so they pass straight through.
    """
    if not hasattr(sheet, "_values_to_row"):  # another openpyxl: keep its own way
        return

    def values_to_row(values, row_index):
        for cell in values:
            if cell is not None:
                cell.row = row_index
                yield cell

    sheet._values_to_row = values_to_row


def _single(sheet, value, *, font=None, fill=None, alignment=None, column: int = 1):
    cell = WriteOnlyCell(sheet, value)
    cell.column = column
    if font:
        cell.font = font
    if fill:
        cell.fill = fill
    if alignment:
        cell.alignment = alignment
    return cell


def _title_row(sheet, title: str) -> list:
    return [_single(sheet, neutralise(title), font=_TITLE_FONT)]


def _header_row(sheet, headers: list[str]) -> list:
    return [
        _single(sheet, neutralise(str(header)), font=_HEADER_FONT, fill=_HEADER_FILL,
                alignment=_HEADER_ALIGN, column=index)
        for index, header in enumerate(headers, 1)
    ]


def _setup(sheet, widths: list[float], hidden: list[bool] | None = None) -> None:
    """Column widths, hidden columns and the frozen title and header rows (before any row)."""
    for index, width in enumerate(widths, 1):
        dimension = sheet.column_dimensions[get_column_letter(index)]
        dimension.width = width
        if hidden and hidden[index - 1]:
            dimension.hidden = True
    sheet.freeze_panes = "A3"


# -- the workbook ----------------------------------------------------------------------------


def title_text(selection: str, now: datetime.datetime) -> str:
    return _("整改台账（{selection}）　导出时间：{time}").format(
        selection=selection or _("全部任务"), time=now.strftime("%Y-%m-%d %H:%M"))


def write_ledger(
    out: IO[bytes] | str,
    tasks: QuerySet,
    *,
    selection: str = "",
    history: bool = False,
    now: datetime.datetime | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Write the ledger of ``tasks`` (already scoped to the reader) to ``out``.

    ``selection`` describes the filters for the title rows; ``history`` adds the history
    sheet; ``progress(rows_done, rows_total)`` is called every ``PROGRESS_ROWS`` rows and
    after the last (one more query, for the total). Returns the number of task rows.
    """
    now = timezone.localtime(now or timezone.now())
    title = title_text(selection, now)
    chosen = Selection.of(tasks)
    workbook = Workbook(write_only=True)

    sheet = workbook.create_sheet(str(cols.LEDGER_SHEET))
    _setup(sheet, [c.width for c in cols.COLUMNS], [c.hidden for c in cols.COLUMNS])
    cells = _Cells(sheet, cols.COLUMNS)
    sheet.append(_title_row(sheet, title))
    sheet.append(_header_row(sheet, [c.label for c in cols.COLUMNS]))
    count = 0
    getters = [column.getter for column in cols.COLUMNS]
    total = chosen.tasks.count() if progress else 0
    for row in iter_rows(chosen):
        sheet.append(cells.row([getter(row) for getter in getters]))
        count += 1
        if progress and not count % PROGRESS_ROWS:
            progress(count, max(total, count))
    if progress:
        progress(count, count)
    last = get_column_letter(len(cols.COLUMNS))
    sheet.auto_filter.ref = f"A2:{last}{count + 2}"

    write_summary(workbook, chosen.tasks, title, now.date())
    if history:
        write_history(workbook, chosen, title)
    workbook.save(out)
    return count


#: The counts of the 汇总 sheet, after the name: (attribute of ``statistics.Counts``, header).
SUMMARY_COUNTS = [
    ("tasks", _lazy("任务数")),
    ("completed", _lazy("已完成")),
    ("in_progress", _lazy("正在推进")),
    ("completion_rate", _lazy("完成率")),
    ("on_time", _lazy("按期完成")),
    ("on_time_rate", _lazy("按期完成率")),
    ("overdue", _lazy("逾期")),
    ("awaiting_review", _lazy("待审核")),
    ("signed_off", _lazy("已销号")),
    ("reopened", _lazy("回头看重新整改")),
    ("extended", _lazy("已批准延期")),
]
RATES = frozenset({"completion_rate", "on_time_rate"})
PERCENT_FORMAT = "0.0%"
_SECTION_FONT = Font(bold=True)


def _figure_columns(total: statistics.Counts) -> list[tuple[str, str, str]]:
    """(kind, label, unit) of each figure column: every kind with a fixed unit, then each
    "其他" of the selection."""
    columns = [(kind.value, str(kind.label), UNITS[kind]) for kind in FigureKind
               if kind in UNITS]
    columns += [(f.kind, f.label, f.unit) for f in total.figures if f.kind == FigureKind.OTHER]
    return columns


def _summary_row(sheet, name: str, counts: statistics.Counts, figures: list[tuple],
                 *, bold: bool = False) -> list:
    cells = [_single(sheet, neutralise(name), font=_HEADER_FONT if bold else None)]
    for attribute, _header in SUMMARY_COUNTS:
        value = getattr(counts, attribute)
        cell = _single(sheet, value, column=len(cells) + 1,
                       font=_HEADER_FONT if bold else None)
        if attribute in RATES:
            cell.number_format = PERCENT_FORMAT
        cells.append(cell)
    sums = {(f.kind, f.label, f.unit): f.value for f in counts.figures}
    for key in figures:
        cells.append(_single(sheet, sums.get(key, Decimal(0)), column=len(cells) + 1,
                             font=_HEADER_FONT if bold else None))
    return cells


def write_summary(workbook, tasks: QuerySet, title: str, today: datetime.date) -> None:
    """汇总: the statistics of the selection (``rectify.services.statistics``, the numbers of
    the dashboard and the API) by party group, then by round, each with its total: counts,
    rates as percentages, and the sums of the outcome figures (unit in the header).
    A fixed number of queries: ``statistics.QUERIES + statistics.ROUND_QUERIES + 1``."""
    sheet = workbook.create_sheet(str(cols.SUMMARY_SHEET))
    stats = statistics.compute(tasks, today)
    by_round = statistics.compute_by_round(tasks, today)
    figures = _figure_columns(stats.total)
    counts_headers = [str(header) for _attribute, header in SUMMARY_COUNTS]
    figure_headers = [_("{label}（{unit}）").format(label=label, unit=unit)
                      for _kind, label, unit in figures]
    _setup(sheet, [36] + [11] * len(counts_headers) + [14] * len(figure_headers))
    sheet.append(_title_row(sheet, title))
    sheet.append(_header_row(sheet, [_("被巡察党组织"), *counts_headers, *figure_headers]))
    for group in stats.by_party_group:
        sheet.append(_summary_row(sheet, group.name, group.counts, figures))
    sheet.append(_summary_row(sheet, _("合计"), stats.total, figures, bold=True))
    sheet.append([])
    sheet.append([_single(sheet, _("按巡察轮次"), font=_SECTION_FONT)])
    sheet.append(_header_row(sheet, [_("巡察轮次"), *counts_headers, *figure_headers]))
    for group in by_round:
        sheet.append(_summary_row(sheet, group.name, group.counts, figures))
    sheet.append(_summary_row(sheet, _("合计"), stats.total, figures, bold=True))


HISTORY_COLUMNS = [
    cols.Column("id", _("任务ID"), 9, None, kind=cols.INTEGER),
    cols.Column("number", _("序号"), 10, None),
    cols.Column("record", _("记录"), 24, None, wrap=True),
    cols.Column("when", _("时间"), 19, None, kind=cols.DATETIME),
    cols.Column("user", _("操作人"), 12, None),
    cols.Column("action", _("操作"), 8, None),
    cols.Column("reason", _("说明"), 24, None, wrap=True),
    cols.Column("field", _("字段"), 14, None),
    cols.Column("old", _("修改前"), 40, None, wrap=True),
    cols.Column("new", _("修改后"), 40, None, wrap=True),
]


def _shown(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return cols.local_datetime(value).isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def _choice_label(model, field_name: str, value) -> str:
    choices = dict(model._meta.get_field(field_name).flatchoices)
    return str(choices.get(value, _shown(value))) if choices else _shown(value)


def write_history(workbook, chosen: Selection, title: str) -> None:
    """历史记录: every change of the selected tasks and their measures, task by task, oldest
    first, one row per changed field (two queries)."""
    sheet = workbook.create_sheet(str(cols.HISTORY_SHEET))
    _setup(sheet, [c.width for c in HISTORY_COLUMNS])
    cells = _Cells(sheet, HISTORY_COLUMNS)
    sheet.append(_title_row(sheet, title))
    sheet.append(_header_row(sheet, [c.label for c in HISTORY_COLUMNS]))
    count = 0
    for task_id, entries in _history_by_task(chosen):
        number = chosen.places.get(task_id, Place(0, "", "")).number
        for entry in entries:
            model = Measure if entry.model == "measure" else RectificationTask
            record = f"{model._meta.verbose_name}#{entry.object_id} {entry.object_repr}"
            when = cols.local_datetime(entry.when)
            for change in entry.changes or [None]:
                values = [task_id, number, record, when, entry.user, entry.action, entry.reason]
                if change is None:
                    values += ["", "", ""]
                else:
                    values += [change.label, _choice_label(model, change.field, change.old),
                               _choice_label(model, change.field, change.new)]
                sheet.append(cells.row(values))
                count += 1
    sheet.auto_filter.ref = f"A2:{get_column_letter(len(HISTORY_COLUMNS))}{count + 2}"


def _history_by_task(chosen: Selection) -> Iterator[tuple[int, list]]:
    """(task id, readable entries oldest first) for each selected task with history."""
    task_rows = iter(
        RectificationTask.history.filter(id__in=chosen.ids()).select_related("history_user")
        .order_by("id", "history_date", "history_id").iterator(chunk_size=CHUNK_SIZE)
    )
    measure_rows = iter(
        Measure.history.filter(task_id__in=chosen.ids()).select_related("history_user")
        .order_by("task_id", "id", "history_date", "history_id").iterator(chunk_size=CHUNK_SIZE)
    )
    task_row, measure_row = next(task_rows, None), next(measure_rows, None)
    while task_row is not None or measure_row is not None:
        candidates = [r.id for r in (task_row,) if r is not None]
        candidates += [r.task_id for r in (measure_row,) if r is not None]
        task_id = min(candidates)
        own: list = []
        while task_row is not None and task_row.id == task_id:
            own.append(task_row)
            task_row = next(task_rows, None)
        entries = history_rows_entries(own[::-1], RectificationTask) if own else []
        by_measure: dict[int, list] = {}
        while measure_row is not None and measure_row.task_id == task_id:
            by_measure.setdefault(measure_row.id, []).append(measure_row)
            measure_row = next(measure_rows, None)
        for records in by_measure.values():
            entries.extend(history_rows_entries(records[::-1], Measure))
        entries.sort(key=lambda entry: entry.when)
        yield task_id, entries
