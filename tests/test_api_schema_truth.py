"""The schema tells the truth about the answers a client gets (issue 13): each answer below
is validated against the status and body the OpenAPI schema documents for its operation —
a stale write's 409/412 and the other conflicts, a task without a proposal ("" status), dates
and users that are empty (null), the addresses (absolute URLs), and the 401/403/404/428
refusals. The schemathesis runs (tests/test_api_schema.py) check the same for generated
requests."""

from __future__ import annotations

import jsonschema_rs
import pytest
from django.urls import reverse

from rectify.models import InspectionRound, Notification, ProblemCategory, RectificationTask
from rectify.models.choices import ReviewLevels, Status
from rectify.models.inbox import NotificationKind
from rectify.services import workflow
from tests.api_helpers import make_world
from tests.evidence_helpers import add_pdf_evidence

pytestmark = pytest.mark.django_db


@pytest.fixture
def openapi(client) -> dict:
    return client.get(reverse("api:schema"), {"format": "json"}).json()


def json_schema(node):
    """An OpenAPI 3.0 schema as JSON Schema: ``nullable: true`` allows null."""
    if isinstance(node, list):
        return [json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    converted = {key: json_schema(value) for key, value in node.items()
                 if key not in ("nullable", "readOnly", "writeOnly")}
    if node.get("nullable"):
        return {"anyOf": [converted, {"type": "null"}]}
    return converted


def documented_body(openapi: dict, path: str, method: str, status: int) -> dict:
    """The body schema ``openapi`` documents for ``status`` of ``method path`` (fails when the
    status is not documented)."""
    responses = openapi["paths"][path][method]["responses"]
    assert str(status) in responses, f"{method.upper()} {path}: {status} not in {list(responses)}"
    return responses[str(status)]["content"]["application/json"]["schema"]


def assert_conforms(openapi: dict, path: str, method: str, response) -> dict:
    """The answer's status is documented for the operation and its body is valid against the
    documented schema, formats (date, uri) included. Returns the body."""
    schema = documented_body(openapi, path, method, response.status_code)
    assert response["Content-Type"].startswith("application/json")
    root = {**json_schema(schema), "components": json_schema(openapi["components"])}
    validator = jsonschema_rs.validator_for(root, validate_formats=True)
    body = response.json()
    errors = [f"{'/'.join(map(str, error.instance_path))}: {error.message}"
              for error in validator.iter_errors(body)]
    assert not errors, errors
    return body


@pytest.fixture
def world(staff_user, bureau, other_bureau, evidence_root):
    return make_world(bureau, other_bureau, staff_user, evidence=True)


@pytest.fixture
def staff(api_client, staff_user):
    return api_client(staff_user)


@pytest.fixture
def clerk(api_client, clerk_user):
    return api_client(clerk_user)


def task_url(task, action: str = "detail") -> str:
    return reverse(f"api:task-{action}", args=[task.pk])


# -- 409 and 412: the conflict bodies --------------------------------------------------------


def test_a_stale_write_answers_the_documented_conflict_with_the_current_record(
        openapi, staff, world):
    task = world.a.task
    stale = task.version
    RectificationTask.objects.filter(pk=task.pk).update(version=stale + 1)

    response = staff.patch(task_url(task), {"progress": "甲", "version": stale}, format="json")
    assert response.status_code == 409
    body = assert_conforms(openapi, "/api/tasks/{id}/", "patch", response)
    assert body["code"] == "stale" and body["current"]["version"] == stale + 1

    response = staff.patch(task_url(task), {"progress": "甲"}, format="json",
                           HTTP_IF_MATCH=f'"rectificationtask-{task.pk}-v{stale}"')
    assert response.status_code == 412
    body = assert_conforms(openapi, "/api/tasks/{id}/", "patch", response)
    assert body["code"] == "stale" and body["current"]["id"] == task.pk

    response = staff.post(task_url(task, "sign-off"), {"version": stale}, format="json")
    assert response.status_code == 409
    assert assert_conforms(openapi, "/api/tasks/{id}/sign-off/", "post", response)["current"]


def test_a_review_at_the_wrong_level_answers_the_documented_conflict(
        openapi, staff, small_round, clerk_user, evidence_root):
    small_round.review_levels = ReviewLevels.TWO
    small_round.save()
    task = RectificationTask.objects.get(round=small_round, title="三年攻坚存在短板")
    add_pdf_evidence(task, clerk_user)
    workflow.propose_status(task, Status.COMPLETED, clerk_user, "已全部完成。")

    response = staff.post(task_url(task, "review"), {"decision": "approve"}, format="json")
    assert response.status_code == 409
    body = assert_conforms(openapi, "/api/tasks/{id}/review/", "post", response)
    assert body["code"] == "wrong_level" and "缺少第一级审核" in body["detail"]
    assert "current" not in body


def test_a_protected_deletion_answers_the_documented_conflict(openapi, staff, small_round):
    category = ProblemCategory.objects.get(round=small_round, parent=None)
    response = staff.delete(reverse("api:category-detail", args=[category.pk]))
    assert response.status_code == 409
    body = assert_conforms(openapi, "/api/categories/{id}/", "delete", response)
    assert body["code"] == "protected" and "current" not in body


# -- what the records hold: "" choices, null dates and users ---------------------------------


def test_a_task_without_a_proposal_nor_dates_conforms(openapi, staff, small_round):
    InspectionRound.objects.filter(pk=small_round.pk).update(rectification_end_date=None)
    task = RectificationTask.objects.get(round=small_round, title="党建工作边缘化")

    response = staff.get(task_url(task))
    assert response.status_code == 200
    body = assert_conforms(openapi, "/api/tasks/{id}/", "get", response)
    assert body["proposed_status"] == ""  # no proposal
    assert body["due_date"] is None and body["original_due_date"] is None
    assert body["pending_extension_deadline"] is None and body["deadline"] is None
    assert body["signed_off_by"] is None and body["proposed_by"] is None

    response = staff.get(reverse("api:task-list"), {"round": small_round.pk})
    rows = assert_conforms(openapi, "/api/tasks/", "get", response)["results"]
    assert {row["proposed_status"] for row in rows} == {""}


def test_reviews_and_extensions_conform(openapi, staff, clerk, world):
    task = world.a.task
    response = staff.post(task_url(task, "review"), {"decision": "return", "comment": "补充"},
                          format="json")
    assert response.status_code == 200, response.json()
    assert_conforms(openapi, "/api/tasks/{id}/review/", "post", response)
    response = staff.get(task_url(task, "reviews"))
    assert assert_conforms(openapi, "/api/tasks/{id}/reviews/", "get", response)

    response = staff.get(task_url(task, "extensions"))
    assert assert_conforms(openapi, "/api/tasks/{id}/extensions/", "get", response) == []


# -- addresses ---------------------------------------------------------------------------------


def test_addresses_are_absolute_as_documented(openapi, staff, staff_user, world, api_client):
    anonymous = api_client()
    response = anonymous.get(reverse("api:publication-list"))
    rows = assert_conforms(openapi, "/api/publications/", "get", response)["results"]
    assert rows and all(row["url"].startswith("http://testserver/") for row in rows)
    response = anonymous.get(reverse("api:publication-detail", args=[world.public.pk]))
    body = assert_conforms(openapi, "/api/publications/{id}/", "get", response)
    assert body["url"] == "http://testserver" + world.public.get_absolute_url()

    response = staff.post(reverse("api:publication-withdraw", args=[world.public.pk]),
                          {"reason": "有误", "approved_by": "张三"}, format="json")
    body = assert_conforms(openapi, "/api/publications/{id}/withdraw/", "post", response)
    assert body["url"].startswith("http://testserver/")
    response = anonymous.get(reverse("api:publication-detail", args=[world.public.pk]))
    assert response.status_code == 410
    assert assert_conforms(openapi, "/api/publications/{id}/", "get", response)["url"]

    response = staff.get(task_url(world.a.task, "evidence"))
    rows = assert_conforms(openapi, "/api/tasks/{id}/evidence/", "get", response)
    assert rows[0]["download"].startswith("http://testserver/api/evidence/")

    Notification.objects.create(recipient=staff_user, kind=NotificationKind.COMMENT,
                                text="请看")  # no task, no actor: null
    response = staff.get(reverse("api:notification-list"))
    row = assert_conforms(openapi, "/api/notifications/", "get", response)["results"][0]
    assert row["url"].startswith("http://testserver/") and row["actor"] is None
    assert row["task"] is None and row["task_title"] is None


# -- the refusals ------------------------------------------------------------------------------


def test_refusals_are_documented(openapi, staff, clerk, api_client, world):
    task = world.a.task
    missing = reverse("api:task-detail", args=[2**31 - 1])
    response = staff.get(missing)
    assert response.status_code == 404
    assert_conforms(openapi, "/api/tasks/{id}/", "get", response)
    response = staff.get(reverse("api:task-list"), {"page": 99})
    assert response.status_code == 404
    assert_conforms(openapi, "/api/tasks/", "get", response)

    response = staff.patch(task_url(task), {"progress": "甲"}, format="json")
    assert response.status_code == 428
    assert_conforms(openapi, "/api/tasks/{id}/", "patch", response)

    response = api_client().get(task_url(task))
    assert response.status_code == 401
    assert_conforms(openapi, "/api/tasks/{id}/", "get", response)

    response = clerk.post(task_url(task, "sign-off"), {}, format="json")
    assert response.status_code == 403
    assert_conforms(openapi, "/api/tasks/{id}/sign-off/", "post", response)

    response = staff.post(task_url(task, "change-status"), {"status": "finished"}, format="json")
    assert response.status_code == 400
    assert_conforms(openapi, "/api/tasks/{id}/status/", "post", response)

    response = staff.post(task_url(task, "decide-extension"), {"decision": "approve"},
                          format="json")
    assert response.status_code == 400  # nothing pending
    assert_conforms(openapi, "/api/tasks/{id}/extension/decision/", "post", response)


def test_an_unknown_api_address_is_a_json_404(staff, api_client):
    """Not Django's HTML page: an address under /api/ that names nothing is the API's 404."""
    for path in ("/api/nothing/", "/api/tasks/1/nothing/", "/api/tasks/1/history/x/"):
        for method in ("get", "post", "put", "delete"):
            for client in (staff, api_client()):
                response = getattr(client, method)(path)
                assert response.status_code == 404, (method, path)
                assert response.json() == {"detail": "未找到。", "code": "not_found"}
    assert staff.get("/api/tasks/abc/").json() == {"detail": "未找到。", "code": "not_found"}


def test_every_operation_documents_its_refusals(openapi):
    """401 wherever a token is read, 404 wherever an id is, 400 and 413 wherever a body is;
    no error status without a body."""
    for path, item in openapi["paths"].items():
        for method, operation in item.items():
            responses = operation["responses"]
            if operation.get("security"):
                assert "401" in responses, (method, path)
            if "{id}" in path:
                assert "404" in responses, (method, path)
            if "requestBody" in operation:
                assert {"400", "413"} <= set(responses), (method, path)
            if method in ("put", "patch") and "{id}" in path:
                assert {"409", "412", "428"} <= set(responses), (method, path)
            assert "429" in responses, (method, path)
            for status, response in responses.items():
                if int(status) >= 400:
                    assert "application/json" in response.get("content", {}), (
                        method, path, status)
