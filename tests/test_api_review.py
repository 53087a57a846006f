"""The review workflow through the API: a clerk records progress, uploads evidence and
proposes completion; staff approve (signed off at once) or return it; staff reopen a
signed-off task after a recheck. Evidence files go up (multipart, checked by content) and
come back byte for byte to whoever may see the task, and to nobody else."""

from __future__ import annotations

import datetime
import hashlib
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from rectify.models import Evidence, ProgressEntry, RectificationTask, Review
from rectify.models.choices import Status
from tests.evidence_helpers import EXE, add_pdf_evidence, make_pdf, pdf_upload, stored_files

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("evidence_root")]

NOTE = "已建立长效机制，整改台账已归档。"



def task_url(task, action: str = "detail") -> str:
    return reverse(f"api:task-{action}", args=[task.pk])


@pytest.fixture
def task(small_round):
    return RectificationTask.objects.get(round=small_round, title="三年攻坚存在短板")


@pytest.fixture
def staff(api_client, staff_user):
    return api_client(staff_user)


@pytest.fixture
def clerk(api_client, clerk_user):
    return api_client(clerk_user)


@pytest.fixture
def outsider(api_client, other_clerk):
    """The clerk of another bureau."""
    return api_client(other_clerk)


@pytest.fixture
def auditor(api_client, auditor_user):
    return api_client(auditor_user)


def version_of(task) -> int:
    task.refresh_from_db()
    return task.version


@pytest.fixture
def proposed(task, clerk_user):
    """The task with evidence and a pending completion proposal by the clerk."""
    from rectify.services.workflow import propose_status

    add_pdf_evidence(task, clerk_user)
    propose_status(task, Status.COMPLETED, clerk_user, NOTE,
                   completion_date=datetime.date(2023, 6, 30))
    task.refresh_from_db()
    return task


@pytest.fixture
def signed_off(proposed, staff_user):
    from rectify.services.workflow import approve

    approve(proposed, staff_user, "同意")
    proposed.refresh_from_db()
    return proposed


# -- the workflow -------------------------------------------------------------------------------


def test_clerk_proposes_completion_and_staff_approves(clerk, staff, task):
    response = clerk.post(task_url(task, "evidence"),
                          {"file": pdf_upload("整改报告.pdf"), "description": "会议纪要"},
                          format="multipart")
    assert response.status_code == 201, response.data
    response = clerk.post(task_url(task, "proposal"),
                          {"status": "completed", "note": NOTE, "completion_date": "2023-06-30",
                           "version": version_of(task)}, format="json")
    assert response.status_code == 200, response.data
    assert response.data["proposed_completion_date"] == "2023-06-30"

    version = staff.get(task_url(task)).data["version"]
    response = staff.post(task_url(task, "review"),
                          {"decision": "approve", "comment": "材料齐全，同意销号。",
                           "version": version}, format="json")
    assert response.status_code == 200, response.data
    data = response.data
    assert data["status"] == "completed" and data["completion_date"] == "2023-06-30"
    assert data["signed_off_by"] == "staff" and data["signed_off_at"]
    assert data["proposed_status"] == "" and data["proposed_completion_date"] is None
    assert data["version"] == version + 1
    assert response["ETag"] == f'"rectificationtask-{task.pk}-v{version + 1}"'

    review = Review.objects.get(task=task)
    assert review.decision == "approved" and review.proposed_status == "completed"
    assert review.proposal_note == NOTE and review.proposed_by.username == "clerk_a"
    assert review.reviewer.username == "staff" and review.comment == "材料齐全，同意销号。"

    reviews = clerk.get(task_url(task, "reviews"))
    assert reviews.status_code == 200
    assert [(r["decision"], r["decision_label"], r["reviewer"], r["proposed_by"], r["comment"])
            for r in reviews.data] == [
        ("approved", "审核通过", "staff", "clerk_a", "材料齐全，同意销号。")]
    history = staff.get(task_url(task, "history")).data
    assert history[0]["reason"] == "审核通过并销号：材料齐全，同意销号。"


def test_approve_without_a_pending_proposal(staff, task):
    response = staff.post(task_url(task, "review"), {"decision": "approve"}, format="json")
    assert response.status_code == 400
    assert "没有待审核的状态提议" in response.data["non_field_errors"][0]
    assert not Review.objects.exists()


def test_return_needs_a_comment_and_leaves_the_status(staff, clerk, proposed):
    version = proposed.version
    for body in ({"decision": "return"}, {"decision": "return", "comment": "  "}):
        response = staff.post(task_url(proposed, "review"), {**body, "version": version},
                              format="json")
        assert response.status_code == 400
        assert response.data == {
            "comment": ["退回时须填写审核意见，说明需要补充或改正的内容。"]}
    proposed.refresh_from_db()
    assert proposed.proposed_status == "completed" and proposed.version == version
    assert not Review.objects.exists()

    response = staff.post(task_url(proposed, "review"),
                          {"decision": "return", "comment": "请补充整改前后对比照片。",
                           "version": version}, format="json")
    assert response.status_code == 200, response.data
    assert response.data["status"] == "in_progress"
    assert response.data["proposed_status"] == "" and response.data["signed_off_at"] is None
    assert [(r["decision"], r["comment"]) for r in clerk.get(
        task_url(proposed, "reviews")).data] == [("returned", "请补充整改前后对比照片。")]


def test_unknown_decision_is_a_field_error(staff, proposed):
    response = staff.post(task_url(proposed, "review"), {"decision": "maybe"}, format="json")
    assert response.status_code == 400 and "decision" in response.data
    response = staff.post(task_url(proposed, "review"), {"comment": "x"}, format="json")
    assert response.status_code == 400 and "decision" in response.data


def test_reopen_needs_a_reason_and_a_signed_off_task(staff, clerk, proposed):
    response = staff.post(task_url(proposed, "reopen"), {"reason": "回头看"}, format="json")
    assert response.status_code == 400
    assert response.data == {"non_field_errors": ["只有已销号的任务才能重新打开。"]}

    approved = staff.post(task_url(proposed, "review"), {"decision": "approve"}, format="json")
    assert approved.status_code == 200 and approved.data["signed_off_at"]
    version = approved.data["version"]
    response = staff.post(task_url(proposed, "reopen"), {"version": version}, format="json")
    assert response.status_code == 400
    assert response.data == {"reason": ["重新打开须填写理由（回头看发现的问题）。"]}

    response = staff.post(task_url(proposed, "reopen"),
                          {"reason": "回头看发现问题反弹。", "version": version}, format="json")
    assert response.status_code == 200, response.data
    data = response.data
    assert data["status"] == "in_progress" and data["completion_date"] is None
    assert data["signed_off_by"] is None and data["signed_off_at"] is None
    reviews = clerk.get(task_url(proposed, "reviews")).data
    assert [(r["decision"], r["comment"]) for r in reviews] == [
        ("reopened", "回头看发现问题反弹。"), ("approved", "")]


def test_stale_versions_are_refused(staff, proposed):
    stale = proposed.version - 1
    response = staff.post(task_url(proposed, "review"),
                          {"decision": "approve", "version": stale}, format="json")
    assert response.status_code == 409
    assert response.data["code"] == "stale"
    assert response.data["current"]["version"] == proposed.version
    assert response.data["current"]["proposed_status"] == "completed"
    response = staff.post(task_url(proposed, "review"), {"decision": "return", "comment": "x"},
                          format="json",
                          HTTP_IF_MATCH=f'"rectificationtask-{proposed.pk}-v{stale}"')
    assert response.status_code == 412
    assert not Review.objects.exists()
    assert version_of(proposed) == proposed.version


def test_stale_reopen_is_refused(staff, signed_off):
    response = staff.post(task_url(signed_off, "reopen"),
                          {"reason": "回头看", "version": signed_off.version - 1},
                          format="json")
    assert response.status_code == 409
    signed_off.refresh_from_db()
    assert signed_off.is_signed_off
    assert list(Review.objects.values_list("decision", flat=True)) == ["approved"]


def test_a_proposal_to_a_signed_off_task_is_refused(clerk, signed_off):
    response = clerk.post(task_url(signed_off, "proposal"),
                          {"status": "in_progress", "note": "仍需推进。"}, format="json")
    assert response.status_code == 400
    message = response.data["non_field_errors"][0]
    assert "staff 销号，已锁定" in message and "重新打开" in message


# -- who may ------------------------------------------------------------------------------------


@pytest.mark.parametrize("action, body", [
    ("review", {"decision": "approve"}),
    ("review", {"decision": "return", "comment": "请补充。"}),
    ("reopen", {"reason": "回头看"}),
])
def test_only_staff_review_and_reopen(clerk, outsider, auditor, api_client, proposed, action,
                                      body):
    url = task_url(proposed, action)
    assert clerk.post(url, body, format="json").status_code == 403
    assert outsider.post(url, body, format="json").status_code == 404
    assert auditor.post(url, body, format="json").status_code == 403
    assert api_client(None).post(url, body, format="json").status_code == 401
    proposed.refresh_from_db()
    assert proposed.proposed_status == "completed" and not proposed.is_signed_off
    assert not Review.objects.exists()


@pytest.mark.parametrize("action", ["reviews", "progress", "evidence"])
def test_nested_lists_follow_the_task(clerk, outsider, auditor, staff, api_client, signed_off,
                                      action):
    url = task_url(signed_off, action)
    for client in (clerk, auditor, staff):
        response = client.get(url)
        assert response.status_code == 200 and isinstance(response.data, list)
    assert outsider.get(url).status_code == 404
    assert api_client(None).get(url).status_code == 401


# -- progress entries ---------------------------------------------------------------------------


def test_progress_entries(clerk, staff, auditor, outsider, task):
    url = task_url(task, "progress")
    response = clerk.post(url, {"date": "2023-05-10", "text": "  召开专题会议。 "},
                          format="json")
    assert response.status_code == 201, response.data
    assert response.data["text"] == "召开专题会议。" and response.data["author"] == "clerk_a"
    response = staff.post(url, {"text": "已督导检查。"}, format="json")
    assert response.status_code == 201
    assert response.data["date"] == timezone.localdate().isoformat()
    rows = clerk.get(url).data
    assert [(r["text"], r["author"]) for r in rows] == [
        ("已督导检查。", "staff"), ("召开专题会议。", "clerk_a")]
    assert auditor.post(url, {"text": "x"}, format="json").status_code == 403
    assert outsider.post(url, {"text": "x"}, format="json").status_code == 404
    assert ProgressEntry.objects.count() == 2


@pytest.mark.parametrize("body, field, message", [
    ({"date": "2999-01-01", "text": "提前填报"}, "date", "进展日期不能晚于今天。"),
    ({"text": "   "}, "text", "进展情况不能为空。"),
    ({}, "text", "进展情况不能为空。"),
    ({"text": "x", "date": "昨天"}, "date", ""),
    ({"text": "x", "version": 1}, "version", "未知字段。"),
])
def test_bad_progress_entries_name_the_field(clerk, task, body, field, message):
    response = clerk.post(task_url(task, "progress"), body, format="json")
    assert response.status_code == 400
    assert field in response.data and message in response.data[field][0]
    assert not ProgressEntry.objects.exists()


# -- evidence files -----------------------------------------------------------------------------


def download(client, url):
    response = client.get(url)
    content = b"".join(response.streaming_content) if response.status_code == 200 else None
    # No response.close(): it sends request_finished, which would close the test's database
    # connection on PostgreSQL. The file is closed when the response is collected.
    return response, content


def test_evidence_round_trip_is_byte_identical(clerk, staff, auditor, outsider, api_client,
                                               task, evidence_root):
    content = make_pdf()
    response = clerk.post(task_url(task, "evidence"),
                          {"file": pdf_upload("整改 报告.pdf", content),
                           "description": "专题会议纪要"}, format="multipart")
    assert response.status_code == 201, response.data
    data = response.data
    assert data["original_name"] == "整改 报告.pdf" and data["size"] == len(content)
    assert data["content_type"] == "application/pdf" and data["extension"] == "pdf"
    assert data["sha256"] == hashlib.sha256(content).hexdigest()
    assert data["uploaded_by"] == "clerk_a" and data["description"] == "专题会议纪要"
    url = reverse("api:evidence-download", args=[data["id"]])
    assert data["download"] == f"http://testserver{url}"
    assert [row["id"] for row in staff.get(task_url(task, "evidence")).data] == [data["id"]]
    assert len(stored_files(evidence_root)) == 1

    for client in (clerk, staff, auditor):
        response, body = download(client, url)
        assert response.status_code == 200
        assert body == content
        assert response["Content-Type"] == "application/pdf"
        disposition = response["Content-Disposition"]
        assert disposition.startswith("attachment")
        assert quote("整改 报告.pdf") in disposition
    assert outsider.get(url).status_code == 404
    assert api_client(None).get(url).status_code == 401
    assert staff.get(url, HTTP_ACCEPT="application/pdf").status_code == 200


def test_disguised_executable_is_refused_and_nothing_stored(clerk, task, evidence_root):
    upload = SimpleUploadedFile("setup.pdf", EXE, content_type="application/pdf")
    response = clerk.post(task_url(task, "evidence"), {"file": upload}, format="multipart")
    assert response.status_code == 400
    [message] = response.data["file"]
    assert "setup.pdf" in message and "可执行程序" in message
    assert not Evidence.objects.exists()
    assert stored_files(evidence_root) == []


def test_oversize_file_is_refused_with_the_services_message(clerk, task, settings,
                                                            evidence_root):
    settings.EVIDENCE_MAX_BYTES = 1024
    big = make_pdf().ljust(4096, b" ")
    response = clerk.post(task_url(task, "evidence"), {"file": pdf_upload("大文件.pdf", big)},
                          format="multipart")
    assert response.status_code == 400
    assert "大文件.pdf" in response.data["file"][0] and "上限" in response.data["file"][0]
    # Far beyond the limit: refused before the body is read.
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    response = clerk.post(task_url(task, "evidence"), {"file": pdf_upload("大文件.pdf", big)},
                          format="multipart")
    assert response.status_code == 413 and "请求体过大" in response.json()["detail"]
    assert not Evidence.objects.exists() and stored_files(evidence_root) == []


def test_upload_needs_a_file_and_multipart(clerk, task):
    url = task_url(task, "evidence")
    response = clerk.post(url, {"description": "没有文件"}, format="multipart")
    assert response.status_code == 400 and "file" in response.data
    response = clerk.post(url, {"file": pdf_upload(), "bogus": "x"}, format="multipart")
    assert response.status_code == 400 and response.data == {"bogus": ["未知字段。"]}
    assert clerk.post(url, {"description": "x"}, format="json").status_code == 415
    # Multipart is for uploads only: the other actions stay JSON.
    response = clerk.post(task_url(task, "progress"), {"text": "x"}, format="multipart")
    assert response.status_code == 415
    assert not Evidence.objects.exists()


def test_no_evidence_on_a_signed_off_task(staff, signed_off):
    response = staff.post(task_url(signed_off, "evidence"), {"file": pdf_upload()},
                          format="multipart")
    assert response.status_code == 400
    assert "销号，已锁定" in response.data["non_field_errors"][0]
    assert Evidence.objects.filter(task=signed_off).count() == 1  # the proposal's


def test_download_of_a_lost_file_is_a_404(staff, task, clerk_user, evidence_root):
    evidence = add_pdf_evidence(task, clerk_user)
    (evidence_root / evidence.file.name).unlink()
    response = staff.get(reverse("api:evidence-download", args=[evidence.pk]))
    assert response.status_code == 404 and "丢失" in response.data["detail"]


# -- deadlines on the task ----------------------------------------------------------------------


@pytest.mark.parametrize("days, status, warning", [
    (60, Status.IN_PROGRESS, "green"),
    (15, Status.IN_PROGRESS, "yellow"),
    (5, Status.IN_PROGRESS, "red"),
    (-3, Status.IN_PROGRESS, "red"),
    (5, Status.COMPLETED, None),
])
def test_due_date_and_warning(staff, task, days, status, warning):
    deadline = timezone.localdate() + datetime.timedelta(days=days)
    RectificationTask.objects.filter(pk=task.pk).update(deadline=deadline, status=status)
    data = staff.get(task_url(task)).data
    assert data["due_date"] == deadline.isoformat() and data["warning"] == warning
    listed = staff.get(reverse("api:task-list"), {"round": task.round_id}).data["results"]
    assert next(row for row in listed if row["id"] == task.pk)["warning"] == warning


def test_due_date_falls_back_to_the_rounds_end(staff, task):
    round_ = task.round
    round_.rectification_months = 3
    round_.save()
    data = staff.get(task_url(task)).data
    assert data["due_date"] == "2023-05-28" and data["warning"] == "red"  # long past


def test_task_fields_of_the_proposal_are_read_only(staff, proposed):
    response = staff.patch(task_url(proposed), {"proposed_completion_date": "2023-07-01",
                                                "version": proposed.version}, format="json")
    assert response.status_code == 400
    assert "proposal" in response.data["proposed_completion_date"][0]
    response = staff.patch(task_url(proposed), {"warning": "green", "due_date": "2024-01-01",
                                                "version": proposed.version}, format="json")
    assert response.status_code == 400 and set(response.data) == {"warning", "due_date"}
