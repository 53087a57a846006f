"""Following a background job over HTTP, as its page's script does (tests with a real worker)."""

from __future__ import annotations

import io
import time

import openpyxl
from django.urls import reverse

from rectify.models import Job, RectificationTask


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


def numbered_tasks(rnd, count: int) -> list[str]:
    """``count`` tasks titled 问题0000, 问题0001 … in ``rnd`` (one bulk insert, positions
    given); their titles, in order."""
    titles = [f"问题{i:04d}" for i in range(count)]
    RectificationTask.objects.bulk_create(
        RectificationTask(round=rnd, position=i + 1, title=title)
        for i, title in enumerate(titles))
    return titles


def ledger_titles(client, url: str) -> list[str]:
    """The problems of the ledger a finished export job offers at ``url``, sorted."""
    download = client.get(url)
    assert download.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(download.streaming_content)),
                                      read_only=True)
    return sorted(row[3] for row in workbook["台账"].iter_rows(min_row=3, values_only=True))
