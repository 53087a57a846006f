"""Trends (rectify.services.trends): the daily statistics snapshot, replaced when taken again
the same day; the back-fill of past days from the tasks' own history rows; the series a
dashboard draws, under the one permission rule."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from rectify.models import (
    FigureKind,
    InspectionRound,
    OutcomeFigure,
    RectificationTask,
    StatisticsSnapshot,
)
from rectify.models.choices import Status
from rectify.services import trends, workflow

pytestmark = pytest.mark.django_db

DAY = datetime.date(2024, 3, 1)


def at(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))


def date_history(task, day: datetime.date, latest: bool = True) -> None:
    """Move ``task``'s newest (or every) history row to ``day`` (as if saved then)."""
    rows = RectificationTask.history.filter(id=task.pk)
    if latest:
        rows = rows.filter(history_id=rows.order_by("-history_date", "-history_id")
                           .values("history_id")[:1])
    rows.update(history_date=at(day))


def test_a_snapshot_taken_twice_a_day_replaces_the_days_row(small_round, staff_user):
    call_command("snapshot_statistics", "--date", DAY.isoformat(), stdout=io.StringIO())
    [row] = StatisticsSnapshot.objects.filter(date=DAY)
    assert (row.round_id, row.party_group_id, row.tasks, row.completed) == (
        small_round.pk, small_round.party_group_id, 3, 0)

    task = RectificationTask.objects.filter(round=small_round).first()
    workflow.set_status(task, Status.COMPLETED, staff_user,
                        completion_date=datetime.date(2023, 6, 30))
    OutcomeFigure.objects.create(round=small_round, task=task, kind=FigureKind.SYSTEMS,
                                 value=Decimal(4))
    call_command("snapshot_statistics", "--date", DAY.isoformat(), stdout=io.StringIO())
    [row] = StatisticsSnapshot.objects.filter(date=DAY)
    assert (row.tasks, row.completed, row.on_time) == (3, 1, 1)
    assert row.figures == {FigureKind.SYSTEMS: "4"}
    assert StatisticsSnapshot.objects.count() == 1


def test_the_command_refuses_a_bad_date(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--date"):
        call_command("snapshot_statistics", "--date", "2024-13-01", stdout=io.StringIO())


def test_backfill_gives_the_counts_recorded_as_of_past_days(small_round, staff_user):
    """t1 was created on 03-01 and completed in the records on 07-02 (completion date 06-30):
    it counts as completed from 07-02, when the record said so. t4 came in with a later import
    (its first history row 07-05) already completed on 05-15: its completion date says from
    when. t3 stays open, and is overdue after the round's end (08-31); t2 is deleted on
    09-10."""
    small_round.rectification_end = datetime.date(2023, 8, 31)
    small_round.save()
    t1, t2, t3 = RectificationTask.objects.filter(round=small_round).order_by("pk")
    for task in (t1, t2, t3):
        date_history(task, datetime.date(2023, 3, 1), latest=False)
    workflow.set_status(t1, Status.COMPLETED, staff_user,
                        completion_date=datetime.date(2023, 6, 30))
    date_history(t1, datetime.date(2023, 7, 2))
    t4 = RectificationTask.objects.create(round=small_round, title="后来导入的问题",
                                          status=Status.COMPLETED,
                                          completion_date=datetime.date(2023, 5, 15))
    date_history(t4, datetime.date(2023, 7, 5), latest=False)
    RectificationTask.objects.get(pk=t2.pk).delete()
    date_history(t2, datetime.date(2023, 9, 10))

    trends.backfill(datetime.date(2023, 2, 28), datetime.date(2023, 9, 30))

    def on(day):
        return StatisticsSnapshot.objects.get(date=day, round=small_round)

    assert on(datetime.date(2023, 2, 28)).tasks == 4  # from the feedback date
    assert on(datetime.date(2023, 5, 14)).completed == 0
    assert on(datetime.date(2023, 5, 15)).completed == 1  # t4, by its completion date
    assert on(datetime.date(2023, 7, 1)).completed == 1  # t1 not yet recorded completed
    assert on(datetime.date(2023, 7, 2)).completed == 2
    assert on(datetime.date(2023, 8, 31)).overdue == 0
    assert on(datetime.date(2023, 9, 1)).overdue == 2  # t2, t3
    assert on(datetime.date(2023, 9, 1)).backfilled
    assert (on(datetime.date(2023, 9, 10)).tasks, on(datetime.date(2023, 9, 10)).overdue) == (
        3, 1)
    # Run again: the same rows, replaced, not doubled.
    count = StatisticsSnapshot.objects.count()
    trends.backfill(datetime.date(2023, 2, 28), datetime.date(2023, 9, 30))
    assert StatisticsSnapshot.objects.count() == count == 215


def test_backfill_counts_sign_off_from_its_time(small_round, staff_user):
    task = RectificationTask.objects.filter(round=small_round).first()
    workflow.set_status(task, Status.COMPLETED, staff_user,
                        completion_date=datetime.date(2023, 6, 30))
    task.refresh_from_db()
    task.signed_off_at, task.signed_off_by = at(datetime.date(2023, 7, 10)), staff_user
    task.save()  # a history row carrying the sign-off time
    RectificationTask.history.filter(id=task.pk).update(history_date=at(datetime.date(2023, 7,
                                                                                      10)))
    trends.backfill(datetime.date(2023, 7, 9), datetime.date(2023, 7, 10))
    counts = dict(StatisticsSnapshot.objects.values_list("date", "signed_off"))
    assert counts == {datetime.date(2023, 7, 9): 0, datetime.date(2023, 7, 10): 1}


@pytest.fixture
def two_bureaus(small_round, make_round, other_bureau):
    other = make_round(party_group=other_bureau, feedback_date=datetime.date(2022, 5, 1))
    RectificationTask.objects.create(round=other, title="外单位的问题")
    trends.take_snapshot(DAY)
    return small_round, other


def test_series_sums_the_rounds_the_user_may_see(two_bureaus, staff_user, clerk_user,
                                                 other_clerk):
    mine, other = two_bureaus
    assert [(p.date, p.tasks) for p in trends.series(staff_user)] == [(DAY, 4)]
    assert [(p.date, p.tasks) for p in trends.series(clerk_user)] == [(DAY, 3)]
    assert [(p.date, p.tasks) for p in trends.series(other_clerk)] == [(DAY, 1)]
    assert [p.tasks for p in trends.series(staff_user, {"year": "2022"})] == [1]
    assert [p.tasks for p in trends.series(staff_user, {"round": str(mine.pk)})] == [3]


def test_series_refuses_another_bureaus_round(two_bureaus, clerk_user):
    _mine, other = two_bureaus
    with pytest.raises(ValidationError) as refused:
        trends.series(clerk_user, {"round": str(other.pk)})
    assert "round" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        trends.series(clerk_user, {"party_group": str(other.party_group_id)})
    assert "party_group" in refused.value.message_dict


def test_snapshot_queries_do_not_grow_with_rounds(two_bureaus, make_round,
                                                  django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        trends.take_snapshot(DAY)
    for _ in range(5):
        rnd = make_round()
        RectificationTask.objects.create(round=rnd, title="问题")
    with django_assert_max_num_queries(8):
        trends.take_snapshot(DAY)
    assert StatisticsSnapshot.objects.filter(date=DAY).count() == InspectionRound.objects.count()
