"""The API's own pages in a real browser (headless Debian Chromium, Playwright): the
browsable API and the Swagger UI documentation, at 1366 × 768 and on a 390 px phone.

No sideways scrolling (a long JSON line scrolls inside its own box), the API in Rectify's
name with a way back to its root, the documentation listing the task operations.
Screenshots go to ``test-artifacts/``.
"""

from __future__ import annotations

import pytest

from tests.conftest import ARTIFACTS
from tests.seed_helpers import browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width, height", [(1366, 768), (390, 844)])
def test_api_pages_fit_the_screen(seeded_site, browser, width, height):
    page, _problems = browser_login(browser, seeded_site, "staff", width=width, height=height)

    for name, path, title in (("root", "/api/", "API 首页"), ("tasks", "/api/tasks/", "整改任务")):
        response = page.goto(seeded_site + path)
        assert response is not None and response.status == 200, path
        # The page's title in the reader's language, not DRF's "Api Root" or "Task List".
        assert page.locator(".page-header h1, .content-main h1").first.inner_text() == title
        brand = page.locator(".navbar-brand")
        assert brand.inner_text().strip() == "巡察整改 API"
        assert brand.get_attribute("href") == "/api/"
        # The breadcrumbs stay in view under the bar (nothing stacks over them).
        assert page.locator(".breadcrumb").bounding_box()["y"] >= \
            page.locator(".navbar").bounding_box()["height"]
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), path
        page.screenshot(path=str(ARTIFACTS / f"api-{name}-{width}.png"))

    page.goto(seeded_site + "/api/docs/")
    operation = page.locator(".opblock-summary-path", has_text="/api/tasks/").first
    operation.wait_for()
    assert operation.is_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=str(ARTIFACTS / f"api-docs-{width}.png"))
    page.context.close()
