"""Importing an edited ledger: round trips, exact edits with history, and every refusal."""

from __future__ import annotations

import datetime
import zipfile

import openpyxl
import pytest
from django.utils import timezone

from rectify.ledger.ledger_apply import LedgerImportError, apply_plan
from rectify.ledger.ledger_plan import read_ledger
from rectify.ledger.ledger_upload import LedgerFileError
from rectify.models import Measure, RectificationTask
from rectify.models.choices import Status
from rectify.services.records import save_record
from rectify.services.workflow import change_status, sign_off
from tests.evidence_helpers import add_pdf_evidence
from tests.ledger_helpers import (
    HEADER_ROW,
    column_letter,
    edit,
    export,
    previous_layout,
    row_of,
    sheet_rows,
    snapshot,
)


@pytest.fixture
def task(small_round):
    return RectificationTask.objects.get(title="三年攻坚存在短板")


@pytest.fixture
def ledger(small_round, tmp_path):
    return export(tmp_path)


def imported(path, user):
    """Plan and apply; returns the plan (raises on errors)."""
    plan = read_ledger(path, user)
    assert plan.errors == []
    apply_plan(plan, user)
    return plan


# -- round trips ----------------------------------------------------------------------------


def test_an_unedited_ledger_changes_nothing_and_writes_no_history(ledger, staff_user):
    before = snapshot()
    plan = read_ledger(ledger, staff_user)
    assert plan.errors == [] and plan.rows == [] and plan.row_count == 3
    assert apply_plan(plan, staff_user) == 0
    assert snapshot() == before


def test_the_seed_ledger_round_trips(seeded, tmp_path, django_user_model):
    staff = django_user_model.objects.get(username="staff")
    path = export(tmp_path)
    before = snapshot()
    plan = read_ledger(path, staff)
    assert (plan.errors, plan.rows, plan.row_count) == ([], [], 65)
    # Saved again by a spreadsheet program (here openpyxl): still nothing to import.
    resaved = edit(path, {}, out=tmp_path / "resaved.xlsx")
    plan = read_ledger(resaved, staff)
    assert (plan.errors, plan.rows) == ([], [])
    assert snapshot() == before


def test_neutralised_text_round_trips(small_round, task, tmp_path, staff_user):
    task.title = "=1+1"
    task.responsible_leader = "'@张三"
    task.progress = "-已部署\r\n+第二行"
    task.save()
    Measure.objects.filter(task=task, position=1).update(text="=SUM(A1:A2)")
    path = export(tmp_path)
    cells = sheet_rows(path)
    assert next(r for r in cells if r["任务ID"] == task.pk)["责任领导"] == "''@张三"
    plan = read_ledger(path, staff_user)
    assert (plan.errors, plan.rows) == ([], [])  # line ends are not edits either


def test_a_ledger_exported_in_english_reads_back(small_round, tmp_path, staff_user):
    from django.utils import translation

    with translation.override("en"):
        path = export(tmp_path)
    plan = read_ledger(path, staff_user)
    assert (plan.errors, plan.rows) == ([], [])


def test_an_english_ledger_with_the_earlier_headers_reads_back(small_round, tmp_path,
                                                              staff_user):
    """English ledgers exported before the headers read as headings ("measure", "problem
    category", "inspection round") still import, edits in those columns included."""
    from django.utils import translation

    task = RectificationTask.objects.get(title="三年攻坚存在短板")
    with translation.override("en"):
        path = export(tmp_path)
    workbook = openpyxl.load_workbook(path)
    sheet = workbook.worksheets[0]
    earlier = {"Measures": "measure", "Problem category": "problem category",
               "Inspection round": "inspection round"}
    columns = {}
    for cell in sheet[HEADER_ROW]:
        if cell.value in earlier:
            cell.value = earlier[cell.value]
        columns[cell.value] = cell.column
    assert set(earlier.values()) <= set(columns)
    for row in sheet.iter_rows(min_row=HEADER_ROW + 1):
        if row[columns["Task ID"] - 1].value == task.pk:
            row[columns["measure"] - 1].value = "一是全面开展排查。\n二是开展回头看。"
    workbook.save(path)
    plan = read_ledger(path, staff_user)
    assert plan.errors == []
    # The edit is read, not ignored as an unknown column's.
    assert [(row.task_id, row.measures) for row in plan.rows] == [
        (task.pk, ["全面开展排查。", "开展回头看。"])]


# -- edits ----------------------------------------------------------------------------------


def test_edits_apply_exactly_with_history_by_the_importing_user(ledger, task, staff_user):
    measures_before = list(task.measures.order_by("position"))
    edit(ledger, {
        (task.pk, "整改状态"): "已完成，长期坚持",
        (task.pk, "整改时限"): datetime.date(2023, 9, 30),
        (task.pk, "责任领导"): "李四",
        (task.pk, "整改措施"): "一是全面开展排查。\n二是建立工作台账，每月更新。\n三是开展回头看。",
    })
    plan = read_ledger(ledger, staff_user)
    assert plan.errors == []
    changed = {(c.column, c.before, c.after) for c in plan.changes}
    assert ("整改状态", "正在推进", "已完成，长期坚持") in changed
    assert ("整改时限", "", "2023-09-30") in changed
    assert ("责任领导", "", "李四") in changed
    assert ("完成时间", "", timezone.localdate().isoformat()) in changed  # implied
    assert apply_plan(plan, staff_user) == 1

    task.refresh_from_db()
    assert task.status == Status.COMPLETED_LONGTERM
    assert task.deadline == datetime.date(2023, 9, 30)
    assert task.responsible_leader == "李四"
    assert task.completion_date == timezone.localdate()
    measures = list(task.measures.order_by("position"))
    assert [m.text for m in measures] == [
        "全面开展排查。", "建立工作台账，每月更新。", "开展回头看。"]
    assert measures[0].pk == measures_before[0].pk and measures[0].version == 1  # untouched
    assert measures[1].pk == measures_before[1].pk  # edited in place

    rows = list(task.history.order_by("history_date"))[1:]
    assert rows and all(row.history_user == staff_user for row in rows)
    assert all("台账导入" in row.history_change_reason for row in rows)
    measure_rows = Measure.history.filter(task_id=task.pk, history_user=staff_user)
    assert {row.history_type for row in measure_rows} == {"~", "+"}


def test_removing_a_measure_deletes_it_and_keeps_the_others(ledger, task, staff_user):
    first, second = task.measures.order_by("position")
    edit(ledger, {(task.pk, "整改措施"): "建立工作台账。"})
    imported(ledger, staff_user)
    assert list(task.measures.values_list("pk", "text", "position")) == [
        (second.pk, "建立工作台账。", 1)]
    deleted = Measure.history.get(id=first.pk, history_type="-")
    assert deleted.history_user == staff_user


def test_inline_measures_are_split_like_the_notice_importer(ledger, staff_user):
    task = RectificationTask.objects.get(title="党建工作边缘化")
    edit(ledger, {(task.pk, "整改措施"): "一是召开专题会议；二是建立制度。"})
    imported(ledger, staff_user)
    assert list(task.measures.values_list("text", flat=True)) == ["召开专题会议；", "建立制度。"]


def test_a_cleared_printed_result_gives_way_to_the_status(small_round, task, tmp_path,
                                                           staff_user):
    task.result_text = "正在推进,2023年底前完成"
    task.save()
    path = export(tmp_path)
    edit(path, {(task.pk, "整改结果"): None})
    plan = imported(path, staff_user)
    assert [(c.column, c.before, c.after) for c in plan.changes] == [
        ("整改结果", "正在推进,2023年底前完成", "")]
    task.refresh_from_db()
    assert (task.status, task.result_text) == (Status.IN_PROGRESS, "")
    history = task.history.order_by("-history_date").first()
    assert history.history_user == staff_user and "台账导入" in history.history_change_reason


def test_a_printed_result_cannot_be_rewritten(small_round, task, tmp_path, staff_user):
    task.result_text = "正在推进,2023年底前完成"
    task.save()
    path = export(tmp_path)
    edit(path, {(task.pk, "整改结果"): "已完成"})
    refused(path, staff_user, column="整改结果", text="只能清空")


def test_a_new_status_clears_the_printed_result(small_round, task, tmp_path, staff_user):
    task.result_text = "正在推进,2023年底前完成"
    task.save()
    path = export(tmp_path)
    edit(path, {(task.pk, "整改状态"): "已完成"})
    plan = imported(path, staff_user)
    changes = {(c.column, c.before, c.after, c.implied) for c in plan.changes}
    assert ("整改状态", "正在推进", "已完成", False) in changes
    assert ("整改结果", "正在推进,2023年底前完成", "", True) in changes
    task.refresh_from_db()
    assert (task.status, task.result_text) == (Status.COMPLETED, "")


def test_the_status_in_another_spelling_is_no_change(small_round, task, tmp_path, staff_user):
    change_status([task], Status.COMPLETED_LONGTERM, staff_user)
    path = export(tmp_path)
    assert next(r for r in sheet_rows(path) if r["任务ID"] == task.pk)["整改状态"] == (
        "已完成，长期坚持")
    edit(path, {(task.pk, "整改状态"): "已完成,长期坚持"})
    plan = read_ledger(path, staff_user)
    assert (plan.errors, plan.rows) == ([], [])


def test_the_running_number_is_not_compared(ledger, task, staff_user):
    edit(ledger, {(task.pk, "序号"): 99})
    plan = read_ledger(ledger, staff_user)
    assert (plan.errors, plan.rows) == ([], [])


def test_the_new_layout_round_trips_edits(small_round, task, tmp_path, staff_user,
                                          evidence_root):
    """Export → edit cells as in Excel → preview → apply → export again."""
    from rectify.models import FigureKind, OutcomeFigure

    task.result_text = "正在推进,2023年底前完成"
    task.outcome = "经过整改，建立了专项台账。"
    task.save()
    OutcomeFigure.objects.create(round=small_round, task=task, kind=FigureKind.SYSTEMS, value=2)
    add_pdf_evidence(task, staff_user, "整改方案.pdf")
    other = RectificationTask.objects.get(title="党建工作边缘化")
    path = export(tmp_path)
    row = next(r for r in sheet_rows(path) if r["任务ID"] == task.pk)
    assert (row["整改状态"], row["整改结果"]) == ("正在推进", "正在推进,2023年底前完成")
    assert row["整改成效"] == "经过整改，建立了专项台账。\n建立完善制度2项。"
    assert row["佐证材料"] == "整改方案.pdf"
    edit(path, {
        (task.pk, "整改结果"): None,
        (task.pk, "责任领导"): "李四",
        (task.pk, "整改措施"): "一是全面开展排查。\n二是建立工作台账。\n三是开展回头看。",
        (other.pk, "整改状态"): "已完成",
        (other.pk, "完成时间"): datetime.date(2023, 6, 1),
        (other.pk, "序号"): 1,  # renumbered by hand: not an edit
    })
    plan = read_ledger(path, staff_user)
    assert plan.errors == [] and not plan.previous_layout
    assert {(c.task_id, c.column) for c in plan.changes} == {
        (task.pk, "整改结果"), (task.pk, "责任领导"), (task.pk, "整改措施"),
        (other.pk, "整改状态"), (other.pk, "完成时间")}
    assert apply_plan(plan, staff_user) == 2

    rows = {r["任务ID"]: r for r in sheet_rows(export(tmp_path, name="again.xlsx"))}
    assert (rows[task.pk]["整改状态"], rows[task.pk]["整改结果"]) == ("正在推进", None)
    assert rows[task.pk]["责任领导"] == "李四"
    assert rows[task.pk]["整改措施"].endswith("\n三是开展回头看。")
    assert rows[task.pk]["整改成效"] == "经过整改，建立了专项台账。\n建立完善制度2项。"
    assert rows[other.pk]["整改状态"] == "已完成"
    assert rows[other.pk]["完成时间"].date() == datetime.date(2023, 6, 1)
    assert read_ledger(tmp_path / "again.xlsx", staff_user).rows == []


@pytest.mark.parametrize("header", ["整改成效", "佐证材料"])
def test_records_added_since_the_export_refuse_the_row(small_round, task, tmp_path,
                                                       staff_user, evidence_root, header):
    """Figures and evidence are not in the 版本: a change since the export shows as a
    read-only column that no longer matches, with a hint to export again."""
    from rectify.models import FigureKind, OutcomeFigure

    path = export(tmp_path)
    if header == "整改成效":
        OutcomeFigure.objects.create(round=small_round, task=task, kind=FigureKind.SYSTEMS,
                                     value=1)
    else:
        add_pdf_evidence(task, staff_user)
    refused(path, staff_user, column=header, row=row_of(path, task.pk), text="重新导出")


# -- the previous layout ----------------------------------------------------------------------


def test_a_ledger_in_the_previous_layout_reads_back_unchanged(small_round, task, tmp_path,
                                                              staff_user):
    task.result_text = "正在推进,2023年底前完成"
    task.save()
    old = previous_layout(export(tmp_path), tmp_path / "old.xlsx")
    assert next(r for r in sheet_rows(old) if r["任务ID"] == task.pk)["整改状态"] == (
        "正在推进,2023年底前完成")
    before = snapshot()
    plan = read_ledger(old, staff_user)
    assert (plan.errors, plan.rows, plan.row_count) == ([], [], 3)
    assert plan.previous_layout
    assert snapshot() == before


def test_the_seed_ledger_in_the_previous_layout_reads_back(seeded, tmp_path, django_user_model):
    staff = django_user_model.objects.get(username="staff")
    old = previous_layout(export(tmp_path), tmp_path / "old.xlsx")
    plan = read_ledger(old, staff)
    assert (plan.errors, plan.rows, plan.row_count) == ([], [], 65)


def test_a_ledger_in_the_previous_layout_applies_its_edits(small_round, task, tmp_path,
                                                           staff_user):
    task.result_text = "正在推进,2023年底前完成"
    task.save()
    other = RectificationTask.objects.get(title="党建工作边缘化")
    old = previous_layout(export(tmp_path), tmp_path / "old.xlsx")
    # As before: the status typed over the printed result replaces it.
    edit(old, {(task.pk, "整改状态"): "正在推进", (task.pk, "责任领导"): "李四",
               (other.pk, "整改状态"): "已完成，长期坚持"})
    plan = imported(old, staff_user)
    assert {(c.column, c.before, c.after) for c in plan.changes if not c.implied} == {
        ("整改状态", "正在推进,2023年底前完成", "正在推进"), ("责任领导", "", "李四"),
        ("整改状态", "正在推进", "已完成，长期坚持")}
    task.refresh_from_db()
    other.refresh_from_db()
    assert (task.status, task.result_text, task.responsible_leader) == (
        Status.IN_PROGRESS, "", "李四")
    assert other.status == Status.COMPLETED_LONGTERM


def test_a_ledger_in_the_previous_layout_refuses_an_edited_number(small_round, task,
                                                                  tmp_path, staff_user):
    old = previous_layout(export(tmp_path), tmp_path / "old.xlsx")
    edit(old, {(task.pk, "序号"): "9."})
    errors = refused(old, staff_user, column="序号", row=row_of(old, task.pk), text="只读")
    assert "(一)1.1)" in errors[0].message  # the derived number it should read


def test_a_ledger_mixing_the_layouts_is_refused_naming_the_column(small_round, tmp_path,
                                                                  staff_user):
    old = previous_layout(export(tmp_path), tmp_path / "old.xlsx")
    workbook = openpyxl.load_workbook(old)
    workbook["台账"]["S2"] = "责任单位"  # a column of the new layout, without 编号 or 整改结果
    workbook.save(old)
    errors = refused(old, staff_user, column="责任单位", row=2, text="无法判断")
    assert "“编号”“整改结果”" in errors[0].message and errors[0].cell == "S2"


def test_going_back_to_in_progress_clears_the_completion_date(
    small_round, task, tmp_path, staff_user
):
    change_status([task], Status.COMPLETED, staff_user)
    path = export(tmp_path)
    edit(path, {(task.pk, "整改状态"): "正在推进"})
    plan = imported(path, staff_user)
    assert any(c.column == "完成时间" and c.implied and c.after == "" for c in plan.changes)
    task.refresh_from_db()
    assert (task.status, task.completion_date) == (Status.IN_PROGRESS, None)


def test_text_dates_and_cleared_cells_are_accepted(small_round, task, tmp_path, staff_user):
    task.responsible_department = "办公室"
    task.save()
    path = export(tmp_path)
    edit(path, {(task.pk, "整改时限"): "2023年10月8日", (task.pk, "责任科室"): None})
    imported(path, staff_user)
    task.refresh_from_db()
    assert (task.deadline, task.responsible_department) == (datetime.date(2023, 10, 8), "")


# -- refusals -------------------------------------------------------------------------------


def refused(path, user, *, column: str, row: int | None = None, text: str = ""):
    """The plan's errors, checking that one names ``column`` (and ``row``) and the sheet."""
    before = snapshot()
    plan = read_ledger(path, user)
    assert plan.errors, "expected the ledger to be refused"
    matching = [e for e in plan.errors if e.column == column and (row is None or e.row == row)]
    assert matching, [str(e) for e in plan.errors]
    message = str(matching[0])
    assert message.startswith(f"工作表“台账”第 {matching[0].row} 行“{column}”列（")
    assert text in message
    with pytest.raises(LedgerImportError):
        apply_plan(plan, user)
    assert snapshot() == before
    return matching


def test_a_formula_is_refused_naming_the_cell(ledger, task, staff_user):
    edit(ledger, {(task.pk, "责任领导"): "=1+1"})
    row = row_of(ledger, task.pk)
    errors = refused(ledger, staff_user, column="责任领导", row=row, text="公式")
    assert errors[0].cell == f"{column_letter(ledger, '责任领导')}{row}"


def test_an_unknown_task_id_is_refused(ledger, task, staff_user):
    edit(ledger, {(task.pk, "任务ID"): 987654})
    refused(ledger, staff_user, column="任务ID", text="未知的任务ID 987654")


def test_a_task_id_that_is_not_a_number_is_refused(ledger, task, staff_user):
    edit(ledger, {(task.pk, "任务ID"): "第一项"})
    refused(ledger, staff_user, column="任务ID", text="不是整数")


def test_an_invalid_status_is_refused(ledger, task, staff_user):
    edit(ledger, {(task.pk, "整改状态"): "差不多完成了"})
    refused(ledger, staff_user, column="整改状态", text="未知的整改状态“差不多完成了”")


def test_an_invalid_date_is_refused(ledger, task, staff_user):
    edit(ledger, {(task.pk, "整改时限"): "明年春天"})
    refused(ledger, staff_user, column="整改时限", text="无法识别的日期")


def test_a_date_the_task_refuses_is_refused(ledger, task, staff_user):
    edit(ledger, {(task.pk, "整改时限"): datetime.date(2020, 1, 1)})  # before the feedback
    refused(ledger, staff_user, column="整改时限", text="不能早于反馈日期")


def test_a_duplicated_row_is_refused(ledger, task, staff_user):
    workbook = openpyxl.load_workbook(ledger)
    ws = workbook["台账"]
    source = row_of(ledger, task.pk)
    ws.append([cell.value for cell in ws[source]])
    workbook.save(ledger)
    refused(ledger, staff_user, column="任务ID", row=ws.max_row,
            text=f"任务 {task.pk} 已在第 {source} 行出现")


@pytest.mark.parametrize("header,value", [
    ("问题", "改写的问题"), ("编号", "9."), ("问题类别", "别的类别"), ("销号", "已销号"),
    ("最后更新", datetime.datetime(2020, 1, 1, 8, 0)), ("巡察轮次", "别的轮次"),
    ("责任单位", "别的单位"), ("整改成效", "改写的成效"), ("佐证材料", "别的材料.pdf"),
])
def test_an_edited_read_only_column_is_refused(ledger, task, staff_user, header, value):
    edit(ledger, {(task.pk, header): value})
    refused(ledger, staff_user, column=header, row=row_of(ledger, task.pk), text="只读")


def test_a_task_changed_since_the_export_is_refused(ledger, task, staff_user):
    task.progress = "别人刚填的进展"
    save_record(task, staff_user)
    edit(ledger, {(task.pk, "责任领导"): "李四"})
    refused(ledger, staff_user, column="版本", row=row_of(ledger, task.pk),
            text="在导出之后已被修改")


def test_a_measure_changed_since_the_export_is_refused(ledger, task, staff_user):
    measure = task.measures.first()
    measure.text = "别人改过的措施"
    save_record(measure, staff_user)
    edit(ledger, {(task.pk, "责任领导"): "李四"})
    refused(ledger, staff_user, column="版本", text="在导出之后已被修改")


def test_a_task_changed_between_preview_and_apply_refuses_everything(ledger, task, staff_user):
    other = RectificationTask.objects.get(title="党建工作边缘化")
    edit(ledger, {(task.pk, "责任领导"): "李四", (other.pk, "责任领导"): "王五"})
    plan = read_ledger(ledger, staff_user)
    assert plan.errors == [] and len(plan.rows) == 2
    later = RectificationTask.objects.get(pk=max(task.pk, other.pk))
    later.progress = "与此同时"
    save_record(later, staff_user)
    before = snapshot()
    with pytest.raises(LedgerImportError, match="在预览之后已被他人修改"):
        apply_plan(plan, staff_user)
    assert snapshot() == before  # the other row was rolled back too


def test_a_signed_off_task_cannot_go_back(small_round, task, tmp_path, staff_user):
    change_status([task], Status.COMPLETED, staff_user)
    sign_off(task, staff_user)
    path = export(tmp_path)
    edit(path, {(task.pk, "整改状态"): "正在推进"})
    refused(path, staff_user, column="整改状态", text="销号，已锁定")


def test_measures_that_do_not_read_back_are_refused(ledger, task, staff_user):
    edit(ledger, {(task.pk, "整改措施"): "一是排查。\n三是建账。"})
    refused(ledger, staff_user, column="整改措施", text="前缺少“二是”")


def test_all_errors_are_listed_and_nothing_is_written(ledger, task, staff_user):
    other = RectificationTask.objects.get(title="党建工作边缘化")
    edit(ledger, {(task.pk, "整改状态"): "??", (other.pk, "责任领导"): "合法的修改"})
    refused(ledger, staff_user, column="整改状态")


# -- files that are not ledgers ---------------------------------------------------------------


def file_refused(path, user, text: str) -> str:
    before = snapshot()
    with pytest.raises(LedgerFileError) as caught:
        read_ledger(path, user)
    assert text in str(caught.value)
    assert snapshot() == before
    return str(caught.value)


def test_a_csv_is_refused(small_round, tmp_path, staff_user):
    path = tmp_path / "ledger.csv"
    path.write_text("任务ID,责任领导\n1,张三\n", encoding="utf-8")
    file_refused(path, staff_user, ".xlsx")


def test_renamed_junk_is_refused(small_round, tmp_path, staff_user):
    path = tmp_path / "ledger.xlsx"
    path.write_bytes(b"\x00\x01 not a workbook at all " * 100)
    file_refused(path, staff_user, "不是 .xlsx 工作簿")


def test_a_renamed_zip_that_is_no_workbook_is_refused(small_round, tmp_path, staff_user):
    path = tmp_path / "ledger.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "hello")
    file_refused(path, staff_user, "不是 .xlsx 工作簿")


def test_an_old_xls_is_refused(small_round, tmp_path, staff_user):
    path = tmp_path / "ledger.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512)
    file_refused(path, staff_user, ".xls")
    renamed = tmp_path / "renamed.xlsx"
    renamed.write_bytes(path.read_bytes())
    file_refused(renamed, staff_user, "旧版 .xls")


def test_a_macro_workbook_is_refused(ledger, tmp_path, staff_user):
    xlsm = tmp_path / "ledger.xlsm"
    xlsm.write_bytes(ledger.read_bytes())
    file_refused(xlsm, staff_user, "启用宏")
    with_vba = tmp_path / "vba.xlsx"
    with zipfile.ZipFile(ledger) as source, zipfile.ZipFile(with_vba, "w") as target:
        for info in source.infolist():
            target.writestr(info, source.read(info))
        target.writestr("xl/vbaProject.bin", b"\x00" * 64)
    file_refused(with_vba, staff_user, "宏")


def _bomb(path, size: int) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\x00" * size)


def test_a_zip_bomb_is_refused_before_it_is_opened(small_round, tmp_path, staff_user):
    path = tmp_path / "bomb.xlsx"
    _bomb(path, 8 * 1024 * 1024)  # 8 MB of zeros pack to a few kB: ratio far above 100
    assert path.stat().st_size < 100_000
    file_refused(path, staff_user, "压缩比异常")


def test_a_workbook_too_large_uncompressed_is_refused(small_round, tmp_path, staff_user,
                                                      settings):
    settings.LEDGER_MAX_UNCOMPRESSED_BYTES = 1024 * 1024
    path = tmp_path / "big.xlsx"
    _bomb(path, 2 * 1024 * 1024)
    file_refused(path, staff_user, "解压后过大")


def test_an_oversize_file_is_refused(ledger, staff_user, settings):
    settings.LEDGER_MAX_UPLOAD_BYTES = 1024
    file_refused(ledger, staff_user, "文件过大")


def test_xml_with_a_doctype_is_refused(ledger, tmp_path, staff_user):
    evil = tmp_path / "evil.xlsx"
    with zipfile.ZipFile(ledger) as source, zipfile.ZipFile(evil, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/workbook.xml":
                data = b'<!DOCTYPE x [<!ENTITY a "aaaa">]>' + data.split(b"?>", 1)[-1]
            target.writestr(info, data)
    file_refused(evil, staff_user, "不安全的 XML")


def test_a_workbook_without_the_ledger_sheet_is_refused(small_round, tmp_path, staff_user):
    workbook = openpyxl.Workbook()
    workbook.active.title = "Sheet1"
    workbook.active.append(["别的表"])
    path = tmp_path / "other.xlsx"
    workbook.save(path)
    file_refused(path, staff_user, "没有“台账”工作表")


def test_a_ledger_without_its_version_column_is_refused(ledger, task, staff_user):
    workbook = openpyxl.load_workbook(ledger)
    workbook["台账"].delete_cols(openpyxl.utils.column_index_from_string(
        column_letter(ledger, "版本")))
    workbook.save(ledger)
    plan = read_ledger(ledger, staff_user)
    assert any(e.column == "版本" and "缺少" in e.message for e in plan.errors)



def test_every_seed_task_s_measures_read_back_through_the_splitter(seeded):
    from rectify.notice_import.measure_split import split_measures
    from rectify.rules.numbering import measures_text

    for task in RectificationTask.objects.prefetch_related("measures"):
        texts = [measure.text for measure in task.measures.all()]
        assert split_measures(measures_text(texts)) == (texts, []), task.pk
