"""The dashboard (/dashboard/) in a real browser (headless Debian Chromium, Playwright): the
charts are drawn (by the vendored Chart.js, from the tables below them) without a single
Content-Security-Policy violation, on a wide screen and on a phone without sideways
scrolling; a count links to the task list it counts. Screenshots go to ``test-artifacts/``."""

from __future__ import annotations

import pytest

from tests.conftest import ARTIFACTS
from tests.seed_helpers import browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _drawn(page) -> list[bool]:
    """For each chart's canvas: whether anything was painted on it."""
    return page.evaluate("""() => [...document.querySelectorAll('figure.chart canvas')].map(c => {
        const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        for (let i = 3; i < data.length; i += 4) { if (data[i] !== 0) return true; }
        return false; })""")


def test_staff_see_the_charts_drawn_on_a_wide_screen_and_a_phone(seeded_site, browser):
    page, problems = browser_login(browser, seeded_site, "staff", width=1366, height=768)
    page.goto(seeded_site + "/dashboard/")
    page.wait_for_load_state("networkidle")
    charts = page.locator("figure.chart canvas")
    assert charts.count() >= 3
    page.wait_for_timeout(500)  # Chart.js animates the first frame
    assert all(_drawn(page)), _drawn(page)
    assert problems == []
    page.screenshot(path=str(ARTIFACTS / "dashboard-1366.png"), full_page=True)

    # A count is a link to the task list it counts.
    link = page.locator("table.stats a").first
    number = link.inner_text().strip()
    link.click()
    page.wait_for_load_state()
    assert "/work/" in page.url
    assert f"共 {number} 项整改任务" in page.locator("body").inner_text()
    page.context.close()

    page, problems = browser_login(browser, seeded_site, "clerk_xuchang", width=390, height=844)
    page.goto(seeded_site + "/dashboard/")
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(500)
    assert all(_drawn(page)) and problems == []
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert "新野" not in page.locator("main").inner_text()  # its own bureau only
    page.screenshot(path=str(ARTIFACTS / "dashboard-phone.png"), full_page=True)
    page.context.close()
