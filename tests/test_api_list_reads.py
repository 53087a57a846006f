"""What a page of ``/api/tasks/`` reads: the count of the filtered tasks alone (no join for the
due dates), the page's rows (no round, party group or category rows), its measures and
figures once, and for its numbers only the tasks beside its own — whatever the rounds."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from rectify.models import InspectionRound, Measure, ProblemCategory, RectificationTask

pytestmark = pytest.mark.django_db

TASKS = '"rectify_rectificationtask"'


def province(bureau, rounds: int, per_category: int) -> None:
    """``rounds`` rounds, each (一) → 1. → ``per_category`` tasks and 2. → as many."""
    for r in range(rounds):
        rnd = InspectionRound.objects.create(party_group=bureau, inspecting_body=f"第{r}组",
                                             feedback_date=datetime.date(2023, 2, 28))
        top = ProblemCategory.objects.create(round=rnd, title="类别", position=1)
        subs = [ProblemCategory.objects.create(round=rnd, parent=top, title=f"子{i}",
                                               position=i) for i in (1, 2)]
        # Due by sub-category, then position, then round: the earliest are the first
        # tasks of the first sub-category of every round.
        made = RectificationTask.objects.bulk_create(
            RectificationTask(round=rnd, category=sub, title=f"问题{r}-{i}", position=i,
                              deadline=datetime.date(2024, 1, 1) + datetime.timedelta(
                                  days=s * 10_000 + i * 100 + r))
            for s, sub in enumerate(subs) for i in range(1, per_category + 1))
        Measure.objects.bulk_create(Measure(task=task, position=1, text="措施")
                                    for task in made)


def test_the_count_reads_the_tasks_alone(bureau, staff_user, api_client):
    province(bureau, 2, 3)
    with CaptureQueriesContext(connection) as queries:
        response = api_client(staff_user).get(reverse("api:task-list"), {"page_size": 5})
    assert response.json()["count"] == 12
    count = [q["sql"] for q in queries if "COUNT(*)" in q["sql"]]
    assert count == [f'SELECT COUNT(*) AS "__count" FROM {TASKS}']
    page = next(q["sql"] for q in queries if q["sql"].startswith(f"SELECT {TASKS}."))
    assert '"rectify_inspectionround"."party_group_id"' in page  # annotated, not a row
    assert '"rectify_inspectionround"."title"' not in page
    assert '"rectify_problemcategory"' not in page


def test_a_filtered_count_joins_only_what_the_filter_needs(bureau, staff_user, api_client):
    province(bureau, 2, 3)
    with CaptureQueriesContext(connection) as queries:
        response = api_client(staff_user).get(reverse("api:task-list"),
                                              {"overdue": "true", "page_size": 5})
    assert response.json()["count"] == 6  # the first sub-categories' (the others in 2051)
    count = next(q["sql"] for q in queries if "COUNT(*)" in q["sql"])
    assert "rectify_deadlineextension" not in count  # the page's extension counts


@pytest.mark.parametrize("rounds", [1, 12])
def test_a_page_across_rounds_numbers_only_its_neighbours(bureau, staff_user, api_client,
                                                          rounds):
    """Ordered by due date, a page of 12 takes one task from each of 12 rounds: the
    numbering reads those tasks' categories' tasks (30 each), not the whole rounds' (60)."""
    province(bureau, rounds, 30)
    with CaptureQueriesContext(connection) as queries:
        response = api_client(staff_user).get(
            reverse("api:task-list"), {"ordering": "deadline", "page_size": 12})
    body = response.json()
    numbers = [task["number"] for task in body["results"]]
    assert numbers == (["一、（一）1."] * 12 if rounds == 12
                       else [f"一、（一）{i}." for i in range(1, 13)])
    numbering = [q["sql"] for q in queries
                 if q["sql"].startswith(f'SELECT {TASKS}."id" AS "pk"')]
    assert len(numbering) == 1
    with connection.cursor() as cursor:
        cursor.execute(numbering[0])
        assert len(cursor.fetchall()) == 30 * len({t["round"] for t in body["results"]})
