"""The ledger export: rows, cells, sheets, safety, query counts, the command."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from rectify.ledger import ledger_columns as cols
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
from tests.ledger_helpers import export, sheet_rows

HEADERS = ["巡察轮次", "序号", "问题类别", "问题", "整改措施", "责任领导", "责任科室", "整改时限",
           "整改进展", "整改状态", "完成时间", "销号", "最后更新", "任务ID", "原定整改时限",
           "延期后时限", "延期次数", "版本"]

#: Queries of one export, whatever the number of rows:
#: 1 the selection's rounds, 2-4 their numbered trees (rounds, categories, tasks),
#: 5 round labels, 6 the tasks, 7 their measures; the summary: the statistics by party group
#: and by round.
EXPORT_QUERIES = 7 + statistics.QUERIES + statistics.ROUND_QUERIES + 1  # + the rounds
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


def test_status_column_shows_the_printed_result_else_the_status(xuchang_rows):
    statuses = [row["整改状态"] for row in xuchang_rows]
    # The seed stores the printed results as imported (half-width comma).
    assert statuses.count("正在推进,2023年底前完成") == 1
    assert statuses.count("已完成,长期坚持") == 35
    assert statuses.count("已完成部分整改,长期坚持") == 2
    assert statuses.count("已完成整改,长期推进") == 1
    assert statuses.count("已完成") == 6
    # Xinye prints no results: its 12 tasks show the status label; Xuchang's 8 "正在推进" too.
    assert statuses.count("正在推进") == 20


def test_rows_follow_the_printed_tree_with_numbers_and_category_paths(xuchang_rows):
    xinye = [row for row in xuchang_rows if "新野" in row["巡察轮次"]]
    assert [row["序号"] for row in xinye[:3]] == ["一、1.", "二、2.", "二、3."]  # continuous
    xuchang = [row for row in xuchang_rows if "许昌" in row["巡察轮次"]]
    assert len(xuchang) == 53
    last = xuchang[-1]
    assert last["序号"] == "(三)2.3)"
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
    assert ws.auto_filter.ref == f"A2:R{65 + 2}"
    assert "导出时间" in ws["A1"].value and "全部任务" in ws["A1"].value
    assert [cell.value for cell in ws[2]] == HEADERS
    assert ws.column_dimensions["D"].width == 48  # 问题
    assert ws.column_dimensions["R"].hidden  # 版本
    row = next(r for r in ws.iter_rows(min_row=3) if r[13].value == task.pk)
    deadline, updated = row[7], row[12]
    assert deadline.is_date and deadline.value.date() == datetime.date(2023, 5, 31)
    assert deadline.number_format == "yyyy-mm-dd"
    assert updated.is_date and updated.number_format == "yyyy-mm-dd hh:mm:ss"
    assert row[3].alignment.wrap_text and row[4].alignment.wrap_text
    assert row[13].data_type == "n"


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
    row = next(r for r in ws.iter_rows(min_row=3) if r[13].value == task.pk)
    assert all(cell.data_type != "f" for cell in row)
    assert row[3].value == "'=HYPERLINK(\"http://example.com\",\"点击\")"
    assert row[5].value == "'@张三"
    assert row[6].value == "'+办公室"
    assert row[8].value == "'-已部署"
    assert row[4].value == "'\t制表符开头"


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
    assert [(r["序号"], r["问题"], r["问题类别"]) for r in rows] == [
        ("一、1.", "甲一", "第一类"), ("一、2.", "甲二", "第一类"), ("二、1.", "乙", "第二类"),
    ]


def test_signed_off_and_completed_tasks(small_round, tmp_path, staff_user):
    task = RectificationTask.objects.get(title="党建工作边缘化")
    change_status([task], Status.COMPLETED, staff_user)
    sign_off(task, staff_user)
    row = next(r for r in sheet_rows(export(tmp_path)) if r["任务ID"] == task.pk)
    assert row["整改状态"] == "已完成"
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
    """Two rounds of two bureaus, 40 tasks with measures, some completed and signed off."""
    for bureau in (None, other_bureau):
        rnd = make_round(**({"party_group": bureau} if bureau else {}))
        top = ProblemCategory.objects.create(round=rnd, title="类别")
        for i in range(20):
            task = RectificationTask.objects.create(round=rnd, category=top, title=f"问题{i}",
                                                    deadline=datetime.date(2023, 5, 1))
            for k in range(1, 4):
                Measure.objects.create(task=task, position=k, text=f"措施{k}")
            if i % 5 == 0:
                change_status([task], Status.COMPLETED, staff_user)
                sign_off(task, staff_user)


@pytest.mark.parametrize("history", [False, True])
def test_query_count_does_not_grow_with_rows(
    make_round, other_bureau, staff_user, django_assert_max_num_queries, history
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
    assert headers[1] == "No." and headers[9] == "Rectification status"


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
