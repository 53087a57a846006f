"""The OpenAPI schema, the browsable docs served without a CDN, and schemathesis runs against
the schema through the WSGI application: no request it generates may cause a server error, and
every answer must be one the schema describes (status code, content type, body)."""

from __future__ import annotations

import re

import pytest
import schemathesis
from django.contrib.staticfiles import finders
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.urls import reverse
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.generation import GenerationMode

from rectify.wsgi import application
from tests.api_helpers import make_world

pytestmark = pytest.mark.django_db

#: Examples per operation and generation mode: enough to find a 5xx or an answer the schema
#: does not describe, quick enough (~35 s for the three users).
MAX_EXAMPLES = 5


def test_schema_describes_every_endpoint(client):
    response = client.get(reverse("api:schema"), {"format": "json"})
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in ("/api/party-groups/", "/api/rounds/{id}/", "/api/categories/",
                 "/api/tasks/{id}/history/", "/api/tasks/{id}/sign-off/",
                 "/api/tasks/{id}/status/", "/api/tasks/{id}/proposal/",
                 "/api/tasks/{id}/measures/reorder/", "/api/measures/", "/api/notices/{id}/",
                 "/api/publications/{id}/", "/api/auth/token/", "/api/tasks/{id}/review/",
                 "/api/tasks/{id}/reopen/", "/api/tasks/{id}/reviews/",
                 "/api/tasks/{id}/progress/", "/api/tasks/{id}/evidence/",
                 "/api/evidence/{id}/download/", "/api/figures/", "/api/figures/{id}/",
                 "/api/figures/{id}/history/"):
        assert path in paths, path
    upload = paths["/api/tasks/{id}/evidence/"]["post"]["requestBody"]["content"]
    assert list(upload) == ["multipart/form-data"]  # only here: JSON everywhere else
    assert list(paths["/api/tasks/{id}/review/"]["post"]["requestBody"]["content"]) == [
        "application/json"]
    download = paths["/api/evidence/{id}/download/"]["get"]["responses"]["200"]["content"]
    assert download["application/octet-stream"]["schema"]["format"] == "binary"
    task_fields = response.json()["components"]["schemas"]["Task"]["properties"]
    assert {"due_date", "warning", "proposed_completion_date"} <= set(task_fields)
    task_filters = {p["name"] for p in paths["/api/tasks/"]["get"]["parameters"]}
    assert {"round", "party_group", "category", "status", "overdue", "deadline_after",
            "deadline_before", "q", "ordering", "page", "page_size"} <= task_filters
    patch = paths["/api/tasks/{id}/"]["patch"]
    assert {"409", "412"} <= set(patch["responses"])
    schemes = response.json()["components"]["securitySchemes"]
    assert {"tokenAuth", "cookieAuth"} <= set(schemes)


def test_docs_use_vendored_assets_only(client):
    response = client.get(reverse("api:docs"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "cdn" not in html.lower()
    external = re.findall(r'(?:src|href)="(https?://[^"]+)"', html)
    assert external == []
    for asset in re.findall(r'(?:src|href)="/static/([^"]+)"', html):
        assert finders.find(asset), asset


@pytest.fixture
def world(staff_user, bureau, other_bureau, evidence_root):
    return make_world(bureau, other_bureau, staff_user, evidence=True)


@pytest.fixture
def wsgi_in_test_transaction():
    """The WSGI application as the test client runs it: Django closes the database connection
    after each request, which would end the test's transaction (on PostgreSQL)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield application
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def real_ids(world) -> dict[str, int]:
    """An existing record for each detail path, so that requests reach the serializers."""
    return {
        "/api/party-groups/": world.a.group.pk,
        "/api/rounds/": world.a.round.pk,
        "/api/categories/": world.a.category.pk,
        "/api/tasks/": world.a.task.pk,
        "/api/measures/": world.a.measures[0].pk,
        "/api/notices/": world.b.notice.pk,
        "/api/publications/": world.public.pk,
        "/api/evidence/": world.a.evidence.pk,
        "/api/figures/": world.a.figures[0].pk,
    }


#: What the API's answers are checked for: no server error, and that the schema tells the truth
#: about each answer (its status documented, its content type, its body, its declared
#: headers). Not ``negative_data_rejection``: DRF reads pagination parameters leniently (a bad
#: ``page_size`` means the default) and a stale If-Match is refused (412) before the body is
#: read, as RFC 9110 has it; not ``positive_data_acceptance``: generated ids, versions and
#: states are rightly refused (404, 409, 428) however well-formed the request.
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance, response_headers_conformance]


def run_schemathesis(app, user, ids: dict[str, int], *, max_examples: int,
                     modes=(GenerationMode.POSITIVE, GenerationMode.NEGATIVE)) -> list[str]:
    """Every operation, on an existing record (``ids``) and a generated one, in ``modes``, as
    ``user`` (None: anonymous); the failures of :data:`CHECKS`, each naming the request."""
    headers = token_headers(user) if user is not None else {}
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 40
    operations.sort(key=lambda op: op.method.upper() == "DELETE")  # deletions last
    failures = []
    for operation in operations:
        prefix = next((p for p in ids if operation.path.startswith(p)), None)
        targets = [None]
        if "{id}" in operation.path and prefix:
            targets.insert(0, {"id": ids[prefix]})
        varies = bool(len(operation.query) or len(operation.body))
        for path_parameters in targets:
            for mode in modes:
                if mode.is_negative and not varies and (
                        path_parameters or not len(operation.path_parameters)):
                    continue  # nothing to make invalid: Hypothesis would search in vain
                strategy = operation.as_strategy(generation_mode=mode,
                                                 path_parameters=path_parameters)

                @settings(max_examples=max_examples, deadline=None, database=None,
                          derandomize=True, phases=[Phase.explicit, Phase.generate],
                          suppress_health_check=list(HealthCheck))
                @given(case=strategy)
                def run(case):
                    # The revocation gets a token of its own each time: the others keep theirs.
                    call_headers = headers
                    if user is not None and case.operation.path == "/api/auth/token/revoke/":
                        call_headers = token_headers(user)
                    response = case.call(headers=call_headers)
                    case.validate_response(response, checks=CHECKS)

                try:
                    run()
                except Unsatisfiable:  # nothing to vary (a fixed id, nothing else to vary)
                    continue
                except (Exception, BaseExceptionGroup) as exc:  # collect them, then fail
                    failures.append(f"{operation.label} {path_parameters} [{mode}]: {exc}")
    return failures


def token_headers(user) -> dict:
    """A new API token of ``user``."""
    from rectify.services import api_tokens

    return {"Authorization": f"Token {api_tokens.issue_token(user, 'schemathesis')[1]}"}


@pytest.mark.parametrize("who", ["staff", "clerk", "anonymous"])
def test_schemathesis_answers_conform_to_the_schema(who, world, staff_user, clerk_user,
                                                    wsgi_in_test_transaction):
    """Every operation, with valid and invalid input, on existing and random records, as
    inspection staff (who may do everything), as a bureau's clerk and anonymously: no
    server error, and every answer (status, content type, body) is one the schema
    describes."""
    user = {"staff": staff_user, "clerk": clerk_user, "anonymous": None}[who]
    failures = run_schemathesis(wsgi_in_test_transaction, user, real_ids(world),
                                max_examples=MAX_EXAMPLES)
    assert not failures, "\n\n".join(failures)
