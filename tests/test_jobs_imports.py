"""Imports as background jobs: a large edited ledger is previewed and applied by jobs (the
user still sees the preview and confirms it; the apply stays all or nothing and checks the
versions again), a large notice is loaded by a job whose page leads to the round it made.
Each writes once: a run after its worker died finds the outcome committed with the writes.

Jobs run eagerly here (``tests/conftest.py``); ``tests/test_jobs_worker.py`` runs a real
worker.
"""

from __future__ import annotations

import datetime
import io
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from rectify.admin.import_admin import NOTICE_IMPORT_JOB
from rectify.ledger import ledger_apply, ledger_sheet
from rectify.ledger.ledger_views import APPLY_JOB, PREVIEW_JOB, SESSION_KEY
from rectify.models import InspectionRound, Job, JobState, Measure, RectificationTask
from rectify.models.choices import Status
from rectify.notice_import import notice_loader
from rectify.rules import roles
from rectify.services import jobs
from rectify.services.records import save_record
from tests.conftest import make_user
from tests.ledger_helpers import edit, export, snapshot

SEEDS = Path(__file__).resolve().parent.parent / "fixtures" / "notices"
XINYE = SEEDS / "000_d41cc051d79ffcc9.txt"
IMPORT_URL = reverse("admin:rectify_inspectionround_import")


@pytest.fixture(autouse=True)
def uploads(settings, tmp_path) -> Path:
    settings.LEDGER_UPLOAD_DIR = tmp_path / "uploads"
    return settings.LEDGER_UPLOAD_DIR


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def upload(client, path: Path):
    with path.open("rb") as handle:
        return client.post(reverse("ledger:import"), {"file": handle})


def stale(job: Job) -> None:
    """As if the job's worker had died while running it: running, heartbeat long gone."""
    long_ago = timezone.now() - datetime.timedelta(hours=1)
    Job.objects.filter(pk=job.pk).update(state=JobState.RUNNING, heartbeat_at=long_ago,
                                         finished_at=None, claim="dead" * 8)


class WorkerDied(BaseException):
    """Stands for the worker's process dying: no ``except Exception`` catches it."""


@pytest.fixture
def large(settings):
    """Every ledger counts as large: its preview and apply are jobs."""
    settings.LEDGER_IMPORT_BACKGROUND_ROWS = 2


@pytest.fixture
def edited(small_round, tmp_path):
    task = RectificationTask.objects.get(title="三年攻坚存在短板")
    path = export(tmp_path)
    edit(path, {(task.pk, "责任领导"): "李四", (task.pk, "整改状态"): "已完成"})
    return task, path


# -- the ledger's import ------------------------------------------------------------------


def test_count_rows_counts_the_ledger_sheets_rows_without_reading_cells(small_round, tmp_path):
    path = export(tmp_path)
    assert ledger_sheet.count_rows(path) == 2 + 3  # title, header, three tasks
    edit(path, {})  # saved again by openpyxl in normal mode, as Excel would save it
    assert ledger_sheet.count_rows(path) == 5
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"PK\x03\x04 not a zip")
    assert ledger_sheet.count_rows(junk) == 0


def test_row_tags_cut_between_chunks_are_counted_once():
    rows = b"".join(b'<row r="%d"><c/></row>' % i for i in range(1, 501))
    xml = b"<sheetData>" + rows + b"<x:row>"
    for chunk in (7, 13, 64, 65, 1000):
        assert ledger_sheet._count_row_tags(io.BytesIO(xml), chunk) == 501


def test_a_small_ledger_is_still_imported_in_the_request(staff_user, edited, uploads):
    task, path = edited
    response = upload(client_for(staff_user), path)
    assert response.status_code == 200 and "确认导入" in response.content.decode()
    assert not Job.objects.exists()


def test_a_large_ledger_is_previewed_and_applied_by_jobs(large, staff_user, edited, uploads):
    task, path = edited
    client = client_for(staff_user)
    before = snapshot()
    response = upload(client, path)
    preview_job = Job.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("jobs:detail", args=[preview_job.pk])
    assert preview_job.kind == PREVIEW_JOB and preview_job.requested_by == staff_user
    assert (preview_job.state, preview_job.rows_done, preview_job.rows_total) == (
        JobState.DONE, 3, 3)  # the data rows read and compared
    assert snapshot() == before  # the preview writes nothing

    page = client.get(response["Location"]).content.decode()
    assert "台账导入：预览" in page
    assert "将修改 1 项任务的 3 处内容：请查看预览，确认后导入。" in page
    preview_url = reverse("ledger:job_preview", args=[preview_job.pk])
    assert f'href="{preview_url}"' in page
    assert reverse("jobs:download", args=[preview_job.pk]) not in page  # not a download

    preview = client.get(preview_url)
    assert preview.status_code == 200
    page = preview.content.decode()
    assert "将修改 1 项任务的 3 处内容" in page and "李四" in page and "已完成" in page
    assert "确认导入" in page and "在后台写入" in page
    token = client.session[SESSION_KEY]["token"]
    assert f'value="{token}"' in page

    response = client.post(reverse("ledger:apply"), {"token": token})
    apply_job = Job.objects.exclude(pk=preview_job.pk).get()
    assert response["Location"] == reverse("jobs:detail", args=[apply_job.pk])
    assert apply_job.kind == APPLY_JOB
    assert (apply_job.state, apply_job.attempts) == (JobState.DONE, 1)
    assert apply_job.outcome == {"name": "ledger.xlsx", "tasks": 1, "cells": 3}
    task.refresh_from_db()
    assert (task.responsible_leader, task.status) == ("李四", Status.COMPLETED)
    assert task.history.latest("history_date").history_user == staff_user
    assert list(uploads.iterdir()) == []
    assert SESSION_KEY not in client.session
    page = client.get(response["Location"]).content.decode()
    assert "已导入台账“ledger.xlsx”：修改了 1 项任务的 3 处内容。" in page
    assert f'href="{reverse("ledger:index")}"' in page

    # A second click finds nothing to apply; the preview no longer offers to confirm.
    response = client.post(reverse("ledger:apply"), {"token": token})
    assert response["Location"] == reverse("ledger:index")
    assert Job.objects.count() == 2
    page = client.get(preview_url).content.decode()
    assert reverse("ledger:apply") not in page and "已不能确认导入" in page


def test_a_large_preview_lists_every_refusal_and_offers_no_confirmation(
        large, staff_user, edited, uploads):
    task, path = edited
    edit(path, {(task.pk, "整改状态"): "快完成了", (task.pk, "问题"): "改了问题"})
    client = client_for(staff_user)
    upload(client, path)
    job = Job.objects.get()
    assert job.state == JobState.DONE  # the preview was made: it lists what is wrong
    assert job.message == "有 2 处问题，整份台账不能导入：请查看预览中的问题清单。"
    page = client.get(reverse("ledger:job_preview", args=[job.pk])).content.decode()
    assert "整份台账未导入" in page and reverse("ledger:apply") not in page
    assert "<td>台账</td><td>3</td><td>整改状态</td><td>K3</td>" in page
    assert list(uploads.iterdir()) == []


def test_the_apply_job_checks_the_versions_again_and_fails_in_chinese(
        large, staff_user, edited, uploads):
    task, path = edited
    client = client_for(staff_user)
    upload(client, path)
    token = client.session[SESSION_KEY]["token"]
    task.progress = "与此同时别人填了进展"
    save_record(task, staff_user)
    before = snapshot()
    response = client.post(reverse("ledger:apply"), {"token": token})
    job = Job.objects.get(kind=APPLY_JOB)
    assert job.state == JobState.FAILED
    assert job.error.startswith("台账未导入，没有写入任何修改：\n工作表“台账”第 3 行“版本”列")
    assert "在导出之后已被修改" in job.error
    assert snapshot() == before
    assert list(uploads.iterdir()) == []
    page = client.get(response["Location"]).content.decode()
    assert "台账未导入，没有写入任何修改：<br>" in page
    assert f'href="{reverse("ledger:index")}"' in page


def test_a_refusal_while_writing_rolls_everything_back(large, staff_user, small_round,
                                                       tmp_path, uploads, monkeypatch):
    first, second = RectificationTask.objects.filter(round=small_round).order_by("pk")[:2]
    path = export(tmp_path)
    edit(path, {(first.pk, "责任领导"): "李四", (second.pk, "责任领导"): "王五"})
    client = client_for(staff_user)
    upload(client, path)
    before = snapshot()
    writes = []
    real = ledger_apply._apply_row

    def refuse_the_second(plan, row, user, reason):
        writes.append(row.task_id)
        if len(writes) == 2:
            raise ledger_apply.LedgerImportError([ledger_sheet.CellError(
                plan.sheet, row.row, "任务ID", "", "测试：第二行被拒绝。")])
        return real(plan, row, user, reason)

    monkeypatch.setattr(ledger_apply, "_apply_row", refuse_the_second)
    client.post(reverse("ledger:apply"), {"token": client.session[SESSION_KEY]["token"]})
    job = Job.objects.get(kind=APPLY_JOB)
    assert job.state == JobState.FAILED and "测试：第二行被拒绝。" in job.error
    assert job.outcome is None
    assert snapshot() == before  # the first row's write was rolled back too


def test_an_apply_whose_worker_died_after_the_commit_does_not_write_again(
        large, staff_user, edited, uploads):
    task, path = edited
    client = client_for(staff_user)
    upload(client, path)
    client.post(reverse("ledger:apply"), {"token": client.session[SESSION_KEY]["token"]})
    job = Job.objects.get(kind=APPLY_JOB)
    history = task.history.count()
    stale(job)  # the worker died after the transaction, before marking the job done

    assert jobs.run(job.pk) == jobs.DONE
    job.refresh_from_db()
    assert (job.state, job.attempts) == (JobState.DONE, 2)
    assert job.message == "已导入台账“ledger.xlsx”：修改了 1 项任务的 3 处内容。"
    assert task.history.count() == history  # written once


def test_an_apply_whose_worker_died_while_writing_is_applied_once_by_the_next_run(
        large, staff_user, edited, uploads, monkeypatch):
    task, path = edited
    client = client_for(staff_user)
    upload(client, path)
    before = snapshot()
    real = ledger_apply.apply_plan

    def die_while_writing(plan, user, progress=None):
        real(plan, user, progress)
        raise WorkerDied

    monkeypatch.setattr("rectify.background.job_kinds.apply_plan", die_while_writing)
    with pytest.raises(WorkerDied):
        client.post(reverse("ledger:apply"), {"token": client.session[SESSION_KEY]["token"]})
    job = Job.objects.get(kind=APPLY_JOB)
    assert (job.state, job.outcome) == (JobState.RUNNING, None)
    assert snapshot() == before  # the transaction died with the worker
    assert [path.suffix for path in uploads.iterdir()] == [".xlsx"]  # kept for the next run

    monkeypatch.setattr("rectify.background.job_kinds.apply_plan", real)
    stale(job)
    assert jobs.run(job.pk) == jobs.DONE
    job.refresh_from_db()
    assert (job.state, job.attempts, job.outcome["tasks"]) == (JobState.DONE, 2, 1)
    task.refresh_from_db()
    assert (task.responsible_leader, task.status) == ("李四", Status.COMPLETED)
    assert list(uploads.iterdir()) == []


def test_the_preview_of_a_job_is_the_requesters_only(
        large, staff_user, auditor_user, clerk_user, django_user_model, edited):
    task, path = edited
    upload(client_for(staff_user), path)
    url = reverse("ledger:job_preview", args=[Job.objects.get().pk])
    other = make_user(django_user_model, "staff_2", roles.STAFF, is_staff=True)
    assert client_for(other).get(url).status_code == 404
    assert client_for(auditor_user).get(url).status_code == 403
    assert client_for(clerk_user).get(url).status_code == 403


def test_a_cancelled_upload_fails_its_preview_job_saying_why(large, staff_user, edited, uploads,
                                                            settings):
    task, path = edited
    client = client_for(staff_user)
    upload(client, path)
    client.post(reverse("ledger:cancel"))
    job = Job.objects.get()
    Job.objects.filter(pk=job.pk).update(state=JobState.QUEUED, finished_at=None)
    assert jobs.run(job.pk) == jobs.FAILED
    job.refresh_from_db()
    assert job.error.startswith("上传的台账文件已不存在")


def test_the_preview_page_of_a_job_takes_the_same_queries_for_1_and_for_many_changes(
        large, staff_user, small_round, make_round, tmp_path, django_assert_max_num_queries,
        settings):
    settings.LEDGER_IMPORT_BACKGROUND_ROWS = 0
    more = make_round()
    RectificationTask.objects.bulk_create(
        RectificationTask(round=more, position=i + 1, title=f"问题{i}") for i in range(40))
    tasks = list(RectificationTask.objects.order_by("pk"))
    client = client_for(staff_user)
    pages = []
    for changed in (tasks[:1], tasks):
        path = export(tmp_path, name=f"l{len(changed)}.xlsx")
        edit(path, {(task.pk, "责任领导"): f"领导{task.pk}" for task in changed})
        upload(client, path)
        pages.append(reverse("ledger:job_preview", args=[Job.objects.latest("pk").pk]))
    for url in pages:
        with django_assert_max_num_queries(6):
            response = client.get(url)
        assert response.status_code == 200
    assert f"领导{tasks[-1].pk}" in client.get(pages[1]).content.decode()


# -- a notice's import ---------------------------------------------------------------------


def confirm(client, text: str):
    client.post(IMPORT_URL, {"step": "preview", "text": text})
    return client.post(IMPORT_URL, {"step": "confirm", "notice_text": text, "party_group": ""})


def test_a_small_notice_is_still_loaded_in_the_request(staff_user):
    response = confirm(client_for(staff_user), XINYE.read_text())
    rnd = InspectionRound.objects.get()
    assert response["Location"] == reverse("admin:rectify_inspectionround_change", args=[rnd.pk])
    assert not Job.objects.exists()


def test_a_large_notice_is_loaded_by_a_job_that_leads_to_its_round(settings, staff_user):
    settings.NOTICE_BACKGROUND_TASKS = 5
    client = client_for(staff_user)
    response = confirm(client, XINYE.read_text())
    job = Job.objects.get()
    assert response["Location"] == reverse("jobs:detail", args=[job.pk])
    assert (job.kind, job.requested_by, job.state) == (NOTICE_IMPORT_JOB, staff_user,
                                                       JobState.DONE)
    assert (job.rows_done, job.rows_total, job.attempts) == (12, 12, 1)
    rnd = InspectionRound.objects.get()
    assert job.outcome["round"] == rnd.pk
    assert rnd.tasks.count() == 12
    assert Measure.objects.filter(task__round=rnd).count() == 46
    assert rnd.tasks.first().history.first().history_user == staff_user

    page = client.get(response["Location"]).content.decode()
    assert "导入通报" in page and "已导入“" in page and "12 项整改任务、46 条措施" in page
    round_url = reverse("admin:rectify_inspectionround_change", args=[rnd.pk])
    assert f'href="{round_url}"' in page
    assert client.get(round_url).status_code == 200
    assert f'href="{IMPORT_URL}"' in page

    # The same notice again: refused at once, no second job.
    response = confirm(client, XINYE.read_text())
    assert response["Location"] == IMPORT_URL
    assert Job.objects.count() == 1 and InspectionRound.objects.count() == 1


def test_a_notice_job_refused_by_the_loader_fails_in_chinese(settings, staff_user):
    settings.NOTICE_BACKGROUND_TASKS = 5
    text = XINYE.read_text()
    job = jobs.submit(NOTICE_IMPORT_JOB, staff_user, {"text": text, "party_group": ""})
    again = jobs.submit(NOTICE_IMPORT_JOB, staff_user, {"text": text, "party_group": ""})
    job.refresh_from_db()
    again.refresh_from_db()
    assert job.state == JobState.DONE
    assert again.state == JobState.FAILED
    assert again.error == "该通报已导入过（同一党组织、标题和日期），未重复导入。"
    assert InspectionRound.objects.count() == 1
    page = client_for(staff_user).get(reverse("jobs:detail", args=[again.pk])).content.decode()
    assert "该通报已导入过" in page and f'href="{IMPORT_URL}"' in page


def test_a_notice_job_whose_worker_died_loads_the_notice_once(staff_user, monkeypatch):
    text = XINYE.read_text()
    real = notice_loader.load_notice

    def die_after_loading(*args, **kwargs):
        real(*args, **kwargs)
        raise WorkerDied

    monkeypatch.setattr("rectify.background.job_kinds.load_notice", die_after_loading)
    with pytest.raises(WorkerDied):
        jobs.submit(NOTICE_IMPORT_JOB, staff_user, {"text": text, "party_group": ""})
    job = Job.objects.get()
    assert not InspectionRound.objects.exists()  # rolled back with the dead worker

    monkeypatch.setattr("rectify.background.job_kinds.load_notice", real)
    stale(job)
    assert jobs.run(job.pk) == jobs.DONE
    stale(job)  # and once more, after the commit: nothing is loaded again
    assert jobs.run(job.pk) == jobs.DONE
    job.refresh_from_db()
    assert (job.state, job.attempts) == (JobState.DONE, 3)
    assert InspectionRound.objects.get().pk == job.outcome["round"]


def test_an_import_job_of_a_user_no_longer_staff_fails_saying_so(staff_user):
    staff_user.groups.clear()
    staff_user.is_superuser = False
    staff_user.save()
    job = jobs.submit(NOTICE_IMPORT_JOB, staff_user, {"text": XINYE.read_text(),
                                                      "party_group": ""})
    job.refresh_from_db()
    assert job.state == JobState.FAILED
    assert job.error == "您已无权导入（只有巡察办工作人员可以导入），未执行。"
    assert not InspectionRound.objects.exists()


def test_the_kinds_chosen_in_the_preview_travel_with_the_notice_job(settings, staff_user):
    settings.NOTICE_BACKGROUND_TASKS = 5
    client = client_for(staff_user)
    text = XINYE.read_text()
    preview = client.post(IMPORT_URL, {"step": "preview", "text": text})
    last = [row for row in preview.context["rows"] if row["node"].kind == "task"][-1]["node"]
    line = last.line
    response = client.post(IMPORT_URL, {
        "step": "confirm", "notice_text": text, "party_group": "", "kinds": "",
        f"kind_{line}": "overall", f"shown_{line}": "task"})
    job = Job.objects.get()
    assert response["Location"] == reverse("jobs:detail", args=[job.pk])
    assert job.params["kinds"] == {str(line): "overall"}
    assert (job.state, job.rows_total) == (JobState.DONE, 11)
    rnd = InspectionRound.objects.get()
    assert rnd.tasks.count() == 11
    assert not rnd.tasks.filter(title=last.title).exists()
