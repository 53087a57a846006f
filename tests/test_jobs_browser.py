"""A background job's page in a real browser (headless Debian Chromium, Playwright): the
progress bar follows the job as the worker reports rows, the page turns into the download
once the job is done, and without scripts the page refreshes itself to the same end. No
Content-Security-Policy violation or script error. The job is moved by the test itself
(the worker's writes), so the page is watched at each step."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from rectify.ledger.ledger_views import EXPORT_JOB
from rectify.models import Job, JobState
from tests.conftest import ARTIFACTS
from tests.seed_helpers import browser_login, demo_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _running_job(rows_total: int) -> Job:
    return Job.objects.create(kind=EXPORT_JOB, requested_by=demo_user("staff"),
                              state=JobState.RUNNING, rows_total=rows_total, attempts=1,
                              started_at=timezone.now(), heartbeat_at=timezone.now())


def _finish(job: Job, text: str = "台账") -> None:
    """What the worker writes at the end: the file, then the row."""
    directory = settings.JOB_RESULT_DIR
    directory.mkdir(parents=True, exist_ok=True)
    (directory / f"{job.pk}-result").write_text(text, encoding="utf-8")
    Job.objects.filter(pk=job.pk).update(
        state=JobState.DONE, rows_done=job.rows_total, result_file=f"{job.pk}-result",
        result_filename="整改台账-测试.xlsx", content_type="text/plain", result_size=6,
        message="共导出 60 项整改任务。", finished_at=timezone.now())


def test_the_progress_bar_follows_the_job_and_the_page_offers_the_download(seeded_site,
                                                                            browser):
    job = _running_job(60)
    page, problems = browser_login(browser, seeded_site, "staff")
    page.goto(f"{seeded_site}/jobs/{job.pk}/")
    assert page.locator(".job-rows").inner_text() == "已完成 0 / 60 行"
    assert page.locator("progress").evaluate("bar => bar.value") == 0

    Job.objects.filter(pk=job.pk).update(rows_done=45)
    expect(page.locator(".job-rows")).to_have_text("已完成 45 / 60 行", timeout=10000)
    assert page.locator("progress").evaluate("bar => bar.value") == 75
    assert page.locator(".job-percent").inner_text() == "75%"
    page.screenshot(path=str(ARTIFACTS / "job-running.png"), full_page=True)

    _finish(job)
    link = page.locator("a.download")
    link.wait_for(timeout=10000)  # the page reloaded itself once the job was done
    assert "已完成" in page.locator(".job-state").inner_text()
    assert page.locator("progress").count() == 0
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == "整改台账-测试.xlsx"
    assert Path(download.value.path()).read_text(encoding="utf-8") == "台账"
    page.screenshot(path=str(ARTIFACTS / "job-done.png"), full_page=True)
    assert problems == []
    page.context.close()


def test_without_scripts_the_page_refreshes_itself(seeded_site, browser):
    job = _running_job(60)
    page, problems = browser_login(browser, seeded_site, "staff", scripts=False)
    page.goto(f"{seeded_site}/jobs/{job.pk}/")
    assert page.locator(".job-rows").inner_text() == "已完成 0 / 60 行"
    _finish(job)
    page.locator("a.download").wait_for(timeout=10000)  # the <noscript> refresh, every 3 s
    assert problems == []
    page.context.close()
