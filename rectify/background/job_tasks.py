"""The Celery tasks: ``rectify.run_job(job_id)``, which runs every job, and the two that Celery
beat sends (``celery_app.beat_schedule``): ``rectify.start_scheduled_job(kind)``, which submits
the day's job of a periodic kind for the system (once per kind and day, however often the
message comes), and ``rectify.sweep_jobs``, which deletes old results and uploads.

Acknowledged only once it has run (``acks_late``) and handed back to the queue if the
worker's process dies under it (``reject_on_worker_lost``): the next run finds the job's
heartbeat stale and takes it over (``rectify.services.jobs.claim``). A message for a job
another run holds and is alive (a duplicate, or one delivered again too early) waits and
tries again, a bounded number of times; the job is never run twice at once.
"""

from __future__ import annotations

import logging

from celery.exceptions import MaxRetriesExceededError
from django.conf import settings

from rectify.background import (
    job_kinds,  # noqa: F401 -- registers the job kinds
    periodic_jobs,
)
from rectify.background.celery_app import SCHEDULED_TASK, SWEEP_TASK, app
from rectify.services import jobs

logger = logging.getLogger(__name__)

#: How many times a message for a job held by a live run is tried again.
BUSY_RETRIES = 5


@app.task(name=jobs.RUN_TASK, bind=True, acks_late=True, reject_on_worker_lost=True,
          max_retries=BUSY_RETRIES, ignore_result=True)
def run_job(self, job_id: int) -> str:
    outcome = jobs.run(job_id)
    if outcome == jobs.BUSY:
        try:
            raise self.retry(countdown=settings.JOB_STALE_SECONDS)
        except MaxRetriesExceededError:
            logger.warning("Job %s is still held by another run; giving up this message",
                           job_id)
    return outcome


@app.task(name=SCHEDULED_TASK, acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def start_scheduled_job(kind: str) -> int:
    """Beat's daily message: the system's job of ``kind`` for today (submitted once)."""
    return periodic_jobs.start_scheduled(kind).pk


@app.task(name=SWEEP_TASK, acks_late=True, ignore_result=True)
def sweep_jobs() -> int:
    """Beat's hourly message: results past ``JOB_RESULT_TTL_HOURS`` are deleted."""
    return periodic_jobs.sweep()
