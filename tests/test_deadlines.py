"""Deadlines: the three-colour warning of a task, countdowns and a round's milestones."""

from __future__ import annotations

import datetime

import pytest

from rectify.models import RectificationTask
from rectify.models.choices import Status
from rectify.rules import due_dates as deadlines
from rectify.rules.due_dates import Warning

TODAY = datetime.date(2024, 6, 1)


def days(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


def annotated(task: RectificationTask, today=TODAY) -> RectificationTask:
    """The task as every surface reads it: with the database's due date and colour."""
    return deadlines.with_due_dates(RectificationTask.objects.filter(pk=task.pk), today).get()


@pytest.fixture
def open_task(make_round):
    rnd = make_round(feedback_date=datetime.date(2024, 1, 1))
    return RectificationTask.objects.create(round=rnd, title="问题")


@pytest.mark.parametrize(("left", "colour"), [
    (60, Warning.GREEN), (21, Warning.GREEN), (20, Warning.YELLOW), (11, Warning.YELLOW),
    (10, Warning.RED), (0, Warning.RED), (-1, Warning.RED), (-300, Warning.RED),
])
def test_colour_boundaries(open_task, left, colour):
    RectificationTask.objects.filter(pk=open_task.pk).update(deadline=days(left))
    task = annotated(open_task)
    assert task.warning == colour
    assert task.is_overdue is (left < 0)
    assert list(deadlines.with_warning(RectificationTask.objects.all(), colour, TODAY)) == [task]


@pytest.mark.parametrize("status", Status.done())
def test_done_tasks_have_no_warning_and_are_never_overdue(open_task, status):
    RectificationTask.objects.filter(pk=open_task.pk).update(deadline=days(-5), status=status)
    task = annotated(open_task)
    assert task.warning is None and task.is_overdue is False
    assert not deadlines.overdue(RectificationTask.objects.all(), TODAY).exists()


def test_no_date_no_warning(open_task):
    task = annotated(open_task)
    assert task.due_on is None and task.warning is None and task.is_overdue is False
    assert deadlines.not_overdue(RectificationTask.objects.all(), TODAY).get() == open_task


@pytest.mark.parametrize(("left", "text"), [
    (5, "还剩 5 天"), (1, "还剩 1 天"), (0, "今天到期"), (-1, "已逾期 1 天"), (-12, "已逾期 12 天"),
])
def test_countdown(left, text):
    assert deadlines.countdown(days(left), TODAY) == text


def test_countdown_without_date():
    assert deadlines.countdown(None, TODAY) == ""


def test_round_end_is_stored_from_feedback_and_months(make_round):
    rnd = make_round(feedback_date=datetime.date(2023, 12, 31), rectification_months=2)
    assert rnd.rectification_end_date == datetime.date(2024, 2, 29)
    rnd.rectification_end = datetime.date(2024, 3, 1)
    rnd.save()
    rnd.refresh_from_db()
    assert rnd.rectification_end_date == datetime.date(2024, 3, 1)
    rnd.rectification_end, rnd.rectification_months = None, None
    rnd.save()
    rnd.refresh_from_db()
    assert rnd.rectification_end_date is None


# -- tasks, with their round --------------------------------------------------------------------


def test_task_falls_back_to_round_end(make_round):
    rnd = make_round(feedback_date=datetime.date(2024, 3, 15), rectification_months=3)
    task = RectificationTask.objects.create(round=rnd, title="问题")
    assert annotated(task).due_on == datetime.date(2024, 6, 15)
    assert annotated(task).warning == Warning.YELLOW  # 14 days left
    RectificationTask.objects.filter(pk=task.pk).update(deadline=days(30))
    assert annotated(task).due_on == days(30)
    assert annotated(task).warning == Warning.GREEN
    RectificationTask.objects.filter(pk=task.pk).update(status=Status.COMPLETED)
    assert annotated(task).warning is None


def test_stored_round_end_wins(make_round):
    rnd = make_round(rectification_end=days(5), rectification_months=6)
    task = RectificationTask.objects.create(round=rnd, title="问题")
    assert annotated(task).due_on == days(5)
    assert annotated(task).warning == Warning.RED


def test_task_without_any_date(make_round):
    rnd = make_round(feedback_date=None)
    task = RectificationTask.objects.create(round=rnd, title="问题")
    assert annotated(task).due_on is None
    assert annotated(task).warning is None


# -- milestones ---------------------------------------------------------------------------------


def test_milestones_of_a_round(make_round):
    rnd = make_round(feedback_date=datetime.date(2023, 2, 28), rectification_months=6)
    today = datetime.date(2023, 4, 18)
    stones = deadlines.milestones(rnd, today)
    assert [(m.label, m.date) for m in stones] == [
        ("巡察反馈", datetime.date(2023, 2, 28)),
        ("报送整改情况报告", datetime.date(2023, 4, 28)),
        ("集中整改结束", datetime.date(2023, 8, 28)),
    ]
    feedback, report, end = stones
    assert feedback.passed and feedback.countdown == ""  # the feedback only starts the clock
    assert report.days_left == 10 and report.countdown == "还剩 10 天" and not report.passed
    assert end.countdown == "还剩 132 天"


def test_milestones_after_the_report_is_due(make_round):
    rnd = make_round(feedback_date=datetime.date(2023, 2, 28), rectification_months=6)
    report = deadlines.milestones(rnd, datetime.date(2023, 5, 1))[1]
    assert report.passed and report.countdown == "已逾期 3 天"


def test_milestones_without_dates(make_round):
    rnd = make_round(feedback_date=None)
    assert deadlines.milestones(rnd, TODAY) == []
    rnd = make_round(feedback_date=datetime.date(2023, 2, 28))  # no months, no stored end
    assert [m.label for m in deadlines.milestones(rnd, TODAY)] == ["巡察反馈", "报送整改情况报告"]
