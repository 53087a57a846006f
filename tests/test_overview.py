"""The bureau overview: counts per bureau by status and warning colour, scoped to the user."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from rectify.models import InspectionRound, RectificationTask
from rectify.models.choices import Status
from rectify.services.overview import bureau_overview

TODAY = datetime.date(2024, 6, 1)


def days(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


def task(rnd, **kwargs) -> RectificationTask:
    kwargs.setdefault("title", "问题")
    return RectificationTask.objects.create(round=rnd, **kwargs)


@pytest.fixture
def two_bureaus(make_round, other_bureau, staff_user):
    """教育局: red, red+overdue+awaiting review, yellow, green (round end), no date, two done
    (one signed off). 卫健委: red by its round's end (due today, not overdue), one done."""
    rnd = make_round(feedback_date=datetime.date(2024, 1, 1), rectification_end=days(24))
    task(rnd, deadline=days(5))
    task(rnd, deadline=days(-3), proposed_status=Status.COMPLETED)
    task(rnd, deadline=days(15))
    task(rnd)
    task(rnd, deadline=days(-10), status=Status.COMPLETED, signed_off_by=staff_user,
         signed_off_at=timezone.now())
    task(rnd, status=Status.COMPLETED_LONGTERM)
    task(make_round(feedback_date=None))
    other = make_round(party_group=other_bureau, feedback_date=datetime.date(2024, 1, 1),
                       rectification_months=5)
    task(other)
    task(other, status=Status.COMPLETED, deadline=days(-1))


def counts(row) -> dict:
    names = ("total", "green", "yellow", "red", "no_date", "awaiting_review", "signed_off",
             "overdue")
    return {name: getattr(row, name) for name in names} | {"by_status": row.by_status}


def test_counts_for_two_bureaus(two_bureaus, staff_user, bureau, other_bureau):
    overview = bureau_overview(staff_user, TODAY)
    assert [row.pk for row in overview.rows] == [other_bureau.pk, bureau.pk]  # by name
    health, education = overview.rows
    assert (education.name, education.short_name, education.label) == (
        "中共测试市教育局党组", "测试市教育局", "测试市教育局")
    assert counts(education) == {
        "total": 7, "green": 1, "yellow": 1, "red": 2, "no_date": 1, "awaiting_review": 1,
        "signed_off": 1, "overdue": 1,
        "by_status": {"in_progress": 5, "completed": 1, "completed_longterm": 1},
    }
    assert (education.open, education.done) == (5, 2)
    assert counts(health) == {
        "total": 2, "green": 0, "yellow": 0, "red": 1, "no_date": 0, "awaiting_review": 0,
        "signed_off": 0, "overdue": 0,
        "by_status": {"in_progress": 1, "completed": 1, "completed_longterm": 0},
    }
    assert counts(overview.totals) == {
        "total": 9, "green": 1, "yellow": 1, "red": 3, "no_date": 1, "awaiting_review": 1,
        "signed_off": 1, "overdue": 1,
        "by_status": {"in_progress": 6, "completed": 2, "completed_longterm": 1},
    }
    assert education.statuses[0] == ("in_progress", "正在推进", 5)


def test_colours_move_with_the_day(two_bureaus, staff_user):
    later = bureau_overview(staff_user, days(30)).totals
    assert (later.green, later.yellow, later.red, later.overdue) == (0, 0, 5, 5)


def test_clerk_sees_only_its_bureau(two_bureaus, clerk_user, other_clerk, bureau, other_bureau):
    mine = bureau_overview(clerk_user, TODAY)
    assert [row.pk for row in mine.rows] == [bureau.pk]
    assert mine.totals.total == 7
    theirs = bureau_overview(other_clerk, TODAY)
    assert [row.pk for row in theirs.rows] == [other_bureau.pk]
    assert theirs.totals.total == 2


def test_auditor_sees_all(two_bureaus, auditor_user):
    assert len(bureau_overview(auditor_user, TODAY).rows) == 2


def test_anonymous_sees_nothing(two_bureaus):
    overview = bureau_overview(AnonymousUser(), TODAY)
    assert not overview and overview.rows == [] and overview.totals.total == 0


def test_bureau_without_tasks_has_no_row(staff_user, bureau):
    assert bureau_overview(staff_user, TODAY).rows == []


def fill(party_groups, rounds_each: int, tasks_each: int) -> None:
    for pg in party_groups:
        for r in range(rounds_each):
            rnd = InspectionRound.objects.create(
                party_group=pg, feedback_date=datetime.date(2024, 1, 1),
                rectification_months=r + 3)
            RectificationTask.objects.bulk_create([
                RectificationTask(round=rnd, position=i + 1, title=f"问题{i}",
                                  deadline=days(i - tasks_each // 2) if i % 3 else None,
                                  status=Status.COMPLETED if i % 4 == 0 else Status.IN_PROGRESS)
                for i in range(tasks_each)
            ])


@pytest.mark.parametrize(("rounds_each", "tasks_each"), [(1, 2), (4, 40)])
def test_constant_number_of_queries(rounds_each, tasks_each, bureau, other_bureau, clerk_user,
                                    django_user_model, django_assert_max_num_queries):
    from bureaus.models import PartyGroup

    third = PartyGroup.objects.create(name="中共测试市交通局党组")
    third.members.add(clerk_user)
    fill([bureau, other_bureau, third], rounds_each, tasks_each)
    clerk = django_user_model.objects.get(pk=clerk_user.pk)  # nothing cached on it
    # Roles, the clerk's bureaus, the tasks' counts, their deadline extensions' counts.
    with django_assert_max_num_queries(4):
        overview = bureau_overview(clerk, TODAY)
    assert len(overview.rows) == 2
    assert overview.totals.total == 2 * rounds_each * tasks_each


def test_proposals_waiting_for_the_bureau_leader_are_counted_apart(make_round, bureau,
                                                                   staff_user, client):
    """In a round reviewed in two levels, the overview says how many of the proposals still
    wait for the bureau's leader, and links to them."""
    from django.urls import reverse

    from rectify.models.choices import ReviewLevel, ReviewLevels

    rnd = make_round(feedback_date=datetime.date(2024, 1, 1), review_levels=ReviewLevels.TWO)
    task(rnd, proposed_status=Status.COMPLETED, proposal_level=ReviewLevel.BUREAU)
    task(rnd, proposed_status=Status.COMPLETED, proposal_level=ReviewLevel.OFFICE)
    task(rnd)
    [row] = bureau_overview(staff_user, TODAY).rows
    assert (row.awaiting_review, row.awaiting_leader) == (2, 1)
    client.force_login(staff_user)
    page = client.get(reverse("work:overview")).content.decode()
    assert "其中 1 项待单位负责人" in page
    assert f"party_group={bureau.pk}&amp;review_level=1" in page
    listed = client.get(reverse("work:index"), {"party_group": bureau.pk, "review_level": 1})
    assert listed.context["count"] == 1  # the list the link opens holds that one task
