"""Tree constraints, validation messages, history rows and milestones."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from rectify.models import InspectionRound, Measure, ProblemCategory, RectificationTask
from rectify.models.choices import Status
from rectify.models.rounds import add_months
from rectify.rules import due_dates
from rectify.services.records import StaleRecord, save_record
from rectify.services.workflow import change_status, sign_off

pytestmark = pytest.mark.django_db


def messages(exc: ValidationError) -> str:
    return " ".join(m for msgs in exc.message_dict.values() for m in msgs)


def test_task_category_must_belong_to_the_same_round(small_round, make_round):
    other = make_round(inspecting_body="市委第五巡察组")
    cat = small_round.categories.first()
    task = RectificationTask(round=other, category=cat, title="跨轮次的任务")
    with pytest.raises(ValidationError) as err:
        task.full_clean()
    assert "属于另一巡察轮次" in messages(err.value)


def test_category_cannot_move_under_its_own_descendant(small_round):
    top = small_round.categories.get(parent=None)
    sub = top.subcategories.get()
    top.parent = sub
    with pytest.raises(ValidationError) as err:
        top.full_clean()
    assert "下级类别" in err.value.message_dict["parent"][0]
    top.parent = top
    with pytest.raises(ValidationError):
        top.full_clean()


def test_category_of_another_round_cannot_be_parent(small_round, make_round):
    other = make_round(inspecting_body="市委第五巡察组")
    cat = ProblemCategory(round=other, parent=small_round.categories.first(), title="x")
    with pytest.raises(ValidationError) as err:
        cat.full_clean()
    assert "另一巡察轮次" in err.value.message_dict["parent"][0]


def test_tree_depth_is_bounded(make_round):
    rnd = make_round()
    parent = None
    for level in range(1, 5):
        parent = ProblemCategory.objects.create(round=rnd, parent=parent, title=f"L{level}")
    too_deep = ProblemCategory(round=rnd, parent=parent, title="L5")
    with pytest.raises(ValidationError) as err:
        too_deep.full_clean()
    assert "最多5级" in err.value.message_dict["parent"][0]


def test_deadline_before_feedback_and_empty_statement_are_refused(small_round):
    task = RectificationTask(round=small_round, title="   ",
                             deadline=datetime.date(2023, 1, 1))
    with pytest.raises(ValidationError) as err:
        task.full_clean()
    assert err.value.message_dict["title"] == ["问题表述不能为空。"]
    assert err.value.message_dict["deadline"] == ["整改时限不能早于反馈日期（2023-02-28）。"]


def test_siblings_share_one_sequence_of_positions(small_round):
    top = small_round.categories.get(parent=None)
    taken = top.subcategories.get().position
    task = RectificationTask(round=small_round, category=top, position=taken, title="重号任务")
    with pytest.raises(ValidationError) as err:
        task.full_clean()
    assert "排序" in err.value.message_dict["position"][0]
    # Without a position, the next free one is taken after categories and tasks alike.
    task = RectificationTask.objects.create(round=small_round, category=top, title="新任务")
    assert task.position == 3


def test_every_change_writes_a_history_row_with_user(small_round, staff_user):
    task = small_round.tasks.order_by("pk").first()
    before = task.history.count()
    task.responsible_leader = "张三"
    save_record(task, staff_user, "指定责任领导")
    assert task.history.count() == before + 1
    latest = task.history.first()
    assert latest.history_user == staff_user
    assert latest.history_change_reason == "指定责任领导"
    delta = latest.diff_against(latest.prev_record)
    assert [(c.field, c.old, c.new) for c in delta.changes if c.field == "responsible_leader"] == [
        ("responsible_leader", "", "张三")]
    assert task.version == 2

    measure = task.measures.first()
    measure.text = "全面开展排查，建立台账。"
    save_record(measure, staff_user)
    assert measure.history.first().history_type == "~"
    measure_id = measure.pk
    measure.delete()
    assert Measure.history.filter(id=measure_id, history_type="-").exists()


def test_history_rows_cannot_be_edited_or_deleted(small_round):
    row = small_round.tasks.first().history.first()
    row.title = "改写历史"
    with pytest.raises(PermissionDenied):
        row.save()
    with pytest.raises(PermissionDenied):
        row.delete()


def test_bulk_status_change_is_all_or_nothing(small_round, staff_user):
    tasks = list(small_round.tasks.order_by("pk"))
    tasks[0].status = Status.COMPLETED
    save_record(tasks[0], staff_user)
    sign_off(tasks[0], staff_user)
    with pytest.raises(ValidationError):
        change_status(RectificationTask.objects.filter(round=small_round), Status.IN_PROGRESS,
                      staff_user)
    assert RectificationTask.objects.get(pk=tasks[0].pk).status == Status.COMPLETED

    changed = change_status(tasks[1:], Status.COMPLETED_LONGTERM, staff_user)
    assert changed == 2
    for task in tasks[1:]:
        task.refresh_from_db()
        assert task.status == Status.COMPLETED_LONGTERM
        assert task.completion_date is not None
        assert task.history.first().history_user == staff_user


def test_sign_off_requires_completion(small_round, staff_user):
    task = small_round.tasks.first()
    with pytest.raises(ValidationError):
        sign_off(task, staff_user)
    task.status = Status.COMPLETED
    save_record(task, staff_user)
    sign_off(task, staff_user)
    task.refresh_from_db()
    assert task.signed_off_by == staff_user and task.signed_off_at is not None


def test_overdue_means_past_deadline_and_not_done(small_round):
    late, done, fine = small_round.tasks.order_by("pk")
    today = datetime.date(2023, 6, 1)
    RectificationTask.objects.filter(pk__in=[late.pk, done.pk]).update(
        deadline=datetime.date(2023, 5, 1))
    RectificationTask.objects.filter(pk=done.pk).update(status=Status.COMPLETED)
    assert list(due_dates.overdue(RectificationTask.objects.all(), today)) == [late]
    assert set(due_dates.not_overdue(RectificationTask.objects.all(), today)) == {done, fine}


def test_milestones_from_feedback_date(make_round):
    rnd = make_round(feedback_date=datetime.date(2023, 2, 28), rectification_months=3)
    assert rnd.report_due == datetime.date(2023, 4, 28)
    assert rnd.rectification_end_date == datetime.date(2023, 5, 28)
    assert add_months(datetime.date(2023, 12, 31), 2) == datetime.date(2024, 2, 29)


def test_round_dates_in_the_wrong_order_are_refused(bureau):
    rnd = InspectionRound(party_group=bureau, inspection_start=datetime.date(2023, 3, 1),
                          inspection_end=datetime.date(2023, 2, 1),
                          level_formats=["{bad}"])
    with pytest.raises(ValidationError) as err:
        rnd.full_clean()
    assert set(err.value.message_dict) >= {"inspection_end", "level_formats"}


def test_a_stale_copy_cannot_overwrite_a_newer_save(small_round, staff_user, clerk_user):
    first = small_round.tasks.order_by("pk").first()
    second = RectificationTask.objects.get(pk=first.pk)  # two editors read version 1
    first.responsible_department = "基础教育科"
    save_record(first, staff_user, expected_version=1)
    second.responsible_department = "人事科"
    with pytest.raises(StaleRecord) as err:
        save_record(second, clerk_user, expected_version=1)
    assert err.value.current.responsible_department == "基础教育科"
    assert "已被他人修改" in err.value.messages[0]
    assert RectificationTask.objects.get(pk=first.pk).responsible_department == "基础教育科"
