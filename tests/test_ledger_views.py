"""The /ledger/ page: who may export what, the upload → preview → apply/cancel flow."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from rectify.ledger.ledger_views import SESSION_KEY
from rectify.models import Measure, RectificationTask
from rectify.models.choices import Status
from tests.ledger_helpers import edit, export, previous_layout, snapshot
from tests.test_ledger_export import EXPORT_QUERIES

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def uploads(settings, tmp_path) -> Path:
    settings.LEDGER_UPLOAD_DIR = tmp_path / "uploads"
    return settings.LEDGER_UPLOAD_DIR


@pytest.fixture
def two_bureaus(small_round, make_round, other_bureau):
    other = make_round(party_group=other_bureau)
    RectificationTask.objects.create(round=other, title="别的单位的问题")
    return small_round, other


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def exported_titles(response) -> set[str]:
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert "attachment" in response["Content-Disposition"]
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    ws = workbook["台账"]
    return {row[3] for row in ws.iter_rows(min_row=3, values_only=True)}


def test_anonymous_is_sent_to_login(client, small_round):
    for name in ("ledger:index", "ledger:import", "ledger:apply", "ledger:cancel"):
        url = reverse(name)
        response = client.get(url) if name == "ledger:index" else client.post(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_the_page_shows_the_filters_and_the_count(staff_user, two_bureaus):
    response = client_for(staff_user).get(reverse("ledger:index"), {"status": "in_progress"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "符合条件的整改任务：4 项" in page
    assert 'name="export"' in page and "导出 Excel" in page
    assert 'name="round"' in page and 'name="deadline_after"' in page
    assert "导入修改后的台账" in page


def test_auditors_and_staff_export_everything(staff_user, auditor_user, two_bureaus):
    everything = {"三年攻坚存在短板", "综合改革成效不明显", "党建工作边缘化", "别的单位的问题"}
    for user in (staff_user, auditor_user):
        response = client_for(user).get(reverse("ledger:index"), {"export": "xlsx"})
        assert exported_titles(response) == everything


def test_a_clerk_exports_its_own_bureau_only(clerk_user, two_bureaus):
    client = client_for(clerk_user)
    response = client.get(reverse("ledger:index"), {"export": "xlsx"})
    assert exported_titles(response) == {"三年攻坚存在短板", "综合改革成效不明显", "党建工作边缘化"}
    page = client.get(reverse("ledger:index")).content.decode()
    assert "符合条件的整改任务：3 项" in page
    assert "导入修改后的台账" not in page  # import is for staff
    _small, other = two_bureaus
    response = client.get(reverse("ledger:index"), {"round": other.pk, "export": "xlsx"})
    assert response["Content-Type"] != XLSX  # another bureau's round is not a valid choice
    assert "筛选条件有误" in response.content.decode()


def test_export_uses_the_shared_filters(staff_user, two_bureaus):
    small, _other = two_bureaus
    task = RectificationTask.objects.get(title="党建工作边缘化")
    task.status = Status.COMPLETED
    task.save()
    client = client_for(staff_user)
    response = client.get(reverse("ledger:index"), {"status": "completed", "export": "xlsx"})
    assert exported_titles(response) == {"党建工作边缘化"}
    response = client.get(reverse("ledger:index"), {"round": small.pk, "q": "攻坚",
                                                     "export": "xlsx"})
    assert exported_titles(response) == {"三年攻坚存在短板"}


def test_export_with_history(staff_user, small_round):
    response = client_for(staff_user).get(reverse("ledger:index"),
                                          {"export": "xlsx", "history": "1"})
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert workbook.sheetnames == ["台账", "汇总", "历史记录"]


def test_export_query_count_is_bounded(
    staff_user, make_round, django_assert_max_num_queries
):
    client = client_for(staff_user)
    # The page's own: session, user, roles, and the count that decides between a download
    # and a background job; the filterset's choices are not queried on export.
    bound = EXPORT_QUERIES + 4
    rnd = make_round()
    RectificationTask.objects.create(round=rnd, title="问题0")
    with django_assert_max_num_queries(bound):
        response = client.get(reverse("ledger:index"), {"export": "xlsx"})
        b"".join(response.streaming_content)
    for i in range(1, 30):
        task = RectificationTask.objects.create(round=rnd, title=f"问题{i}")
        Measure.objects.create(task=task, position=1, text="措施")
    with django_assert_max_num_queries(bound):
        response = client.get(reverse("ledger:index"), {"export": "xlsx"})
        b"".join(response.streaming_content)


# -- import -----------------------------------------------------------------------------------


def upload(client, path: Path, name: str | None = None):
    with path.open("rb") as handle:
        data = io.BytesIO(handle.read())
    data.name = name or path.name
    return client.post(reverse("ledger:import"), {"file": data})


@pytest.mark.parametrize("who", ["auditor", "clerk"])
def test_only_staff_may_import(who, auditor_user, clerk_user, small_round, tmp_path):
    user = {"auditor": auditor_user, "clerk": clerk_user}[who]
    client = client_for(user)
    assert upload(client, export(tmp_path)).status_code == 403
    assert client.post(reverse("ledger:apply"), {"token": "x"}).status_code == 403
    assert client.post(reverse("ledger:cancel")).status_code == 403


def test_upload_preview_then_apply(staff_user, small_round, tmp_path, uploads):
    task = RectificationTask.objects.get(title="三年攻坚存在短板")
    path = export(tmp_path)
    edit(path, {(task.pk, "责任领导"): "李四", (task.pk, "整改状态"): "已完成"})
    client = client_for(staff_user)
    response = upload(client, path)
    assert response.status_code == 200
    page = response.content.decode()
    assert "确认导入" in page and "李四" in page and "已完成" in page
    assert "(一)1.1)" in page  # the task's number
    token = client.session[SESSION_KEY]["token"]
    stored = list(uploads.iterdir())
    assert [p.name for p in stored] == [f"{token}.xlsx"]
    task.refresh_from_db()
    assert task.responsible_leader == ""  # nothing written by the preview

    response = client.post(reverse("ledger:apply"), {"token": token})
    assert response.status_code == 302
    task.refresh_from_db()
    assert (task.responsible_leader, task.status) == ("李四", Status.COMPLETED)
    assert task.history.latest("history_date").history_user == staff_user
    assert list(uploads.iterdir()) == []
    assert SESSION_KEY not in client.session
    page = client.get(reverse("ledger:index")).content.decode()
    assert "已导入台账" in page


def test_cancel_deletes_the_upload(staff_user, small_round, tmp_path, uploads):
    task = RectificationTask.objects.get(title="三年攻坚存在短板")
    path = export(tmp_path)
    edit(path, {(task.pk, "责任领导"): "李四"})
    client = client_for(staff_user)
    upload(client, path)
    assert len(list(uploads.iterdir())) == 1
    before = snapshot()
    assert client.post(reverse("ledger:cancel")).status_code == 302
    assert list(uploads.iterdir()) == []
    assert snapshot() == before
    response = client.post(reverse("ledger:apply"), {"token": "whatever"})
    assert response.status_code == 302 and snapshot() == before


def test_apply_rechecks_the_file(staff_user, small_round, tmp_path, uploads):
    from rectify.services.records import save_record

    task = RectificationTask.objects.get(title="三年攻坚存在短板")
    path = export(tmp_path)
    edit(path, {(task.pk, "责任领导"): "李四"})
    client = client_for(staff_user)
    upload(client, path)
    token = client.session[SESSION_KEY]["token"]
    task.progress = "与此同时别人填了进展"
    save_record(task, staff_user)
    before = snapshot()
    response = client.post(reverse("ledger:apply"), {"token": token})
    assert response.status_code == 409
    assert "在导出之后已被修改" in response.content.decode()
    assert snapshot() == before
    assert list(uploads.iterdir()) == []


def test_a_bad_upload_is_refused_with_a_message(staff_user, small_round, tmp_path, uploads):
    junk = tmp_path / "ledger.xlsx"
    junk.write_text("任务ID,责任领导\n1,张三\n", encoding="utf-8")
    response = upload(client_for(staff_user), junk)
    assert response.status_code == 400
    assert "不是 .xlsx 工作簿" in response.content.decode()
    assert list(uploads.iterdir()) == []


def test_an_oversize_upload_is_refused(staff_user, small_round, tmp_path, settings, uploads):
    settings.LEDGER_MAX_UPLOAD_BYTES = 1024
    response = upload(client_for(staff_user), export(tmp_path))
    assert response.status_code == 400
    assert "文件过大" in response.content.decode()
    assert not uploads.exists() or list(uploads.iterdir()) == []


def test_a_ledger_in_the_previous_layout_is_previewed_as_such(staff_user, small_round,
                                                              tmp_path, uploads):
    task = RectificationTask.objects.get(title="三年攻坚存在短板")
    old = previous_layout(export(tmp_path), tmp_path / "old.xlsx")
    edit(old, {(task.pk, "责任领导"): "李四"})
    page = upload(client_for(staff_user), old).content.decode()
    assert "旧版格式的台账" in page and "确认导入" in page and "李四" in page
    page = upload(client_for(staff_user), export(tmp_path)).content.decode()
    assert "旧版格式" not in page


def test_errors_are_listed_with_sheet_row_and_column(staff_user, small_round, tmp_path, uploads):
    task = RectificationTask.objects.get(title="三年攻坚存在短板")
    path = export(tmp_path)
    edit(path, {(task.pk, "整改状态"): "快完成了", (task.pk, "问题"): "改了问题"})
    response = upload(client_for(staff_user), path)
    assert response.status_code == 400
    page = response.content.decode()
    assert "整份台账未导入" in page and "确认导入" not in page
    assert "快完成了" in page and "只读" in page
    assert "<td>台账</td><td>3</td><td>整改状态</td><td>K3</td>" in page
    assert list(uploads.iterdir()) == []


def test_an_unchanged_ledger_has_nothing_to_import(staff_user, small_round, tmp_path, uploads):
    response = upload(client_for(staff_user), export(tmp_path))
    assert response.status_code == 200
    assert "没有需要导入的修改" in response.content.decode()
    assert list(uploads.iterdir()) == []
