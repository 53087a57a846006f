"""The permission matrix: every endpoint × role × own/other bureau × published/unpublished ×
read/write, against one table of expected statuses.

Roles: inspection staff, auditor, the clerk of bureau A, the clerk of bureau B, an
authenticated user without a role ("nobody"), anonymous. Targets: bureau A's records (its
notice published to the public and, as a second version, to the party only), bureau A's
unpublished draft round, bureau B's records (nothing published). A row written for target A
holds for target B with the two clerks swapped.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.urls import reverse

from rectify.models import (
    Evidence,
    Measure,
    Notice,
    ProblemCategory,
    ProgressEntry,
    RectificationTask,
    Review,
)
from rectify.services.workflow import sign_off
from tests.api_helpers import World, make_world
from tests.conftest import make_user
from tests.evidence_helpers import pdf_upload

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("evidence_root")]


ROLES = ("staff", "auditor", "clerk_a", "clerk_b", "nobody", "anon")


def row(*codes) -> dict[str, int]:
    assert len(codes) == len(ROLES)
    return dict(zip(ROLES, codes, strict=True))


def swap_clerks(expected: dict[str, int]) -> dict[str, int]:
    return {**expected, "clerk_a": expected["clerk_b"], "clerk_b": expected["clerk_a"]}


#                 staff auditor clerk_a clerk_b nobody anon
LIST = row(200, 200, 200, 200, 200, 401)
READ = row(200, 200, 200, 404, 404, 401)
CREATE_STAFF = row(201, 403, 403, 403, 403, 401)
CREATE_MEASURE = row(201, 403, 201, 400, 403, 401)
CHANGE_STAFF = row(200, 403, 403, 404, 403, 401)
CHANGE_CLERK = row(200, 403, 200, 404, 403, 401)
ADD_CLERK = row(201, 403, 201, 404, 403, 401)  # a row under a task the user may change
DELETE_STAFF = row(204, 403, 403, 404, 403, 401)
DELETE_PROTECTED = row(409, 403, 403, 404, 403, 401)  # allowed, but still referenced
DELETE_CLERK = row(204, 403, 204, 404, 403, 401)
PUBLIC_READ = row(200, 200, 200, 200, 200, 200)
PARTY_READ = row(200, 200, 404, 404, 404, 404)
FROZEN = row(405, 405, 405, 405, 405, 401)


@dataclass
class Case:
    """One request: ``url(world, target)``, ``body(world, target)``, expected per role."""

    name: str
    method: str
    url: Callable
    expected: dict[str, int]
    body: Callable | None = None
    targets: tuple[str, ...] = ("a", "b")
    format: str = "json"


def records(world: World, target: str):
    return {"a": world.a, "b": world.b}[target]


def detail(basename: str, attr: str, action: str = "detail"):
    def url(world, target):
        if target == "draft":
            obj = {"round": world.draft_round, "task": world.draft_task}[attr]
        else:
            obj = getattr(records(world, target), attr)
            obj = obj[0] if isinstance(obj, list) else obj
        return reverse(f"api:{basename}-{action}", args=[obj.pk])

    return url


def collection(basename: str):
    return lambda world, target: reverse(f"api:{basename}-list")


def versioned(attr: str, **changes):
    def body(world, target):
        obj = getattr(records(world, target), attr)
        obj = obj[0] if isinstance(obj, list) else obj
        obj.refresh_from_db()
        return {**changes, "version": obj.version}

    return body


def signed_off_then(**changes):
    """The target's task signed off by staff (so that it may be reopened), then ``changes``
    with the task's version."""
    def body(world, target):
        task = records(world, target).task
        task.refresh_from_db()
        sign_off(task, world.public.published_by)
        return {**changes, "version": task.version}

    return body


RECORD_TYPES = [
    # basename, attribute of Bureau, create body, patch changes, delete row
    ("partygroup", "group", lambda w, t: {"name": f"新党组{t}"}, {"phone": "0374-1234567"},
     DELETE_PROTECTED),
    ("round", "round",
     lambda w, t: {"party_group": records(w, t).group.pk, "inspecting_body": "新巡察组"},
     {"kind": "专项巡察"}, None),
    ("category", "category",
     lambda w, t: {"round": records(w, t).round.pk, "title": "新类别"}, {"title": "改后的类别"},
     DELETE_STAFF),
    ("task", "task", lambda w, t: {"round": records(w, t).round.pk, "title": "新问题"},
     {"progress": "新的整改进展"}, DELETE_STAFF),
    ("measure", "measures", lambda w, t: {"task": records(w, t).task.pk, "text": "新措施"},
     {"text": "改后的措施"}, DELETE_CLERK),
    ("notice", "notice",
     lambda w, t: {"round": records(w, t).round.pk, "title": "新通报", "date": "2023-08-01"},
     {"title": "改后的通报"}, None),
]

CLERK_CHANGES = {"task", "measure"}


def build_cases() -> list[Case]:
    cases: list[Case] = []
    for basename, attr, create_body, changes, delete_row in RECORD_TYPES:
        cases += [
            Case(f"{basename}-list", "get", collection(basename), LIST),
            Case(f"{basename}-retrieve", "get", detail(basename, attr), READ),
            Case(f"{basename}-history", "get", detail(basename, attr, "history"), READ),
            Case(f"{basename}-create", "post", collection(basename),
                 CREATE_MEASURE if basename == "measure" else CREATE_STAFF, create_body),
            Case(f"{basename}-patch", "patch", detail(basename, attr),
                 CHANGE_CLERK if basename in CLERK_CHANGES else CHANGE_STAFF,
                 versioned(attr, **changes)),
        ]
        if delete_row is not None:
            cases.append(Case(f"{basename}-delete", "delete", detail(basename, attr),
                              delete_row))
    # Published (A, protected by its publications) and unpublished (B) rounds and notices.
    for basename, attr in (("round", "round"), ("notice", "notice")):
        cases += [
            Case(f"{basename}-delete-published", "delete", detail(basename, attr),
                 DELETE_PROTECTED, targets=("a",)),
            Case(f"{basename}-delete-unpublished", "delete", detail(basename, attr),
                 DELETE_STAFF, targets=("b",)),
        ]
    # An unpublished round of bureau A: the same rule, published or not.
    cases += [
        Case("round-retrieve-draft", "get", detail("round", "round"), READ, targets=("draft",)),
        Case("task-retrieve-draft", "get", detail("task", "task"), READ, targets=("draft",)),
    ]
    # The task's actions.
    task = detail("task", "task")
    cases += [
        Case("task-status", "post", detail("task", "task", "change-status"), CHANGE_STAFF,
             lambda w, t: {"status": "completed_longterm", "reason": "复查"}),
        Case("task-sign-off", "post", detail("task", "task", "sign-off"), CHANGE_STAFF,
             lambda w, t: {}),
        Case("task-proposal", "post", detail("task", "task", "proposal"), CHANGE_CLERK,
             lambda w, t: {"status": "in_progress", "note": "仍需推进"}),
        Case("task-proposal-withdraw", "delete", detail("task", "task", "proposal"),
             CHANGE_CLERK),
        Case("task-measures", "get", detail("task", "task", "measures"), READ),
        Case("task-measures-reorder", "post", detail("task", "task", "reorder-measures"),
             CHANGE_CLERK,
             lambda w, t: {"measures": [m.pk for m in reversed(records(w, t).measures)]}),
        # A clerk may write its task, but only the progress: the rest is a field error.
        Case("task-put", "put", task, row(200, 403, 400, 404, 403, 401),
             lambda w, t: {"title": "整体替换的问题", "version": 1}),
        # Completion needs a note and evidence (the world's tasks have a PDF each).
        Case("task-proposal-completion", "post", detail("task", "task", "proposal"),
             CHANGE_CLERK, versioned("task", status="completed_longterm", note="长期坚持。",
                                     completion_date="2023-05-01")),
        # Staff's review of the pending proposal, and reopening a signed-off task.
        Case("task-review-approve", "post", detail("task", "task", "review"), CHANGE_STAFF,
             versioned("task", decision="approve", comment="同意")),
        Case("task-review-return", "post", detail("task", "task", "review"), CHANGE_STAFF,
             versioned("task", decision="return", comment="请补充材料")),
        Case("task-reopen", "post", detail("task", "task", "reopen"), CHANGE_STAFF,
             signed_off_then(reason="回头看发现问题反弹")),
        Case("task-reviews", "get", detail("task", "task", "reviews"), READ),
        # Progress entries and evidence: the bureau's clerk and staff add them.
        Case("task-progress", "get", detail("task", "task", "progress"), READ),
        Case("task-progress-add", "post", detail("task", "task", "progress"), ADD_CLERK,
             lambda w, t: {"date": "2023-06-01", "text": "已召开专题会议。"}),
        Case("task-evidence", "get", detail("task", "task", "evidence"), READ),
        Case("task-evidence-upload", "post", detail("task", "task", "evidence"), ADD_CLERK,
             lambda w, t: {"file": pdf_upload(), "description": "会议纪要"},
             format="multipart"),
        Case("evidence-download", "get",
             lambda w, t: reverse("api:evidence-download", args=[records(w, t).evidence.pk]),
             READ),
    ]
    # Publications: the public pages' rule; frozen.
    cases += [
        Case("publication-list", "get", collection("publication"), PUBLIC_READ,
             targets=("public",)),
        Case("publication-retrieve-public", "get",
             lambda w, t: reverse("api:publication-detail", args=[w.public.pk]), PUBLIC_READ,
             targets=("public",)),
        Case("publication-retrieve-party-only", "get",
             lambda w, t: reverse("api:publication-detail", args=[w.party_only.pk]),
             PARTY_READ, targets=("party",)),
        Case("publication-create", "post", collection("publication"), FROZEN,
             lambda w, t: {"title": "x"}, targets=("public",)),
        Case("publication-delete", "delete",
             lambda w, t: reverse("api:publication-detail", args=[w.public.pk]), FROZEN,
             targets=("public",)),
    ]
    # The API's own pages.
    for name in ("api-root", "schema", "docs"):
        cases.append(Case(name, "get", lambda w, t, n=name: reverse(f"api:{n}"),
                          PUBLIC_READ, targets=("any",)))
    return cases


def expand() -> list:
    params = []
    for case in build_cases():
        for target in case.targets:
            expected = swap_clerks(case.expected) if target == "b" else case.expected
            for role in ROLES:
                params.append(pytest.param(case, target, role, expected[role],
                                           id=f"{case.name}-{target}-{role}"))
    return params


@pytest.fixture
def users(staff_user, auditor_user, clerk_user, other_clerk, django_user_model):
    return {"staff": staff_user, "auditor": auditor_user, "clerk_a": clerk_user,
            "clerk_b": other_clerk, "nobody": make_user(django_user_model, "nobody", None),
            "anon": None}


@pytest.fixture
def world(bureau, other_bureau, staff_user) -> World:
    return make_world(bureau, other_bureau, staff_user, evidence=True)


@pytest.mark.parametrize(("case", "target", "role", "expected"), expand())
def test_permission_matrix(case, target, role, expected, world, users, api_client):
    client = api_client(users[role])
    body = case.body(world, target) if case.body else None
    kwargs = {"format": case.format} if body is not None else {}
    response = getattr(client, case.method)(case.url(world, target), body, **kwargs)
    assert response.status_code == expected, (response.status_code, getattr(
        response, "data", None))


# -- what each list shows ----------------------------------------------------------------------


def visible_ids(world: World, basename: str, role: str) -> set[int]:
    a, b = world.a, world.b
    per_bureau = {
        "partygroup": ({a.group.pk}, {b.group.pk}),
        "round": ({a.round.pk, world.draft_round.pk}, {b.round.pk}),
        "category": ({a.category.pk}, {b.category.pk}),
        "task": ({a.task.pk, world.draft_task.pk}, {b.task.pk}),
        "measure": ({m.pk for m in a.measures}, {m.pk for m in b.measures}),
        "notice": ({a.notice.pk}, {b.notice.pk}),
    }[basename]
    return {
        "staff": per_bureau[0] | per_bureau[1],
        "auditor": per_bureau[0] | per_bureau[1],
        "clerk_a": per_bureau[0],
        "clerk_b": per_bureau[1],
        "nobody": set(),
    }[role]


@pytest.mark.parametrize("role", [r for r in ROLES if r != "anon"])
@pytest.mark.parametrize("basename", [t[0] for t in RECORD_TYPES])
def test_lists_show_exactly_what_the_rule_allows(basename, role, world, users, api_client):
    response = api_client(users[role]).get(reverse(f"api:{basename}-list"))
    assert response.status_code == 200
    assert {row["id"] for row in response.data["results"]} == visible_ids(world, basename, role)


@pytest.mark.parametrize(("role", "expected"), [
    ("staff", {"public", "party_only"}), ("auditor", {"public", "party_only"}),
    ("clerk_a", {"public"}), ("clerk_b", {"public"}), ("nobody", {"public"}), ("anon", {"public"}),
])
def test_publications_list_follows_the_public_pages(role, expected, world, users, api_client):
    response = api_client(users[role]).get(reverse("api:publication-list"))
    ids = {row["id"] for row in response.data["results"]}
    assert ids == {getattr(world, name).pk for name in expected}


def test_public_content_leaves_withheld_tasks_out(world, users, api_client, staff_user):
    from rectify.services.publishing import publish_notice
    from rectify.services.records import save_record

    task = world.a.task
    task.withhold_ground = "open_case"
    save_record(task, staff_user)
    publication = publish_notice(world.a.notice, staff_user, approved_by="张三")
    url = reverse("api:publication-detail", args=[publication.pk])
    public = api_client(None).get(url).data
    assert public["audience"] == "public"
    assert "甲问题" not in str(public["content"])
    party = api_client(users["auditor"]).get(url).data
    assert party["audience"] == "party" and "甲问题" in str(party["content"])
    staff_public = api_client(users["staff"]).get(url, {"audience": "public"}).data
    assert staff_public["audience"] == "public" and "甲问题" not in str(staff_public["content"])


def test_clerk_does_not_see_withholding_notes(world, users, api_client):
    url = reverse("api:task-detail", args=[world.a.task.pk])
    assert "withhold_note" in api_client(users["auditor"]).get(url).data
    assert "withhold_note" not in api_client(users["clerk_a"]).get(url).data


def test_a_clerk_cannot_move_a_measure_or_name_another_bureaus_records(world, users,
                                                                        api_client):
    client = api_client(users["clerk_a"])
    own = world.a.measures[0]
    response = client.patch(reverse("api:measure-detail", args=[own.pk]),
                            {"task": world.b.task.pk, "version": own.version}, format="json")
    assert response.status_code == 400 and "task" in response.data
    response = client.get(reverse("api:task-list"), {"round": world.b.round.pk})
    assert response.status_code == 400 and "round" in response.data
    assert Measure.objects.get(pk=own.pk).task_id == world.a.task.pk


def test_denied_writes_change_nothing(world, users, api_client):
    def state():
        rows = {model: sorted(model.objects.values_list("pk", "version"))
                for model in (RectificationTask, Measure, Notice, ProblemCategory,
                              ProgressEntry)}
        rows.update({model: sorted(model.objects.values_list("pk", flat=True))
                     for model in (Evidence, Review)})
        return rows

    before = state()
    auditor = api_client(users["auditor"])
    clerk_a, clerk_b = api_client(users["clerk_a"]), api_client(users["clerk_b"])
    task = world.a.task
    auditor.patch(reverse("api:task-detail", args=[task.pk]),
                  {"progress": "x", "version": 1}, format="json")
    auditor.post(reverse("api:task-sign-off", args=[task.pk]), {}, format="json")
    auditor.post(reverse("api:task-review", args=[task.pk]), {"decision": "approve"},
                 format="json")
    auditor.post(reverse("api:task-progress", args=[task.pk]), {"text": "x"}, format="json")
    auditor.post(reverse("api:task-evidence", args=[task.pk]), {"file": pdf_upload()},
                 format="multipart")
    clerk_b.delete(reverse("api:measure-detail", args=[world.a.measures[0].pk]))
    clerk_b.post(reverse("api:task-progress", args=[task.pk]), {"text": "x"}, format="json")
    clerk_b.post(reverse("api:task-evidence", args=[task.pk]), {"file": pdf_upload()},
                 format="multipart")
    clerk_a.post(reverse("api:task-sign-off", args=[task.pk]), {}, format="json")
    clerk_a.post(reverse("api:task-review", args=[task.pk]), {"decision": "approve"},
                 format="json")
    clerk_a.post(reverse("api:task-reopen", args=[task.pk]), {"reason": "x"}, format="json")
    assert state() == before


def test_options_tells_what_this_user_may_do(world, users, api_client):
    url = reverse("api:task-detail", args=[world.a.task.pk])
    assert "PUT" in api_client(users["staff"]).options(url).data["actions"]
    assert "actions" not in api_client(users["auditor"]).options(url).data


def test_the_admin_applies_the_same_rule(world, users, client):
    """A clerk given admin access by mistake sees no record there: the admin is staff's and
    auditors' place, whatever model permissions the clerk was given."""
    from django.contrib.auth.models import Permission

    clerk = users["clerk_a"]
    clerk.is_staff = True
    clerk.save()
    clerk.user_permissions.add(*Permission.objects.filter(codename__startswith="view_"))
    client.force_login(clerk)
    assert client.get(reverse("admin:rectify_rectificationtask_changelist")).status_code == 403
    for task in (world.a.task, world.b.task):
        page = reverse("admin:rectify_rectificationtask_change", args=[task.pk])
        assert client.get(page).status_code == 403  # never the record
    client.force_login(users["auditor"])
    changelist = client.get(reverse("admin:rectify_rectificationtask_changelist"))
    assert len(changelist.context["cl"].result_list) == 3
