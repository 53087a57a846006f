"""Background jobs: a large ledger export becomes a job with a page, a progress bar and a
download; a job runs once, is taken over only when its worker is gone, fails with a message
the user can read, and its result is deleted after a day.

Jobs run eagerly here (``tests/conftest.py``); ``tests/test_jobs_worker.py`` runs a real worker.
"""

from __future__ import annotations

import datetime
import io
import logging
import os
import re
import time

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from rectify.background import job_tasks
from rectify.background.celery_app import app
from rectify.ledger import ledger_export
from rectify.ledger.ledger_views import EXPORT_JOB
from rectify.models import Job, JobState, RectificationTask
from rectify.services import jobs
from tests.conftest import make_user
from tests.ledger_helpers import export

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TITLES = {"三年攻坚存在短板", "综合改革成效不明显", "党建工作边缘化"}


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def workbook_of(response) -> openpyxl.Workbook:
    assert response.status_code == 200
    return openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def ledger_titles(workbook) -> set[str]:
    return {row[3] for row in workbook["台账"].iter_rows(min_row=3, values_only=True)}


@pytest.fixture
def kind():
    """Register a job kind for one test: ``kind(name, run)``; removed afterwards."""
    names = []

    def _register(name, run, label="测试任务"):
        names.append(name)
        return jobs.register(name, label, run)

    yield _register
    for name in names:
        jobs.unregister(name)


def write_text(text="结果", filename="结果.txt"):
    def run(job, out, progress):
        out.write(text.encode())
        return jobs.Output(filename, "text/plain; charset=utf-8", "写好了")
    return run


# -- the ledger export --------------------------------------------------------------------


def test_a_small_export_is_still_a_download(staff_user, small_round):
    response = client_for(staff_user).get(reverse("ledger:index"), {"export": "xlsx"})
    assert response["Content-Type"] == XLSX
    assert ledger_titles(workbook_of(response)) == TITLES
    assert not Job.objects.exists()


def test_a_large_export_is_a_job_the_user_follows_and_downloads(settings, staff_user,
                                                                small_round):
    settings.LEDGER_BACKGROUND_ROWS = 2
    client = client_for(staff_user)
    response = client.get(reverse("ledger:index"), {"export": "xlsx", "status": "in_progress",
                                                    "history": "1"})
    job = Job.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("jobs:detail", args=[job.pk])
    assert job.kind == EXPORT_JOB and job.requested_by == staff_user
    assert job.params == {"filters": {"status": ["in_progress"]}, "history": True}
    assert (job.state, job.rows_done, job.rows_total, job.attempts) == (JobState.DONE, 3, 3, 1)

    page = client.get(response["Location"]).content.decode()
    assert "导出整改台账" in page and "已完成" in page
    assert reverse("jobs:download", args=[job.pk]) in page
    assert "共导出 3 项整改任务。" in page
    assert "<progress" not in page and "job-progress.js" not in page  # finished: no polling
    assert f'href="{reverse("jobs:list")}"' in page  # the header links to the user's jobs

    download = client.get(reverse("jobs:download", args=[job.pk]))
    assert download["Content-Type"] == XLSX
    assert re.search(r"filename\*=utf-8''%E6%95%B4%E6%94%B9%E5%8F%B0%E8%B4%A6-\d{8}-\d{4}\.xlsx",
                     download["Content-Disposition"])
    assert download["Cache-Control"] == "private, no-store"
    workbook = workbook_of(download)
    assert ledger_titles(workbook) == TITLES
    assert "状态：正在推进" in workbook["台账"]["A1"].value  # the selection, as on the page
    assert "历史记录" in workbook.sheetnames

    listing = client.get(reverse("jobs:list")).content.decode()
    assert "导出整改台账" in listing and "已完成" in listing
    assert reverse("jobs:download", args=[job.pk]) in listing


def test_the_export_job_sees_what_the_requester_sees(settings, clerk_user, small_round,
                                                     make_round, other_bureau):
    other = make_round(party_group=other_bureau)
    RectificationTask.objects.create(round=other, title="别的单位的问题")
    settings.LEDGER_BACKGROUND_ROWS = 1
    client = client_for(clerk_user)
    response = client.get(reverse("ledger:index"), {"export": "xlsx"})
    job = Job.objects.get()
    assert response["Location"] == reverse("jobs:detail", args=[job.pk])
    assert ledger_titles(workbook_of(client.get(reverse("jobs:download", args=[job.pk])))) \
        == TITLES


def test_the_ledger_page_links_to_the_jobs(staff_user, small_round):
    page = client_for(staff_user).get(reverse("ledger:index")).content.decode()
    assert reverse("jobs:list") in page
    assert "超过 2000 项任务的台账在后台生成" in page


def test_an_export_whose_filters_no_longer_hold_fails_saying_why(staff_user, small_round):
    job = jobs.submit(EXPORT_JOB, staff_user, {"filters": {"round": ["999999"]}}, total=3)
    job.refresh_from_db()
    assert job.state == JobState.FAILED
    assert job.error.startswith("筛选条件已失效，未导出（巡察轮次：")
    assert "请回到台账页重新筛选" in job.error
    assert not job.result_file


def test_write_ledger_reports_rising_progress(tmp_path, small_round, monkeypatch):
    monkeypatch.setattr(ledger_export, "PROGRESS_ROWS", 1)
    calls = []
    export(tmp_path, progress=lambda done, total: calls.append((done, total)))
    assert calls[:3] == [(1, 3), (2, 3), (3, 3)]
    assert calls[-1] == (3, 3)


# -- who sees a job -----------------------------------------------------------------------


def test_only_the_requester_sees_a_job_and_its_result(staff_user, auditor_user, clerk_user,
                                                      small_round):
    job = jobs.submit("ledger_export", clerk_user, {"filters": {}}, total=3)
    urls = [reverse(name, args=[job.pk])
            for name in ("jobs:detail", "jobs:status", "jobs:download")]
    assert client_for(clerk_user).get(urls[1]).json()["state"] == "done"
    for other in (staff_user, auditor_user):
        client = client_for(other)
        for url in urls:
            assert client.get(url).status_code == 404, (other, url)
        assert reverse("jobs:detail", args=[job.pk]) not in client.get(
            reverse("jobs:list")).content.decode()
    anonymous = Client()
    for url in [*urls, reverse("jobs:list")]:
        response = anonymous.get(url)
        assert response.status_code == 302 and response["Location"].startswith(
            reverse("login"))


# -- the page while a job runs ----------------------------------------------------------


def test_a_running_job_shows_its_progress(staff_user):
    job = Job.objects.create(kind=EXPORT_JOB, requested_by=staff_user, state=JobState.RUNNING,
                             rows_done=50, rows_total=200, heartbeat_at=timezone.now())
    client = client_for(staff_user)
    page = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert re.search(r'<progress id="job-bar-\d+" max="100" value="25">25%</progress>', page)
    assert "已完成 50 / 200 行" in page
    assert '<noscript><meta http-equiv="refresh" content="3"></noscript>' in page
    assert "rectify/job-progress.js" in page
    assert f'data-job-status="{reverse("jobs:status", args=[job.pk])}"' in page
    status = client.get(reverse("jobs:status", args=[job.pk])).json()
    assert status == {
        "id": job.pk, "kind": EXPORT_JOB, "state": "running", "state_label": "进行中",
        "finished": False, "rows_done": 50, "rows_total": 200, "percent": 25,
        "rows_text": "已完成 50 / 200 行", "message": "", "error": "", "download_url": None,
    }
    assert client.get(reverse("jobs:download", args=[job.pk])).status_code == 404


def test_the_job_pages_carry_the_policy_and_no_inline_code(staff_user):
    from tests.test_security_headers import assert_strict_policy, inline_code

    running = Job.objects.create(kind=EXPORT_JOB, requested_by=staff_user,
                                 state=JobState.RUNNING, rows_total=9)
    failed = Job.objects.create(kind=EXPORT_JOB, requested_by=staff_user,
                                state=JobState.FAILED, error="出错了")
    client = client_for(staff_user)
    for url in (reverse("jobs:list"), reverse("jobs:detail", args=[running.pk]),
                reverse("jobs:detail", args=[failed.pk])):
        response = client.get(url)
        assert response.status_code == 200
        assert_strict_policy(response)
        assert inline_code(response) == [], url
        assert response["Cache-Control"] == "private, no-store"


def test_the_status_speaks_the_readers_language(staff_user):
    job = Job.objects.create(kind=EXPORT_JOB, requested_by=staff_user, state=JobState.QUEUED,
                             rows_total=10)
    status = client_for(staff_user).get(reverse("jobs:status", args=[job.pk]),
                                        HTTP_ACCEPT_LANGUAGE="en").json()
    assert (status["state_label"], status["rows_text"]) == ("Queued", "0 of 10 rows done")


def test_query_counts_of_the_job_pages_do_not_grow(staff_user, django_assert_max_num_queries):
    client = client_for(staff_user)
    bound = 7  # session, user, roles, the job (or the list), the bell, and a little room
    first = Job.objects.create(kind=EXPORT_JOB, requested_by=staff_user, rows_total=5)
    for size in (1, 40):
        while Job.objects.count() < size:
            Job.objects.create(kind=EXPORT_JOB, requested_by=staff_user,
                               state=JobState.DONE, result_file="x", rows_total=5, rows_done=5)
        for url in (reverse("jobs:list"), reverse("jobs:detail", args=[first.pk]),
                    reverse("jobs:status", args=[first.pk])):
            with django_assert_max_num_queries(bound):
                assert client.get(url).status_code == 200


# -- running once -------------------------------------------------------------------------


def test_a_job_is_claimed_once_and_taken_over_only_when_its_heartbeat_is_stale(
        settings, staff_user):
    job = Job.objects.create(kind=EXPORT_JOB, requested_by=staff_user)
    now = timezone.now()
    token = jobs.claim(job.pk, now)
    assert token
    assert jobs.claim(job.pk, now) is None  # running, fresh heartbeat: not again
    later = now + datetime.timedelta(seconds=settings.JOB_STALE_SECONDS - 1)
    assert jobs.claim(job.pk, later) is None
    stale = now + datetime.timedelta(seconds=settings.JOB_STALE_SECONDS + 1)
    second = jobs.claim(job.pk, stale)  # the first run's worker is presumed dead
    assert second and second != token
    job.refresh_from_db()
    assert (job.state, job.attempts, job.claim) == (JobState.RUNNING, 2, second)
    # The first run, if it was alive after all, can no longer write.
    with pytest.raises(jobs.Superseded):
        jobs.Progress(job, token)(5, 10)
    jobs.Progress(job, second)(5, 10)
    job.refresh_from_db()
    assert (job.rows_done, job.rows_total) == (5, 10)


def test_a_finished_job_is_never_run_again(staff_user, kind):
    runs = []

    def run(job, out, progress):
        runs.append(job.pk)
        return write_text()(job, out, progress)

    kind("count_runs", run)
    job = jobs.submit("count_runs", staff_user)
    assert jobs.run(job.pk) == jobs.NOTHING
    assert job_tasks.run_job.apply(args=[job.pk]).get() == jobs.NOTHING
    assert runs == [job.pk]
    job.refresh_from_db()
    assert (job.state, job.attempts) == (JobState.DONE, 1)


def test_a_message_for_a_job_another_live_run_holds_waits_and_gives_up(staff_user, kind):
    runs = []
    kind("held", lambda job, out, progress: runs.append(job.pk) or write_text()(job, out,
                                                                              progress))
    job = Job.objects.create(kind="held", requested_by=staff_user, state=JobState.RUNNING,
                             heartbeat_at=timezone.now(), attempts=1, claim="x" * 32)
    assert jobs.run(job.pk) == jobs.BUSY
    job_tasks.run_job.apply(args=[job.pk])  # retried a bounded number of times, then dropped
    job.refresh_from_db()
    assert (job.state, job.attempts, job.claim, runs) == (JobState.RUNNING, 1, "x" * 32, [])


def test_a_job_left_by_a_dead_worker_is_run_again(settings, staff_user, kind):
    kind("rerun", write_text("第二次"))
    long_ago = timezone.now() - datetime.timedelta(seconds=settings.JOB_STALE_SECONDS + 5)
    job = Job.objects.create(kind="rerun", requested_by=staff_user, state=JobState.RUNNING,
                             heartbeat_at=long_ago, attempts=1, claim="dead" * 8, rows_done=7)
    fresh = Job.objects.create(kind="rerun", requested_by=staff_user, state=JobState.RUNNING,
                               heartbeat_at=timezone.now(), attempts=1, claim="live" * 8)
    assert jobs.recover() == 1  # the stale one only
    job.refresh_from_db()
    fresh.refresh_from_db()
    assert (job.state, job.attempts) == (JobState.DONE, 2)
    assert jobs.result_path(job).read_text() == "第二次"
    assert (fresh.state, fresh.claim) == (JobState.RUNNING, "live" * 8)


def test_a_job_whose_worker_keeps_dying_fails_in_the_end(settings, staff_user, kind):
    kind("crashes", write_text())
    long_ago = timezone.now() - datetime.timedelta(seconds=settings.JOB_STALE_SECONDS + 5)
    job = Job.objects.create(kind="crashes", requested_by=staff_user, state=JobState.RUNNING,
                             heartbeat_at=long_ago, attempts=settings.JOB_MAX_ATTEMPTS)
    assert jobs.run(job.pk) == jobs.FAILED
    job.refresh_from_db()
    assert job.state == JobState.FAILED
    assert job.error == (f"后台任务已中断 {settings.JOB_MAX_ATTEMPTS} 次（处理进程意外退出），"
                         "不再重试。请缩小范围后重新提交，或联系管理员。")


# -- failures -----------------------------------------------------------------------------


def test_a_failing_job_says_so_in_chinese_and_logs_the_traceback(staff_user, kind, caplog):
    def run(job, out, progress):
        progress(1, 4)
        out.write(b"half")
        raise ZeroDivisionError("internal detail")

    kind("broken", run)
    with caplog.at_level(logging.ERROR, logger="rectify.services.jobs"):
        job = jobs.submit("broken", staff_user, total=4)
    job.refresh_from_db()
    assert job.state == JobState.FAILED
    assert job.error == "生成时出错，未能完成。请稍后重新提交；如仍失败，请联系管理员。"
    assert "internal detail" not in job.error and not job.result_file
    assert "ZeroDivisionError: internal detail" in caplog.text  # the traceback: the log only
    assert list(jobs.result_dir().iterdir()) == []  # no half-written file left

    client = client_for(staff_user)
    page = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert f'<p class="error-summary" role="alert">{job.error}</p>' in page
    status = client.get(reverse("jobs:status", args=[job.pk])).json()
    assert (status["state"], status["state_label"], status["finished"]) == (
        "failed", "失败", True)
    assert status["error"] == job.error
    assert client.get(reverse("jobs:download", args=[job.pk])).status_code == 404


def test_a_job_error_is_shown_as_it_is(staff_user, kind):
    def run(job, out, progress):
        raise jobs.JobError("所选轮次没有任何任务，未生成文件。")

    kind("refuses", run)
    job = jobs.submit("refuses", staff_user)
    job.refresh_from_db()
    assert (job.state, job.error) == (JobState.FAILED, "所选轮次没有任何任务，未生成文件。")


def test_a_queue_that_cannot_be_reached_fails_the_job_at_once(
        staff_user, kind, monkeypatch, django_capture_on_commit_callbacks):
    kind("unsent", write_text())

    def refuse(*args, **kwargs):
        raise ConnectionRefusedError(111, "Connection refused")

    monkeypatch.setitem(app.conf, "CELERY_TASK_ALWAYS_EAGER", False)
    monkeypatch.setattr(app, "send_task", refuse)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        job = jobs.submit("unsent", staff_user)
        job.refresh_from_db()
        assert job.state == JobState.QUEUED  # handed to the queue only once committed
    assert len(callbacks) == 1
    job.refresh_from_db()
    assert job.state == JobState.FAILED
    assert job.error == "后台任务队列暂不可用，未能提交。请稍后重试或联系管理员。"


def test_an_unknown_kind_is_refused_when_submitted(staff_user):
    with pytest.raises(ValueError):
        jobs.submit("no_such_kind", staff_user)
    assert not Job.objects.exists()


# -- progress -----------------------------------------------------------------------------


def test_progress_numbers_rise_as_the_job_runs(staff_user, kind, monkeypatch):
    monkeypatch.setattr(jobs, "PROGRESS_SECONDS", 0)  # write every call, to watch them all
    seen = []

    def run(job, out, progress):
        for done in range(0, 101, 20):
            progress(done, 100)
            seen.append(Job.objects.values_list("state", "rows_done", "rows_total")
                        .get(pk=job.pk))
        return write_text()(job, out, progress)

    kind("counting", run)
    job = jobs.submit("counting", staff_user)
    assert seen == [("running", done, 100) for done in range(0, 101, 20)]
    job.refresh_from_db()
    assert (job.state, job.rows_done, job.rows_total, job.percent) == ("done", 100, 100, 100)


def test_progress_is_written_at_most_every_half_second(staff_user, kind):
    writes = []

    def run(job, out, progress):
        for done in range(1, 1001):
            progress(done, 1000)
            writes.append(Job.objects.values_list("rows_done", flat=True).get(pk=job.pk))
        return write_text()(job, out, progress)

    kind("fast", run)
    jobs.submit("fast", staff_user)
    assert len(set(writes)) <= 3  # the first call at once, then at most every 0.5 s


@pytest.mark.django_db(transaction=True)
def test_a_job_silent_for_a_while_still_beats(settings, staff_user, kind):
    """A step without progress (a large file being saved) keeps the heartbeat fresh: the
    thread writes it, so no other worker takes the job for dead."""
    settings.JOB_HEARTBEAT_SECONDS = 0.2
    beats = []

    def run(job, out, progress):
        first = Job.objects.values_list("heartbeat_at", flat=True).get(pk=job.pk)
        time.sleep(1)  # no progress meanwhile
        beats.append((first, Job.objects.values_list("heartbeat_at", flat=True).get(pk=job.pk)))
        return write_text()(job, out, progress)

    kind("silent", run)
    job = jobs.submit("silent", staff_user)
    job.refresh_from_db()
    assert job.state == JobState.DONE
    (first, later), = beats
    assert (later - first).total_seconds() >= 0.5


# -- the sweep ----------------------------------------------------------------------------


def test_results_are_deleted_a_day_after_their_job_finished(settings, staff_user, kind):
    kind("swept", write_text())
    old = jobs.submit("swept", staff_user)
    recent = jobs.submit("swept", staff_user)
    old.refresh_from_db()
    recent.refresh_from_db()
    old_path, recent_path = jobs.result_path(old), jobs.result_path(recent)
    assert old_path.is_file() and recent_path.is_file()
    Job.objects.filter(pk=old.pk).update(
        finished_at=timezone.now() - datetime.timedelta(hours=settings.JOB_RESULT_TTL_HOURS + 1))
    orphan = jobs.result_dir() / ".99999-left-by-a-dead-worker.part"
    orphan.write_bytes(b"x")
    day_ago = (timezone.now() - datetime.timedelta(hours=25)).timestamp()
    os.utime(orphan, (day_ago, day_ago))

    assert jobs.sweep() == 2
    assert not old_path.exists() and not orphan.exists()
    assert recent_path.is_file()
    old.refresh_from_db()
    assert (old.state, old.result_file, old.downloadable) == (JobState.DONE, "", False)

    client = client_for(staff_user)
    assert client.get(reverse("jobs:download", args=[old.pk])).status_code == 404
    assert "结果文件已过期清理，请重新提交。" in client.get(
        reverse("jobs:detail", args=[old.pk])).content.decode()
    assert client.get(reverse("jobs:download", args=[recent.pk])).status_code == 200


def test_a_missing_result_file_is_a_404_saying_so(staff_user, kind, caplog):
    kind("lost", write_text())
    job = jobs.submit("lost", staff_user)
    job.refresh_from_db()
    jobs.result_path(job).unlink()
    response = client_for(staff_user).get(reverse("jobs:download", args=[job.pk]))
    assert response.status_code == 404
    assert "结果文件已不存在" in response.content.decode()


def test_a_staff_member_other_than_the_requester_is_a_stranger(django_user_model,
                                                                staff_user, small_round):
    from rectify.rules import roles
    other = make_user(django_user_model, "staff_2", roles.STAFF, is_staff=True)
    job = jobs.submit(EXPORT_JOB, staff_user, {"filters": {}}, total=3)
    assert client_for(other).get(reverse("jobs:download", args=[job.pk])).status_code == 404


# -- commands -----------------------------------------------------------------------------


class FakeWorker:
    pid = 4242

    def __init__(self):
        self.stopped = False

    def poll(self):
        return 0 if self.stopped else None

    def terminate(self):
        self.stopped = True

    def wait(self, timeout=None):
        return 0


def test_serve_starts_a_worker_with_the_server_and_stops_it_after(monkeypatch, settings):
    from django.core.management import call_command

    from rectify.management.commands import serve

    started, served, beats = [], [], []
    monkeypatch.setattr(serve, "start_worker", lambda beat=True: beats.append(beat)
                        or started.append(FakeWorker()) or started[-1])
    monkeypatch.setattr(serve, "call_command", lambda name, *args, **kwargs: served.append(
        (name, args, kwargs, started[-1].poll())))
    monkeypatch.delenv("RUN_MAIN", raising=False)
    call_command("serve", "127.0.0.1:8123", stdout=io.StringIO())
    # The server ran while the worker was alive; the worker was stopped after it.
    assert served == [("runserver", ("127.0.0.1:8123",), {"use_reloader": True}, None)]
    assert len(started) == 1 and started[0].stopped

    # The autoreloader's child process runs the command again: no second worker.
    monkeypatch.setenv("RUN_MAIN", "true")
    call_command("serve", "127.0.0.1:8123", stdout=io.StringIO())
    assert len(started) == 1
    command = serve.worker_command()
    assert command[1:6] == ["-m", "celery", "-A", "rectify.background.celery_app", "worker"]
    # The worker embeds Celery beat, its schedule's state kept under var/ (or the setting's);
    # --no-beat leaves it out (one beat runs elsewhere).
    assert command[-3:] == ["-B", "--schedule", str(settings.CELERY_BEAT_SCHEDULE_FILENAME)]
    assert "-B" not in serve.worker_command(beat=False)
    monkeypatch.delenv("RUN_MAIN")
    call_command("serve", "127.0.0.1:8123", "--no-beat", stdout=io.StringIO())
    assert beats == [True, False]


def test_sweep_jobs_command(settings, staff_user, kind):
    from django.core.management import call_command

    kind("swept_by_cron", write_text())
    job = jobs.submit("swept_by_cron", staff_user)
    Job.objects.filter(pk=job.pk).update(
        finished_at=timezone.now() - datetime.timedelta(hours=settings.JOB_RESULT_TTL_HOURS + 1))
    out = io.StringIO()
    call_command("sweep_jobs", stdout=out)
    assert "删除了 1 个过期的结果文件" in out.getvalue()
    job.refresh_from_db()
    assert job.result_file == ""


# -- a large round's documents -------------------------------------------------------------


@pytest.mark.parametrize("document, suffix", [("round_report", ".docx"),
                                              ("round_plan_xlsx", ".xlsx"),
                                              ("round_plan_docx", ".docx")])
def test_a_large_rounds_documents_are_jobs(settings, clerk_user, small_round, document,
                                           suffix):
    settings.DOCUMENT_BACKGROUND_TASKS = 2
    client = client_for(clerk_user)
    response = client.get(reverse(f"work:{document}", args=[small_round.pk]))
    job = Job.objects.get()
    assert response["Location"] == reverse("jobs:detail", args=[job.pk])
    assert (job.state, job.rows_done, job.rows_total) == (JobState.DONE, 3, 3)
    assert "生成巡察轮次文档" in client.get(response["Location"]).content.decode()
    download = client.get(reverse("jobs:download", args=[job.pk]))
    content = b"".join(download.streaming_content)
    assert suffix.encode() in download["Content-Disposition"].encode()
    if suffix == ".xlsx":
        sheet = openpyxl.load_workbook(io.BytesIO(content)).active
        cells = {str(c) for row in sheet.iter_rows(values_only=True) for c in row if c}
        assert cells >= TITLES
    else:
        import docx

        text = "\n".join(p.text for p in docx.Document(io.BytesIO(content)).paragraphs)
        text += "\n".join(c.text for t in docx.Document(io.BytesIO(content)).tables
                          for row in t.rows for c in row.cells)
        assert all(title in text for title in TITLES)


def test_a_round_document_job_refuses_a_round_the_user_no_longer_sees(
        settings, clerk_user, small_round):
    settings.DOCUMENT_BACKGROUND_TASKS = 2
    client = client_for(clerk_user)
    small_round.party_group.members.remove(clerk_user)
    job = jobs.submit("round_document", clerk_user, {"round": small_round.pk,
                                                     "document": "report.docx"})
    job.refresh_from_db()
    assert job.state == JobState.FAILED
    assert "无权查看" in job.error
    assert client.get(reverse("work:round_report", args=[small_round.pk])).status_code == 404
