"""List endpoints take a bounded number of queries: the same bound at 1 row and at 200."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from bureaus.models import PartyGroup
from rectify.models import (
    InspectionRound,
    Measure,
    Notice,
    OutcomeFigure,
    ProblemCategory,
    Publication,
    RectificationTask,
)
from rectify.models.choices import Status

pytestmark = pytest.mark.django_db

#: Per list, as a clerk (token: 1, roles: 1, party groups: 1) or staff (one fewer): the count,
#: the page, and for tasks their measures (1), their outcome figures (1) and the rounds'
#: numbered trees (3); for categories the trees (3).
BOUNDS = {
    "partygroup": 5,
    "round": 5,
    "category": 8,
    "task": 10,
    "measure": 5,
    "figure": 5,
    "notice": 5,
    "publication": 5,
}
FEEDBACK = datetime.date(2023, 2, 28)


def populate(bureau: PartyGroup, n: int) -> None:
    """``n`` rows of every list in ``bureau``; tasks with two measures each."""
    PartyGroup.objects.bulk_create(PartyGroup(name=f"党组{i}") for i in range(n - 1))
    main = InspectionRound.objects.create(party_group=bureau, inspecting_body="市委第一巡察组",
                                          feedback_date=FEEDBACK)
    InspectionRound.objects.bulk_create(
        InspectionRound(party_group=bureau, inspecting_body=f"巡察组{i}", feedback_date=FEEDBACK)
        for i in range(n - 1))
    top = ProblemCategory.objects.create(round=main, title="类别", position=1)
    ProblemCategory.objects.bulk_create(
        ProblemCategory(round=main, parent=top, title=f"类别{i}", position=i + 1)
        for i in range(n - 1))
    tasks = RectificationTask.objects.bulk_create(
        RectificationTask(round=main, category=top if i % 2 else None, position=1000 + i,
                          title=f"问题{i}", deadline=datetime.date(2023, 6, 30),
                          status=Status.COMPLETED if i % 3 == 0 else Status.IN_PROGRESS)
        for i in range(n))
    Measure.objects.bulk_create(
        Measure(task=task, position=p, text=f"措施{p}") for task in tasks for p in (1, 2))
    OutcomeFigure.objects.bulk_create(
        OutcomeFigure(round=main, task=task, kind=kind, value=3, unit="项")
        for task in tasks for kind in ("systems", "immediate"))
    notices = Notice.objects.bulk_create(
        Notice(round=main, title=f"通报{i}", date=datetime.date(2023, 7, 18)) for i in range(n))
    Publication.objects.bulk_create(
        Publication(notice=notices[i], round=main, version=i + 1, date=notices[i].date,
                    title=notices[i].title, kind="progress", issuer=bureau.name,
                    for_public=True, approved_by="张三", snapshot={}, public_snapshot={})
        for i in range(n))


EXPECTED_ROWS = {"measure": 2, "figure": 2}  # measures, figures per row of the others


@pytest.mark.parametrize("role", ["staff", "clerk"])
@pytest.mark.parametrize("rows", [1, 200])
@pytest.mark.parametrize("basename", sorted(BOUNDS))
def test_list_queries_do_not_grow_with_rows(basename, rows, role, bureau, staff_user,
                                            clerk_user, api_client,
                                            django_assert_max_num_queries):
    populate(bureau, rows)
    client = api_client(staff_user if role == "staff" else clerk_user)
    url = reverse(f"api:{basename}-list")
    with django_assert_max_num_queries(BOUNDS[basename]):
        response = client.get(url, {"page_size": 200})
    assert response.status_code == 200
    visible = response.data["count"]
    expected = rows * EXPECTED_ROWS.get(basename, 1)
    if basename == "partygroup" and role == "clerk":
        expected = 1  # its own only
    assert visible == expected
    assert len(response.data["results"]) == min(expected, 200)


def test_task_detail_and_history_are_bounded(bureau, staff_user, api_client,
                                             django_assert_max_num_queries):
    populate(bureau, 50)
    task = RectificationTask.objects.first()
    client = api_client(staff_user)
    with django_assert_max_num_queries(8):
        assert client.get(reverse("api:task-detail", args=[task.pk])).status_code == 200
    # Token, roles, the task with its measures and figures, the histories of all three.
    with django_assert_max_num_queries(8):
        assert client.get(reverse("api:task-history", args=[task.pk])).status_code == 200
