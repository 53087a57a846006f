"""The admin on the screens people have: a 1366×768 laptop and a 390×844 phone (headless
Debian Chromium, Playwright).

Staff open the task list, the notice list, the published-notice list, a round's page and a
task's page. On neither screen does the page scroll sideways. On the laptop the problem or
title column keeps about 20 characters a line (≥ 280 px), every other column of the lists is
in sight without scrolling the table, the round's problem tree takes the page's width (not a
column beside a label) and the measures inline fits. Screenshots go to ``test-artifacts/``
as ``admin-<page>-<width>.png``.
"""

from __future__ import annotations

import pytest

from rectify.models import InspectionRound, Measure
from tests.conftest import ARTIFACTS

PASSWORD = "rectify-demo"  # seed_demo's demo accounts
NAV_KEY = "django.admin.navSidebarIsOpen"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

#: Each list: its URL, the problem or title column, and the cells that must be in sight.
LISTS = {
    "tasks": ("/admin/rectify/rectificationtask/", "short_title",
              ("status_with_result", "due_on_display", "overdue", "signed_off")),
    "notices": ("/admin/rectify/notice/", "title", ("date", "published_versions")),
    "publications": ("/admin/rectify/publication/", "title",
                     ("date", "withdrawn", "public_link")),
}

_BOX = "el => { const b = el.getBoundingClientRect(); return [b.left, b.right, b.width]; }"


def _staff_page(browser, site: str, width: int, height: int):
    # A user in China: the admin's date widgets then add no "you are 8 hours behind" note.
    context = browser.new_context(viewport={"width": width, "height": height},
                                  locale="zh-CN", timezone_id="Asia/Shanghai")
    page = context.new_page()
    page.goto(site + "/accounts/login/")
    page.get_by_label("用户名").fill("staff")
    page.get_by_label("密码").fill(PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_load_state()
    return page


def _open(page, site: str, path: str) -> None:
    response = page.goto(site + path)
    assert response.status == 200, path
    page.wait_for_load_state()


def _no_page_scroll(page, name: str) -> None:
    scroll, inner = page.evaluate(
        "[document.documentElement.scrollWidth, window.innerWidth]")
    assert scroll <= inner, f"{name}: the page is {scroll} px wide in a {inner} px window"


def _shot(page, name: str, width: int) -> None:
    page.screenshot(path=str(ARTIFACTS / f"admin-{name}-{width}.png"), full_page=True)


def _pages(site_objects):
    rnd, task = site_objects
    return {
        "round": f"/admin/rectify/inspectionround/{rnd.pk}/change/",
        "task": f"/admin/rectify/rectificationtask/{task.pk}/change/",
    }


@pytest.fixture
def site_objects(seeded_site):
    """The seeded round with the most tasks (the deepest tree), and a task of it with
    measures."""
    rounds = sorted(InspectionRound.objects.all(), key=lambda r: -r.tasks.count())
    rnd = rounds[0]
    measure = (Measure.objects.filter(task__round=rnd, task__signed_off_at__isnull=True)
               .order_by("-position").select_related("task").first())
    return rnd, measure.task


def test_admin_on_a_laptop(seeded_site, browser, site_objects):
    page = _staff_page(browser, seeded_site, 1366, 768)
    viewport = 1366

    for name, (path, wide_column, in_sight) in LISTS.items():
        _open(page, seeded_site, path)
        _no_page_scroll(page, name)
        rows = page.locator("#result_list tbody tr")
        assert rows.count() >= 2, name
        first = rows.first
        left, right, width = first.locator(f".field-{wide_column}").evaluate(_BOX)
        assert width >= 280, f"{name}: the {wide_column} column is {width:.0f} px wide"
        # In sight: inside the window and inside the table's own scrolling box.
        results_right = page.locator("#changelist .results").evaluate(_BOX)[1]
        for column in in_sight:
            cell_right = first.locator(f".field-{column}").evaluate(_BOX)[1]
            assert cell_right <= min(viewport, results_right) + 0.5, (
                f"{name}: the {column} cell ends at {cell_right:.0f} px, "
                f"the table is seen up to {min(viewport, results_right):.0f} px")
        _shot(page, name, viewport)

    # The round's long name takes at most two lines in the task list; the whole of it shows
    # on hover.
    _open(page, seeded_site, LISTS["tasks"][0])
    longest = max((str(r) for r in InspectionRound.objects.select_related("party_group")),
                  key=len)
    clip = page.locator(f"#result_list .field-round_column .rectify-clip[title='{longest}']")
    assert clip.count() >= 1
    clip = clip.first
    line, height, scroll_height = clip.evaluate(
        "el => [parseFloat(getComputedStyle(el).lineHeight), el.clientHeight, el.scrollHeight]")
    assert height <= 2 * line + 1 < scroll_height

    pages = _pages(site_objects)
    # The round's page: the tree spans the form's width, not a column beside a label.
    _open(page, seeded_site, pages["round"])
    _no_page_scroll(page, "round")
    tree = page.locator(".field-problem_tree ul.rectify-tree").first
    tree_width = tree.evaluate(_BOX)[2]
    content_width = page.locator("#content-main").evaluate(_BOX)[2]
    assert tree_width >= 0.8 * content_width, (
        f"the problem tree is {tree_width:.0f} px of {content_width:.0f} px")
    # The deepest level too: Django's `.aligned ul` margin pushed each level 170 px further
    # right, leaving a 4-level tree's tasks a column of ~110 px.
    depth, narrowest = tree.evaluate("""el => {
        const items = [...el.querySelectorAll('li')];
        const depth = li => { let d = 0, e = li; while ((e = e.parentElement.closest('ul'))
            && el.contains(e)) d++; return d; };
        return [Math.max(...items.map(depth)),
                Math.min(...items.map(li => li.getBoundingClientRect().width))]; }""")
    assert depth >= 3
    assert narrowest >= 0.6 * content_width, (
        f"the tree's deepest items are {narrowest:.0f} px of {content_width:.0f} px")
    _shot(page, "round", viewport)

    # The task's page: the measures inline fits without scrolling sideways.
    _open(page, seeded_site, pages["task"])
    _no_page_scroll(page, "task")
    group = page.locator("#measures-group")
    assert group.locator("textarea").count() >= 2
    scroll, client = group.evaluate("el => [el.scrollWidth, el.clientWidth]")
    assert scroll <= client, f"the measures are {scroll} px wide in {client} px"
    _shot(page, "task", viewport)


def test_nav_sidebar_starts_closed_on_a_laptop_and_remembers_a_choice(seeded_site, browser):
    page = _staff_page(browser, seeded_site, 1366, 768)
    _open(page, seeded_site, LISTS["tasks"][0])
    main = page.locator("#main")
    assert "shifted" not in (main.get_attribute("class") or "")
    assert not page.locator("#nav-sidebar").is_visible()
    assert page.evaluate(f"localStorage.getItem('{NAV_KEY}')") is None
    # Opened with the toggle, it stays open on the next page.
    page.locator("#toggle-nav-sidebar").click()
    assert page.locator("#nav-sidebar").is_visible()
    _open(page, seeded_site, LISTS["notices"][0])
    assert page.locator("#nav-sidebar").is_visible()
    # Closed again, it stays closed; one click opens it (Django's own state agrees).
    page.locator("#toggle-nav-sidebar").click()
    _open(page, seeded_site, LISTS["tasks"][0])
    assert not page.locator("#nav-sidebar").is_visible()
    page.locator("#toggle-nav-sidebar").click()
    assert page.locator("#nav-sidebar").is_visible()


def test_nav_sidebar_starts_open_on_a_wide_screen(seeded_site, browser):
    page = _staff_page(browser, seeded_site, 1920, 1080)
    _open(page, seeded_site, LISTS["tasks"][0])
    assert page.locator("#nav-sidebar").is_visible()


def test_admin_on_a_phone(seeded_site, browser, site_objects):
    page = _staff_page(browser, seeded_site, 390, 844)
    paths = {name: path for name, (path, _column, _cells) in LISTS.items()}
    paths.update(_pages(site_objects))
    for name, path in paths.items():
        _open(page, seeded_site, path)
        _no_page_scroll(page, name)
        _shot(page, name, 390)
    # The tree on the round's page and the lists' tables are there, not pushed off the page.
    _open(page, seeded_site, paths["round"])
    tree_box = page.locator(".field-problem_tree ul.rectify-tree").first.evaluate(_BOX)
    assert tree_box[0] >= 0 and tree_box[1] <= 390
