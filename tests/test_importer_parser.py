"""The notice parser on the two real seed notices and on small synthetic notices.

Plain pytest, no database: run with ``pytest -p no:django tests/test_importer_parser.py``.
"""

from __future__ import annotations

import datetime
import json
import textwrap
from collections import Counter
from pathlib import Path

import pytest

from rectify.notice_import import ParsedNotice, parse_notice, read_notice_file
from rectify.notice_import.label_marks import find_measure_ordinal, match_heading, match_label
from rectify.notice_import.status_words import canonical_status, parse_deadline

SEEDS = Path(__file__).resolve().parent.parent / "fixtures" / "notices"
XINYE = SEEDS / "000_d41cc051d79ffcc9.txt"
XUCHANG = SEEDS / "001_eae98d11af12162c.txt"


@pytest.fixture(scope="module")
def xinye() -> ParsedNotice:
    return parse_notice(read_notice_file(XINYE))


@pytest.fixture(scope="module")
def xuchang() -> ParsedNotice:
    return parse_notice(read_notice_file(XUCHANG))


def parse(text: str) -> ParsedNotice:
    return parse_notice(textwrap.dedent(text).strip("\n"))


def find(notice: ParsedNotice, *labels: str):
    """The node reached by following printed labels from the top of the tree."""
    nodes, node = notice.nodes, None
    for label in labels:
        node = next(n for n in nodes if n.label == label)
        nodes = node.children
    return node


def messages(notice: ParsedNotice) -> list[str]:
    return [doubt.message for doubt in notice.doubts]


# ----------------------------------------------------------------------------------------
# Xinye: continuous numbering, measures one per paragraph, outcomes, no results


def test_xinye_counts(xinye):
    assert len(xinye.nodes) == 4
    assert all(node.kind == "category" for node in xinye.nodes)
    assert xinye.task_count == 12
    assert xinye.measure_count == 46
    assert [len(t.measures) for t in xinye.tasks] == [3, 4, 5, 4, 3, 4, 5, 3, 5, 3, 4, 3]
    assert xinye.doubts == []


def test_xinye_header_footer_and_opening(xinye):
    assert xinye.title == "中共新野县教育体育局党组关于上下联动专项巡察整改进展情况的通报"
    assert xinye.issuer == "中共新野县教育体育局党组"
    assert xinye.signature == "中共新野县教育体育局党组"
    assert xinye.date == datetime.date(2024, 10, 10)
    assert len(xinye.opening) == 1
    assert xinye.opening[0].startswith("根据省委第九巡视组上下联动巡察工作要求")
    assert xinye.overall_heading == "" and xinye.overall == []
    assert xinye.problems_heading == ""
    assert xinye.closing == "" and xinye.contacts == {}


def test_xinye_bookmarks_are_gone(xinye):
    dumped = json.dumps(xinye.to_dict(), ensure_ascii=False)
    assert "bookmark" not in dumped
    assert "_GoBack" not in dumped


def test_xinye_categories_strip_counts(xinye):
    first, second, third, fourth = xinye.nodes
    assert first.label == "一、" and first.mark_format == "{cn}、" and first.number == "一、"
    assert first.title == "关于“态度不坚决，推进巡察审计反馈问题持续整改成效不明显”方面"
    assert third.title == "履职尽责不到位，推动教育高质量发展改革担当作为不够方面"
    assert [n.stated_count for n in xinye.nodes] == [1, 4, 3, 4]
    assert [len(n.children) for n in xinye.nodes] == [1, 4, 3, 4]
    assert second.line == 12 and fourth.line == 61
    assert xinye.show_task_counts is True


def test_xinye_continuous_numbering(xinye):
    assert xinye.numbering == "continuous"
    assert xinye.task_format == "{n}."
    assert xinye.level_formats == ["{cn}、", "{n}."]
    assert [t.label for t in xinye.tasks] == [f"{i}." for i in range(1, 13)]
    assert [t.number for t in xinye.tasks] == [f"{i}." for i in range(1, 13)]
    task6 = xinye.nodes[2].children[0]
    assert task6.label == "6." and task6.ordinal == 6
    assert task6.title == "关于“深入调研不足，选树优秀教育领导班子行动迟缓”的问题"


def test_xinye_tasks(xinye):
    tasks = xinye.tasks
    assert all(t.progress_label == "整改进展情况" for t in tasks)
    assert all(t.result == "" and t.status is None for t in tasks)
    assert xinye.measures_inline is False
    first = tasks[0]
    assert first.line == 6
    assert first.measures[0].text.startswith("县教体局于5月26日")
    assert first.measures[0].line == 8
    assert first.outcome == (
        "经过整改，系统财务人员业务能力普遍得到提高，派车、租车管理进一步标准化、规范化。"
    )
    # Indented measures (lines 22-23) and an outcome that opens with a year.
    third = tasks[2]
    assert third.measures[1].text.startswith("组织党组书记、校长培训。")
    assert third.measures[1].line == 22
    assert third.outcome.startswith("2024年以来，通过开展多形式")
    # Any paragraph after the measures is the outcome, whatever its opening words.
    assert tasks[4].outcome.startswith("高层次、师范类专业型人才的引进")
    assert tasks[1].outcome == "" and tasks[5].outcome == ""
    # Task 9's label line is indented.
    assert tasks[8].progress_label == "整改进展情况" and len(tasks[8].measures) == 5
    assert tasks[8].outcome.startswith("通过整改，教育系统内部管理得到加强")


def test_xinye_round_facts(xinye):
    assert xinye.round == {
        "inspecting_body": "县委上下联动专项巡察组",
        "kind": "上下联动专项巡察",
        "superior_body": "省委第九巡视组",
        "inspection_start": "2024-03-15",
        "inspection_end": "2024-04-10",
        "feedback_date": "2024-05-22",
        "rectification_period": None,
        "rectification_months": None,
    }


# ----------------------------------------------------------------------------------------
# Xuchang: web header, overall section, nested tree with tasks at depth 3 and 4


def test_xuchang_counts(xuchang):
    print("Xuchang:", xuchang.task_count, "tasks,", xuchang.measure_count, "measures")
    assert xuchang.task_count == 53
    assert xuchang.measure_count == 187
    assert len(xuchang.categories) == 23
    assert len(xuchang.nodes) == 3


def test_xuchang_results(xuchang):
    results = Counter(t.result for t in xuchang.tasks)
    assert results == {
        "已完成": 6,
        "已完成,长期坚持": 35,
        "已完成整改,长期推进": 1,
        "已完成部分整改,长期坚持": 2,
        "正在推进": 8,
        "正在推进,2023年底前完成": 1,
    }
    statuses = Counter(t.status for t in xuchang.tasks)
    assert statuses == {"completed": 6, "completed_longterm": 36, "in_progress": 11}
    deadlines = [t for t in xuchang.tasks if t.deadline]
    assert len(deadlines) == 1
    assert deadlines[0].deadline == datetime.date(2023, 12, 31)
    assert deadlines[0].title == "落实上轮巡察整改不彻底。"


def test_xuchang_header_sections_and_closing(xuchang):
    assert xuchang.title == "中共许昌市教育局党组关于巡察整改情况的通报"
    assert xuchang.issuer == "中共许昌市教育局党组"
    assert xuchang.date == datetime.date(2023, 7, 18)
    assert xuchang.signature == ""
    assert len(xuchang.opening) == 2
    assert xuchang.opening[0].startswith("2022年11月21日至12月30日,市委第三巡察组")
    assert xuchang.overall_heading == "一、整体推进情况"
    assert len(xuchang.overall) == 2
    assert xuchang.overall[1].startswith("一是层层压实整改责任。")
    assert xuchang.problems_heading == "二、问题整改情况"
    assert xuchang.closing.startswith("欢迎广大干部群众对巡察整改落实情况进行监督。")
    assert xuchang.contacts == {
        "phone": "0374-2699812",
        "address": "许昌市创业中心B座20楼2015-2房间",
        "email": "xcsjyjdb@126.com",
    }


def test_xuchang_nested_numbering(xuchang):
    assert xuchang.numbering == "nested"
    assert xuchang.task_format == ""
    assert xuchang.level_formats == ["({cn})", "{n}.", "{n})", "{circled}"]
    assert xuchang.show_task_counts is False
    assert xuchang.measures_inline is True
    top = xuchang.nodes[1]
    assert (top.label, top.title) == ("(二)", "全面从严氛围不浓,教育系统作风纪律松懈")
    assert top.mark_format == "({cn})"
    node = find(xuchang, "(二)", "1.", "1)", "③")
    assert node.kind == "task"
    assert node.title == "落实上轮巡察整改不彻底。"
    assert node.number == "③"
    assert node.result == "正在推进,2023年底前完成"
    assert len(node.measures) == 6


def test_xuchang_tasks_at_depth_three_and_four(xuchang):
    third = find(xuchang, "(一)", "3.")
    assert [(c.label, c.kind) for c in third.children] == [
        ("1)", "category"), ("2)", "task"), ("3)", "category"),
    ]
    depth3 = third.children[1]
    assert depth3.title == "推进党委领导下的校长负责制效果不明显。"
    assert depth3.number == "2)" and depth3.line == 201
    assert len(depth3.measures) == 3 and depth3.result == "已完成,长期坚持"
    depth4 = find(xuchang, "(一)", "1.", "1)", "①")
    assert depth4.kind == "task"
    assert depth4.title == "老教育三年攻坚统筹推进不足,新教育三年攻坚计划未完成。"
    assert depth4.progress_label == "整改情况"
    assert depth4.measures[0].text == "全面开展排查。"
    assert depth4.measures[1].text.startswith("建立工作台账。向各县(市、区)下发整改通知")
    assert depth4.measures[2].text.startswith("推进项目进展。")
    assert depth4.result == "正在推进" and depth4.status == "in_progress"
    assert depth4.line == 23 and depth4.measures[0].line == 25


def test_xuchang_single_measure_without_ordinal(xuchang):
    node = find(xuchang, "(一)", "1.", "2)", "③")
    assert node.title == "质量提升不足。"
    assert len(node.measures) == 1
    assert node.measures[0].text.startswith("加大对普通高中的教育教学指导。")


def test_xuchang_skipped_circled_label(xuchang):
    parent = find(xuchang, "(二)", "3.", "1)")
    assert parent.title == "重要事项监管不严。"
    assert [c.label for c in parent.children] == ["①", "②", "④", "⑤"]
    assert [c.number for c in parent.children] == ["①", "②", "③", "④"]
    gap = next(d for d in xuchang.doubts if d.line == 301)
    assert gap.message.startswith("第301行：编号“④”与推算编号“③”不一致，已按原文保留")
    assert "跳过了“③”" in gap.message
    assert [d.line for d in xuchang.doubts] == [301, 307]


def test_xuchang_round_facts(xuchang):
    assert xuchang.round == {
        "inspecting_body": "市委第三巡察组",
        "kind": "常规巡察",
        "superior_body": None,
        "inspection_start": "2022-11-21",
        "inspection_end": "2022-12-30",
        "feedback_date": "2023-02-28",
        "rectification_period": "3个月的集中整改",
        "rectification_months": 3,
    }


def test_to_dict_is_json_safe(xinye, xuchang):
    for notice in (xinye, xuchang):
        data = json.loads(json.dumps(notice.to_dict(), ensure_ascii=False))
        assert data["task_count"] == notice.task_count
        assert data["measure_count"] == notice.measure_count
        assert data["date"] == notice.date.isoformat()
    data = xuchang.to_dict()
    task = data["nodes"][1]["children"][0]["children"][0]["children"][2]
    assert task["deadline"] == "2023-12-31"
    assert task["measures"][0] == {"text": task["measures"][0]["text"], "line": 247}


# ----------------------------------------------------------------------------------------
# Synthetic notices: formats other issuers use


FULL_WIDTH = """
    中共某某县卫生健康委员会党组
    关于巡察整改情况的通报
    2023年3月1日至4月30日，县委第二巡察组对县卫健委党组开展了专项巡察。6月5日，县委第二巡察组反馈了巡察意见。
    （一）组织建设方面，共2项
    １．支部建设薄弱
    整改措施：一是完善制度。二是加强培训。
    整改结果：已完成。
    ２．党员管理不严
    整改措施
    全面排查党员信息。
    整改结果 正在推进，2024年6月底前完成
    （二）作风建设方面（共2个问题）
    （1）会风不实
    整改情况：一是精简会议；二是规范文件，十一是不该拆分。
    完成情况：基本完成
    （2）接待超标
    整改情况：一是严控标准，二是公务卡结算。
    整改成效：经过整改，接待费明显下降。
    整改结果：整改中，2024年6月15日前完成
"""


def test_full_width_marks_and_labels_without_colon():
    notice = parse(FULL_WIDTH)
    assert notice.title == "中共某某县卫生健康委员会党组关于巡察整改情况的通报"
    assert notice.issuer == "中共某某县卫生健康委员会党组"
    first, second = notice.nodes
    assert (first.label, first.mark_format, first.title) == ("（一）", "（{cn}）", "组织建设方面")
    assert first.stated_count == 2 and second.stated_count == 2
    assert second.title == "作风建设方面"
    task = first.children[0]
    assert (task.label, task.mark_format, task.ordinal) == ("１．", "{n}．", 1)
    assert task.progress_label == "整改措施"
    assert [m.text for m in task.measures] == ["完善制度。", "加强培训。"]
    assert (task.result, task.status) == ("已完成", "completed")
    no_colon = first.children[1]
    assert [m.text for m in no_colon.measures] == ["全面排查党员信息。"]
    assert no_colon.result == "正在推进，2024年6月底前完成"
    assert no_colon.status == "in_progress"
    assert no_colon.deadline == datetime.date(2024, 6, 30)
    paren = second.children[0]
    assert (paren.label, paren.mark_format) == ("（1）", "（{n}）")
    assert [m.text for m in paren.measures] == ["精简会议；", "规范文件，十一是不该拆分。"]
    assert (paren.result, paren.status) == ("基本完成", "completed")
    last = second.children[1]
    assert last.outcome == "经过整改，接待费明显下降。"
    assert last.deadline == datetime.date(2024, 6, 15)
    assert notice.show_task_counts is True
    assert notice.level_formats == ["（{cn}）", "{n}．"]
    # Two formats at one depth: the derived numbers use the first; the others are flagged.
    assert messages(notice) == [
        "第13行：编号“（1）”与本级格式推算的“1．”不一致（同级编号格式不统一），已按原文保留",
        "第16行：编号“（2）”与本级格式推算的“2．”不一致（同级编号格式不统一），已按原文保留",
    ]
    assert notice.round["kind"] == "专项巡察"
    assert notice.round["inspecting_body"] == "县委第二巡察组"
    assert notice.round["feedback_date"] == "2023-06-05"


def test_dun_marks_and_measures_as_paragraphs():
    notice = parse("""
        一、政治建设方面
        1、学习不深入
        整改措施：
        一是健全学习制度。
        二是开展专题研讨。
        三是建立考核机制。
        2、落实不到位
        整改措施：
        一是建立督办机制。
        督办机制的补充说明。
        二是开展专项检查。
        目前问题已全部整改到位。
    """)
    category = notice.nodes[0]
    assert category.label == "一、"
    first, second = category.children
    assert first.mark_format == "{n}、"
    assert [m.text for m in first.measures] == [
        "健全学习制度。", "开展专题研讨。", "建立考核机制。",
    ]
    # A paragraph between two numbered measures continues the first one.
    assert second.measures[0].text == "建立督办机制。\n督办机制的补充说明。"
    assert second.outcome == "目前问题已全部整改到位。"
    assert notice.measures_inline is False
    assert notice.level_formats == ["{cn}、", "{n}、"]
    assert notice.doubts == [], messages(notice)


def test_numbered_measures_inside_a_task_are_not_headings():
    notice = parse("""
        （一）作风方面
        1.会议过多
        整改措施：
        （1）精简会议。
        （2）合并发文。
        整改结果：已完成，长期坚持
        2.文件过多
        整改措施：
        （1）控制发文。
        整改结果：持续推进
    """)
    first, second = notice.nodes[0].children
    assert [m.text for m in first.measures] == ["精简会议。", "合并发文。"]
    assert first.status == "completed_longterm"
    assert [m.text for m in second.measures] == ["控制发文。"]
    assert second.status == "in_progress"
    assert notice.task_count == 2


def test_single_paragraph_tasks_without_labels_or_results():
    notice = parse("""
        1.问题甲
        已建立台账，开展督查3次。
        经过整改，成效明显。
        2.问题乙
        通过整改，问题已解决。
    """)
    first, second = notice.nodes
    assert [m.text for m in first.measures] == ["已建立台账，开展督查3次。"]
    assert first.outcome == "经过整改，成效明显。"
    assert first.progress_label == "" and first.result == ""
    assert second.measures == [] and second.outcome == "通过整改，问题已解决。"
    assert notice.numbering == "nested"
    assert notice.doubts == [], messages(notice)


def test_results_with_deadlines_and_status_vocabulary():
    notice = parse("""
        一、类别
        1.甲
        整改情况：措施。
        整改结果：已整改
        2.乙
        整改情况：措施。
        整改结果：
        长期坚持
        3.丙
        整改情况：措施。
        整改结果：正在推进，2023年底前完成
        4.丁
        整改情况：措施。
        整改结果：暂不处理
        5.戊
        整改情况：措施。
        整改结果：已完成。经过整改，问题得到解决。
        6.己（已完成，长期坚持）
        整改情况：措施。
    """)
    tasks = notice.tasks
    assert [(t.result, t.status) for t in tasks] == [
        ("已整改", "completed"),
        ("长期坚持", "completed_longterm"),
        ("正在推进，2023年底前完成", "in_progress"),
        ("暂不处理", None),
        ("已完成", "completed"),
        ("已完成，长期坚持", "completed_longterm"),
    ]
    assert tasks[2].deadline == datetime.date(2023, 12, 31)
    assert tasks[4].outcome == "经过整改，问题得到解决。"
    assert tasks[5].title == "己"
    assert any("整改结果“暂不处理”无法对应到标准状态" in m for m in messages(notice))
    assert all(d.message.startswith(f"第{d.line}行：") for d in notice.doubts)


def test_inline_label_on_the_heading_line():
    notice = parse("""
        （一）学习方面
        1.关于学习不深入的问题。整改情况：一是健全制度；二是开展研讨。整改结果：已完成。
        2.关于落实不到位的问题
        整改情况：建立机制。
    """)
    first = notice.nodes[0].children[0]
    assert first.title == "关于学习不深入的问题。"
    assert [m.text for m in first.measures] == ["健全制度；", "开展研讨。"]
    assert first.result == "已完成"


def test_preamble_before_first_measure_is_kept_with_a_doubt():
    notice = parse("""
        1.问题甲
        整改情况：高度重视，采取以下措施：一是排查；二是整改。
    """)
    task = notice.nodes[0]
    assert [m.text for m in task.measures] == ["高度重视，采取以下措施：排查；", "整改。"]
    assert any("引导语" in m for m in messages(notice))


def test_skipped_repeated_and_out_of_order_labels():
    notice = parse("""
        一、类别
        （1）甲
        整改措施：措施一。
        （1）乙
        整改措施：措施二。
        （4）丙
        整改措施：措施三。
        （3）丁
        整改措施：措施四。
    """)
    labels = [t.label for t in notice.tasks]
    assert labels == ["（1）", "（1）", "（4）", "（3）"]
    assert [t.number for t in notice.tasks] == ["（1）", "（2）", "（3）", "（4）"]
    found = messages(notice)
    assert any(m.startswith("第4行：编号“（1）”与推算编号“（2）”不一致") and "重复" in m
               for m in found)
    assert any(m.startswith("第6行：编号“（4）”与推算编号“（3）”") and "跳过了“（2）”至“（3）”" in m
               for m in found)
    assert any(m.startswith("第8行：编号“（3）”与推算编号“（4）”") and "顺序颠倒" in m
               for m in found)
    assert notice.task_count == 4


def test_skipped_measure_ordinal_is_a_doubt():
    notice = parse("""
        1.问题
        整改情况：一是甲；三是丙；四是丁。
    """)
    assert [m.text for m in notice.nodes[0].measures] == ["甲；", "丙；", "丁。"]
    assert any("缺少“二是”" in m for m in messages(notice))


def test_stated_count_mismatch_is_a_doubt():
    notice = parse("""
        一、甲方面，共3项整改任务
        1.问题
        整改情况：措施。
        二、乙方面，共1项整改任务
    """)
    first, second = notice.nodes
    assert first.stated_count == 3 and first.title == "甲方面"
    assert second.kind == "category" and second.children == []
    found = messages(notice)
    assert any("标题注明共3项整改任务，实际识别到1项" in m for m in found)
    assert any(m.startswith("第4行：") and "没有任何整改任务" in m for m in found)


def test_heading_without_content_is_a_doubt():
    notice = parse("""
        1.问题甲
        整改情况：措施。
        2.问题乙
    """)
    assert notice.task_count == 2
    assert any(m.startswith("第3行：") and "下没有内容" in m for m in messages(notice))


def test_overall_section_with_subsections_and_trailing_plans():
    notice = parse("""
        一、整改工作总体情况
        （一）加强组织领导
        成立领导小组。
        二、具体问题整改情况
        （一）政治建设方面
        1.学习不深入
        整改情况：健全制度。
        整改结果：已完成
        三、下一步工作打算
        持续巩固整改成果。
        欢迎监督。联系电话：0371-12345678，电子邮箱：abc@example.com
        中共某某党组
        二〇二三年五月二十日
    """)
    assert notice.overall_heading == "一、整改工作总体情况"
    assert notice.overall == ["（一）加强组织领导", "成立领导小组。"]
    assert notice.problems_heading == "二、具体问题整改情况"
    assert [n.label for n in notice.nodes] == ["（一）"]
    assert notice.level_formats == ["（{cn}）", "{n}."]
    assert notice.closing.splitlines()[:2] == ["三、下一步工作打算", "持续巩固整改成果。"]
    assert notice.contacts == {"phone": "0371-12345678", "email": "abc@example.com"}
    assert notice.signature == "中共某某党组"
    assert notice.date == datetime.date(2023, 5, 20)


def test_empty_document():
    for text in ("", "   \n\n\t  \n"):
        notice = parse_notice(text)
        assert notice.nodes == [] and notice.task_count == 0
        assert len(notice.doubts) == 1
        assert "为空" in notice.doubts[0].message


def test_document_without_problems():
    notice = parse("""
        关于做好整改工作的通知
        请各单位认真学习，抓好落实。
        欢迎监督。电话：0371-1234567
    """)
    assert notice.nodes == [] and notice.task_count == 0
    assert notice.title == "关于做好整改工作的通知"
    assert notice.opening == ["请各单位认真学习，抓好落实。"]
    assert notice.contacts == {"phone": "0371-1234567"}
    assert len(notice.doubts) == 1 and "未识别到问题清单" in notice.doubts[0].message


def test_feedback_year_rolls_over_and_kinds():
    notice = parse("""
        根据省委统一部署，2022年11月1日至12月20日，省委第二巡视组对某某局党组进行了巡视，1月10日反馈了巡视意见。
        1.问题
        整改情况：措施。
    """)
    assert notice.round["inspection_end"] == "2022-12-20"
    assert notice.round["feedback_date"] == "2023-01-10"
    assert notice.round["kind"] == "巡视"
    assert notice.round["inspecting_body"] == "省委第二巡视组"


# ----------------------------------------------------------------------------------------
# Building blocks


@pytest.mark.parametrize(
    ("text", "label", "fmt", "ordinal"),
    [
        ("一、总体情况", "一、", "{cn}、", 1),
        ("(十二)标题", "(十二)", "({cn})", 12),
        ("（三）标题", "（三）", "（{cn}）", 3),
        ("1.标题", "1.", "{n}.", 1),
        ("12、标题", "12、", "{n}、", 12),
        ("１．标题", "１．", "{n}．", 1),
        ("3)标题", "3)", "{n})", 3),
        ("3）标题", "3）", "{n}）", 3),
        ("(4)标题", "(4)", "({n})", 4),
        ("（4）标题", "（4）", "（{n}）", 4),
        ("⑳标题", "⑳", "{circled}", 20),
        ("㉑标题", "㉑", "{circled}", 21),
        ("⑵标题", "⑵", "({n})", 2),
    ],
)
def test_heading_marks(text, label, fmt, ordinal):
    mark = match_heading(text)
    assert mark is not None
    assert (mark.label, mark.mark_format, mark.ordinal) == (label, fmt, ordinal)
    assert mark.rest == text[len(label):]


@pytest.mark.parametrize(
    "text",
    [
        "2023年7月18日", "1.5亿元投入", "3、4月份开展", "一是加强领导", "一、二年级学生",
        "(以下简称)",
    ],
)
def test_not_heading_marks(text):
    assert match_heading(text) is None


@pytest.mark.parametrize(
    ("text", "kind", "printed", "rest"),
    [
        ("整改情况:一是排查。", "progress", "整改情况", "一是排查。"),
        ("整改进展情况：", "progress", "整改进展情况", ""),
        ("整改措施", "progress", "整改措施", ""),
        ("整改措施及成效：略", "progress", "整改措施及成效", "略"),
        ("【整改结果】已完成", "result", "整改结果", "已完成"),
        ("整改结果已完成", "result", "整改结果", "已完成"),
        ("完成情况：基本完成", "result", "完成情况", "基本完成"),
        ("整改时限：2024年6月底前", "deadline", "整改时限", "2024年6月底前"),
    ],
)
def test_labels(text, kind, printed, rest):
    label = match_label(text)
    assert label is not None
    assert (label.kind, label.printed, label.rest) == (kind, printed, rest)


@pytest.mark.parametrize("text", ["整改以来，已督查5次。", "整改情况良好", "完成情况较好的单位"])
def test_not_labels(text):
    assert match_label(text) is None


def test_inline_ordinals_need_a_boundary():
    assert find_measure_ordinal("甲。二是乙", 2) == 2
    assert find_measure_ordinal("这个二是指", 2) == -1
    assert find_measure_ordinal("十一是甲", 1) == -1
    assert find_measure_ordinal("甲；十一是乙", 11) == 2


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("已完成", "completed"),
        ("已完成，长期坚持", "completed_longterm"),
        ("已完成整改，长期推进", "completed_longterm"),
        ("已完成部分整改，长期坚持", "in_progress"),
        ("正在推进", "in_progress"),
        ("正在推进，2023年底前完成", "in_progress"),
        ("基本完成", "completed"),
        ("持续推进", "in_progress"),
        ("长期坚持", "completed_longterm"),
        ("已整改", "completed"),
        ("整改中", "in_progress"),
        ("暂缓", None),
        ("", None),
    ],
)
def test_canonical_status(text, status):
    assert canonical_status(text) == status


@pytest.mark.parametrize(
    ("text", "deadline"),
    [
        ("正在推进，2023年底前完成", datetime.date(2023, 12, 31)),
        ("2024年6月底前", datetime.date(2024, 6, 30)),
        ("2024年2月底前完成", datetime.date(2024, 2, 29)),
        ("2024年6月15日前", datetime.date(2024, 6, 15)),
        ("2024年上半年前完成", datetime.date(2024, 6, 30)),
        ("已完成", None),
        ("已完成（2023年5月）", None),
    ],
)
def test_parse_deadline(text, deadline):
    assert parse_deadline(text) == deadline


def test_central_inspection_round_facts():
    notice = parse("""
        2023年4月10日至6月10日，中央第十五巡视组对某某集团党委开展了常规巡视。8月20日，中央巡视组向某某集团党委反馈了巡视意见。
        一、问题
        1.甲
        整改情况：措施。
    """)
    assert notice.round["inspecting_body"] == "中央第十五巡视组"
    assert notice.round["kind"] == "常规巡视"
    assert notice.round["superior_body"] is None
    assert notice.round["inspection_start"] == "2023-04-10"
    assert notice.round["feedback_date"] == "2023-08-20"


def test_single_category_is_not_mistaken_for_the_problems_heading():
    notice = parse("""
        一、政治建设问题
        1.甲
        整改情况：措施。
        2.乙
        整改情况：措施。
    """)
    assert notice.problems_heading == ""
    assert [(n.label, n.title, n.kind) for n in notice.nodes] == [
        ("一、", "政治建设问题", "category"),
    ]
    wrapped = parse("""
        一、巡察反馈问题整改落实情况
        1.甲
        整改情况：措施。
    """)
    assert wrapped.problems_heading == "一、巡察反馈问题整改落实情况"
    assert [n.label for n in wrapped.nodes] == ["1."]
