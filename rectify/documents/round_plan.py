"""The rectification plan's three lists (整改方案：问题清单、任务清单、责任清单) of a round, as the
table a bureau files with its plan: an Excel workbook (``write_plan_xlsx``) and a landscape
公文 (``build_plan``, rendered by ``gongwen_docx.render_docx``).

One combined table, one row per task in print order, not three sheets: the three lists are
three views of the same rows (a problem, the measures that answer it, who answers for them
by when), and the combined table is the form bureaus commonly file — a reader follows one
problem across one line instead of matching numbers between three lists, and the table prints
as one document. The columns keep the lists apart: 序号, 问题类别, 问题 (问题清单); 整改措施
(任务清单); 责任领导, 责任单位, 责任科室, 整改时限 (责任清单); 备注. In the workbook a row of
group headers above the column headers names the three lists.

Print-ready: the title merged over the table, thin borders, 宋体 headers and 仿宋 text, A4
landscape fitted to the page's width, the header rows repeated on every page, page numbers in
the footer. Text cells are neutralised against formula injection
(``rectify.rules.cell_text``). Read in the fixed number of queries of
``round_records.read_round``; the workbook is written row by row (openpyxl write-only).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO, Any

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from rectify.documents import round_records
from rectify.documents.gongwen import Document, Paragraph, Table, Title, cn_date
from rectify.documents.round_records import RoundRecords
from rectify.models.choices import Status
from rectify.rules.cell_text import neutralise
from rectify.rules.numbering import measures_text
from rectify.rules.problem_tree import TreeNode

CHINESE = "zh-hans"
#: Queries of :func:`write_plan_xlsx` and :func:`build_plan`.
QUERIES = round_records.QUERIES

PROBLEMS = _lazy("问题清单")
TASKS = _lazy("任务清单")
RESPONSIBILITIES = _lazy("责任清单")


@dataclass(frozen=True)
class PlanColumn:
    """One column of the plan: header, list it belongs to, width (characters; also the
    Word table's relative width), value. The widths total about 175 characters, which A4
    landscape prints at about 85 % fitted to its width."""

    key: str
    header: Any
    group: Any
    width: float
    value: Callable[[RoundRecords, TreeNode], Any]
    date: bool = False


def _units(records: RoundRecords, node: TreeNode) -> str:
    units = dict.fromkeys(line.responsible_unit for line in records.measures_of(node)
                          if line.responsible_unit)
    return "、".join(units)


def remark(records: RoundRecords, node: TreeNode) -> str:
    """备注: a deadline that is the round's, an approved extension, a completion, a sign-off."""
    task, rnd = node.obj, records.round
    notes = []
    if not task.deadline and rnd.rectification_end_date:
        notes.append(_("随集中整改期"))
    if task.extended_deadline:
        notes.append(_("经批准延期至{date}").format(date=cn_date(task.extended_deadline)))
    if task.status in Status.done():
        done = str(Status(task.status).label)
        if task.completion_date:
            done += _("（{date}）").format(date=cn_date(task.completion_date))
        notes.append(done)
    if task.signed_off_at:
        notes.append(_("已销号"))
    return "；".join(notes)


COLUMNS: list[PlanColumn] = [
    PlanColumn("number", _lazy("序号"), PROBLEMS, 9, lambda r, n: n.number_path),
    PlanColumn("category", _lazy("问题类别"), PROBLEMS, 16,
               lambda r, n: "／".join(parent.obj.title for parent in n.path)),
    PlanColumn("problem", _lazy("问题"), PROBLEMS, 30, lambda r, n: n.obj.title),
    PlanColumn("measures", _lazy("整改措施"), TASKS, 64,
               lambda r, n: measures_text([line.text for line in r.measures_of(n)])),
    PlanColumn("leader", _lazy("责任领导"), RESPONSIBILITIES, 8,
               lambda r, n: n.obj.responsible_leader),
    PlanColumn("unit", _lazy("责任单位"), RESPONSIBILITIES, 11, _units),
    PlanColumn("department", _lazy("责任科室"), RESPONSIBILITIES, 11,
               lambda r, n: n.obj.responsible_department),
    PlanColumn("deadline", _lazy("整改时限"), RESPONSIBILITIES, 12,
               lambda r, n: n.obj.original_due_on, date=True),
    PlanColumn("remark", _lazy("备注"), None, 14, remark),
]


def plan_title(rnd) -> str:
    """"中共许昌市教育局党组关于市委第三巡察组常规巡察反馈意见的整改方案"."""
    return _("{issuer}关于{subject}反馈意见的整改方案").format(
        issuer=round_records.issuer(rnd), subject=round_records.round_subject(rnd))


def plan_filename(rnd, extension: str) -> str:
    """"整改方案-许昌市教育局-市委第三巡察组常规巡察.xlsx" (``extension`` without its dot)."""
    with translation.override(CHINESE):
        return _("整改方案-{round}.{extension}").format(
            round=round_records.file_label(rnd), extension=extension)


def lists_title() -> str:
    return _("问题清单、任务清单、责任清单")


def plan_rows(records: RoundRecords) -> Iterator[list[Any]]:
    """The values of each task's row, in print order (dates as dates)."""
    for node in records.tasks():
        yield [column.value(records, node) for column in COLUMNS]


def _groups() -> list[tuple[str, int, int]]:
    """(list name, first column, last column), 1-based, of each run of columns of one list;
    a column of no list (备注) is its own run with an empty name."""
    runs: list[tuple[str, int, int]] = []
    for index, column in enumerate(COLUMNS, 1):
        name = str(column.group) if column.group else ""
        if runs and name and runs[-1][0] == name:
            runs[-1] = (name, runs[-1][1], index)
        else:
            runs.append((name, index, index))
    return runs


# -- the workbook ----------------------------------------------------------------------------

_THIN = Side(style="thin", color="000000")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_TITLE_FONT = Font(name="宋体", size=16, bold=True)
_HEADER_FONT = Font(name="宋体", size=11, bold=True)
_BODY_FONT = Font(name="仿宋", size=11)
_CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)
_BODY = Alignment(vertical="top", wrap_text=True)
_BODY_CENTRE = Alignment(horizontal="center", vertical="top", wrap_text=True)
DATE_FORMAT = 'yyyy"年"m"月"d"日"'
#: The footer: "第 1 页，共 3 页" (Excel's page-number codes).
FOOTER = "第 &P 页，共 &N 页"
HEADER_ROWS = "2:3"
#: Columns centred in the workbook (short values).
_CENTRED = frozenset({"number", "leader", "deadline"})


def _cell_value(value):
    """What a cell holds: text neutralised against formulas and cleaned of characters a
    workbook cannot hold, None for nothing."""
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", neutralise(value))
    return value if value not in ("", None) else None


def _cell(sheet, value, *, font=_BODY_FONT, alignment=_BODY, border=_BORDER,
          number_format: str = ""):
    cell = WriteOnlyCell(sheet, _cell_value(value))
    cell.font, cell.alignment = font, alignment
    if border is not None:
        cell.border = border
    if number_format:
        cell.number_format = number_format
    return cell


def write_plan_xlsx(round_, out: IO[bytes] | str, *, today: datetime.date | None = None
                    ) -> int:
    """Write the plan of ``round_`` (an ``InspectionRound`` or its id) to ``out`` as an
    ``.xlsx`` workbook; returns the number of task rows."""
    with translation.override(CHINESE):
        records = round_records.read_round(round_, today)
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(_("整改方案"))
        _print_setup(sheet)
        last = len(COLUMNS)
        title = f"{plan_title(records.round)}（{lists_title()}）"
        sheet.row_dimensions[1].height = 42
        sheet.append([_cell(sheet, title, font=_TITLE_FONT, alignment=_CENTRE, border=None)]
                     + [None] * (last - 1))
        sheet.merged_cells.add(f"A1:{get_column_letter(last)}1")
        group_row, header_row = [], []
        for name, first, end in _groups():
            for index in range(first, end + 1):
                column = COLUMNS[index - 1]
                if name:
                    group_row.append(_cell(sheet, name if index == first else None,
                                           font=_HEADER_FONT, alignment=_CENTRE))
                    header_row.append(_cell(sheet, str(column.header), font=_HEADER_FONT,
                                            alignment=_CENTRE))
                else:  # a column of no list: its header spans both header rows
                    group_row.append(_cell(sheet, str(column.header), font=_HEADER_FONT,
                                           alignment=_CENTRE))
                    header_row.append(_cell(sheet, None, font=_HEADER_FONT, alignment=_CENTRE))
                    sheet.merged_cells.add(f"{get_column_letter(index)}2:"
                                           f"{get_column_letter(index)}3")
            if name and end > first:
                sheet.merged_cells.add(f"{get_column_letter(first)}2:{get_column_letter(end)}2")
        sheet.append(group_row)
        sheet.append(header_row)
        # One styled cell per column, given each row's value in turn: a write-only sheet
        # writes a row as it is appended, and styling a new cell for every value would cost
        # most of the time (each style is looked up in the workbook when it is set).
        cells = [_cell(sheet, None, number_format=DATE_FORMAT if column.date else "",
                       alignment=_BODY_CENTRE if column.key in _CENTRED else _BODY)
                 for column in COLUMNS]
        count = 0
        for values in plan_rows(records):
            for cell, value in zip(cells, values, strict=True):
                cell.value = _cell_value(value)
            sheet.append(cells)
            count += 1
        if not count:
            sheet.append([_cell(sheet, _("本轮巡察尚无整改任务记录。"))]
                         + [_cell(sheet, None) for _column in COLUMNS[1:]])
            sheet.merged_cells.add(f"A4:{get_column_letter(last)}4")
        workbook.save(out)
        return count


def _print_setup(sheet) -> None:
    """Widths, frozen headers, A4 landscape fitted to the width, repeated header rows, page
    numbers in the footer (all before the first row: a write-only sheet)."""
    for index, column in enumerate(COLUMNS, 1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = "A4"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = sheet.page_margins.right = 0.5
    sheet.page_margins.top, sheet.page_margins.bottom = 0.6, 0.7
    sheet.print_title_rows = HEADER_ROWS
    sheet.oddFooter.center.text = FOOTER
    sheet.oddFooter.center.font = "宋体"


# -- the Word document -----------------------------------------------------------------------


def build_plan(round_, *, today: datetime.date | None = None) -> Document:
    """The plan of ``round_`` as a landscape 公文: the title, a line on the lists and the
    date of the records, and the table (one row per task)."""
    with translation.override(CHINESE):
        records = round_records.read_round(round_, today)
        title = plan_title(records.round)
        headers = [str(column.header) for column in COLUMNS]
        rows = [[_text(value) for value in values] for values in plan_rows(records)]
        lists = "；".join(
            _("{name}：{columns}").format(name=name, columns="、".join(
                str(COLUMNS[index - 1].header) for index in range(first, end + 1)))
            for name, first, end in _groups() if name)
        intro = _("本表为{lists}合一的整改方案表（{columns}），根据截至{today}的整改记录生成。"
                  ).format(lists=lists_title(), columns=lists, today=cn_date(records.today))
        blocks: list = [Title(f"{title}（{lists_title()}）"), Paragraph(intro)]
        if rows:
            blocks.append(Table(headers, rows, [column.width for column in COLUMNS]))
        else:
            blocks.append(Paragraph(_("本轮巡察尚无整改任务记录。")))
        return Document(blocks, landscape=True, title=title)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return cn_date(value)
    return str(value)
