"""The round lists (the admin's, ``/api/rounds/``): each round's task counts are computed for
the rounds shown only, never joined into the list's count or the admin's date hierarchy; the
counts stay right and sortable; the queries do not grow with the rounds."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bureaus.models import PartyGroup
from rectify.models import InspectionRound, RectificationTask
from rectify.models.choices import Status

pytestmark = pytest.mark.django_db

ADMIN_LIST = "/admin/rectify/inspectionround/"
TASKS_TABLE = "rectify_rectificationtask"


def rounds(bureau: PartyGroup, n: int) -> list[InspectionRound]:
    """``n`` rounds, the i-th with i tasks, a third of them completed."""
    made = InspectionRound.objects.bulk_create(
        InspectionRound(party_group=bureau, inspecting_body=f"第{i}巡察组",
                        feedback_date=datetime.date(2023, 1 + i % 12, 1))
        for i in range(n))
    RectificationTask.objects.bulk_create(
        RectificationTask(round=rnd, title=f"问题{i}-{j}", position=j,
                          status=Status.COMPLETED if j % 3 == 0 else Status.IN_PROGRESS)
        for i, rnd in enumerate(made) for j in range(i))
    return made


def counting(queries) -> list[str]:
    """The queries that count rows or list dates: none of them may read the tasks."""
    return [q["sql"] for q in queries
            if "COUNT(" in q["sql"] and "GROUP BY" not in q["sql"] or "DISTINCT" in q["sql"]
            or "MIN(" in q["sql"] or "MAX(" in q["sql"]]


@pytest.mark.parametrize("n", [1, 60])
def test_admin_round_list_counts_for_the_page_only(client, staff_user, bureau, n,
                                                   django_assert_max_num_queries):
    rounds(bureau, n)
    client.force_login(staff_user)
    # Session, user, roles, the party groups filter, the count and the full count, two
    # permission checks, the page, the bell, the date hierarchy (first and last, the days),
    # the kinds filter: the same at 1 round and at 60.
    with django_assert_max_num_queries(13), \
            CaptureQueriesContext(connection) as queries:
        response = client.get(ADMIN_LIST)
    assert response.status_code == 200
    listed = counting(queries)
    assert listed and not [sql for sql in listed if TASKS_TABLE in sql]
    cl = response.context["cl"]
    assert cl.result_count == n
    for rnd in cl.result_list:
        i = int(rnd.inspecting_body[1:-3])
        assert (rnd.task_count, rnd.completed_count) == (i, len(range(0, i, 3)))


def test_admin_round_list_sorts_by_task_count(client, staff_user, bureau):
    rounds(bureau, 6)
    client.force_login(staff_user)
    column = client.get(ADMIN_LIST).context["cl"].list_display.index("task_count")
    up = client.get(ADMIN_LIST, {"o": str(column)}).context["cl"].result_list
    down = client.get(ADMIN_LIST, {"o": f"-{column}"}).context["cl"].result_list
    assert [r.task_count for r in up] == [0, 1, 2, 3, 4, 5]
    assert [r.task_count for r in down] == [5, 4, 3, 2, 1, 0]
    by_done = client.get(ADMIN_LIST, {"o": f"-{column + 1}"}).context["cl"].result_list
    assert [r.completed_count for r in by_done][:2] == [2, 2]


def test_admin_round_date_hierarchy_reads_no_task(client, staff_user, bureau):
    rounds(bureau, 8)
    client.force_login(staff_user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(ADMIN_LIST, {"feedback_date__year": "2023"})
    assert response.status_code == 200
    assert response.context["cl"].result_count == 8
    dates = [sql for sql in counting(queries) if "feedback_date" in sql]
    assert len(dates) >= 2 and not [sql for sql in dates if TASKS_TABLE in sql]


@pytest.mark.parametrize("n", [1, 60])
def test_api_rounds_count_alone(staff_user, bureau, api_client, n,
                                django_assert_max_num_queries):
    rounds(bureau, n)
    client = api_client(staff_user)
    with django_assert_max_num_queries(4), CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("api:round-list"), {"page_size": 200})
    assert response.status_code == 200
    count = [q["sql"] for q in queries if "COUNT(*)" in q["sql"]]
    assert len(count) == 1 and TASKS_TABLE not in count[0]
    body = response.json()
    assert body["count"] == n
    for row in body["results"]:
        i = int(row["inspecting_body"][1:-3])
        assert (row["task_count"], row["completed_count"]) == (i, len(range(0, i, 3)))
