"""The ledger's sheet read into rows: the 台账 sheet, its header row, its columns, its cells.

:func:`read_sheet` opens a checked workbook (``ledger_upload.check_file``) read-only without
evaluating anything (formulas are not computed, macros and external links are dropped; a
formula or error cell is refused), finds the 台账 sheet and its header row, tells the layout
from the headers (``ledger_columns.LAYOUT``, or ``PREVIOUS_LAYOUT`` for a ledger exported
before 编号 and 整改结果 had columns of their own: there 序号 is the derived number and
整改状态 the printed result or the status), maps the headers to that layout's columns and
returns the data rows as :class:`SheetRow`.
Every refusal is a :class:`CellError` naming the sheet, the row, the column and the cell,
collected in a :class:`SheetReading` (the import plan is one, and adds its own).
:func:`normalise_text`, :func:`parse_date` and :func:`parse_status` read a cell's value
(text neutralised against formula injection restored, see ``rectify.rules.cell_text``).
"""

from __future__ import annotations

import datetime
import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from django.utils.translation import gettext as _

from rectify.ledger import ledger_columns as cols
from rectify.ledger.ledger_upload import LedgerFileError
from rectify.models.choices import Status
from rectify.rules.cell_text import restore

MAX_ROWS = 200_000
#: Errors listed in full; more are counted.
MAX_ERRORS = 500


@dataclass(frozen=True)
class CellError:
    """A refusal naming the sheet, the row, the column and the cell."""

    sheet: str
    row: int
    column: str
    cell: str
    message: str

    def __str__(self) -> str:
        return _("工作表“{sheet}”第 {row} 行“{column}”列（{cell}）：{message}").format(
            sheet=self.sheet, row=self.row, column=self.column, cell=self.cell,
            message=self.message)


@dataclass
class SheetReading:
    """What reading an uploaded ledger found besides its rows, and every refusal so far."""

    filename: str = ""
    sheet: str = ""
    errors: list[CellError] = field(default_factory=list)
    more_errors: int = 0
    ignored_columns: list[str] = field(default_factory=list)
    row_count: int = 0
    layout: cols.Layout = cols.LAYOUT  # the columns the headers name (see read_sheet)

    @property
    def previous_layout(self) -> bool:
        """The ledger was exported in the previous layout (and is read as such)."""
        return self.layout is cols.PREVIOUS_LAYOUT

    def error(self, row: int, column: cols.Column | str, cell: str, message: str) -> None:
        if len(self.errors) >= MAX_ERRORS:
            self.more_errors += 1
            return
        label = column.label if isinstance(column, cols.Column) else column
        self.errors.append(CellError(self.sheet, row, label, cell, message))


def read_sheet(path: Path, reading: SheetReading, progress=None,
               ) -> tuple[list[SheetRow], dict[str, int]]:
    """The data rows of the 台账 sheet of the (checked) workbook at ``path`` and the index of
    each known column; none if anything is refused in ``reading``. Raises
    :class:`LedgerFileError` when the workbook, the sheet or its header cannot be read.
    ``progress(rows_read, rows, step=...)`` is told the rows read (a background import)."""
    workbook = _open_workbook(path)
    try:
        sheet = _find_sheet(workbook)
        reading.sheet = sheet.title
        return _read_rows(sheet, reading, progress)
    finally:
        workbook.close()


#: A row element of a sheet's XML, with or without a namespace prefix.
_ROW_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row[\s>/]")
_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PACKAGE_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"


def count_rows(path: Path) -> int:
    """The rows of the 台账 sheet of the (checked: ``ledger_upload.check_file``) workbook at
    ``path``, counted in the sheet's XML without reading a cell: enough to tell a ledger to
    import in the background from one to import at once. 0 when the sheet cannot be found
    (the import then says why)."""
    wanted = {cols.normalise_header(name) for name in cols.in_all_languages(cols.LEDGER_SHEET)}
    try:
        with zipfile.ZipFile(path) as archive:
            workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
            rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
            ids = [sheet.get(f"{{{_REL_NS}}}id")
                   for sheet in workbook.iter(f"{{{_MAIN_NS}}}sheet")
                   if cols.normalise_header(sheet.get("name")) in wanted]
            targets = [rel.get("Target", "")
                       for rel in rels.iter(f"{{{_PACKAGE_REL_NS}}}Relationship")
                       if ids and rel.get("Id") == ids[0]]
            if not targets:
                return 0
            target = targets[0]
            part = (target.lstrip("/") if target.startswith("/")
                    else posixpath.normpath(posixpath.join("xl", target)))
            with archive.open(part) as stream:
                return _count_row_tags(stream)
    except (KeyError, OSError, zipfile.BadZipFile, ElementTree.ParseError):
        return 0


def _count_row_tags(stream, chunk: int = 1 << 20) -> int:
    """Row elements in a stream of XML, read a chunk at a time (a tag cut between two chunks
    is counted once: the last bytes of each chunk are read again with the next)."""
    count, tail = 0, b""
    while True:
        data = stream.read(chunk)
        buffer = tail + data
        if not data:
            return count + len(_ROW_TAG.findall(buffer))
        cut = max(len(buffer) - 64, 0)
        count += sum(1 for match in _ROW_TAG.finditer(buffer) if match.start() < cut)
        tail = buffer[cut:]


def _find_sheet(workbook):
    wanted = {cols.normalise_header(name) for name in cols.in_all_languages(cols.LEDGER_SHEET)}
    for sheet in workbook.worksheets:
        if cols.normalise_header(sheet.title) in wanted:
            return sheet
    raise LedgerFileError(_("工作簿中没有“{sheet}”工作表：请上传本系统导出的台账。").format(
        sheet=cols.LEDGER_SHEET))


def _read_rows(sheet, reading: SheetReading, progress=None,
               ) -> tuple[list[SheetRow], dict[str, int]]:
    """The data rows below the header row, with every formula and error cell refused."""
    id_names = cols.ID_COLUMN.header_names()
    header_columns: dict[str, int] = {}
    header_row = 0
    rows: list[SheetRow] = []
    sheet.reset_dimensions()  # read every cell present, whatever the sheet claims its size is
    step = _("读取工作表")
    for number, cells in enumerate(sheet.iter_rows(), 1):
        if progress is not None:
            progress(number, None, step=step)
        if number > MAX_ROWS:
            reading.error(number, cols.ID_COLUMN, "", _("台账最多 {max} 行，其余未读取。").format(
                max=MAX_ROWS))
            break
        bad = False
        for index, cell in enumerate(cells, 1):
            data_type = getattr(cell, "data_type", "n")
            if data_type == "f":
                reading.error(number, _header_at(reading, header_columns, index),
                              f"{_letter(index)}{number}",
                              _("单元格含有公式，台账导入不接受公式：请改为直接填写值。"))
                bad = True
            elif data_type == "e":
                reading.error(number, _header_at(reading, header_columns, index),
                              f"{_letter(index)}{number}",
                              _("单元格是错误值“{value}”。").format(value=cell.value))
                bad = True
        if not header_row:
            names = [cols.normalise_header(cell.value) for cell in cells]
            if any(name in id_names for name in names):
                header_row = number
                reading.layout = _layout(names, reading, number)
                _map_header(names, _by_header(reading.layout), header_columns, reading, number)
            elif number >= 10:
                break
            continue
        if bad:
            continue
        row = SheetRow(number, {})
        for key, index in header_columns.items():
            if index <= len(cells) and cells[index - 1].value not in (None, ""):
                row.cells[key] = (cells[index - 1].value, f"{_letter(index)}{number}")
        if row.cells:
            rows.append(row)
    if not header_row:
        raise LedgerFileError(_(
            "工作表“{sheet}”中找不到表头（应有“{column}”列）：请上传本系统导出的台账。"
        ).format(sheet=sheet.title, column=cols.ID_COLUMN.label))
    for column in (cols.ID_COLUMN, cols.VERSION_COLUMN):
        if column.key not in header_columns:
            reading.error(header_row, column, "", _("缺少“{column}”列：请在本系统导出的台账上修改"
                                                   "（该列可能被隐藏）。").format(column=column.label))
    reading.row_count = len(rows)
    if reading.errors:
        return [], header_columns
    return rows, header_columns


def _header_at(reading: SheetReading, header_columns: dict[str, int], index: int) -> str:
    for key, position in header_columns.items():
        if position == index:
            return reading.layout.by_key[key].label
    return _letter(index)


def _by_header(layout: cols.Layout) -> dict[str, cols.Column]:
    """The layout's columns by their normalised headers (in every language)."""
    return {name: column for column in layout.columns for name in column.header_names()}


def _layout(names: list[str], reading: SheetReading, number: int) -> cols.Layout:
    """The layout of a ledger whose header row (row ``number``) reads ``names``: the current
    one if 编号 or 整改结果 is there, else the previous one — unless a column only the current
    layout has is there without them (序号 and 整改状态 could mean either): refused."""
    present = set(names)
    if any(column.header_names() & present for column in cols.LAYOUT_MARKERS):
        return cols.LAYOUT
    previous = set(_by_header(cols.PREVIOUS_LAYOUT))
    for index, name in enumerate(names, 1):
        column = _by_header(cols.LAYOUT).get(name)
        if name and column is not None and name not in previous:
            reading.error(number, column, f"{_letter(index)}{number}", _(
                "表头有新版台账的“{column}”列，却没有“{markers}”列：无法判断“序号”“整改状态”两列"
                "按新版还是旧版台账读取。请重新导出台账后在新导出的台账上修改，不要删除“{markers}”列。"
            ).format(column=column.label,
                     markers="”“".join(marker.label for marker in cols.LAYOUT_MARKERS)))
            return cols.LAYOUT
    return cols.PREVIOUS_LAYOUT


def _map_header(names, by_header, header_columns, reading: SheetReading, number: int) -> None:
    for index, name in enumerate(names, 1):
        if not name:
            continue
        column = by_header.get(name)
        if column is None:
            reading.ignored_columns.append(name)
        elif column.key in header_columns:
            reading.error(number, column, f"{_letter(index)}{number}",
                          _("表头重复：“{column}”列出现了两次。").format(column=column.label))
        else:
            header_columns[column.key] = index


@dataclass
class SheetRow:
    """One data row of the sheet: its number and the cells of the known columns."""

    number: int
    cells: dict[str, tuple[Any, str]]  # column key -> (value, coordinate)

    def value(self, key: str) -> Any:
        return self.cells.get(key, (None, ""))[0]

    def coordinate(self, key: str, header_columns: dict[str, int]) -> str:
        if key in self.cells:
            return self.cells[key][1]
        index = header_columns.get(key)
        return f"{_letter(index)}{self.number}" if index else ""


def _open_workbook(path: Path):
    from openpyxl import load_workbook

    try:
        return load_workbook(path, read_only=True, data_only=False, keep_vba=False,
                             keep_links=False)
    except Exception as exc:  # openpyxl raises many kinds on malformed parts
        raise LedgerFileError(_("无法读取工作簿：{error}").format(error=exc.__class__.__name__))


def _letter(column: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(column)


def normalise_text(value: Any, *, cell: bool = True) -> str:
    """A cell (restored, see ``rectify.rules.cell_text``) or a field as comparable text: line ends
    unified, trimmed."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime.datetime):
        value = value.isoformat(sep=" ")
    elif isinstance(value, datetime.date):
        value = value.isoformat()
    text = restore(value) if cell and isinstance(value, str) else str(value)
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


_DATE_RE = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*$")


def parse_date(value: Any) -> datetime.date | None:
    """A date cell, or text such as 2024-06-30, 2024/6/30, 2024年6月30日; ValueError else."""
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        if value.time() != datetime.time(0, 0):
            raise ValueError
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if not isinstance(value, str):
        raise ValueError
    text = normalise_text(value)
    if not text:
        return None
    match = _DATE_RE.match(text)
    if not match:
        raise ValueError
    year, month, day = (int(part) for part in match.groups())
    return datetime.date(year, month, day)


def parse_status(text: str) -> str | None:
    """A status label in any of the site's languages (width and spacing ignored), or None."""
    wanted = cols.normalise_header(text)
    for value, names in _status_names().items():
        if wanted in names:
            return value
    return None


def _status_names() -> dict[str, set[str]]:
    return {
        value: {cols.normalise_header(name) for name in {value, *cols.in_all_languages(label)}}
        for value, label in Status.choices
    }
