"""The parser on synthetic notices in the styles other issuers publish (tests/data/notices).

Each notice imitates a published 巡察/巡视整改 notice of another sector and layout; the tests
pin the structure a person reading it would expect. Plain pytest; only the last fixture test
(loading every notice through the loader) uses the database.
"""

from __future__ import annotations

import datetime
import io
import json
import re
import textwrap
from collections import Counter
from pathlib import Path

import docx
import pytest

from rectify.notice_import import ParsedNotice, parse_notice, read_notice_file
from rectify.notice_import import label_marks as marks

DATA = Path(__file__).resolve().parent / "data" / "notices"
FILES = sorted(DATA.glob("*.txt"))


def load(name: str) -> ParsedNotice:
    return parse_notice(read_notice_file(DATA / name))


def messages(notice: ParsedNotice) -> list[str]:
    return [doubt.message for doubt in notice.doubts]


def results(notice: ParsedNotice) -> list[tuple[str, str | None]]:
    return [(task.result, task.status) for task in notice.tasks]


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


# ----------------------------------------------------------------------------------------
# Properties every fixture keeps


_CLAUSE_SPLIT = re.compile(r"[。；;，,：:、（）()“”《》【】\s]+")
# Printed ordinals and label words are not problem text; the parser drops them on purpose.
_ORDINAL = re.compile(
    r"[一二三四五六七八九十]{1,2}是|^[0-9０-９]{1,2}[.．、]|^[一二三四五六七八九十]{1,3}、"
    r"|^[①-⑳]|^[（(][0-9０-９]{1,2}[)）]"
)
_LABEL_WORDS = {*marks.PROGRESS_WORDS, *marks.RESULT_WORDS, *marks.DEADLINE_WORDS,
                *marks.LEADER_WORDS, *marks.UNIT_WORDS, *marks.PROBLEM_WORDS}
_FURNITURE = re.compile(
    r"当前|首页|来源|浏览|打印|关闭|索引号|发布|分享|字号|上一篇|下一篇|〔\d{4}〕\d+号|^[〇一二三四五六七八九]{4}年"
)


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_every_problem_line_ends_up_somewhere(path):
    """Each clause of each line is in a title, measure, outcome, result, fact or doubt."""
    text = read_notice_file(path)
    notice = parse_notice(text)
    placed = [notice.title, *notice.opening, notice.overall_heading, *notice.overall,
              notice.problems_heading, notice.closing, notice.signature,
              *(d.message for d in notice.doubts)]
    for node in notice.iter_nodes():
        placed.extend([node.label + node.title, node.outcome, node.result, node.problem,
                       node.responsible_leader, node.responsible_department,
                       node.deadline_text])
        placed.extend(measure.text for measure in node.measures)
    haystack = _squash("\n".join(placed))
    for line in text.splitlines():
        if _FURNITURE.search(line) or re.fullmatch(r"\s*\d{4}年\d{1,2}月\d{1,2}日\s*", line):
            continue
        for clause in _CLAUSE_SPLIT.split(line):
            clause = _ORDINAL.sub("", clause)
            if len(clause) < 4 or clause in _LABEL_WORDS:
                continue
            if re.match(r"共[0-9一二三四五六七八九十]+[个项]", clause):
                continue
            assert clause in haystack, f"{path.name}: “{clause}” of “{line.strip()}” lost"


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_fixtures_are_json_safe_and_numbered(path):
    notice = parse_notice(read_notice_file(path))
    data = json.loads(json.dumps(notice.to_dict(), ensure_ascii=False))
    assert data["task_count"] == notice.task_count > 0
    for task in notice.tasks:
        assert task.number and task.line > 0
        for doubt in notice.doubts:
            assert doubt.message.startswith(f"第{doubt.line}行：")


# ----------------------------------------------------------------------------------------
# a) health: overall section, wrapper, results under "整改进展", plans, contacts


@pytest.fixture(scope="module")
def health() -> ParsedNotice:
    return load("a_health_overall_progress.txt")


def test_health_header_sections_and_footer(health):
    assert health.title == "中共江州市卫生健康委员会党组关于市委巡察整改进展情况的通报"
    assert health.issuer == health.signature == "中共江州市卫生健康委员会党组"
    assert health.date == datetime.date(2023, 11, 20)
    assert len(health.opening) == 1 and health.opening[0].startswith("根据市委统一部署")
    assert health.overall_heading == "一、提高政治站位，扛牢整改主体责任"
    assert len(health.overall) == 2
    assert health.overall[0].startswith("委党组坚持把巡察整改作为重大政治任务")
    assert health.problems_heading == "二、巡察反馈问题整改情况"
    assert health.closing.splitlines()[0] == "三、下一步工作打算"
    assert "欢迎广大干部群众" in health.closing
    assert health.contacts == {
        "phone": "0791-86201234",
        "address": "江州市青山路88号市卫生健康委员会办公室",
        "email": "jzwjwzg@163.com",
    }


def test_health_tree_and_results(health):
    assert [(n.label, n.title) for n in health.nodes] == [
        ("（一）", "贯彻落实党的路线方针政策和上级决策部署方面"),
        ("（二）", "落实全面从严治党“两个责任”方面"),
        ("（三）", "落实新时代党的组织路线方面"),
    ]
    assert [len(n.children) for n in health.nodes] == [3, 2, 2]
    assert health.task_count == 7 and health.measure_count == 17
    assert [len(t.measures) for t in health.tasks] == [3, 2, 3, 2, 3, 2, 2]
    assert results(health) == [
        ("已完成", "completed"),
        ("持续推进，2024年6月底前完成", "in_progress"),
        ("已完成，长期坚持", "completed_longterm"),
        ("已完成", "completed"),
        ("已完成，长期坚持", "completed_longterm"),
        ("持续推进，2024年12月底前完成", "in_progress"),
        ("已完成", "completed"),
    ]
    assert [t.deadline for t in health.tasks if t.deadline] == [
        datetime.date(2024, 6, 30), datetime.date(2024, 12, 31)]
    first = health.tasks[0]
    assert first.title == "学习贯彻习近平新时代中国特色社会主义思想不够深入"
    assert first.progress_label == "整改措施"
    assert first.measures[0].text.startswith("修订完善党组理论学习中心组学习制度")
    assert first.measures[0].line == 17
    assert all(t.outcome == "" for t in health.tasks)
    assert health.numbering == "nested"
    assert health.level_formats == ["（{cn}）", "{n}."]
    assert health.measures_inline is True
    assert health.stated_counts == {"aspects": 3, "problems": 7, "completed": 5, "in_progress": 2}
    assert health.doubts == [], messages(health)


def test_health_round_facts(health):
    assert health.round["inspecting_body"] == "市委第四巡察组"
    assert health.round["kind"] == "常规巡察"
    assert (health.round["inspection_start"], health.round["inspection_end"]) == (
        "2023-04-10", "2023-06-09")
    assert health.round["feedback_date"] == "2023-08-02"


def test_health_docx_gives_the_same_tree(health):
    """The same notice as a Word file: one paragraph per line, blank lines left out."""
    document = docx.Document()
    text = (DATA / "a_health_overall_progress.txt").read_text(encoding="utf-8")
    for line in text.splitlines():
        if line.strip():
            document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    notice = parse_notice(read_notice_file(buffer.getvalue(), "a.docx"))
    assert notice.overall_heading == health.overall_heading
    assert notice.problems_heading == health.problems_heading
    assert [(t.label, t.title, t.result, t.status) for t in notice.tasks] == [
        (t.label, t.title, t.result, t.status) for t in health.tasks]
    assert [[m.text for m in t.measures] for t in notice.tasks] == [
        [m.text for m in t.measures] for t in health.tasks]
    assert notice.contacts == health.contacts
    assert (notice.signature, notice.date) == (health.signature, health.date)
    assert notice.doubts == []


# ----------------------------------------------------------------------------------------
# b) transport: problem statements under （一） tasks, numbered measures after 整改措施


@pytest.fixture(scope="module")
def transport() -> ParsedNotice:
    return load("b_transport_problem_statements.txt")


def test_transport_problem_statements_join_the_title(transport):
    assert [n.title for n in transport.nodes] == [
        "党的领导弱化方面", "全面从严治党不力方面", "落实组织路线不到位方面"]
    assert [len(n.children) for n in transport.nodes] == [2, 2, 1]
    first = transport.tasks[0]
    assert first.label == "（一）"
    assert first.problem == (
        "对农村公路“四好”建设统筹推进不够，2022年度计划改造的农村公路危桥完成率仅为62%。")
    assert first.title == "关于“贯彻落实交通强国战略部署不够有力”的问题：" + first.problem
    second = transport.tasks[1]
    assert second.problem.startswith("局党组专题研究意识形态工作次数不足")
    assert all(t.problem and t.problem in t.title for t in transport.tasks)


def test_transport_numbered_measures_and_results(transport):
    assert [len(t.measures) for t in transport.tasks] == [3, 2, 2, 2, 2]
    first = transport.tasks[0]
    assert [m.text for m in first.measures] == [
        "召开专题会议研究部署农村公路危桥改造工作，建立月调度机制。",
        "将危桥改造纳入对县（区）交通运输部门年度考核。",
        "争取省级补助资金3200万元，全部用于危桥改造。",
    ]
    assert [m.line for m in first.measures] == [7, 8, 9]
    assert first.outcome == "2022年度计划改造的47座危桥已全部完工。"
    assert results(transport) == [
        ("已完成", "completed"),
        ("已完成", "completed"),
        ("持续推进，2024年3月底前完成", "in_progress"),
        ("已整改", "completed"),
        ("已完成，长期坚持", "completed_longterm"),
    ]
    assert transport.tasks[2].deadline == datetime.date(2024, 3, 31)
    assert transport.level_formats == ["{cn}、", "（{cn}）"]
    assert transport.overall_heading == "" and transport.problems_heading == ""
    assert transport.contacts["address"] == "平川市人民路16号市交通运输局"
    assert transport.date == datetime.date(2023, 9, 28)
    assert transport.doubts == [], messages(transport)


# ----------------------------------------------------------------------------------------
# c) university 巡视: progress notice, prose tasks numbered 1、, no results at all


@pytest.fixture(scope="module")
def university() -> ParsedNotice:
    return load("c_university_xunshi_progress.txt")


def test_university_sections(university):
    assert university.overall_heading == "一、巡视整改工作总体情况"
    assert university.overall[0].startswith("（一）强化组织领导，压紧压实整改责任。")
    assert university.overall[2].startswith("截至目前，巡视反馈的3个方面8个具体问题")
    assert university.problems_heading == "二、巡视反馈问题整改落实情况"
    assert university.closing.splitlines()[:2] == [
        "三、下一步工作打算",
        "（一）持续巩固整改成果。对已完成的整改任务适时开展“回头看”，防止问题反弹。",
    ]
    assert university.contacts == {
        "phone": "0531-88361234",
        "address": "东岭市大学路1号东岭大学党委办公室",
        "email": "dlxszg@dlu.edu.cn",
    }
    assert university.stated_counts == {
        "aspects": 3, "problems": 8, "completed": 6, "in_progress": 2}


def test_university_tasks_without_results(university):
    assert [n.title for n in university.nodes] == [
        "关于“落实立德树人根本任务不够到位”方面",
        "关于“服务经济社会发展能力不强”方面",
        "关于“全面从严治党向纵深发展不够”方面",
    ]
    assert [len(n.children) for n in university.nodes] == [3, 3, 2]
    assert [t.label for t in university.tasks] == ["1、", "2、", "3、"] * 2 + ["1、", "2、"]
    assert all(t.result == "" and t.status is None for t in university.tasks)
    assert [len(t.measures) for t in university.tasks] == [3, 2, 1, 2, 2, 2, 2, 3]
    first = university.tasks[0]
    assert first.title == "思政课专职教师配备不足的问题。"
    # The subject before "一是" opens the first measure.
    assert first.measures[0].text.startswith("学校党委制定思政课教师队伍建设三年规划")
    assert first.measures[1].text == "从校内选聘政治素质过硬的干部兼职担任思政课教师；"
    assert first.outcome == "目前，全校思政课专职教师与学生比例已达到1:350。"
    assert university.level_formats == ["（{cn}）", "{n}、"]
    assert university.round["inspecting_body"] == "省委第六巡视组"
    assert university.round["kind"] == "常规巡视"
    assert university.doubts == [], messages(university)


# ----------------------------------------------------------------------------------------
# d) finance: web page furniture, CRLF, full-width marks, odd spaces, labels without colon


@pytest.fixture(scope="module")
def finance() -> ParsedNotice:
    return load("d_finance_web_chrome_fullwidth.txt")


def test_finance_furniture_is_ignored(finance):
    assert finance.title == "中共青禾县财政局党组关于县委巡察反馈意见整改情况的通报"
    # The notice's own date, not the page's "发布时间：2023-08-01".
    assert finance.date == datetime.date(2023, 7, 28)
    assert finance.signature == "中共青禾县财政局党组"
    assert finance.opening == [
        "根据县委统一部署，2023年2月20日至4月14日，县委第一巡察组对县财政局党组开展了常规巡察，"
        "5月10日反馈了巡察意见。现将整改情况公布如下："]
    assert finance.closing == (
        "欢迎广大干部群众对巡察整改落实情况进行监督。联系电话：0718－6234567；"
        "电子邮箱：qhxczg@163.com。")
    dumped = json.dumps(finance.to_dict(), ensure_ascii=False)
    for chrome in ("首页", "浏览次数", "打印本页", "分享到", "上一篇", "下一篇", "字号"):
        assert chrome not in dumped


def test_finance_full_width_tree(finance):
    assert finance.level_formats == ["{cn}、", "（{cn}）", "{n}．"]
    assert [len(n.children) for n in finance.nodes] == [2, 1]
    assert finance.task_count == 5 and finance.measure_count == 8
    labels = [t.label for t in finance.tasks]
    assert labels == ["１．", "２．", "１．", "１．", "２．"]
    assert finance.tasks[0].title == "直达资金支付进度偏慢"
    assert [m.text for m in finance.tasks[1].measures] == [
        "全面核查“一卡通”发放数据。", "建立补贴发放限时办结制度。"]
    # "整改措施\u00a0：" with a no-break space is a label too.
    assert [m.text for m in finance.tasks[3].measures] == [
        "修订《党组议事规则》，明确资金分配事项必须提交党组会研究。"]
    assert results(finance) == [
        ("已完成", "completed"),
        ("已完成，长期坚持", "completed_longterm"),
        ("已完成", "completed"),
        ("已完成", "completed"),
        ("持续推进，2023年12月底前完成", "in_progress"),
    ]
    assert all(t.progress_label == "整改措施" for t in finance.tasks)
    assert finance.doubts == [], messages(finance)


def test_finance_with_crlf_kept_and_without_blank_lines(finance):
    raw = (DATA / "d_finance_web_chrome_fullwidth.txt").read_bytes().decode("utf-8")
    assert "\r\n" in raw
    direct = parse_notice(raw)
    assert [(t.title, t.result) for t in direct.tasks] == [
        (t.title, t.result) for t in finance.tasks]
    assert [t.line for t in direct.tasks] == [t.line for t in finance.tasks]
    packed = parse_notice("\n".join(line for line in raw.splitlines() if line.strip()))
    assert [(t.title, t.result, len(t.measures)) for t in packed.tasks] == [
        (t.title, t.result, len(t.measures)) for t in finance.tasks]
    assert packed.date == finance.date and packed.doubts == []


# ----------------------------------------------------------------------------------------
# e) township: categories at two levels, tasks at depth 3, responsibility lines


@pytest.fixture(scope="module")
def township() -> ParsedNotice:
    return load("e_township_responsibility.txt")


def test_township_tree(township):
    assert township.level_formats == ["{cn}、", "（{cn}）", "{n}."]
    assert [(n.title, n.stated_count) for n in township.nodes] == [
        ("党的政治建设方面", 3), ("全面从严治党方面", 2)]
    assert [[len(c.children) for c in n.children] for n in township.nodes] == [[2, 1], [1, 1]]
    assert township.show_task_counts is True
    assert township.task_count == 5
    assert all(len(t.measures) == 2 for t in township.tasks)
    assert township.closing == "特此通报。"
    assert township.signature == "中共石桥镇委员会"
    assert township.doubts == [], messages(township)


def test_township_responsibility_lines_are_kept_apart(township):
    tasks = township.tasks
    assert [(t.responsible_leader, t.responsible_department) for t in tasks] == [
        ("镇党委书记", "党政综合办公室"),
        ("王建华", "党建工作办公室"),
        ("镇长 陈立新", "经济发展办公室"),
        ("镇纪委书记 赵明", "农村经营管理站、各村（社区）"),
        ("镇纪委书记 赵明", "党政综合办公室"),
    ]
    assert [t.deadline_text for t in tasks] == [
        "长期坚持", "2023年10月底前", "2023年12月31日前", "2023年9月底前", "长期坚持"]
    assert [t.deadline for t in tasks] == [
        None, datetime.date(2023, 10, 31), datetime.date(2023, 12, 31),
        datetime.date(2023, 9, 30), None]
    assert results(township) == [
        ("已整改到位", "completed"),
        ("已完成", "completed"),
        ("正在推进", "in_progress"),
        ("已整改到位", "completed"),
        ("已整改到位，长期坚持", "completed_longterm"),
    ]
    for task in tasks:
        assert task.outcome == ""
        assert not any("责任" in m.text for m in task.measures)
    data = tasks[0].to_dict()
    assert data["responsible_leader"] == "镇党委书记"
    assert data["deadline_text"] == "长期坚持"


# ----------------------------------------------------------------------------------------
# f) irregular labels: repeats, gaps, reversals, stray marks, empty headings


def test_irregular_labels_become_doubts_and_nothing_is_lost():
    notice = load("f_irregular_labels.txt")
    first, second, third = notice.nodes
    assert [t.label for t in first.children] == ["1.", "1.", "4."]
    assert [t.number for t in first.children] == ["1.", "2.", "3."]
    assert [t.label for t in second.children] == ["2.", "1.", "5."]
    assert third.kind == "category" and third.children == [] and third.stated_count == 2
    assert [len(t.measures) for t in notice.tasks] == [2, 1, 2, 1, 1, 0]
    assert notice.tasks[1].result == "已完成"
    assert messages(notice) == [
        "第4行：无法识别的段落，未导入：本方面问题由局党组书记牵头整改。",
        "第6行：措施序号“三是”前缺少“二是”，已按原文导入",
        "第8行：编号“1.”与推算编号“2.”不一致，已按原文保留（与上一项编号重复）",
        "第11行：任务已有整改结果“已完成”，重复的结果“已完成，长期坚持”未导入",
        "第12行：编号“4.”与推算编号“3.”不一致，已按原文保留（原文跳过了“2.”至“3.”）",
        "第15行：孤立的编号“3.”（没有标题和内容），未导入",
        "第17行：编号“2.”与推算编号“1.”不一致，已按原文保留（原文跳过了“1.”）",
        "第20行：编号“1.”与推算编号“2.”不一致，已按原文保留（编号顺序颠倒）",
        "第20行：任务“1.窗口服务效率不高”缺少整改结果",
        "第22行：标题“5.投诉举报处置不及时”下没有内容",
        "第22行：编号“5.”与推算编号“3.”不一致，已按原文保留（原文跳过了“2.”至“4.”）",
        "第22行：任务“5.投诉举报处置不及时”缺少整改结果",
        "第23行：分类“三、组织建设方面”下没有任何整改任务",
        "第23行：标题注明共2项整改任务，实际识别到0项",
    ]


# ----------------------------------------------------------------------------------------
# g) water: "整改进展情况" with one measure per paragraph, counts in headings


def test_progress_paragraphs_and_counts():
    notice = load("g_progress_paragraphs_counts.txt")
    assert notice.numbering == "continuous" and notice.task_format == "{n}."
    assert [t.label for t in notice.tasks] == [f"{i}." for i in range(1, 7)]
    assert [n.stated_count for n in notice.nodes] == [2, 3, 2]
    assert [len(t.measures) for t in notice.tasks] == [3, 3, 2, 2, 2, 2]
    first = notice.tasks[0]
    assert first.progress_label == "整改进展情况"
    assert [m.line for m in first.measures] == [11, 13, 15]
    assert first.measures[1].text == "组织区、镇两级河湖长开展巡河1260人次，发现并交办问题87个。"
    assert first.outcome == "经过整改，全区河湖长履职能力明显提升，河湖面貌持续改善。"
    assert notice.tasks[1].outcome == "目前，3个滞后项目均已恢复正常施工进度。"
    assert notice.tasks[5].measures[1].text == "组织党务干部参加发展党员工作业务培训。"
    assert all(t.result == "" for t in notice.tasks)
    assert notice.stated_counts == {"aspects": 3, "problems": 6}
    assert messages(notice) == ["第31行：标题注明共3项整改任务，实际识别到2项"]


# ----------------------------------------------------------------------------------------
# h) state enterprise: doc number, salutation, statuses in titles, attachments, 此件公开发布


def test_enterprise_notice():
    notice = load("h_enterprise_flat_misc.txt")
    assert notice.title == "中共华源能源集团有限公司委员会关于集团党委巡察整改情况的通报"
    assert notice.issuer == "中共华源能源集团有限公司委员会"
    assert notice.opening[0] == "各单位党组织："
    assert notice.date == datetime.date(2023, 9, 8)
    assert notice.signature == "中共华源能源集团有限公司委员会"
    assert notice.closing == "特此通报。\n附件：华源电力公司巡察整改问题清单\n（此件公开发布）"
    assert [t.title for t in notice.tasks] == [
        "党委会“第一议题”制度落实不到位", "“三重一大”决策程序执行不严格", "物资采购管理不规范",
        "业务招待费使用不规范", "下属单位违规发放津贴补贴"]
    assert results(notice) == [
        ("已完成", "completed"), ("已完成，长期坚持", "completed_longterm"),
        ("正在推进", "in_progress"), ("已完成", "completed"), ("已完成", "completed")]
    assert notice.numbering == "continuous"
    assert notice.stated_counts == {"aspects": 2, "problems": 5, "completed": 4, "in_progress": 1}
    assert notice.round["inspecting_body"] == "集团党委第二巡察组"
    assert notice.round["rectification_months"] == 2
    assert notice.doubts == [], messages(notice)


# ----------------------------------------------------------------------------------------
# i) bank 巡视: overall section without a wrapper, categories go on at 二、


def test_bank_overall_then_categories_counting_on():
    notice = load("i_bank_xunshi_sections.txt")
    assert notice.overall_heading == "一、坚决扛起巡视整改政治责任"
    assert notice.problems_heading == ""
    assert [(n.label, n.title) for n in notice.nodes] == [
        ("二、", "关于“服务国家粮食安全战略不够有力”方面的整改情况"),
        ("三、", "关于“风险防控和内部管理存在薄弱环节”方面的整改情况"),
    ]
    assert notice.closing.startswith("四、持续深化巡视整改成果运用\n")
    assert results(notice) == [
        ("已完成", "completed"), ("持续推进，2023年12月底前完成", "in_progress"),
        ("已完成", "completed"), ("已完成，长期坚持", "completed_longterm")]
    assert [len(t.measures) for t in notice.tasks] == [2, 1, 2, 2]
    assert notice.round["inspecting_body"] == "省分行党委第二巡视组"
    assert notice.contacts["email"] == "jzfhxszg@adbc.com.cn"
    # The categories count on after the overall section: no numbering doubts.
    assert notice.doubts == [], messages(notice)


# ----------------------------------------------------------------------------------------
# j) hospital: problems printed as "问题一：" without heading marks


def test_hospital_unnumbered_problem_statements_are_tasks():
    notice = load("j_hospital_unnumbered_problems.txt")
    assert [(n.label, n.title, len(n.children)) for n in notice.nodes] == [
        ("（一）", "党的领导方面", 2), ("（二）", "全面从严治党方面", 2)]
    tasks = notice.tasks
    assert [t.title for t in tasks] == [
        "党委领导下的院长负责制落实不到位，党委会议研究医疗业务重大事项不够。",
        "意识形态工作责任制落实不够到位。",
        "医疗设备采购监管不严，部分设备采购未经论证。",
        "医药购销领域不正之风仍有发生。",
    ]
    assert [t.line for t in tasks] == [7, 15, 23, 29]
    # "问题一：" is the task's printed label; the numbers restart under each category.
    assert [t.label for t in tasks] == ["问题一：", "问题二：", "问题一：", "问题二："]
    assert notice.level_formats[1] == "问题{cn}："
    assert all(t.problem == t.title for t in tasks)
    assert [len(t.measures) for t in tasks] == [1, 2, 2, 1]
    assert tasks[0].outcome == "2023年下半年党委会专题研究医疗质量、学科建设等重大事项15项。"
    assert Counter(t.status for t in tasks) == {
        "completed": 2, "completed_longterm": 1, "in_progress": 1}
    assert tasks[2].deadline == datetime.date(2024, 6, 30)
    assert notice.doubts == [], messages(notice)


# ----------------------------------------------------------------------------------------
# Smaller variants of the same rules


def parse(text: str) -> ParsedNotice:
    return parse_notice(textwrap.dedent(text).strip("\n"))


def test_overall_with_subsections_then_categories_and_attachments():
    notice = parse("""
        关于巡察整改情况的通报
        县委第一巡察组于2023年3月对县民政局党组进行了巡察。
        一、整改工作开展情况
        （一）加强组织领导
        成立整改工作领导小组。
        二、关于“民生保障政策落实不到位”方面
        1.低保动态管理不规范
        这一问题主要表现为部分乡镇未按期开展低保复核。
        整改措施：1.开展低保对象全面复核；2.建立季度动态调整机制；3.对2个乡镇进行约谈。
        整改结果：已完成
        2.养老服务设施运营不佳
        整改情况：
        已完成整改。一是引入第三方运营机构；二是建立运营补贴考核办法。
        3.救助资金发放不及时【已完成】
        整改情况：建立救助资金发放台账。
        三、下一步工作打算
        （一）巩固成果。持续跟踪问责。
        欢迎监督。联系电话：0371-1234567。
        附件：1.整改任务清单
        2.整改台账
        县民政局党组
        2023-09-30
    """)
    assert notice.overall_heading == "一、整改工作开展情况"
    assert notice.overall == ["（一）加强组织领导", "成立整改工作领导小组。"]
    assert [n.label for n in notice.nodes] == ["二、"]
    first, second, third = notice.tasks
    # A paragraph before the first progress label continues the problem statement.
    assert first.title == "低保动态管理不规范：这一问题主要表现为部分乡镇未按期开展低保复核。"
    assert [m.text for m in first.measures] == [
        "开展低保对象全面复核；", "建立季度动态调整机制；", "对2个乡镇进行约谈。"]
    # A status before the measures of a paragraph is the result.
    assert (second.result, second.status) == ("已完成整改", "completed")
    assert [m.text for m in second.measures] == ["引入第三方运营机构；", "建立运营补贴考核办法。"]
    assert (third.title, third.result) == ("救助资金发放不及时", "已完成")
    assert notice.closing.endswith("附件：1.整改任务清单\n2.整改台账")
    assert (notice.signature, notice.date) == ("县民政局党组", datetime.date(2023, 9, 30))
    assert notice.doubts == [], messages(notice)


def test_bare_numbered_lines_under_a_problem_are_its_measures():
    notice = parse("""
        一、党建工作方面
        （一）基层党组织建设薄弱
        1.支部组织生活不规范
        （1）制定支部组织生活清单。
        （2）开展支部书记轮训。
        2.党员教育管理不严
        （1）建立党员积分管理制度。
        （2）开展党员承诺践诺活动。
        （二）意识形态工作不到位
        1.阵地管理不严
        整改情况：清理整合新媒体账号5个。
        整改结果：已完成
    """)
    assert notice.task_count == 3
    first, second, third = notice.tasks
    assert [m.text for m in first.measures] == ["制定支部组织生活清单。", "开展支部书记轮训。"]
    assert [m.line for m in second.measures] == [7, 8]
    assert third.result == "已完成"
    assert notice.level_formats == ["{cn}、", "（{cn}）", "{n}."]
    assert notice.doubts == [], messages(notice)


def test_problem_lines_without_any_heading_and_heavy_page_furniture():
    notice = parse("""
        网站首页 > 政务公开 > 巡察整改 > 正文
        字号：大 中 小
        来源：县卫生健康局
        作者：办公室
        发布时间：2024-01-05
        浏览次数：128
        索引号：11410000-2024-00012
        发布机构：县卫生健康局
        主题分类：巡察整改
        成文日期：2024-01-04
        中共某某县卫生健康局党组关于巡察整改情况的通报
        县委第二巡察组于2023年8月至10月对县卫健局党组进行了巡察，11月2日反馈了巡察意见。
        问题1：医疗机构监管不到位，部分民营医院存在过度检查。
        整改措施：开展民营医院专项检查，查处违规机构3家。
        整改结果：已完成
        问题2：基层医务人员培训不足。
        整改措施：一是组织全员轮训；二是建立培训学分制度。
        整改时限：尽快
        整改结果：持续推进，2024年6月底前完成
        欢迎监督。联系电话：0393-7654321。
        中共某某县卫生健康局党组
        2024-01-04
        【打印本页】 【关闭窗口】
    """)
    assert notice.title == "中共某某县卫生健康局党组关于巡察整改情况的通报"
    assert notice.date == datetime.date(2024, 1, 4)
    assert [(t.title, t.status) for t in notice.tasks] == [
        ("医疗机构监管不到位，部分民营医院存在过度检查。", "completed"),
        ("基层医务人员培训不足。", "in_progress"),
    ]
    assert notice.tasks[1].deadline_text == "尽快"
    assert notice.round["feedback_date"] == "2023-11-02"
    assert notice.closing == "欢迎监督。联系电话：0393-7654321。"
    assert messages(notice) == ["第18行：无法识别的整改时限“尽快”，仅保留原文"]


def test_stated_counts_that_disagree_are_doubts():
    notice = parse("""
        截至目前，巡察反馈的2个方面4个问题，已完成整改4个。
        一、甲方面
        1.问题甲
        整改情况：措施。
        整改结果：已完成
        2.问题乙
        整改情况：措施。
        整改结果：正在推进
        二、乙方面
        1.问题丙
        整改情况：措施。
        整改结果：已完成
    """)
    assert notice.stated_counts == {"aspects": 2, "problems": 4, "completed": 4}
    assert messages(notice) == [
        "第1行：通报称反馈问题4个，实际识别到3项整改任务，请核对",
        "第1行：通报称已完成4个，与各任务的整改结果（已完成2个、正在推进1个）不一致，请核对",
    ]


def test_result_on_the_line_after_a_progress_label_and_separate_statement_lines():
    notice = parse("""
        （一）关于“作风建设不实”的问题
        存在问题：
        会议多、文件多，基层负担重。
        整改措施：一是精简会议；二是控制发文。
        整改进展：
        已完成。
        责任单位：办公室；配合单位：各科室
    """)
    task = notice.tasks[0]
    assert task.problem == "会议多、文件多，基层负担重。"
    assert task.title == "关于“作风建设不实”的问题：会议多、文件多，基层负担重。"
    assert (task.result, task.status) == ("已完成", "completed")
    assert task.responsible_department == "办公室；配合单位：各科室"
    assert len(task.measures) == 2 and task.outcome == ""
    assert notice.doubts == [], messages(notice)


@pytest.mark.django_db
@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_every_fixture_loads_into_records(path):
    from rectify.models import Measure, RectificationTask
    from rectify.notice_import.notice_loader import load_notice

    parsed = parse_notice(read_notice_file(path))
    notice = load_notice(parsed)
    tasks = RectificationTask.objects.filter(round=notice.round)
    assert tasks.count() == parsed.task_count
    assert Measure.objects.filter(task__round=notice.round).count() == parsed.measure_count
    assert notice.overall_heading == parsed.overall_heading
    assert notice.date == parsed.date
    assert sorted(tasks.values_list("title", flat=True)) == sorted(t.title for t in parsed.tasks)
    stored = sorted(tasks.values_list("title", "responsible_leader", "responsible_department"))
    assert stored == sorted(
        (t.title, t.responsible_leader, t.responsible_department) for t in parsed.tasks
    )


def test_facts_and_status_in_brackets_after_the_title():
    notice = parse("""
        一、作风建设方面
        1.关于会议过多的问题（责任单位：办公室）（已完成）
        问题：全年召开会议120次。
        整改措施：一是精简会议；二是合并发文。
        2.关于文件过多的问题（牵头领导：王某；整改时限：2023年底前）
        整改措施：控制发文。
        整改结果：已完成
    """)
    first, second = notice.tasks
    assert first.title == "关于会议过多的问题：全年召开会议120次。"
    assert (first.result, first.responsible_department) == ("已完成", "办公室")
    assert second.title == "关于文件过多的问题"
    assert (second.responsible_leader, second.deadline_text) == ("王某", "2023年底前")
    assert second.deadline == datetime.date(2023, 12, 31)
    assert notice.doubts == [], messages(notice)
