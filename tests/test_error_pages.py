"""Errors that say what happened (issue 13): 400/403/404/500 pages in each surface's look and
the reader's language; the API answers every error as JSON (``{"detail", "code"}``), 500
included; a write whose answer fails is not committed; the evidence store failing is a 503
with nothing half-stored.

The forced failures use this module as the URLconf (``@pytest.mark.urls``): views that raise
under each surface's prefix, then the project's URLs.
"""

from __future__ import annotations

import errno
import logging
import os

import pytest
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.test import Client
from django.urls import include, path, reverse

from rectify.api.measure_serializers import MeasureSerializer
from rectify.api.task_serializers import TaskSerializer
from rectify.models import Evidence, Measure, RectificationTask
from rectify.models.worklog import EvidenceFileSystem
from tests.evidence_helpers import add_pdf_evidence, pdf_upload, stored_files

# -- the forced failures (this module is their URLconf) -----------------------------------------


def _boom(request):
    raise RuntimeError("forced failure")


def _forbidden(request):
    raise PermissionDenied


def _bad(request):
    raise SuspiciousOperation("forced bad request")


urlpatterns = [
    path(f"{prefix}/{name}/", view)
    for prefix in ("work", "notices", "admin", "api", "ledger")
    for name, view in (("boom", _boom), ("forbidden", _forbidden), ("bad", _bad))
] + [path("", include("rectify.urls"))]

handler400 = "rectify.error_pages.bad_request"
handler403 = "rectify.error_pages.permission_denied"
handler404 = "rectify.error_pages.page_not_found"
handler500 = "rectify.error_pages.server_error"

forced = pytest.mark.urls("tests.test_error_pages")

#: What tells each look apart in the HTML.
LOOKS = {
    "work": "rectify/site.css",
    "notices": "rectify/public.css",
    "admin": "admin/css/base.css",
    "ledger": "rectify/site.css",
}


def client_for(user=None, **kwargs) -> Client:
    client = Client(raise_request_exception=False, **kwargs)
    if user is not None:
        client.force_login(user)
    return client


def text(response) -> str:
    return response.content.decode()


# -- pages -------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("prefix", ["work", "notices", "admin", "ledger"])
def test_404_in_the_look_of_the_surface(prefix, staff_user):
    response = client_for(staff_user).get(f"/{prefix}/no-such-page/")
    assert response.status_code == 404
    page = text(response)
    assert "页面不存在" in page and "您要找的页面不存在，或您无权查看" in page
    assert LOOKS[prefix] in page
    assert "Not Found" not in page  # not Django's bare English page


@pytest.mark.django_db
def test_404_in_english_for_an_english_reader(staff_user):
    response = client_for(staff_user).get("/work/no-such-page/", HTTP_ACCEPT_LANGUAGE="en")
    page = text(response)
    assert response.status_code == 404 and "Page not found" in page
    assert "页面不存在" not in page and 'lang="en"' in page


@pytest.mark.django_db
def test_public_404_stays_chinese_like_the_public_pages(client):
    response = client.get("/notices/999999/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404 and "页面不存在" in text(response)
    assert LOOKS["notices"] in text(response)


@forced
@pytest.mark.django_db
@pytest.mark.parametrize("prefix", ["work", "notices", "admin", "ledger"])
def test_403_and_400_in_the_look_of_the_surface(prefix, staff_user):
    client = client_for(staff_user)
    forbidden = client.get(f"/{prefix}/forbidden/")
    assert forbidden.status_code == 403 and "没有权限" in text(forbidden)
    assert LOOKS[prefix] in text(forbidden)
    bad = client.get(f"/{prefix}/bad/")
    assert bad.status_code == 400 and "请求有误" in text(bad)
    assert LOOKS[prefix] in text(bad)


@forced
@pytest.mark.django_db
@pytest.mark.parametrize("prefix", ["work", "notices", "admin", "ledger"])
def test_500_in_the_look_of_the_surface(prefix, staff_user):
    response = client_for(staff_user).get(f"/{prefix}/boom/")
    assert response.status_code == 500
    page = text(response)
    assert "服务器出错" in page and "错误已记录" in page and LOOKS[prefix] in page


@forced
@pytest.mark.django_db
def test_500_page_needs_neither_the_database_nor_the_context_processors(staff_user,
                                                                         monkeypatch):
    from rectify.services import notifications

    def broken(user):
        raise RuntimeError("the database is gone")

    monkeypatch.setattr(notifications, "unread_count", broken)
    response = client_for(staff_user).get("/work/boom/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 500 and "Server error" in text(response)


@pytest.mark.django_db
def test_real_403_for_an_auditor_who_may_read_but_not_change(auditor_user, small_round):
    task = RectificationTask.objects.filter(round=small_round).first()
    response = client_for(auditor_user).post(
        reverse("work:progress", kwargs={"pk": task.pk}), {"progress": "x", "version": 1})
    assert response.status_code == 403 and "没有权限" in text(response)
    assert LOOKS["work"] in text(response)


@pytest.mark.django_db
def test_real_400_for_a_request_to_an_unknown_host():
    response = client_for().get("/work/", HTTP_HOST="rectify.evil.example")
    assert response.status_code == 400 and "请求有误" in text(response)


@pytest.mark.django_db
def test_a_form_without_its_csrf_token_says_the_page_expired(clerk_user):
    response = client_for(enforce_csrf_checks=True).post(
        "/accounts/login/", {"username": "clerk", "password": "x"})
    assert response.status_code == 403
    assert "页面已过期" in text(response) and "请刷新页面后重新提交" in text(response)


# -- the API: JSON, always ----------------------------------------------------------------------


@pytest.mark.django_db
def test_api_unknown_address_is_a_json_404(api_client, staff_user):
    response = api_client(staff_user).get("/api/no-such-thing/")
    assert response.status_code == 404 and response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "未找到。", "code": "not_found"}


@pytest.mark.django_db
def test_api_404_of_a_record_has_the_code_too(api_client, staff_user):
    response = api_client(staff_user).get(reverse("api:task-detail", args=[999999]))
    assert response.status_code == 404
    assert response.json() == {"detail": "未找到。", "code": "not_found"}


@pytest.mark.django_db
def test_api_405_is_json(api_client, staff_user):
    response = api_client(staff_user).delete(reverse("api:task-list"))
    assert response.status_code == 405 and response["Content-Type"] == "application/json"
    assert response.json()["code"] == "method_not_allowed"


@pytest.mark.django_db
def test_api_500_is_json_and_logged_with_its_traceback(api_client, staff_user, small_round,
                                                       monkeypatch, caplog):
    task = RectificationTask.objects.filter(round=small_round).first()

    def broken(self, instance):
        raise RuntimeError("cannot show the task")

    monkeypatch.setattr(TaskSerializer, "to_representation", broken)
    with caplog.at_level(logging.ERROR):
        response = api_client(staff_user).get(reverse("api:task-detail", args=[task.pk]))
    assert response.status_code == 500 and response["Content-Type"] == "application/json"
    assert response.json()["code"] == "server_error"
    assert "服务器内部错误" in response.json()["detail"]
    assert any(record.exc_info and "cannot show the task" in str(record.exc_info[1])
               for record in caplog.records)


@forced
@pytest.mark.django_db
def test_api_500_outside_the_api_views_is_json_too(staff_user):
    response = client_for(staff_user).get("/api/boom/")
    assert response.status_code == 500 and response["Content-Type"] == "application/json"
    assert response.json()["code"] == "server_error"
    forbidden = client_for(staff_user).get("/api/forbidden/", HTTP_ACCEPT_LANGUAGE="en")
    assert forbidden.status_code == 403
    assert forbidden.json()["code"] == "permission_denied"


# -- a write whose answer fails is not committed ------------------------------------------------


@pytest.mark.django_db
def test_an_update_whose_answer_fails_commits_nothing(api_client, clerk_user, small_round,
                                                      monkeypatch):
    task = RectificationTask.objects.get(round=small_round, title="三年攻坚存在短板")
    before = (task.progress, task.version, task.history.count())

    def broken(self, instance):
        raise RuntimeError("the answer fails after the save")

    monkeypatch.setattr(TaskSerializer, "to_representation", broken)
    response = api_client(clerk_user).patch(reverse("api:task-detail", args=[task.pk]),
                                            {"progress": "已完成排查。", "version": 1},
                                            format="json")
    assert response.status_code == 500 and response.json()["code"] == "server_error"
    task.refresh_from_db()
    assert (task.progress, task.version, task.history.count()) == before


@pytest.mark.django_db
def test_a_create_whose_answer_fails_commits_nothing(api_client, clerk_user, small_round,
                                                     monkeypatch):
    task = RectificationTask.objects.get(round=small_round, title="三年攻坚存在短板")
    count = Measure.objects.count()

    def broken(self, instance):
        raise RuntimeError("the answer fails after the save")

    monkeypatch.setattr(MeasureSerializer, "to_representation", broken)
    response = api_client(clerk_user).post(reverse("api:measure-list"),
                                           {"task": task.pk, "text": "建立长效机制。"},
                                           format="json")
    assert response.status_code == 500
    assert Measure.objects.count() == count


@pytest.mark.django_db
def test_an_action_whose_answer_fails_commits_nothing(api_client, staff_user, small_round,
                                                      monkeypatch):
    task = RectificationTask.objects.get(round=small_round, title="三年攻坚存在短板")
    before = (task.status, task.version)

    def broken(self, instance):
        raise RuntimeError("the answer fails after the save")

    monkeypatch.setattr(TaskSerializer, "to_representation", broken)
    response = api_client(staff_user).post(
        reverse("api:task-change-status", args=[task.pk]),
        {"status": "in_progress", "reason": "开始整改", "version": 1}, format="json")
    assert response.status_code == 500
    task.refresh_from_db()
    assert (task.status, task.version) == before


# -- the evidence store fails: 503, nothing half-stored ------------------------------------------


@pytest.fixture
def read_only_store(evidence_root, monkeypatch):
    """Writing under the evidence root is refused as on a read-only directory (the tests run
    as root, whom chmod does not stop)."""
    real_open = os.open

    def refusing_open(file, flags, *args, **kwargs):
        if str(file).startswith(str(evidence_root)) and flags & (os.O_WRONLY | os.O_RDWR):
            raise PermissionError(errno.EROFS, "Read-only file system", str(file))
        return real_open(file, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", refusing_open)
    return evidence_root


@pytest.fixture
def full_disk(evidence_root, monkeypatch):
    """The disk fills up in the middle of writing an evidence file: part of it is written."""
    real_fdopen = os.fdopen

    class Full:
        def __init__(self, handle):
            self.handle = handle

        def write(self, data):
            self.handle.write(data[:10])
            self.handle.flush()
            raise OSError(errno.ENOSPC, "No space left on device")

        def __getattr__(self, name):
            return getattr(self.handle, name)

    def filling_fdopen(fd, mode="r", *args, **kwargs):
        handle = real_fdopen(fd, mode, *args, **kwargs)
        return Full(handle) if "w" in mode else handle

    monkeypatch.setattr(os, "fdopen", filling_fdopen)
    return evidence_root


@pytest.fixture
def task(small_round):
    return RectificationTask.objects.get(round=small_round, title="三年攻坚存在短板")


@pytest.mark.django_db
@pytest.mark.parametrize("store", ["read_only_store", "full_disk"])
def test_api_upload_to_a_failing_store_is_a_503_storing_nothing(store, request, api_client,
                                                                clerk_user, task):
    root = request.getfixturevalue(store)
    response = api_client(clerk_user).post(
        reverse("api:task-evidence", args=[task.pk]),
        {"file": pdf_upload("验收报告.pdf"), "description": "会议纪要"}, format="multipart")
    assert response.status_code == 503 and response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "文件存储暂不可用，请稍后重试或联系管理员。",
                               "code": "storage_unavailable"}
    assert Evidence.objects.count() == 0 and stored_files(root) == []


@pytest.mark.django_db
@pytest.mark.parametrize("store", ["read_only_store", "full_disk"])
def test_work_page_upload_to_a_failing_store_is_a_503_storing_nothing(store, request,
                                                                      clerk_user, task):
    root = request.getfixturevalue(store)
    response = client_for(clerk_user).post(
        reverse("work:evidence_add", kwargs={"pk": task.pk}),
        {"file": pdf_upload("验收报告.pdf"), "description": "会议纪要"})
    assert response.status_code == 503
    assert "文件存储暂不可用，请稍后重试或联系管理员" in text(response)
    assert LOOKS["work"] in text(response)
    assert Evidence.objects.count() == 0 and stored_files(root) == []


@pytest.mark.django_db
def test_download_of_a_missing_file_is_a_404_saying_so(clerk_user, api_client, task,
                                                       evidence_root):
    evidence = add_pdf_evidence(task, clerk_user, "会议纪要.pdf")
    for stored in stored_files(evidence_root):
        stored.unlink()
    page = client_for(clerk_user).get(reverse("work:evidence", kwargs={"pk": evidence.pk}))
    assert page.status_code == 404
    assert "佐证材料“会议纪要.pdf”的文件已丢失，请联系管理员。" in text(page)
    api = api_client(clerk_user).get(reverse("api:evidence-download", args=[evidence.pk]))
    assert api.status_code == 404
    assert api.json() == {"detail": "佐证材料的文件已丢失，请联系管理员。", "code": "not_found"}


@pytest.mark.django_db
def test_download_from_an_unreadable_store_is_a_503(clerk_user, api_client, task,
                                                    evidence_root, monkeypatch):
    evidence = add_pdf_evidence(task, clerk_user, "会议纪要.pdf")

    def refusing_open(self, name, mode="rb"):
        raise PermissionError(errno.EACCES, "Permission denied", name)

    monkeypatch.setattr(EvidenceFileSystem, "_open", refusing_open)
    page = client_for(clerk_user).get(reverse("work:evidence", kwargs={"pk": evidence.pk}))
    assert page.status_code == 503 and "文件存储暂不可用" in text(page)
    api = api_client(clerk_user).get(reverse("api:evidence-download", args=[evidence.pk]))
    assert api.status_code == 503 and api.json()["code"] == "storage_unavailable"

