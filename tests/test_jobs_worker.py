"""A real Celery worker, in this process, on the embedded broker (kombu's filesystem transport,
in a temporary folder): the ledger export asked for over HTTP, followed through the job's
JSON until it is done, downloaded and opened.

The other job tests run eagerly (``tests/conftest.py``); this one sends the job through the
broker as production does, and the worker runs it in its own thread with its own database
connection (on SQLite's in-memory test database the test's connection is shared, as Django's
live server does, since SQLite locks a shared in-memory database by table).
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from celery import signals
from celery.contrib.testing.worker import start_worker
from django.db import connections
from django.test import Client
from django.urls import reverse

from rectify.background.celery_app import app, make_queue_folders
from rectify.models import Job, JobState, RectificationTask
from rectify.services import jobs
from tests.job_helpers import follow_job, ledger_titles, numbered_tasks

TASKS = 1200


@pytest.fixture
def embedded_broker(tmp_path):
    """The app sends to, and a worker reads from, a filesystem broker under ``tmp_path``."""
    folder = tmp_path / "queue"
    options = {"data_folder_in": str(folder / "messages"),
               "data_folder_out": str(folder / "messages"),
               "control_folder": str(folder / "control"),
               "processed_folder": str(folder / "processed"),
               "store_processed": False, "polling_interval": 0.1}
    make_queue_folders("filesystem://", options)
    changed = {"CELERY_BROKER_URL": "filesystem://",
               "CELERY_BROKER_TRANSPORT_OPTIONS": options,
               "CELERY_TASK_ALWAYS_EAGER": False,
               "CELERY_WORKER_HIJACK_ROOT_LOGGER": False}
    saved = {key: app.conf[key] for key in changed if key in app.conf}
    app.conf.update(changed)
    _forget_connections()
    yield folder
    _forget_connections()
    for key in changed:
        if key not in saved:
            app.conf.changes.pop(key, None)
    app.conf.update(saved)


def _forget_connections():
    if app._pool is not None:
        app._pool.force_close_all()
    app._pool = None
    app.__dict__.get("amqp") and setattr(app.amqp, "_producer_pool", None)


@pytest.fixture
def worker_shares_the_test_database():
    """On SQLite in memory, the worker's thread uses the test's connection."""
    shared = {alias: connections[alias] for alias in connections
              if connections[alias].vendor == "sqlite"
              and connections[alias].is_in_memory_db()}
    for conn in shared.values():
        conn.inc_thread_sharing()

    def use_shared(**kwargs):
        for alias, conn in shared.items():
            connections[alias] = conn

    signals.task_prerun.connect(use_shared, weak=False)
    signals.worker_ready.connect(use_shared, weak=False)
    yield
    signals.task_prerun.disconnect(use_shared)
    signals.worker_ready.disconnect(use_shared)
    for conn in shared.values():
        conn.dec_thread_sharing()


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_builds_a_large_export(settings, staff_user, make_round, embedded_broker,
                                             worker_shares_the_test_database, monkeypatch):
    settings.LEDGER_BACKGROUND_ROWS = 100
    monkeypatch.setattr(jobs, "PROGRESS_SECONDS", 0.05)
    rnd = make_round()
    titles = numbered_tasks(rnd, TASKS)
    client = Client()
    client.force_login(staff_user)

    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30,
                      hostname="rectify-test@localhost"):
        response = client.get(reverse("ledger:index"), {"export": "xlsx"})
        assert response.status_code == 302
        job = Job.objects.get()
        assert response["Location"] == reverse("jobs:detail", args=[job.pk])
        status, seen = follow_job(client, job)

    assert status["state"] == "done", status
    assert status["rows_done"] == status["rows_total"] == TASKS
    assert status["download_url"] == reverse("jobs:download", args=[job.pk])
    done = [rows for state, rows, _message in seen if state == "running"]
    assert done == sorted(done)  # the numbers only rise
    assert seen[0][0] in ("queued", "running")
    job.refresh_from_db()
    assert (job.state, job.attempts) == (JobState.DONE, 1)
    assert job.started_at and job.finished_at and job.started_at <= job.finished_at

    assert ledger_titles(client, status["download_url"]) == titles
    assert list(embedded_broker.joinpath("messages").iterdir()) == []  # taken and acknowledged


STEPS = {"", "读取工作表", "读取当前记录", "与当前记录逐格比对", "写入修改（全部成功才生效）"}


def _steps_rise(seen: list) -> None:
    """While running, the job says which step it is at, and each step's numbers only rise."""
    running = [(message, rows) for state, rows, message in seen if state == "running"]
    assert {message for message, _rows in running} <= STEPS
    for (step, rows), (next_step, next_rows) in zip(running, running[1:], strict=False):
        assert next_rows >= rows or next_step != step


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_previews_and_applies_a_large_ledger(
        settings, staff_user, make_round, embedded_broker, worker_shares_the_test_database,
        monkeypatch, tmp_path):
    from rectify.ledger.ledger_views import SESSION_KEY
    from tests.ledger_helpers import edit, export

    settings.LEDGER_IMPORT_BACKGROUND_ROWS = 100
    settings.LEDGER_UPLOAD_DIR = tmp_path / "uploads"
    monkeypatch.setattr(jobs, "PROGRESS_SECONDS", 0.05)
    rnd = make_round()
    numbered_tasks(rnd, 300)
    tasks = list(RectificationTask.objects.order_by("pk"))
    path = edit(export(tmp_path), {(task.pk, "责任科室"): f"科室{task.pk}" for task in tasks[::3]})
    client = Client()
    client.force_login(staff_user)

    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30,
                      hostname="rectify-test@localhost"):
        with path.open("rb") as handle:
            response = client.post(reverse("ledger:import"), {"file": handle})
        preview_job = Job.objects.get()
        assert response["Location"] == reverse("jobs:detail", args=[preview_job.pk])
        status, seen = follow_job(client, preview_job)
        assert status["state"] == "done", status
        assert status["message"] == "将修改 100 项任务的 100 处内容：请查看预览，确认后导入。"
        _steps_rise(seen)
        page = client.get(reverse("ledger:job_preview", args=[preview_job.pk]))
        assert "确认导入" in page.content.decode()

        response = client.post(reverse("ledger:apply"),
                               {"token": client.session[SESSION_KEY]["token"]})
        apply_job = Job.objects.exclude(pk=preview_job.pk).get()
        assert response["Location"] == reverse("jobs:detail", args=[apply_job.pk])
        status, seen = follow_job(client, apply_job)

    assert status["state"] == "done", status
    assert status["message"] == "已导入台账“ledger.xlsx”：修改了 100 项任务的 100 处内容。"
    _steps_rise(seen)
    apply_job.refresh_from_db()
    assert (apply_job.attempts, apply_job.outcome["tasks"]) == (1, 100)
    departments = dict(RectificationTask.objects.values_list("pk", "responsible_department"))
    assert all(departments[task.pk] == f"科室{task.pk}" for task in tasks[::3])
    assert sum(1 for value in departments.values() if value) == 100
    assert list(embedded_broker.joinpath("messages").iterdir()) == []


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_the_job_a_beat_message_starts(small_round, staff_user,
                                                          embedded_broker,
                                                          worker_shares_the_test_database):
    from rectify.background.celery_app import SCHEDULED_TASK
    from rectify.background.periodic_jobs import SNAPSHOT_JOB
    from rectify.models import StatisticsSnapshot

    client = Client()
    client.force_login(staff_user)
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30,
                      hostname="rectify-test@localhost"):
        app.send_task(SCHEDULED_TASK, args=[SNAPSHOT_JOB])  # as beat sends it
        deadline = time.monotonic() + 60
        while not Job.objects.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        job = Job.objects.get()
        status, _seen = follow_job(client, job)  # the staff follow the system's job
    assert status["state"] == "done", status
    job.refresh_from_db()
    assert (job.kind, job.requested_by, job.attempts) == (SNAPSHOT_JOB, None, 1)
    assert StatisticsSnapshot.objects.filter(date=job.params["date"]).count() == 1
    assert list(embedded_broker.joinpath("messages").iterdir()) == []


def test_the_filesystem_queue_shows_a_message_only_once_it_is_whole(tmp_path, monkeypatch):
    """kombu's filesystem transport let a polling worker take a message's file before it was
    written (and fail on it, the message lost); ours renames the file in once complete."""
    from queue import Empty

    from kombu import Connection

    from rectify.background import queue_files

    folder = tmp_path / "queue"
    options = {"data_folder_in": str(folder), "data_folder_out": str(folder),
               "control_folder": str(tmp_path / "control"), "store_processed": False}
    make_queue_folders("filesystem://", options)
    with Connection("filesystem://", transport_options=options) as connection:
        assert isinstance(connection.transport, queue_files.Transport)
        channel = connection.default_channel
        written = []
        replace = queue_files.os.replace

        def rename(part, final):
            with pytest.raises(Empty):  # a worker polling now finds nothing to take
                channel._get("rectify")
            written.append(json.loads(Path(part).read_bytes()))
            replace(part, final)

        monkeypatch.setattr(queue_files.os, "replace", rename)
        channel._put("rectify", {"body": "消息"})
        assert written == [{"body": "消息"}]
        assert channel._get("rectify") == {"body": "消息"}
        assert list(folder.iterdir()) == []
