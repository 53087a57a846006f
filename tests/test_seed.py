"""seed_demo loads both seed notices completely, through the importer, idempotently."""

from __future__ import annotations

import datetime
import io
import re
from collections import Counter
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from bureaus.models import PartyGroup
from rectify.models import InspectionRound, Measure, Notice, ProblemCategory, RectificationTask
from rectify.models.choices import NumberingStyle, Status
from rectify.rules import roles
from rectify.rules.problem_tree import build_tree, walk

pytestmark = pytest.mark.django_db

SEEDS = Path(__file__).resolve().parent.parent / "fixtures" / "notices"
XINYE = "中共新野县教育体育局党组"
XUCHANG = "中共许昌市教育局党组"


@pytest.fixture
def rounds(seeded):
    """The rounds of both seed notices, as ``seed_demo`` loaded them (once per session)."""
    return {key: publication.round for key, publication in seeded.items()}


def test_xinye_counts_and_numbering(rounds):
    rnd = rounds["xinye"]
    assert rnd.categories.count() == 4
    assert rnd.tasks.count() == 12
    assert Measure.objects.filter(task__round=rnd).count() == 46
    assert rnd.numbering_style == NumberingStyle.CONTINUOUS
    tree = build_tree(rnd)
    assert [n.number for n in tree] == ["一、", "二、", "三、", "四、"]
    assert [n.task_count for n in tree] == [1, 4, 3, 4]
    tasks = [n for n in walk(tree) if n.is_task]
    assert [n.number for n in tasks] == [f"{i}." for i in range(1, 13)]
    assert not any(n.label_flagged for n in walk(tree))
    first = tasks[0].obj
    assert first.title == "关于“违反中央八项规定精神整改不彻底”的问题"
    assert first.outcome.startswith("经过整改，系统财务人员业务能力普遍得到提高")
    assert first.measures.count() == 3
    assert first.result_text == ""


def test_xinye_round_and_notice(rounds):
    rnd = rounds["xinye"]
    assert rnd.inspecting_body == "县委上下联动专项巡察组"
    assert rnd.inspection_start == datetime.date(2024, 3, 15)
    assert rnd.inspection_end == datetime.date(2024, 4, 10)
    assert rnd.feedback_date == datetime.date(2024, 5, 22)
    assert "省委第九巡视组" in rnd.superior_body
    assert rnd.show_task_counts and rnd.progress_label == "整改进展情况"
    notice = rnd.notices.get()
    assert notice.title == XINYE + "关于上下联动专项巡察整改进展情况的通报"
    assert notice.date == datetime.date(2024, 10, 10)
    assert notice.signature == XINYE
    assert notice.opening.startswith("根据省委第九巡视组上下联动巡察工作要求")


def test_xuchang_counts_results_and_depths(rounds):
    rnd = rounds["xuchang"]
    assert rnd.tasks.count() == 53
    measures = Measure.objects.filter(task__round=rnd).count()
    assert 180 <= measures <= 195
    printed = Counter(
        t.replace(",", "，") for t in rnd.tasks.values_list("result_text", flat=True)
    )
    assert printed == {
        "已完成": 6, "已完成，长期坚持": 35, "已完成整改，长期推进": 1,
        "已完成部分整改，长期坚持": 2, "正在推进": 8, "正在推进，2023年底前完成": 1,
    }
    status = Counter(rnd.tasks.values_list("status", flat=True))
    assert sum(status.values()) == 53
    assert status[Status.COMPLETED] == 6
    late = rnd.tasks.get(result_text__contains="2023年底前")
    assert late.deadline == datetime.date(2023, 12, 31)
    depths = Counter(n.depth for n in walk(build_tree(rnd)) if n.is_task)
    assert set(depths) == {3, 4}


def test_xuchang_tree_keeps_the_missing_circled_three(rounds):
    rnd = rounds["xuchang"]
    nodes = list(walk(build_tree(rnd)))
    parent = next(n for n in nodes if n.obj.title.startswith("重要事项监管不严"))
    children = parent.children
    assert [c.printed_label for c in children] == ["①", "②", "④", "⑤"]
    assert [c.number for c in children] == ["①", "②", "③", "④"]
    assert [c.label_flagged for c in children] == [False, False, True, True]
    flagged = [n for n in nodes if n.label_flagged]
    assert {n.obj.pk for n in flagged} == {c.obj.pk for c in children[2:]}


def test_xuchang_mixed_siblings_share_one_numbering(rounds):
    rnd = rounds["xuchang"]
    nodes = list(walk(build_tree(rnd)))
    parent = next(n for n in nodes if n.obj.title.startswith("党的全面领导不充分"))
    assert parent.number == "3."
    assert [(c.number, c.is_task) for c in parent.children] == [
        ("1)", False), ("2)", True), ("3)", False)]


def test_xuchang_round_notice_and_contacts(rounds):
    rnd = rounds["xuchang"]
    assert rnd.inspecting_body == "市委第三巡察组"
    assert rnd.kind == "常规巡察"
    assert (rnd.inspection_start, rnd.inspection_end, rnd.feedback_date) == (
        datetime.date(2022, 11, 21), datetime.date(2022, 12, 30), datetime.date(2023, 2, 28))
    assert rnd.rectification_end_date == datetime.date(2023, 5, 28)
    group = rnd.party_group
    assert group.phone == "0374-2699812"
    assert group.email == "xcsjyjdb@126.com"
    assert "创业中心B座20楼2015-2房间" in group.postal_address
    notice = rnd.notices.get()
    assert notice.date == datetime.date(2023, 7, 18)
    assert notice.overall_heading == "一、整体推进情况"
    assert notice.problems_heading == "二、问题整改情况"
    assert "一是层层压实整改责任" in notice.overall
    assert "0374-2699812" in notice.closing and "xcsjyjdb@126.com" in notice.closing


def test_every_tree_line_of_the_seeds_is_in_the_records(rounds):
    """Each heading line of the seed text appears, in order, as a node's label and title."""
    files = {"xinye": "000_d41cc051d79ffcc9.txt", "xuchang": "001_eae98d11af12162c.txt"}
    for key, name in files.items():
        text = (SEEDS / name).read_text(encoding="utf-8")
        nodes = list(walk(build_tree(rounds[key])))
        rendered = [_squash((n.printed_label or n.number) + n.obj.title) for n in nodes]
        lines = [_squash(line) for line in text.splitlines()]
        cursor = 0
        for want in rendered:
            while cursor < len(lines) and not lines[cursor].startswith(want):
                cursor += 1
            assert cursor < len(lines), f"{key}: {want} not found in order"
            cursor += 1


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text).replace("，", ",")


def test_no_word_leftovers_anywhere(rounds):
    texts = []
    for model, fields in ((RectificationTask, ["title", "outcome"]), (Measure, ["text"]),
                          (ProblemCategory, ["title"]), (Notice, ["opening", "closing", "title"])):
        for row in model.objects.values_list(*fields):
            texts.extend(row)
    assert texts and not any("bookmark" in t or "_GoBack" in t for t in texts)


def test_history_records_the_import(rounds):
    task = rounds["xuchang"].tasks.first()
    assert task.history.count() == 1
    assert task.history.first().history_change_reason == "导入通报"


def test_demo_users_and_roles(rounds):
    User = get_user_model()
    for name in ("staff", "auditor", "clerk_xinye", "clerk_xuchang", "leader_xinye",
                 "leader_xuchang"):
        assert User.objects.get(username=name).check_password("rectify-demo")
    assert User.objects.get(username="staff").groups.filter(name=roles.STAFF).exists()
    assert User.objects.get(username="auditor").groups.filter(name=roles.AUDITOR).exists()
    xinye = PartyGroup.objects.get(name=XINYE)
    assert sorted(xinye.members.values_list("username", flat=True)) == [
        "clerk_xinye", "leader_xinye"]
    assert User.objects.get(username="leader_xinye").groups.filter(name=roles.LEADER).exists()
    assert not User.objects.get(username="clerk_xinye").is_staff
    assert not User.objects.get(username="leader_xinye").is_staff


def test_the_xinye_round_is_reviewed_in_two_levels(rounds):
    assert rounds["xinye"].review_levels == 2
    assert rounds["xuchang"].review_levels == 1


def test_seed_demo_is_idempotent(rounds):
    counts = (InspectionRound.objects.count(), RectificationTask.objects.count(),
              Measure.objects.count(), get_user_model().objects.count())
    call_command("seed_demo", stdout=io.StringIO())
    assert counts == (InspectionRound.objects.count(), RectificationTask.objects.count(),
                      Measure.objects.count(), get_user_model().objects.count())


def test_seed_demo_refuses_without_debug_unless_forced(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="--force"):
        call_command("seed_demo")
    assert not InspectionRound.objects.exists()
    call_command("seed_demo", "--force", stdout=io.StringIO())
    assert InspectionRound.objects.count() == 2
