"""The loader saves every record through save_record: validated, all or nothing, nothing cut."""

from __future__ import annotations

import pytest

from bureaus.models import PartyGroup
from rectify.models import InspectionRound, Measure, Notice, ProblemCategory, RectificationTask
from rectify.notice_import import parse_notice
from rectify.notice_import.notice_loader import IMPORT_REASON, ImportRefused, load_notice

pytestmark = pytest.mark.django_db

HEAD = "中共某某局党组关于巡察整改情况的通报\n一、作风建设方面\n"
TASKS = """1.关于会议过多的问题
整改情况：一是精简会议；二是合并发文。
整改结果：已完成。
责任单位：办公室
2.关于文件过多的问题
整改情况：一是减少发文。
整改结果：正在推进。
责任单位：{unit}
"""
TAIL = "中共某某局党组\n2024年1月5日"


def notice_text(unit: str = "综合科", closing: str = "") -> str:
    return HEAD + TASKS.format(unit=unit) + closing + TAIL


def test_every_record_is_validated_and_saved_with_the_import_reason(staff_user):
    notice = load_notice(parse_notice(notice_text()), user=staff_user)
    rnd = notice.round
    records = [
        rnd.party_group, rnd, notice, *ProblemCategory.objects.filter(round=rnd),
        *RectificationTask.objects.filter(round=rnd), *Measure.objects.filter(task__round=rnd),
    ]
    assert len(records) == 3 + 1 + 2 + 3
    for record in records:
        row = record.history.get()
        assert (row.history_change_reason, row.history_user) == (IMPORT_REASON, staff_user)
    statuses = list(RectificationTask.objects.filter(round=rnd).values_list("status", flat=True))
    assert statuses == ["completed", "in_progress"]


def test_a_field_too_long_refuses_the_whole_import_naming_the_line():
    unit = "各科室、" * 60  # 240 characters: more than 责任科室 holds
    parsed = parse_notice(notice_text(unit=unit))
    assert parsed.tasks[1].responsible_department == unit
    with pytest.raises(ImportRefused) as refused:
        load_notice(parsed)
    message = str(refused.value)
    assert message.startswith("第7行整改任务“2.关于文件过多的问题”无法导入：")
    assert "责任科室" in message and "200" in message
    # All or nothing: the party group, round and first task written before are gone.
    assert not PartyGroup.objects.exists()
    assert not InspectionRound.objects.exists()
    assert not RectificationTask.objects.exists()


def test_a_category_without_title_is_refused_naming_its_line():
    second = "二、\n3.关于台账的问题\n整改情况：一是建立台账。\n"
    text = HEAD + TASKS.format(unit="综合科") + second + TAIL
    parsed = parse_notice(text)
    assert "第11行：分类“二、”没有标题" in [doubt.message for doubt in parsed.doubts]
    with pytest.raises(ImportRefused, match=r"^第11行问题类别“二、”无法导入：标题："):
        load_notice(parsed)
    assert not Notice.objects.exists() and not Measure.objects.exists()


def test_a_contact_the_field_does_not_accept_stays_in_the_closing():
    email = "x" * 64 + "@" + ".".join(["y" * 63] * 4)  # longer than an e-mail field holds
    closing = f"欢迎广大干部群众进行监督。联系电话：0374-1234567；电子邮箱：{email}。\n"
    parsed = parse_notice(notice_text(closing=closing))
    assert parsed.contacts["email"] == email
    notice = load_notice(parsed)
    group = notice.round.party_group
    assert (group.phone, group.email) == ("0374-1234567", "")
    assert email in notice.closing
