"""Write the ledger workbook of any selection of tasks: 台账, 汇总, and on request 历史记录.

Streaming and in a fixed number of queries whatever the number of rows: the selection's rounds
(one query), their numbered trees (``numbers_for_rounds``, three), the round labels and party
groups (one), the tasks, their measures, their outcome figures (summed by kind) and their
evidence files' names as four cursors read side by side in the same order (four), the summary
(the statistics service's, by party group and by round:
``statistics.QUERIES + statistics.ROUND_QUERIES + 1``), the history (two, on request). Rows come
out in the order of the printed notices: round by round, each round in the order of its tree.
Cells go to openpyxl's write-only workbook as they are made.

Print-ready: every sheet is set in 宋体 (the workbook's default font too), thin borders on
every cell of its table, a bold header, a title row merged across the printed columns, A4
landscape fitted to the page width, the title and header rows repeated on every page, "第 n 页，
共 m 页" in the footer; the 台账's print area is its printed columns (``Column.printed``).
"""

from __future__ import annotations

import copy
import datetime
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO

import openpyxl
from django.contrib.auth import get_user_model
from django.db.models import QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from lxml.etree import XMLSyntaxError, fromstring
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.comments import Comment
from openpyxl.compat import safe_string
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel
from openpyxl.utils.exceptions import IllegalCharacterError
from openpyxl.utils.indexed_list import IndexedList
from openpyxl.worksheet.page import PageMargins

from rectify.ledger import ledger_columns as cols
from rectify.models import (
    Evidence,
    FigureKind,
    InspectionRound,
    Measure,
    OutcomeFigure,
    RectificationTask,
)
from rectify.models.outcomes import UNITS
from rectify.rules import cell_text, due_dates, extension_rules
from rectify.rules.history import entries_of as history_rows_entries
from rectify.rules.problem_tree import numbers_for_rounds
from rectify.services import statistics

#: Rows fetched per round trip by the cursors read side by side.
CHUNK_SIZE = 2000
#: ``write_ledger`` reports its progress every so many rows.
PROGRESS_ROWS = 250
#: The task fields the ledger reads (the others stay in the database).
TASK_FIELDS = (
    "pk", "round_id", "title", "responsible_leader", "responsible_department", "deadline",
    "progress", "status", "result_text", "outcome", "completion_date", "signed_off_at",
    "updated_at", "version", "extended_deadline", "original_due_on", "extension_count",
)

DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"

#: The ledger's font: 宋体, marked as a GB2312 (simplified Chinese) font as Excel marks it.
FONT_NAME = "宋体"
_CJK = {"name": FONT_NAME, "charset": 134, "family": 3}
#: The workbook's default font (the Normal style): what a cell typed in later is set in.
DEFAULT_FONT = Font(size=11, **_CJK)
_FONT = Font(size=10, **_CJK)
_BOLD = Font(size=10, bold=True, **_CJK)
_TITLE_FONT = Font(size=16, bold=True, **_CJK)
_THIN = Side(style="thin")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_TOP = Alignment(vertical="top")
_WRAP = Alignment(wrap_text=True, vertical="top")
_CENTRED = Alignment(horizontal="center", vertical="top")
_HEADER_FILL = PatternFill("solid", fgColor="DDE4EE")
_HEADER_ALIGN = Alignment(wrap_text=True, vertical="center", horizontal="center")
_TITLE_ALIGN = Alignment(horizontal="center", vertical="center")
TITLE_HEIGHT = 30

#: Page setup of every sheet: A4 landscape, fitted to the page width (as many pages down as
#: the rows need), margins in inches, the page number centred in the footer.
PAPER_A4 = 9
MARGINS = PageMargins(left=0.4, right=0.4, top=0.6, bottom=0.6, header=0.3, footer=0.3)
#: The title and header rows, repeated at the top of every printed page.
PRINT_TITLE_ROWS = "1:2"


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
    """The ledger rows of ``tasks`` in print order, streamed, numbered 1…N (``serial``).

    Tasks (ordered by round, then id) and their measures, outcome figures and evidence files
    (ordered the same way by their task) are read by four cursors side by side and joined
    here; each round's tasks are put in the order of its tree before they are yielded, so
    memory holds one round at a time.
    """
    selection = tasks if isinstance(tasks, Selection) else Selection.of(tasks)
    rounds = {
        rnd.pk: (str(rnd), rnd.party_group.name) for rnd in
        InspectionRound.objects.filter(pk__in=selection.round_ids).select_related("party_group")
    }
    ids = selection.ids()
    task_rows = ledger_tasks(selection.tasks).iterator(chunk_size=CHUNK_SIZE)
    measures = _Beside(
        Measure.objects.filter(task__in=ids)
        .order_by("task__round_id", "task_id", "position", "pk")
        .values_list("task__round_id", "task_id", "pk", "version", "text"))
    figures = _Beside(
        OutcomeFigure.objects.filter(task__in=ids)
        .values_list("task__round_id", "task_id", "kind", "label", "unit")
        .annotate(total=Sum("value")).order_by("task__round_id", "task_id"))
    evidence = _Beside(
        Evidence.objects.filter(task__in=ids)
        .order_by("task__round_id", "task_id", "uploaded_at", "pk")
        .values_list("task__round_id", "task_id", "original_name"))
    places = selection.places
    no_place = Place(len(places) + 1, "", "")
    kind_labels = statistics.kind_labels()
    batch: list[tuple[int, cols.LedgerRow]] = []
    batch_round = None
    round_label = party_group = ""
    serial = 0
    for task in task_rows:
        if task.round_id != batch_round:
            for row in _in_order(batch):
                serial += 1
                row.serial = serial
                yield row
            batch, batch_round = [], task.round_id
            round_label, party_group = rounds.get(task.round_id, ("", ""))
        key = (task.round_id, task.pk)
        own_figures = figures.take(key)
        place = places.get(task.pk, no_place)
        batch.append((place.order, cols.LedgerRow(
            task, place.number, place.category_path, measures.take(key), round_label,
            task[-1] or "", party_group,
            cols.figure_sums(own_figures, kind_labels) if own_figures else [],
            [name for (name,) in evidence.take(key)])))
    for row in _in_order(batch):
        serial += 1
        row.serial = serial
        yield row


class _Beside:
    """The rows of another table read beside the tasks, in the same (round, task) order:
    ``take(key)`` gives the rest of each row of the task ``key`` (skipping rows of tasks
    that left the selection meanwhile)."""

    __slots__ = ("rows", "pending")

    def __init__(self, queryset: QuerySet):
        self.rows = iter(queryset.iterator(chunk_size=CHUNK_SIZE))
        self.pending = next(self.rows, None)

    def take(self, key: tuple[int, int]) -> list[tuple]:
        pending, rows = self.pending, self.rows
        while pending is not None and (pending[0], pending[1]) < key:
            pending = next(rows, None)
        own = []
        while pending is not None and pending[0] == key[0] and pending[1] == key[1]:
            own.append(pending[2:])
            pending = next(rows, None)
        self.pending = pending
        return own


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


# -- cells ---------------------------------------------------------------------------------

#: Data rows are written by :class:`_Rows` itself (see there); False: cell by cell through
#: openpyxl (an openpyxl without lxml or without the internals relied on).
FAST_ROWS = openpyxl.LXML
PERCENT = "percent"  # a kind of the summary's cells
NUMBER_FORMATS = {cols.DATE: DATE_FORMAT, cols.DATETIME: DATETIME_FORMAT,
                  PERCENT: "0.0%"}
#: First characters that make a text cell neutralised (``ledger_columns.neutralise``).
_NEUTRALISED = cell_text.DANGEROUS_START | {cell_text.QUOTE}


class _Rows:
    """The data rows of one write-only sheet: one style per column (font, thin border,
    alignment, number format), text neutralised, empty cells written too (for their border).

    openpyxl serialises each appended cell through generic code: the value's type looked up,
    the string checked, the coordinate and style found, the XML made element by element. The
    ledger knows each column's style and kind, so each row is written here as one piece of
    XML text, parsed into one element (lxml, in C) and handed to the sheet's stream: the XML
    openpyxl writes for the same styled cells (``tests/test_ledger_export.py`` compares the
    two), at about half the cost per cell, borders included. Title and header rows still go
    through openpyxl (:func:`_single`); without lxml every row does (``FAST_ROWS``).
    """

    def __init__(self, sheet, columns: list[cols.Column], *, font: Font = _FONT):
        self.sheet = sheet
        self.texts = [column.kind in cols.TEXT_KINDS for column in columns]
        self.templates = []
        for index, column in enumerate(columns, 1):
            cell = WriteOnlyCell(sheet)
            cell.column = index
            cell.font = font
            cell.border = _BORDER
            if column.kind in NUMBER_FORMATS:
                cell.number_format = NUMBER_FORMATS[column.kind]
            cell.alignment = _CENTRED if column.centred else _WRAP if column.wrap else _TOP
            self.templates.append(cell)
        self.columns = [(get_column_letter(index), str(cell.style_id), text) for index, cell, text
                        in zip(range(1, len(columns) + 1), self.templates, self.texts,
                               strict=True)]
        self.epoch = sheet.parent.epoch
        self.dimensions = sheet.row_dimensions
        self.fast = FAST_ROWS and _take_rows(sheet)

    def append(self, values) -> None:
        """Write one row of values (None or "" for an empty cell), in the columns' order."""
        if self.fast:
            self.sheet.append(_Row((self, values)))
            return
        row = []
        for template, text, value in zip(self.templates, self.texts, values, strict=True):
            cell = WriteOnlyCell(self.sheet)
            cell._style = copy.copy(template._style)
            if value is not None and value != "":
                if text:
                    value = cell_text.neutralise(str(value))
                try:
                    cell.value = value
                except IllegalCharacterError:
                    cell.value = ILLEGAL_CHARACTERS_RE.sub("", value)
            row.append(cell)
        self.sheet.append(row)

    def write(self, xf, values, index: int) -> None:
        """The row of ``values`` at row ``index``, written to the sheet's stream."""
        try:
            row = fromstring(self.xml(values, index))
        except XMLSyntaxError:  # a control character XML cannot carry: left out
            row = fromstring(self.xml(values, index, clean=True))
        xf.write(row)

    def xml(self, values, index: int, *, clean: bool = False) -> str:
        """The row's XML as openpyxl writes it: an empty cell keeps its style (its border),
        text is neutralised (``rules.cell_text.neutralise``, inlined), cut at Excel's 32,767
        characters (as openpyxl cuts) and escaped; ``clean``: control characters removed."""
        r = str(index)
        parts = [f'<row r="{r}"']
        if index in self.dimensions:  # a row height, written as openpyxl writes it
            parts.extend(f' {name}="{value}"' for name, value in self.dimensions[index])
        parts.append(">")
        append = parts.append
        for (letter, style, text), value in zip(self.columns, values, strict=True):
            if value is None or value == "":
                append(f'<c r="{letter}{r}" s="{style}" t="n"/>')
            elif text or type(value) is str:
                if type(value) is not str:
                    value = str(value)
                if text and value[0] in _NEUTRALISED:
                    value = cell_text.QUOTE + value
                value = value[:32767]
                if clean:
                    value = ILLEGAL_CHARACTERS_RE.sub("", value)
                    if not value:
                        append(f'<c r="{letter}{r}" s="{style}" t="n"/>')
                        continue
                space = ' xml:space="preserve"' if value != value.strip() else ""
                append(f'<c r="{letter}{r}" s="{style}" t="inlineStr"><is><t{space}>'
                       f'{_escape(value)}</t></is></c>')
            else:
                if isinstance(value, datetime.date):
                    value = to_excel(value, self.epoch)
                append(f'<c r="{letter}{r}" s="{style}" t="n"><v>{safe_string(value)}</v></c>')
        append("</row>")
        return "".join(parts)


def _escape(text: str) -> str:
    """Text as XML character data; a carriage return as a reference (a parser would read a
    bare one as a line feed)."""
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    if "\r" in text:
        text = text.replace("\r", "&#13;")
    return text


class _Row(tuple):
    """``(rows, values)``: one data row on its way to ``rows.write`` (:class:`_Rows`)."""

    __slots__ = ()


def _take_rows(sheet) -> bool:
    """Let the write-only ``sheet`` pass a :class:`_Row` straight to its :class:`_Rows`;
    other rows (title, header) take openpyxl's own way. False if this openpyxl has no such
    hook. The sheet's top (widths, panes, properties) is written here: call after its setup."""
    if getattr(sheet, "_ledger_rows", False):
        return True
    if not (hasattr(sheet, "_get_writer") and hasattr(sheet, "_values_to_row")):
        return False
    sheet._get_writer()
    writer = getattr(sheet, "_writer", None)
    if writer is None or not hasattr(writer, "write_row"):
        return False
    stock_values, stock_write = sheet._values_to_row, writer.write_row

    def values_to_row(values, index):
        return values if type(values) is _Row else stock_values(values, index)

    def write_row(xf, row, index):
        if type(row) is _Row:
            row[0].write(xf, row[1], index)
        else:
            stock_write(xf, row, index)

    sheet._values_to_row = values_to_row
    writer.write_row = write_row
    sheet._ledger_rows = True
    return True


def _single(sheet, value, *, font=_FONT, fill=None, alignment=None, border=None,
            column: int = 1):
    cell = WriteOnlyCell(sheet, value)
    cell.column = column
    cell.font = font
    if fill:
        cell.fill = fill
    if alignment:
        cell.alignment = alignment
    if border:
        cell.border = border
    return cell


def _title_row(sheet, title: str) -> list:
    return [_single(sheet, cell_text.neutralise(title), font=_TITLE_FONT, alignment=_TITLE_ALIGN)]


def _header_row(sheet, headers: list[str], notes: list[str] | None = None) -> list:
    cells = [
        _single(sheet, cell_text.neutralise(str(header)), font=_BOLD, fill=_HEADER_FILL,
                alignment=_HEADER_ALIGN, border=_BORDER, column=index)
        for index, header in enumerate(headers, 1)
    ]
    for cell, note in zip(cells, notes or (), strict=False):
        if note:  # shown when the pointer rests on the header
            cell.comment = Comment(str(note), "Rectify", width=260, height=90)
    return cells


def new_workbook() -> Workbook:
    """A write-only workbook whose default font (the Normal style's) is :data:`DEFAULT_FONT`."""
    workbook = Workbook(write_only=True)
    workbook._fonts = IndexedList([DEFAULT_FONT])  # font 0: the Normal style's, before any other
    return workbook


def _setup(sheet, widths: list[float], hidden: list[bool] | None = None, *,
           printed: int | None = None) -> None:
    """Column widths, hidden columns, the frozen title and header rows, the title row merged
    across the ``printed`` columns (all by default) and the page setup — before any row."""
    for index, width in enumerate(widths, 1):
        dimension = sheet.column_dimensions[get_column_letter(index)]
        dimension.width = width
        if hidden and hidden[index - 1]:
            dimension.hidden = True
    sheet.freeze_panes = "A3"
    sheet.row_dimensions[1].height = TITLE_HEIGHT
    sheet.merged_cells.add(f"A1:{get_column_letter(printed or len(widths))}1")
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    setup = sheet.page_setup
    setup.orientation = "landscape"
    setup.paperSize = PAPER_A4
    setup.fitToWidth = 1
    setup.fitToHeight = 0  # as many pages down as needed
    sheet.page_margins = copy.copy(MARGINS)
    sheet.print_options.horizontalCentered = True
    sheet.print_title_rows = PRINT_TITLE_ROWS
    sheet.oddFooter.center.text = _("第 &P 页，共 &N 页")


def _print_area(sheet, columns: int, rows: int) -> None:
    sheet.print_area = f"A1:{get_column_letter(columns)}{rows}"


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
    workbook = new_workbook()

    sheet = workbook.create_sheet(str(cols.LEDGER_SHEET))
    _setup(sheet, [c.width for c in cols.COLUMNS], [c.hidden for c in cols.COLUMNS],
           printed=len(cols.PRINTED))
    rows = _Rows(sheet, cols.COLUMNS)
    sheet.append(_title_row(sheet, title))
    sheet.append(_header_row(sheet, [c.label for c in cols.COLUMNS],
                             [c.note for c in cols.COLUMNS]))
    count = 0
    getters = cols.row_getters(cols.COLUMNS)
    append = rows.append
    total = chosen.tasks.count() if progress else 0
    for row in iter_rows(chosen):
        append([getter(row) for getter in getters])
        count += 1
        if progress and not count % PROGRESS_ROWS:
            progress(count, max(total, count))
    if progress:
        progress(count, count)
    last = get_column_letter(len(cols.COLUMNS))
    sheet.auto_filter.ref = f"A2:{last}{count + 2}"
    _print_area(sheet, len(cols.PRINTED), count + 2)

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


def _figure_columns(total: statistics.Counts) -> list[tuple[str, str, str]]:
    """(kind, label, unit) of each figure column: every kind with a fixed unit, then each
    "其他" of the selection."""
    columns = [(kind.value, str(kind.label), UNITS[kind]) for kind in FigureKind
               if kind in UNITS]
    columns += [(f.kind, f.label, f.unit) for f in total.figures if f.kind == FigureKind.OTHER]
    return columns


def _summary_values(name: str, counts: statistics.Counts, figures: list[tuple]) -> list:
    sums = {(f.kind, f.label, f.unit): f.value for f in counts.figures}
    return [name, *(getattr(counts, attribute) for attribute, _header in SUMMARY_COUNTS),
            *(sums.get(key, Decimal(0)) for key in figures)]


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
    columns = [
        cols.Column("name", "", 36, None, wrap=True),
        *(cols.Column(attribute, header, 11, None,
                      kind=PERCENT if attribute in RATES else cols.INTEGER)
          for attribute, header in SUMMARY_COUNTS),
        *(cols.Column("figure", header, 14, None, kind=cols.INTEGER)
          for header in figure_headers),
    ]
    _setup(sheet, [column.width for column in columns])
    rows, totals = _Rows(sheet, columns), _Rows(sheet, columns, font=_BOLD)
    sheet.append(_title_row(sheet, title))
    sheet.append(_header_row(sheet, [_("被巡察党组织"), *counts_headers, *figure_headers]))
    for group in stats.by_party_group:
        rows.append(_summary_values(group.name, group.counts, figures))
    totals.append(_summary_values(_("合计"), stats.total, figures))
    sheet.append([])
    sheet.append([_single(sheet, _("按巡察轮次"), font=_BOLD)])
    sheet.append(_header_row(sheet, [_("巡察轮次"), *counts_headers, *figure_headers]))
    for group in by_round:
        rows.append(_summary_values(group.name, group.counts, figures))
    totals.append(_summary_values(_("合计"), stats.total, figures))
    _print_area(sheet, len(columns), len(stats.by_party_group) + len(by_round) + 7)


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
    rows = _Rows(sheet, HISTORY_COLUMNS)
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
                rows.append(values)
                count += 1
    sheet.auto_filter.ref = f"A2:{get_column_letter(len(HISTORY_COLUMNS))}{count + 2}"
    _print_area(sheet, len(HISTORY_COLUMNS), count + 2)


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
