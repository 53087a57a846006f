"""A real Celery worker on the real Redis broker (``REDIS_URL``: its database n + 1): a large
ledger export asked for over HTTP, followed until done, downloaded and opened.

``tests/test_jobs_worker.py`` does the same on the embedded (filesystem) broker; this is the
production broker, run by ``.ci/run``'s PostgreSQL pass (which sets ``REDIS_URL``) and skipped
without it. The job goes to a queue of this test's own, so that no other worker reading the
same Redis database takes it, and the queue is deleted afterwards.
"""

from __future__ import annotations

import os
import uuid

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.test import Client
from django.urls import reverse
from kombu import pools

from rectify.background.celery_app import app
from rectify.models import Job, JobState
from rectify.services import jobs
from tests.job_helpers import follow_job, ledger_titles, numbered_tasks
from tests.test_jobs_worker import (  # noqa: F401 -- fixtures
    _forget_connections,
    worker_shares_the_test_database,
)

TASKS = 300


@pytest.fixture
def redis_broker():
    """The app sends to, and a worker reads from, Redis, on a queue of this test's own."""
    if not os.environ.get("REDIS_URL"):
        pytest.skip("the Redis broker needs REDIS_URL=redis://127.0.0.1:6379/<n> "
                    "(the second pass of .ci/run sets it)")
    assert settings.CELERY_BROKER_URL.startswith("redis://")
    queue = f"rectify-test-{uuid.uuid4().hex[:8]}"
    changed = {"CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
               "CELERY_BROKER_TRANSPORT_OPTIONS": settings.CELERY_BROKER_TRANSPORT_OPTIONS,
               "CELERY_TASK_ALWAYS_EAGER": False,
               "CELERY_TASK_DEFAULT_QUEUE": queue,
               "CELERY_WORKER_HIJACK_ROOT_LOGGER": False}
    saved = {key: app.conf[key] for key in changed if key in app.conf}
    app.conf.update(changed)
    _forget_routes()
    yield queue
    with app.connection_for_write() as connection:
        channel = connection.default_channel
        channel.queue_delete(queue)
        channel.client.delete(*(f"_kombu.{kind}.{queue}"
                                for kind in ("binding", "binding_permanent")))
    for key in changed:
        if key not in saved:
            app.conf.changes.pop(key, None)
    app.conf.update(saved)
    _forget_routes()


def _forget_routes():
    """The app's connections, and its queues and routes (made once from the default queue's
    name): made again from the configuration as it is now."""
    _forget_connections()
    pools.reset()  # kombu's producer pools, kept per broker address for the process
    app.__dict__.pop("amqp", None)


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("worker_shares_the_test_database")
def test_a_real_worker_on_redis_builds_a_large_export(settings, staff_user, make_round,
                                                      redis_broker, monkeypatch):
    settings.LEDGER_BACKGROUND_ROWS = 100
    settings.CELERY_TASK_DEFAULT_QUEUE = redis_broker
    monkeypatch.setattr(jobs, "PROGRESS_SECONDS", 0.05)
    rnd = make_round()
    titles = numbered_tasks(rnd, TASKS)
    client = Client()
    client.force_login(staff_user)

    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30,
                      queues=[redis_broker], hostname=f"{redis_broker}@localhost"):
        response = client.get(reverse("ledger:index"), {"export": "xlsx"})
        assert response.status_code == 302
        job = Job.objects.get()
        status, _seen = follow_job(client, job)

    assert status["state"] == "done", status
    assert status["rows_done"] == status["rows_total"] == TASKS
    job.refresh_from_db()
    assert (job.state, job.attempts) == (JobState.DONE, 1)
    assert ledger_titles(client, status["download_url"]) == titles
    with app.connection_for_write() as connection:  # taken and acknowledged: nothing left
        assert connection.default_channel.client.llen(redis_broker) == 0
