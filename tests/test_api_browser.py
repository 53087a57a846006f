"""The API's own pages in a real browser (headless Debian Chromium, Playwright): the
browsable API and the Swagger UI documentation, at 1366 × 768 and on a 390 px phone.

No sideways scrolling (a long JSON line scrolls inside its own box), the API in Rectify's
name with a way back to its root, the documentation listing the task operations.
Screenshots go to ``test-artifacts/``.
"""

from __future__ import annotations

import pytest

from tests.conftest import ARTIFACTS

PASSWORD = "rectify-demo"  # seed_demo's demo accounts

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width, height", [(1366, 768), (390, 844)])
def test_api_pages_fit_the_screen(seeded_site, browser, width, height):
    context = browser.new_context(viewport={"width": width, "height": height},
                                  locale="zh-CN")
    page = context.new_page()
    page.goto(seeded_site + "/accounts/login/")
    page.get_by_label("用户名").fill("staff")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()

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
    context.close()
