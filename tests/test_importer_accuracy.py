"""The importer on every synthetic notice against its expected tree, and the preview's choice.

Each ``tests/data/notices/*.txt`` with an ``.expected.json`` beside it must import exactly:
every expected task found, in its category, with its label, measures and status, no task
invented, the stated totals read, the doubts expected there (``tests/notice_expectations.py``
says how a notice is scored; ``benchmarks/importer_accuracy.py`` prints the table). Then the
rules behind it on small notices: the organisational part, 问题N labels, unnumbered problems,
measures numbered like tasks, other labels, label words in section headings, and the kinds
staff choose in the preview. Plain pytest, no database.
"""

from __future__ import annotations

import textwrap

import pytest

from rectify.notice_import import ParsedNotice, parse_notice, read_notice_file
from rectify.notice_import.count_checks import stated_totals
from tests.notice_expectations import expected_files, load_spec, notice_path, score

EXPECTED = expected_files()


def parse(text: str, kinds: dict | None = None) -> ParsedNotice:
    return parse_notice(textwrap.dedent(text).strip("\n"), kinds)


def messages(notice: ParsedNotice) -> list[str]:
    return [doubt.message for doubt in notice.doubts]


def test_there_are_synthetic_notices_for_every_class():
    names = [notice_path(path).stem for path in EXPECTED]
    assert len(names) >= 30
    assert all(notice_path(path).exists() for path in EXPECTED)


@pytest.mark.parametrize("path", EXPECTED, ids=[notice_path(p).stem for p in EXPECTED])
def test_every_synthetic_notice_imports_exactly(path):
    notice = parse_notice(read_notice_file(notice_path(path)))
    result = score(notice_path(path).stem, notice, load_spec(path))
    assert result.missed == []
    assert result.invented == []
    assert result.misplaced == []
    assert result.missing_doubts == []
    assert result.other == []


def test_no_task_invented_across_the_set():
    invented = 0
    for path in EXPECTED:
        notice = parse_notice(read_notice_file(notice_path(path)))
        invented += len(score(path.stem, notice, load_spec(path)).invented)
    assert invented == 0


# ----------------------------------------------------------------------------------------
# 1. The organisational part


def test_numbered_work_steps_before_the_problems_are_overall_text():
    notice = parse("""
        一、整改工作基本情况
        1.强化组织领导。成立由局党组书记任组长的整改工作领导小组。
        2.制定整改方案。针对反馈问题逐条分析原因，明确整改措施46条。
        二、问题整改情况
        （一）关于全面从严治党方面
        1.财务管理不规范。
        整改措施：修订《机关财务管理办法》。
        完成情况：已完成。
    """)
    assert [t.title for t in notice.tasks] == ["财务管理不规范。"]
    assert notice.overall_heading == "一、整改工作基本情况"
    assert notice.overall[0].startswith("1.强化组织领导。")
    assert [(s.line, s.label, s.unsure) for s in notice.set_aside] == [
        (1, "一、", False), (2, "1.", False), (3, "2.", False)]
    assert notice.doubts == []


def test_work_steps_whose_title_says_problem_orientation_are_not_problems():
    notice = parse("""
        一、坚持问题导向，以上率下抓整改
        1.坚持问题导向，建立问题清单。对巡察反馈问题逐条梳理。
        2.坚持跟踪督办，确保整改实效。对整改工作实行台账管理。
        二、关于“宗教事务管理存在薄弱环节”方面
        1.宗教活动场所财务监督管理不规范。
        整改情况：开展专项检查。
        整改结果：已完成。
    """)
    assert notice.task_count == 1
    assert notice.overall_heading.startswith("一、坚持问题导向")
    # The categories go on counting after the overall section: no numbering doubt.
    assert notice.doubts == [], messages(notice)


def test_an_organisational_part_inside_the_wrapping_heading():
    notice = parse("""
        一、巡察整改工作情况
        （一）整改工作组织情况
        1.加强组织领导。成立巡察整改工作领导小组。
        2.强化督促检查。开展整改专项督查2次。
        （二）反馈问题整改落实情况
        1.关于全面从严治党方面
        （1）物资采购管理不规范
        整改情况：修订《物资采购管理办法》。
        整改结果：已完成
    """)
    assert [(n.label, n.title) for n in notice.nodes] == [("1.", "关于全面从严治党方面")]
    assert [t.title for t in notice.tasks] == ["物资采购管理不规范"]
    assert notice.overall_heading == "一、巡察整改工作情况"
    assert notice.problems_heading == "（二）反馈问题整改落实情况"
    assert notice.overall[:2] == [
        "（一）整改工作组织情况", "1.加强组织领导。成立巡察整改工作领导小组。"]
    assert notice.doubts == [], messages(notice)


def test_a_section_that_is_neither_is_overall_text_with_a_doubt():
    notice = parse("""
        一、有关情况
        （一）干部队伍建设
        （二）基层组织建设
        二、关于党的建设方面
        1.党支部组织生活不规范。
        整改情况：制定组织生活计划。
        整改结果：已完成。
    """)
    assert notice.task_count == 1
    assert [(s.line, s.unsure) for s in notice.set_aside] == [(1, True), (2, True), (3, True)]
    assert messages(notice) == [
        "第1行：无法确定“一、有关情况”是反映的问题还是整改工作的组织情况，已作为整改工作情况，"
        "未导入为整改任务；如是问题，请在预览中改为任务"]


# ----------------------------------------------------------------------------------------
# 2.–6. Labels, unnumbered problems, measures, section headings


def test_problem_n_labels_are_the_tasks_labels():
    notice = parse("""
        （一）党的领导弱化方面
        问题1：理论学习不够深入。
        整改措施：（1）修订学习规则；（2）开展专题研讨4次。
        完成情况：已完成。
        问题2：
        意识形态工作责任制落实有差距。
        整改措施：（1）关停不规范账号7个；（2）完善审核制度。
        完成情况：已完成，长期坚持。
    """)
    assert [(t.label, t.title, len(t.measures), t.status) for t in notice.tasks] == [
        ("问题1：", "理论学习不够深入。", 2, "completed"),
        ("问题2：", "意识形态工作责任制落实有差距。", 2, "completed_longterm"),
    ]
    assert notice.level_formats == ["（{cn}）", "问题{n}："]
    assert notice.doubts == [], messages(notice)


def test_measures_numbered_with_the_tasks_own_marks():
    notice = parse("""
        1.河道采砂管理存在漏洞。
        整改措施：
        1.开展非法采砂专项整治。
        2.安装视频监控点位14个。
        整改结果：持续推进。
        2.党组会议议事决策不规范。
        整改措施：修订《党组会议议事规则》。
        整改结果：已完成。
    """)
    assert [(t.label, len(t.measures)) for t in notice.tasks] == [("1.", 2), ("2.", 1)]
    assert notice.tasks[0].measures[1].text == "安装视频监控点位14个。"
    assert notice.doubts == [], messages(notice)


def test_unnumbered_problems_under_an_aspect():
    notice = parse("""
        （一）政治建设方面。
        党组理论学习中心组学习不够系统。
        整改情况：制定年度学习计划。
        整改结果：已完成。
        医保政策宣传解读不到位。
        整改情况：开展政策宣讲48场。
        整改结果：已完成。
        （二）组织建设方面。
        干部教育培训针对性不强。
        整改情况：开展业务培训3期。
        整改结果：已完成。
    """)
    assert [(n.title, [t.title for t in n.children]) for n in notice.nodes] == [
        ("政治建设方面。", ["党组理论学习中心组学习不够系统。", "医保政策宣传解读不到位。"]),
        ("组织建设方面。", ["干部教育培训针对性不强。"]),
    ]
    assert [t.line for t in notice.tasks] == [2, 5, 9]
    assert notice.doubts == [], messages(notice)


@pytest.mark.parametrize(
    ("tail", "result", "status"),
    [
        ("目前该问题已完成整改。", "目前该问题已完成整改", "completed"),
        ("此项工作已阶段性完成，将持续推进。", "此项工作已阶段性完成，将持续推进", "in_progress"),
        ("该问题基本完成整改。", "该问题基本完成整改", "completed"),
        ("该项整改持续推进。", "该项整改持续推进", "in_progress"),
    ],
)
def test_status_words_in_prose(tail, result, status):
    notice = parse(f"""
        一、关于“作风不实”的问题
        整改情况：一是开展走访；二是建立回复机制。{tail}
    """)
    task = notice.tasks[0]
    assert (task.result, task.status) == (result, status)
    assert [m.text for m in task.measures] == ["开展走访；", "建立回复机制。"]


def test_prose_that_merely_mentions_completion_is_no_status():
    notice = parse("""
        1.关于“设施不足”的问题
        整改情况：对12个站点已完成改造。
        2.关于“培训不够”的问题
        整改措施：组织培训3期。目前已开工3个。
    """)
    assert [(t.result, t.status) for t in notice.tasks] == [("", None), ("", None)]


def test_other_progress_and_result_labels():
    notice = parse("""
        一、关于决策部署方面的问题
        （一）外资项目落地率偏低。
        整改：一是建立跟踪服务机制；二是开展推介活动3场。
        整改进度：阶段性完成，持续跟进项目落地。
        （二）消费券发放效果评估不足。
        整改：委托第三方开展评估。
        整改成效：已完成。
    """)
    assert [(t.progress_label, len(t.measures), t.result, t.status) for t in notice.tasks] == [
        ("整改", 2, "阶段性完成，持续跟进项目落地", "in_progress"),
        ("整改", 1, "已完成", "completed"),
    ]


def test_a_label_word_in_a_section_heading_is_its_title():
    notice = parse("""
        一、整体推进情况
        成立整改工作领导小组。
        二、整改进展情况及成效
        （一）融资结构不合理。
        整改进度：发行中长期债券置换短期借款。
        整改成效：已完成。
    """)
    assert notice.problems_heading == "二、整改进展情况及成效"
    assert [(t.label, t.title, t.status) for t in notice.tasks] == [
        ("（一）", "融资结构不合理。", "completed")]


# ----------------------------------------------------------------------------------------
# Stated totals


@pytest.mark.parametrize(
    ("sentence", "problems"),
    [("巡察反馈问题3个，局党组逐项整改。", 3), ("共指出问题3个。", 3),
     ("梳理形成3项整改任务，制定整改措施26条。", 3), ("巡察组反馈的3个问题已全部整改。", 3)],
)
def test_stated_totals_in_their_usual_wordings(sentence, problems):
    notice = parse(f"""
        县委巡察组于2023年反馈了巡察意见。{sentence}
        一、甲方面
        1.问题甲
        整改情况：措施。
        整改结果：已完成
        2.问题乙
        整改情况：措施。
        整改结果：已完成
    """)
    assert notice.stated_counts["problems"] == problems
    assert messages(notice) == ["第1行：通报称反馈问题3个，实际识别到2项整改任务，请核对"]
    assert stated_totals(notice)[0] == {
        "key": "problems", "stated": 3, "found": 2, "differs": True}


# ----------------------------------------------------------------------------------------
# The preview's choice: task, category or overall text


ORGANISED = """
    一、整改工作组织情况
    （一）强化组织领导。成立整改工作领导小组。
    （二）食堂管理不规范。对食堂开展专项检查。
    二、问题整改情况
    （一）关于作风建设方面
    1.会议过多。
    整改措施：一是精简会议；二是合并发文。
    整改结果：已完成。
    2.文件过多。
    整改措施：控制发文。
    整改结果：已完成。
"""


def test_a_heading_of_the_overall_text_chosen_as_a_task():
    assert parse(ORGANISED).task_count == 2
    notice = parse(ORGANISED, {3: "task"})
    assert [(t.line, t.title) for t in notice.tasks][0] == (
        3, "食堂管理不规范。对食堂开展专项检查。")
    assert notice.task_count == 3
    assert not any("食堂" in line for line in notice.overall)
    assert notice.kinds == {3: "task"}
    assert notice.to_dict()["kinds"] == {"3": "task"}


def test_a_task_chosen_as_overall_text():
    notice = parse(ORGANISED, {9: "overall"})
    assert [t.title for t in notice.tasks] == ["会议过多。"]
    assert "2.文件过多。" in notice.overall
    assert 9 in [entry.line for entry in notice.set_aside]


def test_a_category_chosen_as_a_task_takes_its_children_as_measures():
    notice = parse(ORGANISED, {5: "task"})
    assert [(t.line, t.title) for t in notice.tasks] == [(5, "关于作风建设方面")]
    assert [m.text for m in notice.tasks[0].measures][:2] == ["会议过多。", "精简会议；"]


def test_a_task_chosen_as_a_category_splits_its_unnumbered_problems():
    text = """
        一、党的建设
        （一）组织建设。
        支部组织生活不规范。
        整改情况：制定组织生活计划。
        整改结果：已完成。
    """
    assert [t.title for t in parse(text).tasks][0].startswith("组织建设。")
    notice = parse(text, {2: "category"})
    assert [(n.title, [t.title for t in n.children]) for n in notice.nodes[0].children] == [
        ("组织建设。", ["支部组织生活不规范。"])]


def test_kinds_that_name_no_heading_or_no_kind_are_ignored():
    plain = parse(ORGANISED)
    notice = parse(ORGANISED, {"x": "task", 999: "task", 6: "nonsense", -1: "overall"})
    assert [t.title for t in notice.tasks] == [t.title for t in plain.tasks]
    assert notice.kinds == {999: "task"}
