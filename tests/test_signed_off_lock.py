"""Signed off means locked: one signed-off task, with measures, a progress entry and evidence,
refuses every change on every surface — the API, the work pages, the admin and the ledger
import — for its bureau's clerk and for staff alike, with the message that names who signed
it off, and nothing is written; once staff reopen it (回头看), it can be edited again."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from rectify.ledger.ledger_apply import LedgerImportError, apply_plan
from rectify.ledger.ledger_plan import read_ledger
from rectify.models import Evidence, Measure, ProgressEntry, RectificationTask, Review
from rectify.models.choices import Status
from rectify.services import tasks as task_services
from rectify.services import workflow
from tests.evidence_helpers import add_pdf_evidence, pdf_upload, stored_files
from tests.ledger_helpers import column_letter, edit, export, row_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("evidence_root")]

DAY = datetime.date(2023, 6, 30)
ROLES = ("clerk", "staff")


@pytest.fixture
def task(small_round, clerk_user, staff_user):
    """三年攻坚存在短板: two measures, a progress entry and evidence; the clerk proposed its
    completion and staff approved it, which signed it off."""
    task = RectificationTask.objects.get(round=small_round, title="三年攻坚存在短板")
    task_services.update_progress(task, clerk_user, "已完成全面排查。")
    task_services.add_progress_entry(task, clerk_user, "召开专题会议部署整改。", DAY)
    add_pdf_evidence(task, clerk_user, "验收报告.pdf")
    workflow.propose_status(task, Status.COMPLETED, clerk_user, "整改完成。",
                            completion_date=DAY)
    workflow.approve(task, staff_user, "同意销号。")
    task.refresh_from_db()
    assert task.signed_off_by == staff_user
    return task


@pytest.fixture
def users(clerk_user, staff_user):
    return {"clerk": clerk_user, "staff": staff_user}


def lock_message(task) -> str:
    """The refusal the user reads: when and by whom the task was signed off, and what to do."""
    when = timezone.localtime(task.signed_off_at).strftime("%Y-%m-%d %H:%M")
    return (f"该任务已于 {when} 由 staff 销号，已锁定，不能再修改任务及其整改措施、进展和佐证材料；"
            "如需修改，请巡察办工作人员先重新打开（回头看）。")


def everything(task, evidence_root) -> dict:
    """All that a write to the task could change, its history and the stored files included."""
    return {
        "task": RectificationTask.objects.filter(pk=task.pk).values().get(),
        "measures": list(Measure.objects.filter(task=task).order_by("pk").values()),
        "entries": list(ProgressEntry.objects.filter(task=task).order_by("pk").values()),
        "evidence": list(Evidence.objects.filter(task=task).order_by("pk").values()),
        "reviews": Review.objects.filter(task=task).count(),
        "history": [model.history.count()
                    for model in (RectificationTask, Measure, ProgressEntry, Evidence)],
        "files": sorted(stored_files(evidence_root)),
    }


def measures_of(task) -> list[Measure]:
    return list(Measure.objects.filter(task=task).order_by("position", "pk"))


# -- the API ----------------------------------------------------------------------------------


def api_write(client, task, write: str):
    first, second = measures_of(task)[:2]
    if write == "task progress":
        return client.patch(reverse("api:task-detail", args=[task.pk]),
                            {"progress": "再次修改。", "version": task.version}, format="json")
    if write == "measure add":
        return client.post(reverse("api:measure-list"),
                           {"task": task.pk, "text": "开展回头看。"}, format="json")
    if write == "measure change":
        return client.patch(reverse("api:measure-detail", args=[first.pk]),
                            {"text": "全面开展二次排查。", "version": first.version},
                            format="json")
    if write == "measure delete":
        return client.delete(reverse("api:measure-detail", args=[first.pk]))
    if write == "measure reorder":
        return client.post(reverse("api:task-reorder-measures", args=[task.pk]),
                           {"measures": [second.pk, first.pk]}, format="json")
    if write == "progress entry":
        return client.post(reverse("api:task-progress", args=[task.pk]),
                           {"text": "补充进展。", "date": "2023-07-01"}, format="json")
    if write == "evidence":
        return client.post(reverse("api:task-evidence", args=[task.pk]),
                           {"file": pdf_upload("补充材料.pdf")}, format="multipart")
    raise AssertionError(write)


API_WRITES = ("task progress", "measure add", "measure change", "measure delete",
              "measure reorder", "progress entry", "evidence")


@pytest.mark.parametrize("write", API_WRITES)
@pytest.mark.parametrize("role", ROLES)
def test_the_api_refuses_every_write(api_client, users, task, evidence_root, role, write):
    before = everything(task, evidence_root)
    response = api_write(api_client(users[role]), task, write)
    assert response.status_code == 400, (response.status_code, response.data)
    assert response.data == {"non_field_errors": [lock_message(task)]}
    assert everything(task, evidence_root) == before


def test_the_api_refuses_in_english_when_asked(api_client, clerk_user, task, evidence_root):
    before = everything(task, evidence_root)
    client = api_client(clerk_user)
    response = client.patch(reverse("api:task-detail", args=[task.pk]),
                            {"progress": "Changed again.", "version": task.version},
                            format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    when = timezone.localtime(task.signed_off_at).strftime("%Y-%m-%d %H:%M")
    assert response.data == {"non_field_errors": [
        f"This task was signed off by staff on {when} and is locked: the task, its measures, "
        "progress and evidence can no longer be changed. To change them, inspection office "
        "staff must first reopen it (recheck)."]}
    assert everything(task, evidence_root) == before


# -- the work pages ---------------------------------------------------------------------------


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def page_write(client, task, write: str):
    first, second = measures_of(task)[:2]
    evidence = Evidence.objects.get(task=task)
    if write == "progress":
        return client.post(reverse("work:progress", args=[task.pk]),
                           {"progress": "再次修改。", "version": task.version})
    if write == "entry":
        return client.post(reverse("work:entry_add", args=[task.pk]),
                           {"date": "2023-07-01", "text": "补充进展。"})
    if write == "measure add":
        return client.post(reverse("work:measure_add", args=[task.pk]),
                           {"text": "开展回头看。", "responsible_unit": "", "due_date": ""})
    if write == "measure edit":
        return client.post(reverse("work:measure_edit", args=[first.pk]),
                           {"text": "全面开展二次排查。", "responsible_unit": "",
                            "due_date": "", "version": first.version})
    if write == "measure delete":
        return client.post(reverse("work:measure_delete", args=[first.pk]),
                           {"version": first.version})
    if write == "measure reorder":
        return client.post(reverse("work:measure_reorder", args=[task.pk]),
                           {"measure": second.pk, "direction": "up",
                            "order": f"{first.pk},{second.pk}"}, follow=True)
    if write == "evidence add":
        return client.post(reverse("work:evidence_add", args=[task.pk]),
                           {"file": pdf_upload("补充材料.pdf"), "description": ""})
    if write == "evidence delete":
        return client.post(reverse("work:evidence_delete", args=[evidence.pk]))
    raise AssertionError(write)


PAGE_WRITES = ("progress", "entry", "measure add", "measure edit", "measure delete",
               "measure reorder", "evidence add", "evidence delete")


@pytest.mark.parametrize("write", PAGE_WRITES)
@pytest.mark.parametrize("role", ROLES)
def test_the_work_pages_refuse_every_write(users, task, evidence_root, role, write):
    before = everything(task, evidence_root)
    response = page_write(login(users[role]), task, write)
    if write == "measure reorder":  # back to the task page, with the refusal on top
        assert response.redirect_chain and response.status_code == 200
        assert [str(m) for m in response.context["messages"]] == [lock_message(task)]
    else:
        assert response.status_code == 400
    assert lock_message(task) in response.content.decode()
    assert everything(task, evidence_root) == before


@pytest.mark.parametrize("role", ROLES)
def test_the_task_page_shows_the_lock_and_no_edit_forms(users, task, role):
    page = login(users[role]).get(reverse("work:task", args=[task.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert lock_message(task) in html
    measure = measures_of(task)[0]
    evidence = Evidence.objects.get(task=task)
    for name, pk in [("progress", task.pk), ("entry_add", task.pk), ("measure_add", task.pk),
                     ("measure_reorder", task.pk), ("evidence_add", task.pk),
                     ("proposal", task.pk), ("withdraw", task.pk),
                     ("review_task", task.pk), ("measure_delete", measure.pk),
                     ("measure_edit", measure.pk), ("evidence_delete", evidence.pk)]:
        assert reverse(f"work:{name}", args=[pk]) not in html, name
    # Only staff are offered the one move left: reopening.
    assert (reverse("work:reopen", args=[task.pk]) in html) == (role == "staff")


@pytest.mark.parametrize("role", ROLES)
def test_the_measure_page_shows_the_lock_and_no_form(users, task, role):
    measure = measures_of(task)[0]
    page = login(users[role]).get(reverse("work:measure_edit", args=[measure.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert lock_message(task) in html and measure.text in html
    assert "<form" not in html.split("<main", 1)[-1]


# -- the admin (staff) ------------------------------------------------------------------------


def admin_url(view: str, *args) -> str:
    return reverse(f"admin:rectify_rectificationtask_{view}", args=args)


def test_the_admin_change_page_is_read_only_with_the_lock_message(staff_user, task,
                                                                  evidence_root):
    client = login(staff_user)
    page = client.get(admin_url("change", task.pk))
    assert page.status_code == 200
    assert page.context["has_change_permission"] is False
    assert 'name="_save"' not in page.content.decode()
    assert any(lock_message(task) in str(m) for m in page.context["messages"])
    inline = page.context["inline_admin_formsets"][0]
    assert inline.formset.model is Measure
    assert (inline.has_add_permission, inline.has_change_permission,
            inline.has_delete_permission) == (False, False, False)

    before = everything(task, evidence_root)
    first, second = measures_of(task)[:2]
    response = client.post(admin_url("change", task.pk), {
        "version": task.version, "round": task.round_id, "title": "改写的问题",
        "progress": "再次修改。", "measures-TOTAL_FORMS": "3", "measures-INITIAL_FORMS": "2",
        "measures-0-id": first.pk, "measures-0-task": task.pk, "measures-0-position": 1,
        "measures-0-text": "改写的措施。", "measures-0-DELETE": "",
        "measures-1-id": second.pk, "measures-1-task": task.pk, "measures-1-position": 2,
        "measures-1-text": second.text, "measures-1-DELETE": "on",
        "measures-2-task": task.pk, "measures-2-position": 3, "measures-2-text": "新增措施。",
    })
    assert response.status_code == 403
    assert client.post(admin_url("delete", task.pk), {"post": "yes"}).status_code == 403
    assert everything(task, evidence_root) == before


@pytest.mark.parametrize("action", ["mark_in_progress", "mark_completed_longterm"])
def test_the_admin_bulk_status_action_refuses_with_the_lock_message(staff_user, task,
                                                                    evidence_root, action):
    before = everything(task, evidence_root)
    response = login(staff_user).post(admin_url("changelist"), {
        "action": action, "_selected_action": [task.pk], "index": 0}, follow=True)
    assert response.status_code == 200
    assert [str(m) for m in response.context["messages"]] == [
        f"整改状态未修改，所选任务均保持原状：“{task}”：{lock_message(task)}"]
    assert everything(task, evidence_root) == before


# -- the ledger import (staff) ----------------------------------------------------------------


@pytest.mark.parametrize("column, value", [
    ("整改进展", "再次修改。"),
    ("整改措施", "一是全面开展排查。\n二是建立工作台账。\n三是开展回头看。"),
    ("责任领导", "李四"),
])
def test_the_ledger_import_refuses_a_changed_cell_naming_row_and_column(
        tmp_path, staff_user, task, evidence_root, column, value):
    path = export(tmp_path)
    edit(path, {(task.pk, column): value})
    row = row_of(path, task.pk)
    before = everything(task, evidence_root)

    plan = read_ledger(path, staff_user)
    assert [(error.row, error.column, error.cell, error.message) for error in plan.errors] == [
        (row, column, f"{column_letter(path, column)}{row}", lock_message(task))]
    assert str(plan.errors[0]).startswith(f"工作表“台账”第 {row} 行“{column}”列（")
    with pytest.raises(LedgerImportError):
        apply_plan(plan, staff_user)
    assert everything(task, evidence_root) == before


# -- reopened, it can be edited again ---------------------------------------------------------


def test_once_reopened_the_task_can_be_edited_again(api_client, users, task, tmp_path):
    workflow.reopen(task, users["staff"], "回头看发现问题反弹。")
    task.refresh_from_db()

    response = api_write(api_client(users["clerk"]), task, "task progress")
    assert response.status_code == 200, response.data
    response = page_write(login(users["clerk"]), task, "measure add")
    assert response.status_code == 302
    response = api_write(api_client(users["staff"]), task, "evidence")
    assert response.status_code == 201, response.data

    task.refresh_from_db()
    assert task.progress == "再次修改。" and task.signed_off_at is None
    assert [m.text for m in measures_of(task)] == ["全面开展排查。", "建立工作台账。",
                                                   "开展回头看。"]
    assert Evidence.objects.filter(task=task).count() == 2

    path = export(tmp_path)
    edit(path, {(task.pk, "责任领导"): "李四"})
    plan = read_ledger(path, users["staff"])
    assert plan.errors == []
    apply_plan(plan, users["staff"])
    task.refresh_from_db()
    assert task.responsible_leader == "李四"
