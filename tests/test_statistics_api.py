"""``GET /api/statistics/``: the statistics service over the API, under the one rule — staff
count everything, a clerk its own bureaus', another bureau's round is a 404 naming the field —
with the task list's filters, in a bounded number of queries, and an answer the OpenAPI
schema describes."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from rectify.models import FigureKind, OutcomeFigure, RectificationTask
from rectify.models.choices import Status
from rectify.services import statistics
from tests.api_helpers import make_world
from tests.test_api_queries import populate
from tests.test_api_schema_truth import assert_conforms

pytestmark = pytest.mark.django_db

URL = "/api/statistics/"


@pytest.fixture
def openapi(client) -> dict:
    return client.get(reverse("api:schema"), {"format": "json"}).json()


@pytest.fixture
def world(staff_user, bureau, other_bureau):
    """Each bureau: a task with a figure (建立完善制度12项) and a figure of its round as a
    whole (追缴资金0.63万元); bureau A also has a draft round with an open task."""
    world = make_world(bureau, other_bureau, staff_user)
    for side in (world.a, world.b):
        assert sorted((f.kind, f.value) for f in side.figures) == [
            (FigureKind.FUNDS, Decimal("0.63")), (FigureKind.SYSTEMS, Decimal(12))]
    return world


def test_the_url_is_named():
    assert reverse("api:statistics") == URL


def test_staff_get_every_task_counted_and_summed(openapi, api_client, staff_user, world):
    response = api_client(staff_user).get(URL)
    assert response.status_code == 200
    body = assert_conforms(openapi, URL, "get", response)
    assert body["tasks"] == RectificationTask.objects.count() == 3
    assert (body["completed"], body["in_progress"]) == (2, 1)
    assert body["completion_rate"] == pytest.approx(2 / 3)
    assert 0 <= body["on_time_rate"] <= 1
    figures = {(f["kind"], f["label"], f["unit"]): f["value"] for f in body["figures"]}
    assert figures == {("systems", "建立完善制度", "项"): "24",
                       ("funds", "追缴/退缴/清退资金", "万元"): "1.26"}
    groups = {g["name"]: g for g in body["by_party_group"]}
    assert set(groups) == {str(world.a.group), str(world.b.group)}
    a = groups[str(world.a.group)]
    assert (a["id"], a["tasks"], a["completed"], a["completion_rate"]) == (
        world.a.group.pk, 2, 1, 0.5)
    assert {f["kind"]: f["value"] for f in a["figures"]} == {"systems": "12", "funds": "0.63"}
    assert sum(c["tasks"] for c in body["by_category"]) == 3
    for key in ("on_time", "reopened", "extended", "overdue", "awaiting_review", "signed_off"):
        assert isinstance(body[key], int) and key in a


def test_the_answer_is_the_service_s(api_client, clerk_user, world):
    body = api_client(clerk_user).get(URL, {"round": world.a.round.pk}).json()
    stats = statistics.for_user(clerk_user, {"round": world.a.round.pk})
    total = stats.total
    assert [body[k] for k in ("tasks", "completed", "in_progress", "overdue", "signed_off")] == [
        total.tasks, total.completed, total.in_progress, total.overdue, total.signed_off]
    assert body["completion_rate"] == total.completion_rate == 1.0
    assert body["today"] == stats.today.isoformat()


def test_a_clerk_counts_only_its_own_bureaus(openapi, api_client, clerk_user, world):
    response = api_client(clerk_user).get(URL)
    body = assert_conforms(openapi, URL, "get", response)
    assert body["tasks"] == 2  # bureau A's task and its draft round's, not bureau B's
    assert [g["name"] for g in body["by_party_group"]] == [str(world.a.group)]
    assert {f["kind"]: f["value"] for f in body["figures"]} == {"systems": "12",
                                                                 "funds": "0.63"}


def test_another_bureau_s_round_is_not_found_naming_the_field(openapi, api_client,
                                                              clerk_user, world):
    client = api_client(clerk_user)
    for name, value in (("round", world.b.round.pk), ("party_group", world.b.group.pk),
                        ("category", world.b.category.pk), ("round", 999999)):
        response = client.get(URL, {name: value})
        assert response.status_code == 404, name
        body = assert_conforms(openapi, URL, "get", response)
        assert f"（{name}）" in body["detail"] and "无权查看" in body["detail"]
        assert str(world.b.group.name) not in str(body)


def test_a_bad_filter_is_refused_naming_the_field(openapi, api_client, staff_user, world):
    client = api_client(staff_user)
    for params, field in (({"year": "abc"}, "year"), ({"status": "done"}, "status"),
                          ({"deadline_after": "2023-13-01"}, "deadline"),
                          ({"q": "字" * 101}, "q")):
        response = client.get(URL, params)
        assert response.status_code == 400, params
        assert field in assert_conforms(openapi, URL, "get", response), params


def test_anonymous_readers_are_asked_to_log_in(openapi, api_client, world):
    response = api_client(None).get(URL)
    assert response.status_code == 401
    assert_conforms(openapi, URL, "get", response)


def test_filters_select_the_tasks(api_client, staff_user, world):
    client = api_client(staff_user)
    assert client.get(URL, {"party_group": world.b.group.pk}).json()["tasks"] == 1
    assert client.get(URL, {"round": world.draft_round.pk}).json()["tasks"] == 1
    assert client.get(URL, {"status": Status.IN_PROGRESS}).json()["tasks"] == 1
    assert client.get(URL, {"year": 2023}).json()["tasks"] == 3
    assert client.get(URL, {"year": 2022}).json()["tasks"] == 0
    assert client.get(URL, {"inspecting_body": "乙巡察组"}).json()["tasks"] == 1
    empty = client.get(URL, {"year": 2022}).json()
    assert empty["completion_rate"] is None and empty["on_time_rate"] is None
    assert empty["by_party_group"] == [] and empty["figures"] == []


def test_the_schema_documents_the_filters_and_the_answer(openapi):
    operation = openapi["paths"][URL]["get"]
    names = {p["name"] for p in operation["parameters"]}
    assert {"round", "party_group", "region", "year", "inspecting_body", "category",
            "status"} <= names
    assert {"200", "400", "401", "404"} <= set(operation["responses"])
    ref = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    body = openapi["components"]["schemas"][ref.rsplit("/", 1)[1]]["properties"]
    assert {"tasks", "completed", "in_progress", "completion_rate", "on_time_rate", "overdue",
            "awaiting_review", "signed_off", "figures", "by_party_group",
            "by_category"} <= set(body)
    assert body["completion_rate"]["maximum"] == 1 and body["completion_rate"]["nullable"]


@pytest.mark.parametrize("rows", [1, 200])
@pytest.mark.parametrize("role", ["staff", "clerk"])
def test_queries_are_bounded(rows, role, bureau, staff_user, clerk_user, api_client,
                             django_assert_max_num_queries):
    populate(bureau, rows)
    task = RectificationTask.objects.first()
    OutcomeFigure.objects.create(round=task.round, task=task, kind=FigureKind.LEADS,
                                 value=Decimal(3))
    client = api_client(staff_user if role == "staff" else clerk_user)
    # The token (1), the user's roles (1) and, for a clerk, its party groups (1); the round
    # filter's choice (1); the statistics.
    with django_assert_max_num_queries(statistics.QUERIES + 3 + (role == "clerk")):
        response = client.get(URL, {"round": task.round_id})
    assert response.status_code == 200
    assert response.json()["tasks"] == rows


def test_the_statistics_at_the_given_day(api_client, staff_user, world):
    # The task of the draft round has no due date: overdue is counted against today.
    RectificationTask.objects.filter(pk=world.draft_task.pk).update(
        deadline=datetime.date(2000, 1, 1))
    assert api_client(staff_user).get(URL).json()["overdue"] == 1


def test_the_answer_is_the_serializers_shape(staff_user, world):
    """The view builds its answer directly (fast at province scale); it is exactly what the
    documented serializer gives."""
    from rectify.api.statistics_serializers import StatisticsSerializer, statistics_json

    stats = statistics.for_user(staff_user)
    assert stats.by_category and stats.by_party_group and stats.total.figures
    assert statistics_json(stats) == StatisticsSerializer(stats).data
