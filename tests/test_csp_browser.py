"""Under the Content-Security-Policy, in a real browser (headless Debian Chromium, Playwright):
the pages run without a single violation, the delete buttons still ask first (their question
from a static script), and Swagger UI still shows the API."""

from __future__ import annotations

import pytest

from rectify.models import Measure, RectificationTask

PASSWORD = "rectify-demo"  # seed_demo's demo accounts

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(browser, site: str, username: str):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    violations: list[str] = []
    page.on("console", lambda message: violations.append(message.text)
            if "Content Security Policy" in message.text else None)
    page.goto(site + "/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()
    return page, violations


def test_the_pages_run_under_the_policy(seeded_site, browser):
    task = RectificationTask.objects.filter(
        round__party_group__name="中共新野县教育体育局党组").order_by("pk").first()
    Measure.objects.create(task=task, position=Measure.objects.filter(task=task).count() + 1,
                           text="建立长效机制。")
    page, violations = _login(browser, seeded_site, "clerk_xinye")
    task_url = f"{seeded_site}/work/tasks/{task.pk}/"
    page.goto(task_url)
    count = Measure.objects.filter(task=task).count()
    delete = page.locator("#measures form[data-confirm] button").last

    # Cancelled: the question came from confirm.js, and nothing is deleted.
    asked: list[str] = []

    def dismiss(dialog):
        asked.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", dismiss)
    delete.click()
    page.wait_for_timeout(300)
    assert asked == ["确定删除这条整改措施？"]
    assert Measure.objects.filter(task=task).count() == count

    # Accepted: deleted.
    page.once("dialog", lambda dialog: dialog.accept())
    delete.click()
    page.wait_for_load_state()
    assert page.get_by_text("整改措施已删除。").is_visible()
    assert Measure.objects.filter(task=task).count() == count - 1

    for address in ("/work/", "/work/overview/", "/ledger/", "/work/notifications/",
                    "/notices/", "/work/no-such-page/"):
        page.goto(seeded_site + address)
        page.wait_for_load_state()
    assert violations == []
    # The watch works: an inline style put into the page is refused, and reported.
    page.evaluate("""() => { const style = document.createElement('style');
                            style.textContent = 'body { color: red; }';
                            document.head.appendChild(style); }""")
    page.wait_for_timeout(300)
    assert violations and "style-src" in violations[0]


def test_admin_and_swagger_ui_run_under_the_policy(seeded_site, browser):
    page, violations = _login(browser, seeded_site, "staff")
    task = RectificationTask.objects.order_by("pk").first()
    for address in ("/admin/", "/admin/rectify/rectificationtask/",
                    f"/admin/rectify/rectificationtask/{task.pk}/change/",
                    f"/admin/rectify/inspectionround/{task.round_id}/change/"):
        page.goto(seeded_site + address)
        page.wait_for_load_state()
    # The admin's own scripts (from static files) still run: the theme toggle is wired.
    assert page.locator("#content").is_visible()

    page.goto(seeded_site + "/api/docs/")
    page.locator(".opblock").first.wait_for(timeout=15000)
    assert page.locator(".opblock-tag").count() > 3
    assert violations == []
