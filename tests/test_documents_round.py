"""A round's documents: the rectification report (整改情况报告, report.docx) and the plan's
three lists (整改方案, plan.xlsx and plan.docx), the round's page with its 下一步工作打算, who
may download and who may write.

The assertions are what a reader checks in the documents: the headings in order, each task's
labelled values as the records hold them, the figures, the print settings of the workbook.
"""

from __future__ import annotations

import datetime
import io
from decimal import Decimal
from urllib.parse import unquote

import openpyxl
import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from docx import Document as WordDocument

from rectify.documents import round_plan, round_records, round_report
from rectify.documents.gongwen import Heading, Paragraph, Signature, Table, Title, cn_date
from rectify.models import (
    InspectionRound,
    Measure,
    Notice,
    OutcomeFigure,
    ProblemCategory,
    RectificationTask,
)
from rectify.models.choices import Status
from rectify.models.outcomes import FigureKind
from rectify.services import deadline_extensions, outcome_figures, workflow
from rectify.services.records import save_record
from tests.seed_helpers import demo_client

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
DONE_ON = datetime.date(2023, 5, 20)


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def headings(document, level: int | None = None) -> list[str]:
    return [block.text for block in document.blocks
            if isinstance(block, Heading) and (level is None or block.level == level)]


def section(document, start: str, end: str | None = None) -> list:
    """The blocks after the level-1 heading ``start`` up to ``end`` (or the end)."""
    blocks = document.blocks
    first = next(i for i, b in enumerate(blocks) if isinstance(b, Heading) and b.text == start)
    last = (next(i for i, b in enumerate(blocks) if isinstance(b, Heading) and b.text == end)
            if end else len(blocks))
    return blocks[first + 1:last]


def task_block(document, title: str) -> dict[str, str]:
    """The labelled paragraphs under the task heading ending with ``title``: label → text
    (further paragraphs of a label joined by newlines)."""
    blocks = document.blocks
    start = next(i for i, b in enumerate(blocks)
                 if isinstance(b, Heading) and b.text.endswith(title))
    found: dict[str, str] = {}
    label = ""
    for block in blocks[start + 1:]:
        if not isinstance(block, Paragraph):
            break
        if block.label:
            label = block.label
            found[label] = block.text
        else:
            found[label] += "\n" + block.text
    return found


@pytest.fixture
def filled(small_round, staff_user, clerk_user):
    """``small_round`` with the facts a report prints: leader, department, deadline, progress,
    a completed and signed-off task with its printed result and outcome, figures, a measure's
    responsible unit, an approved extension, an overall paragraph in a notice."""
    rnd = small_round
    rnd.rectification_months = 3
    save_record(rnd, staff_user)
    first = RectificationTask.objects.get(round=rnd, title="三年攻坚存在短板")
    first.responsible_leader = "张副局长"
    first.responsible_department = "基础教育科"
    first.deadline = datetime.date(2023, 5, 31)
    first.progress = "已完成全面排查。\n台账已建立。"
    first.outcome = "经过整改，攻坚项目全部开工。"
    save_record(first, staff_user)
    Measure.objects.filter(task=first, position=1).update(responsible_unit="规划科")
    outcome_figures.add_figure(OutcomeFigure(task=first, kind=FigureKind.SYSTEMS,
                                             value=Decimal("2")), staff_user)
    outcome_figures.add_figure(OutcomeFigure(task=first, kind=FigureKind.FUNDS,
                                             value=Decimal("0.63")), staff_user)
    workflow.set_status(first, Status.COMPLETED, staff_user, completion_date=DONE_ON)
    first.refresh_from_db()
    workflow.sign_off(first, staff_user)
    second = RectificationTask.objects.get(round=rnd, title="综合改革成效不明显")
    second.deadline = TODAY + datetime.timedelta(days=5)
    second.result_text = "正在推进，2023年底前完成"
    save_record(second, staff_user)
    later = TODAY + datetime.timedelta(days=40)
    deadline_extensions.request_extension(second, clerk_user, later, "需要等待上级批复。")
    deadline_extensions.decide_extension(
        RectificationTask.objects.get(pk=second.pk), staff_user, "approve")
    Notice.objects.create(round=rnd, title="整改情况通报", overall="全局整体推进有力。\n二段。",
                          date=datetime.date(2023, 7, 18))
    return rnd


# -- the report -------------------------------------------------------------------------------


def test_report_has_the_standard_structure(filled):
    document = round_report.build_report(filled)
    assert isinstance(document.blocks[0], Title)
    assert document.blocks[0].text == "中共测试市教育局党组关于市委第三巡察组常规巡察整改情况的报告"
    assert document.title == document.blocks[0].text and not document.landscape
    assert headings(document, 1) == ["一、整改工作开展情况", "二、反馈问题整改落实情况",
                                     "三、下一步工作打算"]
    signature = document.blocks[-1]
    assert isinstance(signature, Signature)
    assert (signature.issuer, signature.date) == ("中共测试市教育局党组", TODAY)
    opening = document.blocks[1].text
    assert "2023年2月28日，市委第三巡察组向中共测试市教育局党组反馈了巡察意见" in opening


def test_report_section_one_states_the_records_facts(filled):
    document = round_report.build_report(filled)
    texts = [block.label + block.text
             for block in section(document, "一、整改工作开展情况", "二、反馈问题整改落实情况")]
    assert texts[0] == ("巡察反馈日期为2023年2月28日，整改情况报告应于2023年4月28日前报送，"
                        "集中整改期至2023年5月28日（3个月）。")
    assert texts[1] == "巡察反馈问题涉及1个方面、3项整改任务，制定整改措施2条。"
    assert texts[2] == (f"截至{cn_date(TODAY)}，已完成1项，正在推进2项，完成率33.3%；按期完成1项；"
                        "逾期未完成1项；已销号1项；经批准延期1项；待审核0项。")
    assert texts[3] == "整改成效：建立完善制度2项，追缴/退缴/清退资金0.63万元。"
    assert texts[4:] == ["全局整体推进有力。", "二段。"]  # the notice's overall paragraphs


def test_report_prints_each_task_with_its_labels_and_values(filled):
    document = round_report.build_report(filled)
    problems = section(document, "二、反馈问题整改落实情况", "三、下一步工作打算")
    assert [b.text for b in problems if isinstance(b, Heading)] == [
        "(一)政治责任扛得不牢", "1.要求不到位", "1)三年攻坚存在短板", "2)综合改革成效不明显",
        "2.党建工作边缘化"]
    assert [b.level for b in problems if isinstance(b, Heading)] == [2, 3, 4, 4, 3]
    done = task_block(document, "三年攻坚存在短板")
    assert done == {
        "整改措施：": "一是全面开展排查。\n二是建立工作台账。",
        "责任领导：": "张副局长",
        "责任科室：": "基础教育科",
        "责任单位：": "规划科",
        "整改时限：": "2023年5月31日",
        "整改进展：": "已完成全面排查。\n台账已建立。",
        "完成情况：": "已完成，完成时间2023年5月20日，已销号。",
        "整改成效：": "经过整改，攻坚项目全部开工。\n建立完善制度2项，追缴/退缴/清退资金0.63万元。",
    }
    extended = task_block(document, "综合改革成效不明显")
    later = TODAY + datetime.timedelta(days=40)
    assert extended["整改时限："] == (
        f"{cn_date(TODAY + datetime.timedelta(days=5))}（经批准延期至{cn_date(later)}）")
    assert extended["整改措施："] == extended["责任领导："] == "（未填写）"
    assert extended["完成情况："] == "正在推进。通报所载整改结果：正在推进，2023年底前完成。"
    assert "整改成效：" not in extended and "责任单位：" not in extended
    bare = task_block(document, "党建工作边缘化")
    assert bare["整改时限："] == "2023年5月28日（随集中整改期；已逾期）"


def test_report_prints_next_steps_or_says_where_to_write_them(filled, staff_user):
    url = f"http://testserver/work/rounds/{filled.pk}/"
    empty = section(round_report.build_report(filled, next_steps_url=url), "三、下一步工作打算")
    assert [b.text for b in empty if isinstance(b, Paragraph)] == [
        f"（尚未填写下一步工作打算：请在本轮次的工作页面（{url}）填写后重新生成本报告。）"]
    filled.next_steps = "一是持续巩固整改成果。\n\n二是建立长效机制。"
    save_record(filled, staff_user)
    written = section(round_report.build_report(filled), "三、下一步工作打算")
    assert [b.text for b in written if isinstance(b, Paragraph)] == [
        "一是持续巩固整改成果。", "二是建立长效机制。"]


def test_a_round_without_tasks_gives_a_short_valid_report(make_round, bureau):
    rnd = make_round(inspecting_body="", kind="", feedback_date=None)
    document = round_report.build_report(rnd)
    assert document.blocks[0].text == "中共测试市教育局党组关于巡察整改情况的报告"
    assert headings(document) == ["一、整改工作开展情况", "二、反馈问题整改落实情况",
                                  "三、下一步工作打算"]
    assert "本轮巡察尚无整改任务记录。" in [b.text for b in section(
        document, "二、反馈问题整改落实情况", "三、下一步工作打算")]
    word = WordDocument(io.BytesIO(_render(document)))
    assert "三、下一步工作打算" in [p.text for p in word.paragraphs]


def _render(document) -> bytes:
    from rectify.documents.gongwen_docx import render_docx

    return render_docx(document)


def test_seed_reports_follow_the_notices(seeded):
    xuchang = InspectionRound.objects.get(party_group__name="中共许昌市教育局党组")
    document = round_report.build_report(xuchang)
    assert document.blocks[0].text == "中共许昌市教育局党组关于市委第三巡察组常规巡察整改情况的报告"
    overall = [b.text for b in section(document, "一、整改工作开展情况",
                                       "二、反馈问题整改落实情况")]
    assert "巡察反馈问题涉及3个方面、53项整改任务，制定整改措施187条。" in overall
    assert any(text.startswith("市教育局党组把巡察整改工作作为一项重大政治任务")
               for text in overall)
    problems = headings(document)
    assert problems[problems.index("二、反馈问题整改落实情况") + 1:][:4] == [
        "(一)政治责任扛得不牢,教育事业高质量发展存在落差", "1.贯彻办好人民满意的教育要求不到位。",
        "1)“三年攻坚存在短板”。", "①老教育三年攻坚统筹推进不足,新教育三年攻坚计划未完成。"]
    tasks = [b for b in document.blocks if isinstance(b, Paragraph) and b.label == "完成情况："]
    assert len(tasks) == 53
    xinye = InspectionRound.objects.get(party_group__name="中共新野县教育体育局党组")
    document = round_report.build_report(xinye)
    assert document.blocks[0].text == ("中共新野县教育体育局党组关于县委上下联动专项巡察组巡察"
                                       "整改情况的报告")
    assert len([b for b in document.blocks if b.__class__ is Paragraph
                and b.label == "完成情况："]) == 12
    assert "1.关于“违反中央八项规定精神整改不彻底”的问题" in headings(document, 3)


# -- the plan ---------------------------------------------------------------------------------


def workbook(rnd) -> openpyxl.Workbook:
    out = io.BytesIO()
    round_plan.write_plan_xlsx(rnd, out)
    out.seek(0)
    return openpyxl.load_workbook(out)


PLAN_HEADERS = ["序号", "问题类别", "问题", "整改措施", "责任领导", "责任单位", "责任科室",
                "整改时限"]


def test_plan_workbook_is_one_print_ready_table(seeded):
    xuchang = InspectionRound.objects.get(party_group__name="中共许昌市教育局党组")
    sheet = workbook(xuchang).active
    assert sheet.title == "整改方案"
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == ("中共许昌市教育局党组关于市委第三巡察组常规巡察反馈意见的整改方案"
                          "（问题清单、任务清单、责任清单）")
    assert rows[1] == ("问题清单", None, None, "任务清单", "责任清单", None, None, None, "备注")
    assert list(rows[2][:8]) == PLAN_HEADERS
    assert {str(r) for r in sheet.merged_cells.ranges} == {"A1:I1", "A2:C2", "E2:H2", "I2:I3"}
    body = rows[3:]
    assert len(body) == 53
    first = body[0]
    assert first[0] == "(一)1.1)①"
    assert first[1] == ("政治责任扛得不牢,教育事业高质量发展存在落差"
                        "／贯彻办好人民满意的教育要求不到位。／“三年攻坚存在短板”。")
    assert first[2] == "老教育三年攻坚统筹推进不足,新教育三年攻坚计划未完成。"
    assert first[3].startswith("一是全面开展排查。\n二是建立工作台账。")
    assert first[7] == datetime.datetime(2023, 5, 28)  # no own deadline: the round's end
    assert first[8] == "随集中整改期"
    assert sheet["H4"].number_format == 'yyyy"年"m"月"d"日"'
    # Print: A4 landscape, one page wide, the two header rows on every page, page numbers.
    assert sheet.page_setup.orientation == "landscape"
    assert int(sheet.page_setup.paperSize) == 9  # A4
    assert (sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight) == (1, 0)
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.print_title_rows == "$2:$3"
    assert "&P" in sheet.oddFooter.center.text and "&N" in sheet.oddFooter.center.text
    assert sheet.freeze_panes == "A4"
    assert sheet["A1"].font.name == "宋体" and sheet["A3"].font.name == "宋体"
    assert sheet["C4"].font.name == "仿宋"
    assert all(sheet.cell(4, col).border.left.style == "thin" for col in range(1, 10))
    assert sheet.column_dimensions["D"].width > sheet.column_dimensions["A"].width


def test_plan_workbook_of_the_continuous_round(seeded):
    xinye = InspectionRound.objects.get(party_group__name="中共新野县教育体育局党组")
    body = list(workbook(xinye).active.iter_rows(min_row=4, values_only=True))
    assert len(body) == 12
    assert [row[0] for row in body[:2]] == ["一、1.", "二、2."]
    assert body[0][2] == "关于“违反中央八项规定精神整改不彻底”的问题"


def test_plan_values_follow_the_records_and_are_neutralised(filled, staff_user):
    first = RectificationTask.objects.get(round=filled, title="三年攻坚存在短板")
    workflow.reopen(first, staff_user, "回头看发现问题。")
    first.refresh_from_db()
    first.title = '=HYPERLINK("http://example.com","点击")'
    save_record(first, staff_user)
    body = list(workbook(filled).active.iter_rows(min_row=4, values_only=True))
    assert len(body) == 3
    row = body[0]
    assert row[0] == "(一)1.1)"
    assert row[2] == "'=HYPERLINK(\"http://example.com\",\"点击\")"
    assert row[3:8] == ("一是全面开展排查。\n二是建立工作台账。", "张副局长", "规划科",
                        "基础教育科", datetime.datetime(2023, 5, 31))
    later = TODAY + datetime.timedelta(days=40)
    assert body[1][8] == f"经批准延期至{cn_date(later)}"


def test_plan_document_is_a_landscape_table_of_the_tasks(filled):
    document = round_plan.build_plan(filled)
    assert document.landscape
    assert document.blocks[0].text.startswith("中共测试市教育局党组关于市委第三巡察组常规巡察")
    table = next(block for block in document.blocks if isinstance(block, Table))
    assert table.headers == [*PLAN_HEADERS, "备注"]
    assert len(table.rows) == RectificationTask.objects.filter(round=filled).count() == 3
    assert table.rows[0][7] == "2023年5月31日"
    word = WordDocument(io.BytesIO(_render(document)))
    assert len(word.tables) == 1 and len(word.tables[0].rows) == 1 + 3
    assert word.sections[0].page_width > word.sections[0].page_height


def test_an_empty_round_gives_an_empty_plan(make_round):
    rnd = make_round()
    rows = list(workbook(rnd).active.iter_rows(min_row=4, values_only=True))
    assert rows == [("本轮巡察尚无整改任务记录。", *([None] * 8))]
    assert not any(isinstance(b, Table) for b in round_plan.build_plan(rnd).blocks)


# -- queries ----------------------------------------------------------------------------------


def grow(rnd, count: int) -> None:
    """Add ``count`` tasks under new categories, each with two measures and a figure."""
    top = ProblemCategory.objects.create(round=rnd, title="新增类别")
    tasks = RectificationTask.objects.bulk_create([
        RectificationTask(round=rnd, category=top, position=i + 1, title=f"问题{i}",
                          status=Status.COMPLETED if i % 3 == 0 else Status.IN_PROGRESS)
        for i in range(count)])
    Measure.objects.bulk_create([Measure(task=task, position=p, text=f"措施{p}")
                                 for task in tasks for p in (1, 2)])
    OutcomeFigure.objects.bulk_create([OutcomeFigure(round=rnd, task=task, kind=FigureKind.LEADS,
                                                     value=Decimal(1), unit="件")
                                       for task in tasks])


@pytest.mark.parametrize("extra", [0, 40])
def test_documents_take_a_fixed_number_of_queries(small_round, extra,
                                                  django_assert_max_num_queries):
    grow(small_round, extra)
    rnd = InspectionRound.objects.get(pk=small_round.pk)
    with django_assert_max_num_queries(round_report.QUERIES):
        report = round_report.build_report(rnd)
    with django_assert_max_num_queries(round_plan.QUERIES):
        round_plan.write_plan_xlsx(rnd, io.BytesIO())
    with django_assert_max_num_queries(round_plan.QUERIES):
        plan = round_plan.build_plan(rnd)
    tasks = 3 + extra
    assert len([b for b in report.blocks if getattr(b, "label", "") == "完成情况："]) == tasks
    assert len(next(b for b in plan.blocks if isinstance(b, Table)).rows) == tasks


@pytest.mark.parametrize("extra", [0, 40])
def test_downloads_take_a_fixed_number_of_queries(small_round, extra, clerk_user):
    grow(small_round, extra)
    client = login(clerk_user)
    for name in ("work:round_report", "work:round_plan_xlsx", "work:round_plan_docx"):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse(name, args=[small_round.pk]))
        assert response.status_code == 200
        # session, user, roles, the clerk's bureaus, the round, the count of its tasks (a
        # download, or a background job past DOCUMENT_BACKGROUND_TASKS) and the document's own
        assert len(queries) <= 6 + round_report.QUERIES, name


# -- who may download ---------------------------------------------------------------------------

DOWNLOADS = [("work:round_report", round_report.report_filename,
              "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
             ("work:round_plan_xlsx", lambda rnd: round_plan.plan_filename(rnd, "xlsx"),
              "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
             ("work:round_plan_docx", lambda rnd: round_plan.plan_filename(rnd, "docx"),
              "application/vnd.openxmlformats-officedocument.wordprocessingml.document")]


@pytest.mark.parametrize(("name", "filename", "content_type"), DOWNLOADS)
def test_downloads_for_staff_auditors_and_the_bureau_only(
        name, filename, content_type, small_round, staff_user, auditor_user, clerk_user,
        leader_user, other_clerk, django_user_model, client):
    url = reverse(name, args=[small_round.pk])
    for user in (staff_user, auditor_user, clerk_user, leader_user):
        response = login(user).get(url)
        assert response.status_code == 200, user
        assert response["Content-Type"] == content_type
        disposition = unquote(response["Content-Disposition"])
        assert disposition.startswith("attachment;")
        assert filename(small_round) in disposition
    assert filename(small_round) == {
        "work:round_report": "整改情况报告-测试市教育局-市委第三巡察组常规巡察.docx",
        "work:round_plan_xlsx": "整改方案-测试市教育局-市委第三巡察组常规巡察.xlsx",
        "work:round_plan_docx": "整改方案-测试市教育局-市委第三巡察组常规巡察.docx"}[name]
    assert login(other_clerk).get(url).status_code == 404
    nobody = django_user_model.objects.create_user("nobody", password="x-pw-12345")
    assert login(nobody).get(url).status_code == 404
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/")
    assert login(staff_user).get(reverse(name, args=[small_round.pk + 999])).status_code == 404


def test_downloaded_report_is_the_word_document_of_the_records(filled, auditor_user):
    response = login(auditor_user).get(reverse("work:round_report", args=[filled.pk]))
    word = WordDocument(io.BytesIO(b"".join(response.streaming_content)))
    texts = [p.text for p in word.paragraphs]
    assert texts[0] == "中共测试市教育局党组关于市委第三巡察组常规巡察整改情况的报告"
    assert "二、反馈问题整改落实情况" in texts and "责任领导：张副局长" in texts
    placeholder = next(text for text in texts if text.startswith("（尚未填写下一步工作打算"))
    assert f"http://testserver/work/rounds/{filled.pk}/" in placeholder


# -- the round page and its 下一步工作打算 ------------------------------------------------------


def post_next_steps(client, rnd, text: str, version: int):
    return client.post(reverse("work:round", args=[rnd.pk]),
                       {"next_steps": text, "version": version})


def test_round_page_lists_the_documents(small_round, clerk_user, staff_user, publish,
                                        small_notice):
    publication = publish(small_notice, staff_user)
    page = login(clerk_user).get(reverse("work:round", args=[small_round.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    for name in ("work:round_report", "work:round_plan_xlsx", "work:round_plan_docx"):
        assert reverse(name, args=[small_round.pk]) in html
    assert publication.get_absolute_url() in html
    assert reverse("public:notice_docx", args=[publication.pk]) in html
    assert reverse("public:notice_pdf", args=[publication.pk]) in html
    assert f'{reverse("work:index")}?round={small_round.pk}' in html
    assert 'name="next_steps"' in html


@pytest.mark.parametrize("who", ["clerk", "leader", "staff"])
def test_the_bureau_and_staff_write_next_steps(who, small_round, clerk_user, leader_user,
                                               staff_user):
    user = {"clerk": clerk_user, "leader": leader_user, "staff": staff_user}[who]
    client = login(user)
    response = post_next_steps(client, small_round, "一是巩固成果。\n二是建章立制。",
                               small_round.version)
    assert response.status_code == 302
    rnd = InspectionRound.objects.get(pk=small_round.pk)
    assert rnd.next_steps == "一是巩固成果。\n二是建章立制。"
    assert rnd.version == small_round.version + 1
    last = rnd.history.order_by("-history_date", "-history_id").first()
    assert last.history_user == user and last.history_change_reason == "修改下一步工作打算"
    page = client.get(response["Location"])
    assert "下一步工作打算已保存" in page.content.decode()
    document = round_report.build_report(rnd)
    assert [b.text for b in section(document, "三、下一步工作打算")
            if isinstance(b, Paragraph)] == ["一是巩固成果。", "二是建章立制。"]


def test_auditors_read_next_steps_and_may_not_write_them(small_round, auditor_user, staff_user):
    small_round.next_steps = "一是巩固成果。"
    save_record(small_round, staff_user)
    client = login(auditor_user)
    page = client.get(reverse("work:round", args=[small_round.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "一是巩固成果。" in html and 'name="next_steps"' not in html
    refused = post_next_steps(client, small_round, "改写", small_round.version)
    assert refused.status_code == 403
    assert InspectionRound.objects.get(pk=small_round.pk).next_steps == "一是巩固成果。"


def test_another_bureau_does_not_see_the_round(small_round, other_clerk):
    client = login(other_clerk)
    assert client.get(reverse("work:round", args=[small_round.pk])).status_code == 404
    assert post_next_steps(client, small_round, "改写", small_round.version).status_code == 404
    assert InspectionRound.objects.get(pk=small_round.pk).next_steps == ""


def test_a_stale_form_is_refused_saying_who_saved_first(small_round, clerk_user, leader_user):
    read = small_round.version
    first = post_next_steps(login(leader_user), small_round, "负责人的打算。", read)
    assert first.status_code == 302
    response = post_next_steps(login(clerk_user), small_round, "联络员的打算。", read)
    assert response.status_code == 409
    html = response.content.decode()
    assert "保存失败" in html and "leader_a" in html and "负责人的打算。" in html
    assert "联络员的打算。</textarea>" in html  # the user's text is kept in the form
    assert InspectionRound.objects.get(pk=small_round.pk).next_steps == "负责人的打算。"


def test_the_rule_says_who_writes_next_steps(small_round, staff_user, auditor_user, clerk_user,
                                             leader_user, other_clerk):
    from rectify.rules import permissions

    assert [permissions.can_edit_round_report(user, small_round) for user in (
        staff_user, auditor_user, clerk_user, leader_user, other_clerk)] == [
        True, False, True, True, False]


def test_staff_write_next_steps_in_the_admin(small_round, staff_user):
    page = login(staff_user).get(reverse("admin:rectify_inspectionround_change",
                                         args=[small_round.pk]))
    html = page.content.decode()
    assert 'name="next_steps"' in html
    assert reverse("work:round_report", args=[small_round.pk]) in html


# -- links where users look -------------------------------------------------------------------


def test_work_pages_link_to_the_documents(seeded):
    xuchang = InspectionRound.objects.get(party_group__name="中共许昌市教育局党组")
    report = reverse("work:round_report", args=[xuchang.pk])
    clerk = demo_client("clerk_xuchang")
    assert report in clerk.get(reverse("work:index")).content.decode()
    filtered = clerk.get(reverse("work:index"), {"round": xuchang.pk}).content.decode()
    assert report in filtered and reverse("work:round_plan_docx", args=[xuchang.pk]) in filtered
    overview = demo_client("auditor").get(reverse("work:overview")).content.decode()
    assert report in overview and reverse("work:round", args=[xuchang.pk]) in overview
    xinye = InspectionRound.objects.get(party_group__name="中共新野县教育体育局党组")
    assert reverse("work:round_report", args=[xinye.pk]) not in clerk.get(
        reverse("work:overview")).content.decode()


def test_file_labels_leave_out_what_file_systems_refuse(make_round):
    rnd = make_round(title='2024/第一轮:"专项"巡察')
    assert round_records.file_label(rnd) == "测试市教育局-2024第一轮专项巡察"
    assert round_report.report_title(rnd) == (
        "中共测试市教育局党组关于2024/第一轮:\"专项\"巡察整改情况的报告")


def test_saving_next_steps_is_atomic_with_its_history(small_round, clerk_user):
    from rectify.services.next_steps import save_next_steps

    before = small_round.history.count()
    with transaction.atomic():
        save_next_steps(small_round, clerk_user, "  一是巩固。  \n\n")
    rnd = InspectionRound.objects.get(pk=small_round.pk)
    assert rnd.next_steps == "一是巩固。" and rnd.history.count() == before + 1


def test_round_page_keeps_the_strict_policy_and_downloads_are_private(small_round, clerk_user):
    from tests.test_security_headers import assert_strict_policy, inline_code, private

    client = login(clerk_user)
    page = client.get(reverse("work:round", args=[small_round.pk]))
    assert_strict_policy(page)
    assert inline_code(page) == [] and private(page)
    for name in ("work:round_report", "work:round_plan_xlsx", "work:round_plan_docx"):
        assert private(client.get(reverse(name, args=[small_round.pk]))), name
