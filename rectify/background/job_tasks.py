"""The Celery task that runs every job: ``rectify.run_job(job_id)``.

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

from rectify.background import job_kinds  # noqa: F401 -- registers the job kinds
from rectify.background.celery_app import app
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
