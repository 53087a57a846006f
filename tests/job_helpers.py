"""Following a background job over HTTP, as its page's script does (tests with a real worker)."""

from __future__ import annotations

import time

from django.urls import reverse

from rectify.models import Job


def follow_job(client, job: Job, timeout: float = 120) -> tuple[dict, list]:
    """Poll the job's status until it has finished: its last status and what was seen, as
    ``(state, rows_done, message)`` per poll."""
    status_url = reverse("jobs:status", args=[job.pk])
    seen = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = client.get(status_url).json()
        seen.append((status["state"], status["rows_done"], status["message"]))
        if status["finished"]:
            return status, seen
        time.sleep(0.05)
    raise AssertionError(f"job {job.pk} did not finish: {seen[-3:]}")
