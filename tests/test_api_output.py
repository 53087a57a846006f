"""The API's answers, built by plans (``rectify.api.planned_output``), are DRF's answers: every
list, a task's detail and its sub-lists, for staff and a clerk, in Chinese and English."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework import serializers

from rectify.api.planned_output import PlannedOutput
from rectify.models import (
    DeadlineExtension,
    Notification,
    OutcomeFigure,
    ProgressEntry,
    RectificationTask,
    Review,
)
from rectify.models.choices import ReviewLevel, Status
from tests.seed_helpers import demo_user

pytestmark = pytest.mark.usefixtures("evidence_root")

LISTS = ["party-groups", "rounds", "categories", "tasks", "measures", "figures",
         "notices", "publications", "notifications"]
TASK_LISTS = ["", "measures/", "reviews/", "extensions/", "progress/", "evidence/"]


def stock_drf(self, instance):
    return serializers.Serializer.to_representation(self, instance)


@pytest.fixture
def varied(seeded, evidence_root):
    """The seed, plus a task of every state the fields show: signed off, proposed and
    reviewed, extended with a request pending, withheld; with progress entries, evidence and
    a notification for each reader."""
    from tests.evidence_helpers import add_pdf_evidence

    staff, clerk = demo_user("staff"), demo_user("clerk_xinye")
    tasks = list(RectificationTask.objects.filter(
        round__party_group__members=clerk).order_by("pk")[:3])
    signed, proposed, extended = tasks
    RectificationTask.objects.filter(pk=signed.pk).update(
        status=Status.COMPLETED, signed_off_by=staff, signed_off_at=timezone.now(),
        withhold_ground="privacy", withhold_note="涉及个人隐私。")
    RectificationTask.objects.filter(pk=proposed.pk).update(
        proposed_status=Status.COMPLETED, proposal_note="已整改。", proposed_by=clerk,
        proposed_at=timezone.now(), proposal_level=ReviewLevel.OFFICE,
        proposed_completion_date=datetime.date(2024, 9, 1))
    Review.objects.create(task=proposed, decision="returned", level=ReviewLevel.OFFICE,
                          proposed_status=Status.COMPLETED, proposed_by=clerk,
                          comment="请补充佐证。", reviewer=staff)
    RectificationTask.objects.filter(pk=extended.pk).update(
        extended_deadline=datetime.date(2030, 1, 31))
    DeadlineExtension.objects.create(
        task=extended, current_due=datetime.date(2029, 12, 31),
        new_deadline=datetime.date(2030, 1, 31), reason="需要更多时间。", requested_by=clerk,
        status="approved", decided_by=staff, decided_at=timezone.now())
    DeadlineExtension.objects.create(
        task=extended, current_due=datetime.date(2030, 1, 31),
        new_deadline=datetime.date(2030, 6, 30), reason="再延期。", requested_by=clerk)
    ProgressEntry.objects.create(task=proposed, text="召开专题会。", author=clerk)
    OutcomeFigure.objects.create(round=proposed.round, task=proposed, kind="systems",
                                 value=Decimal("12"), unit="项")
    OutcomeFigure.objects.create(round=proposed.round, task=proposed, kind="other",
                                 label="培训人次", value=Decimal("35.50"), unit="人次")
    add_pdf_evidence(proposed, clerk, "会议纪要.pdf")
    for user in (staff, clerk):
        Notification.objects.create(recipient=user, kind="returned", task=proposed,
                                    actor=staff, text="退回")
    return {"staff": staff, "clerk": clerk, "tasks": tasks}


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("role", ["staff", "clerk"])
def test_planned_answers_are_drfs(varied, role, language, api_client, monkeypatch):
    client = api_client(varied[role])
    urls = [f"/api/{name}/?page_size=200" for name in LISTS]
    urls += [f"/api/tasks/{task.pk}/{tail}" for task in varied["tasks"] for tail in TASK_LISTS]
    urls += [f"/api/rounds/{varied['tasks'][0].round_id}/"]

    def answers():
        found = {}
        for url in urls:
            response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
            assert response.status_code == 200, url
            found[url] = response.json()
        return found

    planned = answers()
    monkeypatch.setattr(PlannedOutput, "to_representation", stock_drf)
    stock = answers()
    for url in urls:
        assert planned[url] == stock[url], url
    tasks = planned["/api/tasks/?page_size=200"]["results"]
    assert {task["status_label"] for task in tasks} >= {
        "正在推进" if language == "zh-hans" else "In progress"}
    assert any(task["signed_off_by"] == "staff" for task in tasks)
    assert any(task["measures"] for task in tasks)
    assert any(task["figures"] for task in tasks)
