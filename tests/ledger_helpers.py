"""Helpers of the ledger tests: export a selection to a file, read it, edit it like a user."""

from __future__ import annotations

import datetime
from pathlib import Path

import openpyxl

from rectify.ledger.ledger_export import write_ledger
from rectify.models import RectificationTask

HEADER_ROW = 2


def export(tmp_path: Path, tasks=None, name: str = "ledger.xlsx", **kwargs) -> Path:
    path = tmp_path / name
    with path.open("wb") as out:
        write_ledger(out, tasks if tasks is not None else RectificationTask.objects.all(),
                     **kwargs)
    return path


def sheet_rows(path: Path, sheet: str = "台账") -> list[dict]:
    """The data rows of a sheet as dicts keyed by header (values as openpyxl reads them)."""
    workbook = openpyxl.load_workbook(path)
    ws = workbook[sheet]
    headers = [cell.value for cell in ws[HEADER_ROW]]
    return [dict(zip(headers, row, strict=False))
            for row in ws.iter_rows(min_row=HEADER_ROW + 1, values_only=True)]


def columns_of(ws) -> dict[str, int]:
    """The 0-based index of each column of a ledger sheet, by header."""
    return {cell.value: index for index, cell in enumerate(ws[HEADER_ROW])}


def edit(path: Path, changes: dict[tuple[int, str], object], *, out: Path | None = None,
         sheet: str = "台账") -> Path:
    """Set cells by (task id, header) the way a user editing in Excel would; saves in place."""
    workbook = openpyxl.load_workbook(path)
    ws = workbook[sheet]
    columns = {cell.value: cell.column for cell in ws[HEADER_ROW]}
    rows = {ws.cell(row=r, column=columns["任务ID"]).value: r
            for r in range(HEADER_ROW + 1, ws.max_row + 1)}
    for (task_id, header), value in changes.items():
        ws.cell(row=rows[task_id], column=columns[header]).value = value
    target = out or path
    workbook.save(target)
    return target


def row_of(path: Path, task_id: int) -> int:
    """The sheet row (1-based) holding ``task_id``."""
    workbook = openpyxl.load_workbook(path)
    ws = workbook["台账"]
    columns = {cell.value: cell.column for cell in ws[HEADER_ROW]}
    for r in range(HEADER_ROW + 1, ws.max_row + 1):
        if ws.cell(row=r, column=columns["任务ID"]).value == task_id:
            return r
    raise KeyError(task_id)


def column_letter(path: Path, header: str) -> str:
    workbook = openpyxl.load_workbook(path)
    for cell in workbook["台账"][HEADER_ROW]:
        if cell.value == header:
            return cell.column_letter
    raise KeyError(header)


#: The 台账 sheet's columns as ledgers were exported before the print-ready layout: 序号 was
#: the derived number, 整改状态 the printed result or else the status.
PREVIOUS_HEADERS = ["巡察轮次", "序号", "问题类别", "问题", "整改措施", "责任领导", "责任科室",
                    "整改时限", "整改进展", "整改状态", "完成时间", "销号", "最后更新", "任务ID",
                    "原定整改时限", "延期后时限", "延期次数", "版本"]


def previous_layout(path: Path, out: Path) -> Path:
    """The ledger at ``path`` rewritten as the previous layout wrote it (a fixture writer:
    its 台账 sheet with the old headers and cells, its other sheets dropped)."""
    source = openpyxl.load_workbook(path)["台账"]
    headers = [cell.value for cell in source[HEADER_ROW]]
    old = openpyxl.Workbook()
    ws = old.active
    ws.title = "台账"
    ws.append([source["A1"].value])
    ws.append(PREVIOUS_HEADERS)
    for values in source.iter_rows(min_row=HEADER_ROW + 1, values_only=True):
        row = dict(zip(headers, values, strict=True))
        row["序号"] = row["编号"]
        row["整改状态"] = row["整改结果"] or row["整改状态"]
        ws.append([row[header] for header in PREVIOUS_HEADERS])
    ws.column_dimensions["R"].hidden = True
    old.save(out)
    return out


def snapshot() -> tuple:
    """Everything an import could write: tasks, measures and their history counts."""
    from rectify.models import Measure

    tasks = list(RectificationTask.objects.order_by("pk").values())
    measures = list(Measure.objects.order_by("pk").values())
    return (tasks, measures, RectificationTask.history.count(), Measure.history.count())


DAY = datetime.date(2023, 6, 30)
