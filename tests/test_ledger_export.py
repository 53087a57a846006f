"""The ledger export: rows, cells, sheets, safety, query counts, the command."""

from __future__ import annotations

import datetime
import io
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from lxml import etree
from openpyxl.utils import get_column_letter

from rectify.ledger import ledger_columns as cols
from rectify.ledger import ledger_export
from rectify.ledger.ledger_export import write_ledger
from rectify.models import (
    FigureKind,
    InspectionRound,
    Measure,
    OutcomeFigure,
    ProblemCategory,
    RectificationTask,
)
from rectify.models.choices import Status
from rectify.rules import due_dates
from rectify.services import statistics
from rectify.services.workflow import change_status, sign_off
from tests.evidence_helpers import add_pdf_evidence
from tests.ledger_helpers import columns_of, export, sheet_rows

#: The printed columns (the print area, A to P), then the others.
PRINTED = ["序号", "编号", "问题类别", "问题", "整改措施", "责任领导", "责任单位", "责任科室",
           "整改时限", "整改进展", "整改状态", "整改结果", "完成时间", "整改成效", "佐证材料",
           "销号"]
HEADERS = [*PRINTED, "巡察轮次", "最后更新", "任务ID", "原定整改时限", "延期后时限", "延期次数",
           "版本"]

#: Queries of one export, whatever the number of rows:
#: 1 the selection's rounds, 2-4 their numbered trees (rounds, categories, tasks),
#: 5 round labels and party groups, 6 the tasks, 7 their measures, 8 their outcome figures,
#: 9 their evidence files; the summary: the statistics by party group and by round.
EXPORT_QUERIES = 9 + statistics.QUERIES + statistics.ROUND_QUERIES + 1  # + the rounds
#: With the history sheet: the tasks' history, the measures' history.
EXPORT_QUERIES_WITH_HISTORY = EXPORT_QUERIES + 2


@pytest.fixture
def xuchang_rows(seeded, tmp_path):
    return sheet_rows(export(tmp_path))


def test_it_exports_the_seed_notices_one_row_per_task(xuchang_rows):
    assert len(xuchang_rows) == 65
    assert list(xuchang_rows[0]) == HEADERS
    by_id = {row["任务ID"]: row for row in xuchang_rows}
    assert set(by_id) == set(RectificationTask.objects.values_list("pk", flat=True))


def test_status_column_has_one_spelling_per_status_the_printed_words_their_own(xuchang_rows):
    statuses = [row["整改状态"] for row in xuchang_rows]
    # Exactly the three labels: the autofilter on 整改状态 lists three values.
    assert set(statuses) == {"正在推进", "已完成", "已完成，长期坚持"}
    for row in xuchang_rows:
        task = RectificationTask.objects.get(pk=row["任务ID"])
        assert row["整改状态"] == Status(task.status).label
    results = [row["整改结果"] for row in xuchang_rows]
    # The seed stores the printed results as imported (half-width comma), in 整改结果 only.
    assert results.count("正在推进,2023年底前完成") == 1
    assert results.count("已完成,长期坚持") == 35
    assert results.count("已完成部分整改,长期坚持") == 2
    assert results.count("已完成整改,长期推进") == 1
    assert results.count("正在推进") == 8 and results.count("已完成") == 6
    assert results.count(None) == 12  # Xinye prints no results
    # "已完成部分整改,长期坚持" was read as still in progress.
    assert {row["整改状态"] for row in xuchang_rows
            if row["整改结果"] == "已完成部分整改,长期坚持"} == {"正在推进"}


def test_rows_are_numbered_1_to_n_with_the_derived_number_beside(xuchang_rows):
    assert [row["序号"] for row in xuchang_rows] == list(range(1, 66))
    xinye = [row for row in xuchang_rows if "新野" in row["巡察轮次"]]
    assert [row["编号"] for row in xinye[:3]] == ["一、1.", "二、2.", "二、3."]  # continuous
    xuchang = [row for row in xuchang_rows if "许昌" in row["巡察轮次"]]
    assert len(xuchang) == 53
    last = xuchang[-1]
    assert last["编号"] == "(三)2.3)"
    assert last["问题类别"].endswith(" / 干部人事管理不规范。")
    assert last["整改措施"].startswith("一是摸排核实")
    assert "\n二是结合实际" in last["整改措施"]


def test_cells_are_typed_and_the_sheet_is_laid_out(seeded, tmp_path):
    task = RectificationTask.objects.filter(round__party_group__name__contains="许昌").first()
    task.deadline = datetime.date(2023, 5, 31)
    task.save()
    path = export(tmp_path)
    workbook = openpyxl.load_workbook(path)
    assert workbook.sheetnames == ["台账", "汇总"]
    ws = workbook["台账"]
    assert ws.freeze_panes == "A3"
    assert ws.auto_filter.ref == f"A2:W{65 + 2}"
    assert "导出时间" in ws["A1"].value and "全部任务" in ws["A1"].value
    assert [cell.value for cell in ws[2]] == HEADERS
    assert ws.column_dimensions["D"].width == 36  # 问题
    assert ws.column_dimensions["W"].hidden  # 版本
    at = columns_of(ws)
    row = next(r for r in ws.iter_rows(min_row=3) if r[at["任务ID"]].value == task.pk)
    deadline, updated = row[at["整改时限"]], row[at["最后更新"]]
    assert deadline.is_date and deadline.value.date() == datetime.date(2023, 5, 31)
    assert deadline.number_format == "yyyy-mm-dd"
    assert updated.is_date and updated.number_format == "yyyy-mm-dd hh:mm:ss"
    assert row[at["问题"]].alignment.wrap_text and row[at["整改措施"]].alignment.wrap_text
    assert row[at["任务ID"]].data_type == "n" and row[at["序号"]].data_type == "n"


def _bordered(cell) -> bool:
    return all(getattr(cell.border, side).style == "thin"
               for side in ("left", "right", "top", "bottom"))


def test_the_ledger_is_print_ready(small_round, tmp_path):
    path = export(tmp_path)
    ws = openpyxl.load_workbook(path)["台账"]
    # A4 landscape, one page wide, as many pages down as needed.
    assert ws.page_setup.orientation == "landscape"
    assert ws.page_setup.paperSize == 9  # A4
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 0)
    # The title and header rows on every page, the page numbers in the footer.
    assert ws.print_title_rows == "$1:$2"
    assert ws.oddFooter.center.text == "第 &P 页，共 &N 页"
    # The print area: the printed columns (序号 … 销号), title to last row.
    assert [cell.value for cell in ws[2]][:len(PRINTED)] == PRINTED
    assert ws.print_area == "'台账'!$A$1:$P$5"
    # The title merged across the printed columns.
    assert [str(cells) for cells in ws.merged_cells.ranges] == ["A1:P1"]
    assert ws["A1"].font.b and ws["A1"].alignment.horizontal == "center"
    # 宋体 everywhere (the workbook's default font too), the header bold.
    assert ws.parent._fonts[0].name == "宋体"
    assert ws["A1"].font.name == "宋体"
    for row in ws.iter_rows(min_row=2, max_row=5):
        for cell in row:
            assert cell.font.name == "宋体", cell.coordinate
            assert cell.font.b == (cell.row == 2), cell.coordinate
            # Thin borders on every cell of the table, the empty ones included.
            assert _bordered(cell), cell.coordinate
    assert ws["P3"].value is None and _bordered(ws["P3"])  # no sign-off: empty, bordered
    assert not _bordered(ws["A6"])  # below the table: nothing


def test_the_summary_is_print_ready(small_round, tmp_path):
    ws = openpyxl.load_workbook(export(tmp_path))["汇总"]
    assert ws.page_setup.orientation == "landscape"
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 0)
    assert ws.print_title_rows == "$1:$2"
    assert "&P" in ws.oddFooter.center.text
    last = get_column_letter(ws.max_column)
    assert [str(cells) for cells in ws.merged_cells.ranges] == [f"A1:{last}1"]
    assert ws.print_area == f"'汇总'!$A$1:${last}${ws.max_row}"
    tables = [row for row in ws.iter_rows(min_row=2) if row[0].value not in (None, "按巡察轮次")]
    assert len(tables) == 6  # header, the party group, total; header, the round, total
    for row in tables:
        for cell in row:
            assert _bordered(cell) and cell.font.name == "宋体", cell.coordinate


def test_party_group_outcome_and_evidence_columns(small_round, tmp_path, staff_user,
                                                   evidence_root):
    task = RectificationTask.objects.get(title="三年攻坚存在短板")
    task.outcome = "经过整改，建立了专项台账。"
    task.save()
    for kind, value in ((FigureKind.LOSSES, Decimal("12.5")), (FigureKind.SYSTEMS, 2),
                        (FigureKind.SYSTEMS, 1)):
        OutcomeFigure.objects.create(round=small_round, task=task, kind=kind, value=value)
    OutcomeFigure.objects.create(round=small_round, kind=FigureKind.FUNDS, value=3)  # the round's
    add_pdf_evidence(task, staff_user, "整改方案.pdf")
    add_pdf_evidence(task, staff_user, "=会议纪要.pdf")
    other = RectificationTask.objects.get(title="党建工作边缘化")
    OutcomeFigure.objects.create(round=small_round, task=other, kind=FigureKind.OTHER,
                                 label="约谈", unit="次", value=4)
    rows = {row["问题"]: row for row in sheet_rows(export(tmp_path))}
    assert {row["责任单位"] for row in rows.values()} == {small_round.party_group.name}
    # The paragraph, then the figures summed by kind in the statistics' order, worded as the
    # notices' summary words them.
    assert rows["三年攻坚存在短板"]["整改成效"] == (
        "经过整改，建立了专项台账。\n建立完善制度3项，挽回经济损失12.5万元。")
    assert rows["党建工作边缘化"]["整改成效"] == "约谈4次。"
    assert rows["综合改革成效不明显"]["整改成效"] is None
    assert rows["三年攻坚存在短板"]["佐证材料"] == "整改方案.pdf\n=会议纪要.pdf"
    assert rows["综合改革成效不明显"]["佐证材料"] is None


def test_rows_are_written_as_openpyxl_writes_them(tmp_path, db):
    """The ledger writes its rows itself (ledger_export._Rows): the same XML as openpyxl's
    own for the same styled cells, and the same workbook when it writes them cell by cell."""
    columns = [cols.Column("text", "文字", 10, None, wrap=True),
               cols.Column("number", "数", 10, None, kind=cols.INTEGER),
               cols.Column("date", "日期", 10, None, kind=cols.DATE),
               cols.Column("time", "时间", 10, None, kind=cols.DATETIME)]
    values = [
        ["一是\n二是", 1, datetime.date(2024, 6, 30), datetime.datetime(2024, 6, 30, 8, 5, 1)],
        [" 前后空格 ", 2.5, None, None],
        ["=SUM(A1)", Decimal("7.132"), "", None],
        ["控制\x01字符", 0, datetime.date(1900, 1, 1), None],
        ["&<>\"'\r\n", None, None, None],
    ]

    def sheet_xml(fast: bool) -> bytes:
        workbook = ledger_export.new_workbook()
        sheet = workbook.create_sheet("台账")
        ledger_export._setup(sheet, [10] * 4)
        rows = ledger_export._Rows(sheet, columns)
        rows.fast = fast and rows.fast
        sheet.append(ledger_export._title_row(sheet, "标题"))
        sheet.append(ledger_export._header_row(sheet, [column.label for column in columns]))
        for row in values:
            rows.append(row)
        path = tmp_path / f"{fast}.xlsx"
        workbook.save(path)
        with zipfile.ZipFile(path) as archive:
            return etree.tostring(etree.fromstring(archive.read("xl/worksheets/sheet1.xml")),
                                  method="c14n")

    fast, stock = sheet_xml(True), sheet_xml(False)
    assert b"<is><t>" in fast and fast == stock
    ws = openpyxl.load_workbook(tmp_path / "True.xlsx")["台账"]
    assert [[cell.value for cell in row] for row in ws.iter_rows(min_row=3)] == [
        ["一是\n二是", 1, datetime.datetime(2024, 6, 30), datetime.datetime(2024, 6, 30, 8, 5, 1)],
        [" 前后空格 ", 2.5, None, None],
        ["'=SUM(A1)", 7.132, None, None],
        ["控制字符", 0, datetime.datetime(1900, 1, 1), None],
        ["&<>\"'\r\n", None, None, None],
    ]


def summary_sections(path) -> tuple[list[dict], list[dict]]:
    """The 汇总 sheet's two tables, by party group and by round, as dicts keyed by their
    headers (the total rows included), with the number format of each cell."""
    ws = openpyxl.load_workbook(path)["汇总"]
    rows = list(ws.iter_rows(min_row=2))
    sections, current, headers = [], None, None
    for row in rows:
        values = [cell.value for cell in row]
        if not any(v is not None for v in values) or values[0] == "按巡察轮次":
            continue
        if values[0] in ("被巡察党组织", "巡察轮次"):
            headers, current = values, []
            sections.append(current)
            continue
        current.append({header: (cell.value, cell.number_format)
                        for header, cell in zip(headers, row, strict=False)})
    assert len(sections) == 2
    return sections[0], sections[1]


def value(row: dict, header: str):
    return row[header][0]


def test_summary_is_the_statistics_by_party_group_and_by_round(seeded, tmp_path):
    from tests.seed_helpers import demo_user

    xuchang = InspectionRound.objects.get(party_group__name__contains="许昌")
    OutcomeFigure.objects.create(round=xuchang, kind=FigureKind.FUNDS, value=Decimal("7.132"))
    task = RectificationTask.objects.filter(round=xuchang).first()
    OutcomeFigure.objects.create(round=xuchang, task=task, kind=FigureKind.SYSTEMS,
                                 value=Decimal(12))
    groups, rounds = summary_sections(export(tmp_path))
    stats = statistics.for_user(demo_user("staff"))

    assert [value(r, "被巡察党组织") for r in groups] == [
        *[g.name for g in stats.by_party_group], "合计"]
    for row, counts in zip(groups, [*[g.counts for g in stats.by_party_group], stats.total],
                           strict=True):
        for header, attribute in (("任务数", "tasks"), ("已完成", "completed"),
                                  ("正在推进", "in_progress"), ("逾期", "overdue"),
                                  ("已销号", "signed_off"), ("按期完成", "on_time")):
            assert value(row, header) == getattr(counts, attribute), header
        assert value(row, "完成率") == pytest.approx(counts.completion_rate)
        assert row["完成率"][1] == row["按期完成率"][1] == "0.0%"
        assert value(row, "建立完善制度（项）") == counts.figure(FigureKind.SYSTEMS)
        assert value(row, "追缴/退缴/清退资金（万元）") == pytest.approx(
            float(counts.figure(FigureKind.FUNDS)))
    total = groups[-1]
    assert value(total, "任务数") == 65
    assert value(total, "已完成") + value(total, "正在推进") == 65
    assert value(total, "逾期") == due_dates.overdue(RectificationTask.objects.all()).count()
    assert value(total, "追缴/退缴/清退资金（万元）") == pytest.approx(7.132)
    assert value(total, "移交问题线索（件）") == 0  # every kind has its column

    assert len(rounds) == InspectionRound.objects.count() + 1
    by_round = {value(r, "巡察轮次"): r for r in rounds}
    row = by_round[str(xuchang)]
    xuchang_stats = statistics.for_user(demo_user("staff"), {"round": xuchang.pk}).total
    assert value(row, "任务数") == xuchang_stats.tasks == 53
    assert value(row, "完成率") == pytest.approx(xuchang_stats.completion_rate)
    assert value(row, "建立完善制度（项）") == 12
    assert value(row, "追缴/退缴/清退资金（万元）") == pytest.approx(7.132)
    assert value(rounds[-1], "任务数") == 65
    assert sum(value(r, "任务数") for r in rounds[:-1]) == 65


def test_summary_of_a_selection_counts_only_it(small_round, make_round, tmp_path, staff_user):
    other = make_round(inspecting_body="市委第五巡察组")
    RectificationTask.objects.create(round=other, title="另一轮的问题")
    OutcomeFigure.objects.create(round=other, kind=FigureKind.OTHER, label="约谈",
                                 unit="次", value=Decimal(4))
    tasks = RectificationTask.objects.filter(round=small_round)
    change_status([tasks.first()], Status.COMPLETED, staff_user)
    groups, rounds = summary_sections(export(tmp_path, tasks))
    assert [value(r, "巡察轮次") for r in rounds] == [str(small_round), "合计"]
    assert value(rounds[0], "任务数") == 3 and value(rounds[0], "完成率") == pytest.approx(1 / 3)
    assert "约谈（次）" not in groups[0]  # another round's figure
    groups, rounds = summary_sections(export(tmp_path))
    assert value(groups[-1], "约谈（次）") == 4
    assert value(rounds[-1], "任务数") == 4


def test_summary_of_nothing_has_empty_rates(tmp_path, db):
    groups, rounds = summary_sections(export(tmp_path))
    assert [value(r, "被巡察党组织") for r in groups] == ["合计"]
    assert value(groups[0], "任务数") == 0 and value(groups[0], "完成率") is None


def test_text_cells_are_neutralised_against_formulas(small_round, tmp_path, staff_user):
    task = RectificationTask.objects.get(title="党建工作边缘化")
    task.title = "=HYPERLINK(\"http://example.com\",\"点击\")"
    task.responsible_leader = "@张三"
    task.responsible_department = "+办公室"
    task.progress = "-已部署"
    task.save()
    Measure.objects.create(task=task, position=1, text="\t制表符开头")
    path = export(tmp_path)
    ws = openpyxl.load_workbook(path)["台账"]
    at = columns_of(ws)
    row = next(r for r in ws.iter_rows(min_row=3) if r[at["任务ID"]].value == task.pk)
    assert all(cell.data_type != "f" for cell in row)
    assert row[at["问题"]].value == "'=HYPERLINK(\"http://example.com\",\"点击\")"
    assert row[at["责任领导"]].value == "'@张三"
    assert row[at["责任科室"]].value == "'+办公室"
    assert row[at["整改进展"]].value == "'-已部署"
    assert row[at["整改措施"]].value == "'\t制表符开头"


def test_measures_print_with_ordinals_a_lone_one_without(small_round, tmp_path):
    rows = {row["问题"]: row for row in sheet_rows(export(tmp_path))}
    assert rows["三年攻坚存在短板"]["整改措施"] == "一是全面开展排查。\n二是建立工作台账。"
    task = RectificationTask.objects.get(title="综合改革成效不明显")
    Measure.objects.create(task=task, position=1, text="制定方案。")
    rows = {row["问题"]: row for row in sheet_rows(export(tmp_path))}
    assert rows["综合改革成效不明显"]["整改措施"] == "制定方案。"
    assert rows["党建工作边缘化"]["整改措施"] is None


def test_numbers_and_order_come_from_the_tree_not_the_ids(make_round, tmp_path):
    rnd = make_round(level_formats=["{cn}、", "{n}."])
    second = ProblemCategory.objects.create(round=rnd, title="第二类", position=2)
    first = ProblemCategory.objects.create(round=rnd, title="第一类", position=1)
    RectificationTask.objects.create(round=rnd, category=second, title="乙", position=1)
    RectificationTask.objects.create(round=rnd, category=first, title="甲二", position=2)
    RectificationTask.objects.create(round=rnd, category=first, title="甲一", position=1)
    rows = sheet_rows(export(tmp_path))
    assert [(r["编号"], r["问题"], r["问题类别"]) for r in rows] == [
        ("一、1.", "甲一", "第一类"), ("一、2.", "甲二", "第一类"), ("二、1.", "乙", "第二类"),
    ]


def test_signed_off_and_completed_tasks(small_round, tmp_path, staff_user):
    task = RectificationTask.objects.get(title="党建工作边缘化")
    change_status([task], Status.COMPLETED, staff_user)
    sign_off(task, staff_user)
    row = next(r for r in sheet_rows(export(tmp_path)) if r["任务ID"] == task.pk)
    assert row["整改状态"] == "已完成" and row["整改结果"] is None
    assert row["完成时间"].date() == timezone.localdate()
    assert row["销号"] == f"已销号（staff，{timezone.localdate().isoformat()}）"


def test_history_sheet_on_request(small_round, tmp_path, staff_user):
    task = RectificationTask.objects.get(title="党建工作边缘化")
    change_status([task], Status.COMPLETED, staff_user, "核查后完成")
    assert "历史记录" not in openpyxl.load_workbook(export(tmp_path)).sheetnames
    rows = sheet_rows(export(tmp_path, history=True), "历史记录")
    status_rows = [r for r in rows if r["任务ID"] == task.pk and r["字段"] == "整改状态"]
    assert len(status_rows) == 1
    assert status_rows[0]["修改前"] == "正在推进" and status_rows[0]["修改后"] == "已完成"
    assert status_rows[0]["操作人"] == "staff" and status_rows[0]["说明"] == "核查后完成"
    measure_rows = [r for r in rows if r["记录"].startswith("整改措施#")]
    assert len(measure_rows) == 2  # the two measures' creation


def _many(make_round, other_bureau, staff_user):
    """Two rounds of two bureaus, 40 tasks with measures, some completed and signed off, some
    with outcome figures and evidence files."""
    for bureau in (None, other_bureau):
        rnd = make_round(**({"party_group": bureau} if bureau else {}))
        top = ProblemCategory.objects.create(round=rnd, title="类别")
        for i in range(20):
            task = RectificationTask.objects.create(round=rnd, category=top, title=f"问题{i}",
                                                    deadline=datetime.date(2023, 5, 1),
                                                    outcome="经过整改，……")
            for k in range(1, 4):
                Measure.objects.create(task=task, position=k, text=f"措施{k}")
            if i % 3 == 0:
                OutcomeFigure.objects.create(round=rnd, task=task, kind=FigureKind.SYSTEMS,
                                             value=2)
                add_pdf_evidence(task, staff_user, f"材料{i}.pdf")
            if i % 5 == 0:
                change_status([task], Status.COMPLETED, staff_user)
                sign_off(task, staff_user)


@pytest.mark.parametrize("history", [False, True])
def test_query_count_does_not_grow_with_rows(
    make_round, other_bureau, staff_user, django_assert_max_num_queries, history, evidence_root
):
    bound = EXPORT_QUERIES_WITH_HISTORY if history else EXPORT_QUERIES
    rnd = make_round()
    task = RectificationTask.objects.create(round=rnd, title="唯一的问题")
    Measure.objects.create(task=task, position=1, text="措施")
    with django_assert_max_num_queries(bound):
        assert write_ledger(io.BytesIO(), RectificationTask.objects.all(), history=history) == 1
    _many(make_round, other_bureau, staff_user)
    with django_assert_max_num_queries(bound):
        assert write_ledger(io.BytesIO(), RectificationTask.objects.all(), history=history) == 41


def test_english_ledger_speaks_english(small_round, tmp_path):
    from django.utils import translation

    with translation.override("en"):
        path = export(tmp_path)
        workbook = openpyxl.load_workbook(path)
        ws = workbook[str(cols.LEDGER_SHEET)]
        headers = [cell.value for cell in ws[2]]
        statuses = {row[10] for row in ws.iter_rows(min_row=3, values_only=True)}
    assert headers[:2] == ["No.", "Number"] and headers[10] == "Rectification status"
    assert headers[11] == "Result"
    assert statuses == {"In progress"}
    assert ws.oddFooter.center.text == "Page &P of &N"


# -- the command --------------------------------------------------------------------------


def test_command_exports_a_filtered_selection(small_round, make_round, tmp_path, staff_user):
    task = RectificationTask.objects.get(title="党建工作边缘化")
    change_status([task], Status.COMPLETED, staff_user)
    out = io.StringIO()
    path = tmp_path / "done.xlsx"
    call_command("export_ledger", "-o", str(path), "--status", "completed", stdout=out)
    rows = sheet_rows(path)
    assert [row["任务ID"] for row in rows] == [task.pk]
    assert "已导出 1 项整改任务" in out.getvalue()
    assert "整改状态：已完成" in openpyxl.load_workbook(path)["台账"]["A1"].value


def test_command_round_filter_and_history(small_round, make_round, tmp_path):
    make_round(title="另一轮")
    path = tmp_path / "round.xlsx"
    call_command("export_ledger", "-o", str(path), "--round", str(small_round.pk), "--history",
                 stdout=io.StringIO())
    assert len(sheet_rows(path)) == 3
    assert "历史记录" in openpyxl.load_workbook(path).sheetnames


def test_command_refuses_bad_filters_naming_the_option(small_round, tmp_path):
    with pytest.raises(CommandError, match="--status"):
        call_command("export_ledger", "-o", str(tmp_path / "x.xlsx"), "--status", "finished")
    with pytest.raises(CommandError, match="--deadline-after/--deadline-before"):
        call_command("export_ledger", "-o", str(tmp_path / "x.xlsx"),
                     "--deadline-after", "2024-01-02", "--deadline-before", "2024-01-01")
    with pytest.raises(CommandError, match=r"\.xlsx"):
        call_command("export_ledger", "-o", str(tmp_path / "x.csv"))
    assert not (tmp_path / "x.xlsx").exists()


def test_command_as_a_clerk_exports_its_bureau_only(
    small_round, make_round, other_bureau, clerk_user, tmp_path
):
    other = make_round(party_group=other_bureau)
    RectificationTask.objects.create(round=other, title="别的单位的问题")
    path = tmp_path / "clerk.xlsx"
    call_command("export_ledger", "-o", str(path), "--user", clerk_user.username,
                 stdout=io.StringIO())
    assert {row["问题"] for row in sheet_rows(path)} == {
        "三年攻坚存在短板", "综合改革成效不明显", "党建工作边缘化"}
    with pytest.raises(CommandError, match="--round"):
        call_command("export_ledger", "-o", str(path), "--user", clerk_user.username,
                     "--round", str(other.pk))


def test_rounds_are_labelled(small_round, tmp_path):
    rows = sheet_rows(export(tmp_path))
    assert {row["巡察轮次"] for row in rows} == {str(InspectionRound.objects.get())}
