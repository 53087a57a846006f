"""One look for the working pages (issue 18) in a real browser (headless Debian Chromium).

The login page, the work pages (task list, a task, the overview), the ledger, the dashboard,
background jobs, the password change and a 404, on a laptop (1366×768) and on a phone
(390×844): none scrolls sideways; each loads the one stylesheet and the favicon, and shows the
one header (site name, the user, the bell, the language switch, sign-out), whose menu folds on
the phone and opens with a tap. On the task list the problem column is wide enough to read on
the laptop and the filters are folded on the phone; the login inputs are large enough to tap.
Screenshots go to ``test-artifacts/look-<page>-<width>.png``.
"""

from __future__ import annotations

import pytest

from rectify.models import RectificationTask
from tests.conftest import ARTIFACTS

PASSWORD = "rectify-demo"  # seed_demo's demo accounts
LAPTOP, PHONE = (1366, 768), (390, 844)
#: The header's link marked as the current page.
CURRENT = {"work": "整改任务", "overview": "整改概况", "ledger": "整改台账", "dashboard": "统计",
           "jobs": "后台任务"}

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STYLESHEETS = """() => [...document.styleSheets].filter(s => s.href)
    .map(s => new URL(s.href).pathname + (s.cssRules.length ? '' : ' (empty)'))"""


def _no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def _check_common(page, name: str, width: int, *, signed_in: bool = True) -> None:
    """What every page shares: no sideways scroll, the one stylesheet (loaded), the favicon,
    the header."""
    assert _no_sideways_scroll(page), (name, width)
    assert page.evaluate(STYLESHEETS) == ["/static/rectify/site.css"], (name, width)
    assert page.locator("link[rel=icon]").get_attribute("href") == "/static/rectify/favicon.svg"
    header = page.locator("header.site-header")
    assert header.count() == 1
    assert header.locator(".site-name").inner_text() == "巡察整改"
    assert header.locator(".site-name").is_visible()
    assert header.locator("form.language-switch select").count() == 1
    if signed_in:
        assert header.locator(".user").inner_text() == "staff"
        assert header.locator(".user").is_visible() and header.locator(".bell").is_visible()
        assert header.locator("form.logout button").count() == 1
    menu = header.locator("details.site-menu")
    if width == PHONE[0]:
        # Folded: the navigation and sign-out behind the menu button, which opens them.
        assert header.locator(".site-nav").is_hidden()
        menu.locator("summary").click()
        assert header.locator(".site-nav").is_visible()
        assert header.locator("form.language-switch select").is_visible()
        if signed_in:
            assert header.locator("form.logout button").is_visible()
            assert header.locator(".site-nav a", has_text="整改台账").is_visible()
        assert _no_sideways_scroll(page), (name, width, "menu open")
        page.screenshot(path=str(ARTIFACTS / f"look-{name}-{width}-menu.png"))
        menu.locator("summary").click()
        assert header.locator(".site-nav").is_hidden()
    else:
        # A wide screen: nothing folded.
        assert menu.locator("summary").is_hidden()
        assert header.locator(".site-nav").is_visible()
        assert header.locator("form.language-switch select").is_visible()
        if signed_in:
            assert header.locator("form.logout button").is_visible()
            assert header.locator(".site-nav a", has_text="整改台账").is_visible()
    page.screenshot(path=str(ARTIFACTS / f"look-{name}-{width}.png"), full_page=True)


@pytest.mark.parametrize("size", [LAPTOP, PHONE], ids=["1366", "390"])
def test_every_working_page_has_one_look(seeded_site, browser, size):
    width, height = size
    task = RectificationTask.objects.order_by("pk").first()
    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
    page = context.new_page()

    # The login page: a card with inputs large enough to read and tap.
    page.goto(seeded_site + "/accounts/login/")
    _check_common(page, "login", width, signed_in=False)
    for label in ("用户名", "密码"):
        field = page.get_by_label(label)
        box = field.bounding_box()
        assert box["height"] >= 40, (label, box)
        assert field.evaluate("el => getComputedStyle(el).fontSize") == "16px"
        assert box["width"] >= (300 if width == LAPTOP[0] else 280), (label, box)
    submit = page.locator("main button[type=submit]")
    assert submit.bounding_box()["height"] >= 40
    assert "primary" in submit.get_attribute("class")
    page.get_by_label("用户名").fill("staff")
    page.get_by_label("密码").fill(PASSWORD)
    submit.click()
    page.wait_for_load_state()
    assert page.url.endswith("/work/")

    pages = [
        ("work", "/work/"),
        ("task", f"/work/tasks/{task.pk}/"),
        ("overview", "/work/overview/"),
        ("ledger", "/ledger/"),
        ("dashboard", "/dashboard/"),
        ("jobs", "/jobs/"),
        ("password-change", "/accounts/password_change/"),
        ("404", "/work/no-such-page/"),
    ]
    for name, path in pages:
        response = page.goto(seeded_site + path)
        assert response.status == (404 if name == "404" else 200), (name, response.status)
        page.wait_for_load_state()
        _check_common(page, name, width)
        current = page.locator(".site-nav a[aria-current=page]")
        if name in CURRENT:  # the header says where the reader is
            assert current.count() == 1 and current.text_content().strip() == CURRENT[name], name
        else:
            assert current.count() == 0, name
        if name == "work":
            problem = page.locator("table.tasks tbody tr").first.locator("td.text")
            fold = page.locator("details.filter-fold")
            if width == LAPTOP[0]:
                assert problem.bounding_box()["width"] >= 280, problem.bounding_box()
                assert fold.evaluate("el => el.open")
            else:
                assert not fold.evaluate("el => el.open")
                assert page.locator("#id_q").is_hidden()
        if name in ("ledger", "dashboard") and width == PHONE[0]:
            # The same fold as the task list's on a phone.
            fold = page.locator("details.filter-fold")
            assert not fold.evaluate("el => el.open") and page.locator("#id_round").is_hidden()
            fold.locator("summary").click()
            assert page.locator("#id_round").is_visible()
            assert _no_sideways_scroll(page)
        if name == "password-change":
            field = page.locator("#id_old_password")
            assert field.bounding_box()["height"] >= 40
        if name == "404":
            assert page.locator("h1").inner_text().startswith("页面不存在")
    context.close()
