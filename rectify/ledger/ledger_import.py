"""Read an edited ledger back: check the file, plan every cell change, apply all or nothing.

1. :func:`check_file` refuses what is not a plain .xlsx workbook *before* openpyxl opens it:
   wrong extension, renamed junk, old .xls, macro-enabled or encrypted workbooks, oversize
   uploads, zip bombs (total uncompressed size and compression ratio from the zip directory),
   XML with document type declarations.
2. :func:`read_ledger` opens it read-only without evaluating anything (formulas are not
   computed, macros and external links are dropped; a formula cell is an error), finds the
   台账 sheet and its header row, and compares each row with its task as it is now: a
   :class:`RowPlan` per changed task, a :class:`CellError` (sheet, row, column, cell) for
   everything wrong — unknown or duplicated task ids, a task changed since the export (the
   hidden 版本 column), edited read-only columns, invalid dates or statuses, measures that do
   not read back, values the task refuses (``full_clean``).
3. :func:`apply_plan` writes a plan without errors in one transaction through
   ``save_record``/``change_status``/``delete_record`` (history rows by the importing user),
   re-checking each task's version under a row lock; any refusal rolls everything back.
"""

from __future__ import annotations

import datetime
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rectify.ledger import ledger_columns as cols
from rectify.ledger.ledger_export import places_for_rounds
from rectify.models import Measure, RectificationTask
from rectify.models.choices import Status
from rectify.notice_import.measure_split import split_measures
from rectify.rules import permissions
from rectify.services.records import delete_record, save_record
from rectify.services.tasks import change_status

MB = 1024 * 1024


def max_upload_bytes() -> int:
    """Largest accepted upload (``LEDGER_MAX_UPLOAD_BYTES``, default 20 MB)."""
    return getattr(settings, "LEDGER_MAX_UPLOAD_BYTES", 20 * MB)


def max_uncompressed_bytes() -> int:
    """Largest total uncompressed size of the workbook's parts (default 100 MB)."""
    return getattr(settings, "LEDGER_MAX_UNCOMPRESSED_BYTES", 100 * MB)


def max_ratio() -> float:
    """Highest compression ratio accepted, overall and per large part (default 100)."""
    return getattr(settings, "LEDGER_MAX_COMPRESSION_RATIO", 100)


MAX_PARTS = 1000
MAX_ROWS = 200_000
#: Parts smaller than this are not held to the ratio (tiny XML compresses well anyway).
RATIO_FLOOR = 64 * 1024
#: Errors listed in full; more are counted.
MAX_ERRORS = 500
#: Task ids looked up per query.
LOOKUP_CHUNK = 500

_XLSX_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class LedgerFileError(Exception):
    """The upload is not a workbook this import reads; the message says why."""


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


class LedgerImportError(Exception):
    """Applying a plan was refused; nothing was written."""

    def __init__(self, errors: list[CellError]):
        self.errors = errors
        super().__init__("\n".join(str(error) for error in errors))


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
    status: str | None = None  # a new canonical status (through change_status)
    measures: list[str] | None = None  # the new measure texts, in order


@dataclass
class ImportPlan:
    """Everything an uploaded ledger would change, or why it cannot be imported."""

    filename: str = ""
    sheet: str = ""
    rows: list[RowPlan] = field(default_factory=list)
    errors: list[CellError] = field(default_factory=list)
    more_errors: int = 0
    ignored_columns: list[str] = field(default_factory=list)
    row_count: int = 0

    @property
    def changes(self) -> list[Change]:
        return [change for row in self.rows for change in row.changes]

    @property
    def ok(self) -> bool:
        return not self.errors

    def error(self, row: int, column: cols.Column | str, cell: str, message: str) -> None:
        if len(self.errors) >= MAX_ERRORS:
            self.more_errors += 1
            return
        label = column.label if isinstance(column, cols.Column) else column
        self.errors.append(CellError(self.sheet, row, label, cell, message))


# -- the file --------------------------------------------------------------------------------


def check_file(path: str | Path, name: str) -> None:
    """Refuse anything but a plain, reasonably sized .xlsx workbook (before parsing it)."""
    size_limit = max_upload_bytes()
    path = Path(path)
    size = path.stat().st_size
    if size > size_limit:
        raise LedgerFileError(_("文件过大（{size:.1f} MB）：台账文件不能超过 {limit} MB。").format(
            size=size / MB, limit=size_limit // MB))
    suffix = Path(name or "").suffix.lower()
    if suffix in (".xlsm", ".xltm", ".xlam"):
        raise LedgerFileError(_("不接受启用宏的工作簿（{suffix}）：请另存为 .xlsx 后上传。").format(
            suffix=suffix))
    if suffix == ".xls":
        raise LedgerFileError(_("不支持旧版 .xls 文件：请在 Excel 中另存为 .xlsx 后上传。"))
    if suffix != ".xlsx":
        raise LedgerFileError(_("只接受本系统导出的 .xlsx 台账文件（上传的是“{name}”）。").format(
            name=name or "?"))
    if size == 0:
        raise LedgerFileError(_("文件是空的。"))
    with path.open("rb") as handle:
        head = handle.read(8)
    if head == _OLE_MAGIC:
        raise LedgerFileError(_("文件实为旧版 .xls 或加密的工作簿（只是扩展名为 .xlsx）："
                                "请另存为普通 .xlsx 后上传。"))
    if not head.startswith(_XLSX_MAGIC) or not zipfile.is_zipfile(path):
        raise LedgerFileError(_("文件内容不是 .xlsx 工作簿（可能是改了扩展名的其他文件）。"))
    try:
        with zipfile.ZipFile(path) as archive:
            _check_archive(archive)
    except zipfile.BadZipFile:
        raise LedgerFileError(_("文件内容不是 .xlsx 工作簿（可能是改了扩展名的其他文件）。"))


def _check_archive(archive: zipfile.ZipFile) -> None:
    infos = archive.infolist()
    if len(infos) > MAX_PARTS:
        raise LedgerFileError(_("工作簿的组成部分过多（{count} 个），拒绝读取。").format(
            count=len(infos)))
    names = {info.filename for info in infos}
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise LedgerFileError(_("文件内容不是 .xlsx 工作簿（可能是改了扩展名的其他文件）。"))
    if any(info.flag_bits & 0x1 for info in infos):
        raise LedgerFileError(_("不接受加密的工作簿。"))
    total = sum(info.file_size for info in infos)
    packed = sum(info.compress_size for info in infos)
    if total > max_uncompressed_bytes():
        raise LedgerFileError(_("工作簿解压后过大（{size:.0f} MB，上限 {limit} MB），拒绝读取。"
                                ).format(size=total / MB, limit=max_uncompressed_bytes() // MB))
    ratio_limit = max_ratio()
    too_packed = total > RATIO_FLOOR and total / max(packed, 1) > ratio_limit
    for info in infos:
        if info.file_size > RATIO_FLOOR and info.file_size / max(info.compress_size, 1) > (
            ratio_limit
        ):
            too_packed = True
    if too_packed:
        raise LedgerFileError(_("工作簿的压缩比异常（超过 {limit}:1，疑似压缩炸弹），拒绝读取。"
                                ).format(limit=ratio_limit))
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        raise LedgerFileError(_("工作簿含有宏：请删除宏并另存为 .xlsx 后上传。"))
    with archive.open("[Content_Types].xml") as part:
        content_types = part.read(MB)
    if b"macroEnabled" in content_types:
        raise LedgerFileError(_("工作簿含有宏：请删除宏并另存为 .xlsx 后上传。"))
    for info in infos:
        if info.filename.endswith((".xml", ".rels")):
            with archive.open(info) as part:
                prolog = part.read(4096)
            if b"<!DOCTYPE" in prolog or b"<!ENTITY" in prolog:
                raise LedgerFileError(_("工作簿含有不安全的 XML 声明（{part}），拒绝读取。").format(
                    part=info.filename))


def _open_workbook(path: Path):
    from openpyxl import load_workbook

    try:
        return load_workbook(path, read_only=True, data_only=False, keep_vba=False,
                             keep_links=False)
    except Exception as exc:  # openpyxl raises many kinds on malformed parts
        raise LedgerFileError(_("无法读取工作簿：{error}").format(error=exc.__class__.__name__))


# -- reading cells ---------------------------------------------------------------------------


def _letter(column: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(column)


def normalise_text(value: Any, *, cell: bool = True) -> str:
    """A cell (restored, see ``columns.restore``) or a field as comparable text: line ends
    unified, trimmed."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime.datetime):
        value = value.isoformat(sep=" ")
    elif isinstance(value, datetime.date):
        value = value.isoformat()
    text = cols.restore(value) if cell and isinstance(value, str) else str(value)
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


def _shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def _status_label(value: str) -> str:
    return str(Status(value).label)


# -- planning --------------------------------------------------------------------------------


@dataclass
class _Row:
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


def read_ledger(path: str | Path, user, *, filename: str = "") -> ImportPlan:
    """Plan the import of the ledger at ``path`` for ``user`` (who must be allowed to edit the
    tasks). Raises :class:`LedgerFileError` for a file that is not a readable workbook;
    everything wrong inside it is listed in the plan's ``errors``."""
    path = Path(path)
    check_file(path, filename or path.name)
    plan = ImportPlan(filename=filename or path.name)
    workbook = _open_workbook(path)
    try:
        sheet = _find_sheet(workbook)
        plan.sheet = sheet.title
        rows, header_columns = _read_rows(sheet, plan)
    finally:
        workbook.close()
    if rows:
        _plan_rows(rows, header_columns, user, plan)
    return plan


def _find_sheet(workbook):
    wanted = {cols.normalise_header(name) for name in cols.in_all_languages(cols.LEDGER_SHEET)}
    for sheet in workbook.worksheets:
        if cols.normalise_header(sheet.title) in wanted:
            return sheet
    raise LedgerFileError(_("工作簿中没有“{sheet}”工作表：请上传本系统导出的台账。").format(
        sheet=cols.LEDGER_SHEET))


def _read_rows(sheet, plan: ImportPlan) -> tuple[list[_Row], dict[str, int]]:
    """The data rows below the header row, with every formula and error cell refused."""
    by_header: dict[str, cols.Column] = {}
    for column in cols.COLUMNS:
        for name in column.header_names():
            by_header[name] = column
    id_names = cols.ID_COLUMN.header_names()
    header_columns: dict[str, int] = {}
    header_row = 0
    rows: list[_Row] = []
    sheet.reset_dimensions()  # read every cell present, whatever the sheet claims its size is
    for number, cells in enumerate(sheet.iter_rows(), 1):
        if number > MAX_ROWS:
            plan.error(number, cols.ID_COLUMN, "", _("台账最多 {max} 行，其余未读取。").format(
                max=MAX_ROWS))
            break
        bad = False
        for index, cell in enumerate(cells, 1):
            data_type = getattr(cell, "data_type", "n")
            if data_type == "f":
                plan.error(number, _header_at(header_columns, index), f"{_letter(index)}{number}",
                           _("单元格含有公式，台账导入不接受公式：请改为直接填写值。"))
                bad = True
            elif data_type == "e":
                plan.error(number, _header_at(header_columns, index), f"{_letter(index)}{number}",
                           _("单元格是错误值“{value}”。").format(value=cell.value))
                bad = True
        if not header_row:
            names = [cols.normalise_header(cell.value) for cell in cells]
            if any(name in id_names for name in names):
                header_row = number
                _map_header(names, by_header, header_columns, plan, number)
            elif number >= 10:
                break
            continue
        if bad:
            continue
        row = _Row(number, {})
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
            plan.error(header_row, column, "", _("缺少“{column}”列：请在本系统导出的台账上修改"
                                                "（该列可能被隐藏）。").format(column=column.label))
    plan.row_count = len(rows)
    if plan.errors:
        return [], header_columns
    return rows, header_columns


def _header_at(header_columns: dict[str, int], index: int) -> str:
    for key, position in header_columns.items():
        if position == index:
            return cols.BY_KEY[key].label
    return _letter(index)


def _map_header(names, by_header, header_columns, plan: ImportPlan, number: int) -> None:
    for index, name in enumerate(names, 1):
        if not name:
            continue
        column = by_header.get(name)
        if column is None:
            plan.ignored_columns.append(name)
        elif column.key in header_columns:
            plan.error(number, column, f"{_letter(index)}{number}",
                       _("表头重复：“{column}”列出现了两次。").format(column=column.label))
        else:
            header_columns[column.key] = index


@dataclass
class _Current:
    """A task as it is now, with what the ledger shows of it."""

    task: RectificationTask
    row: cols.LedgerRow
    editable: bool


def _chunks(items: list[int], size: int) -> Iterable[list[int]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _current_tasks(ids: list[int], user) -> dict[int, _Current]:
    """The tasks named by the ledger that ``user`` may see, as the ledger would show them."""
    visible = permissions.visible(RectificationTask, user).select_related(
        "round__party_group", "signed_off_by")
    tasks: dict[int, RectificationTask] = {}
    measures: dict[int, list[tuple[int, int, str]]] = {}
    editable: set[int] = set()
    for chunk in _chunks(ids, LOOKUP_CHUNK):
        tasks.update((task.pk, task) for task in visible.filter(pk__in=chunk))
        editable.update(permissions.editable(RectificationTask, user).filter(pk__in=chunk)
                        .values_list("pk", flat=True))
        for task_id, pk, version, text in (
            Measure.objects.filter(task_id__in=chunk).order_by("task_id", "position", "pk")
            .values_list("task_id", "pk", "version", "text")
        ):
            measures.setdefault(task_id, []).append((pk, version, text))
    places = places_for_rounds(sorted({task.round_id for task in tasks.values()}))
    current = {}
    for pk, task in tasks.items():
        place = places.get(pk)
        row = cols.LedgerRow.of_task(
            task, measures.get(pk, []), number=place.number if place else "",
            category_path=place.category_path if place else "", round_label=str(task.round))
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


def _plan_rows(rows: list[_Row], header_columns: dict[str, int], user, plan: ImportPlan) -> None:
    ids: dict[int, int] = {}  # task id -> first row
    keyed: list[tuple[_Row, int]] = []
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
    current = _current_tasks(list(ids), user)
    for row, task_id in keyed:
        now = current.get(task_id)
        coordinate = row.coordinate("id", header_columns)
        if now is None:
            plan.error(row.number, cols.ID_COLUMN, coordinate,
                       _("未知的任务ID {id}（不存在或无权查看）。").format(id=task_id))
            continue
        row_plan = _plan_row(row, header_columns, now, plan)
        if row_plan is not None and (row_plan.changes or row_plan.fields):
            if not now.editable:
                plan.error(row.number, cols.ID_COLUMN, coordinate,
                           _("无权修改任务 {id}。").format(id=task_id))
                continue
            plan.rows.append(row_plan)


def _plan_row(row: _Row, header_columns, now: _Current, plan: ImportPlan) -> RowPlan | None:
    """Compare one row with its task; record errors in ``plan``; None if the row is refused."""
    errors_before = len(plan.errors)
    task, shown = now.task, now.row

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

    def change(column: cols.Column, before: Any, after: Any, *, implied: bool = False) -> None:
        result.changes.append(Change(row.number, task.pk, shown.number, column.label,
                                     _shown(before), _shown(after), implied))

    for column in cols.READ_ONLY:
        if column.key not in header_columns or column.key in ("id", "version"):
            continue
        cell = row.value(column.key)
        current = column.getter(shown)
        if column.kind == cols.DATETIME:
            same = _same_time(cell, current)
        else:
            same = normalise_text(cell) == normalise_text(current, cell=False)
        if not same:
            plan.error(row.number, column, where(column), _(
                "“{column}”列是只读的，不能修改（当前为“{value}”）。"
            ).format(column=column.label, value=normalise_text(current, cell=False)))

    new_status = task.status
    dates_edited: dict[str, bool] = {}
    for column in cols.EDITABLE:
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
        elif column.kind == cols.STATUS:
            text = normalise_text(cell)
            if text == normalise_text(cols.status_text(task), cell=False):
                continue
            status = parse_status(text)
            if status is None:
                plan.error(row.number, column, where(column), _(
                    "未知的整改状态“{value}”：应为“{choices}”之一。"
                ).format(value=text, choices="”“".join(str(label) for label in Status.labels)))
                continue
            if status == task.status and not task.result_text:
                continue
            change(column, cols.status_text(task), _status_label(status))
            if status == task.status:
                result.fields["result_text"] = ""  # the printed text gives way to the status
            else:
                new_status = result.status = status
        elif column.kind == cols.MEASURES:
            text = normalise_text(cell)
            old = [measure_text for _pk, _version, measure_text in shown.measures]
            if text == normalise_text(cols.measures_text(old), cell=False):
                continue
            texts, doubts = split_measures(text)
            if doubts:
                for doubt in doubts:
                    plan.error(row.number, column, where(column),
                               _("单元格内{doubt}").format(doubt=doubt))
                continue
            if texts != old:
                result.measures = texts
                change(column, cols.measures_text(old), cols.measures_text(texts))
        else:
            value = normalise_text(cell)
            before = getattr(task, column.field)
            if value != normalise_text(before, cell=False):
                result.fields[column.field] = value
                change(column, before, value)

    if result.status is not None:
        _plan_status(row, result, now, new_status, dates_edited, plan, where, change)
    if len(plan.errors) > errors_before:
        return None
    if result.fields:
        _validate(row, result, task, plan, where)
    return result if len(plan.errors) == errors_before else None


def _plan_status(row, result: RowPlan, now: _Current, status: str, dates_edited, plan,
                 where, change) -> None:
    """What a status change implies: a signed-off task cannot go back; completing sets the
    completion date (today, unless one is given); going back clears it."""
    task = now.task
    status_column, date_column = cols.BY_KEY["status"], cols.BY_KEY["completion_date"]
    completion = result.fields.get("completion_date", task.completion_date)
    if status not in Status.done():
        if task.is_signed_off:
            plan.error(row.number, status_column, where(status_column), _(
                "任务已销号，须先重新打开才能改为正在推进。"))
        elif completion and dates_edited.get("completion_date"):
            plan.error(row.number, date_column, where(date_column), _(
                "整改状态为“正在推进”时不能填写完成时间。"))
        elif completion:
            change(date_column, completion, None, implied=True)
    elif not completion:
        change(date_column, None, timezone.localdate(), implied=True)


def _validate(row: _Row, result: RowPlan, task: RectificationTask, plan: ImportPlan,
              where) -> None:
    """Run the task's own validation on the new values (nothing is saved here)."""
    for name, value in result.fields.items():
        setattr(task, name, value)
    try:
        task.full_clean()
    except ValidationError as exc:
        by_field = {column.field: column for column in cols.EDITABLE if column.field}
        for name, messages in exc.message_dict.items():
            column = by_field.get(name, cols.ID_COLUMN)
            for message in messages:
                plan.error(row.number, column, where(column), message)


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


# -- applying --------------------------------------------------------------------------------


def apply_plan(plan: ImportPlan, user) -> int:
    """Write the plan in one transaction as ``user``; returns the number of tasks changed.

    Each task is locked and its version checked again: a task changed after the preview
    refuses the whole import (:class:`LedgerImportError`), as does anything the services
    refuse. Nothing is written then.
    """
    if plan.errors:
        raise LedgerImportError(plan.errors)
    reason = _("Excel 台账导入（{file}）").format(file=plan.filename)
    with transaction.atomic():
        for row in plan.rows:
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
            change_status([task], row.status, user, reason)
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


def save_upload(upload: IO[bytes], directory: Path, name: str) -> Path:
    """Copy an upload to ``directory/name`` (a private place outside the web roots)."""
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    target = directory / name
    with target.open("wb") as out:
        for chunk in (upload.chunks() if hasattr(upload, "chunks") else iter(
                lambda: upload.read(MB), b"")):
            out.write(chunk)
    return target
