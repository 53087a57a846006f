"""The clerk → leader → staff workflow in a real browser (headless Debian Chromium,
Playwright).

A Xinye clerk logs in on a phone-sized screen, updates a task's progress, uploads evidence and
proposes completion; the Xinye round is reviewed in two levels, so the proposal waits for the
bureau's leader, not for staff; the leader passes it on from the review queue; staff then
approve it, which signs the task off; the clerk sees both decisions; Xuchang's clerk and
leader cannot open the task (404). Screenshots go to ``test-artifacts/``.
"""

from __future__ import annotations

import pytest

from rectify.models import Evidence, RectificationTask
from rectify.models.choices import Status
from tests.conftest import ARTIFACTS
from tests.evidence_helpers import make_pdf

PASSWORD = "rectify-demo"  # seed_demo's demo accounts

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(browser, site: str, username: str, *, width: int = 1280, height: int = 900):
    context = browser.new_context(viewport={"width": width, "height": height},
                                  locale="zh-CN")
    page = context.new_page()
    page.goto(site + "/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()
    return page


def test_clerk_proposes_completion_and_staff_sign_it_off(seeded_site, browser, evidence_root,
                                                         tmp_path):
    evidence_file = tmp_path / "验收报告.pdf"
    evidence_file.write_bytes(make_pdf())

    # The clerk, on a phone: the task list is its landing page after login.
    page = _login(browser, seeded_site, "clerk_xinye", width=390, height=844)
    assert page.url.endswith("/work/")
    assert page.locator("h1").inner_text() == "整改任务"
    assert page.get_by_text("共 12 项整改任务").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    # On the phone the filters fold away behind one button, which opens them.
    fold = page.locator("details.filter-fold")
    assert not fold.evaluate("el => el.open") and not page.locator("#id_q").is_visible()
    page.screenshot(path=str(ARTIFACTS / "work-list-mobile.png"), full_page=True)
    fold.locator("summary").click()
    assert page.locator("#id_q").is_visible()
    page.locator("table.tasks a").first.click()
    page.wait_for_load_state()
    task_url = page.url
    task = RectificationTask.objects.get(pk=int(task_url.rstrip("/").split("/")[-1]))
    assert task.round.party_group.short_name in page.locator(".crumbs").inner_text()

    # Progress.
    page.locator("#id_progress_progress").fill("已召开专题会议，完成全面排查。")
    page.get_by_role("button", name="保存整改进展").click()
    page.wait_for_load_state()
    assert page.get_by_text("整改进展已保存。").is_visible()

    # Evidence.
    page.locator("#id_evidence_file").set_input_files(str(evidence_file))
    page.locator("#id_evidence_description").fill("专题会议纪要")
    page.get_by_role("button", name="上传", exact=True).click()
    page.wait_for_load_state()
    assert page.get_by_text("佐证材料已上传。").is_visible()
    assert page.get_by_role("link", name="验收报告.pdf").is_visible()

    # The proposal, first without a note: refused, nothing lost.
    page.locator("#id_proposal_status").select_option(Status.COMPLETED.value)
    page.locator("#id_proposal_note").fill("")
    page.locator("#id_proposal_note").evaluate("el => el.removeAttribute('required')")
    page.get_by_role("button", name="提交审核").click()
    page.wait_for_load_state()
    assert page.locator(".error-summary").is_visible()
    page.locator("#id_proposal_note").fill("排查整改全部完成，已建立长效机制。")
    page.get_by_role("button", name="提交审核").click()
    page.wait_for_load_state()
    assert page.get_by_text("状态提议已提交，等待单位负责人审核（第一级）。").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=str(ARTIFACTS / "work-task-mobile.png"), full_page=True)
    clerk_page = page

    # Staff: nothing to decide yet; the queue says the proposal waits for the leader.
    page = _login(browser, seeded_site, "staff")
    assert page.locator("details.filter-fold").evaluate("el => el.open")  # a wide screen
    page.goto(seeded_site + "/work/review/")
    assert page.get_by_text("没有等待您审核的状态提议。").is_visible()
    assert page.get_by_text("另有 1 项提议正等待单位负责人审核").is_visible()
    page.goto(task_url)
    assert page.get_by_text("待审核层级：单位负责人审核").is_visible()
    assert page.get_by_role("button", name="提交审核结果").count() == 0
    staff_page = page

    # The bureau's leader passes it on from its review queue (the first level).
    page = _login(browser, seeded_site, "leader_xinye")
    page.get_by_role("link", name="审核队列").click()
    page.wait_for_load_state()
    assert page.get_by_text("待审核 1 项").is_visible()
    page.screenshot(path=str(ARTIFACTS / "work-review-queue-leader.png"), full_page=True)
    page.locator("table.tasks a").first.click()
    page.wait_for_load_state()
    assert page.url.split("#")[0] == task_url
    page.get_by_label("通过，报巡察办审核").check()
    page.locator("#id_review_comment").fill("经核实，同意报巡察办销号。")
    page.get_by_role("button", name="提交审核结果").click()
    page.wait_for_load_state()
    assert page.get_by_text("已审核通过，报巡察办审核。").is_visible()
    assert page.get_by_text("待审核层级：巡察办审核").is_visible()
    assert page.get_by_role("button", name="提交审核结果").count() == 0
    page.context.close()
    task.refresh_from_db()
    assert task.status == Status.IN_PROGRESS and not task.is_signed_off

    # Staff approve it from the review queue.
    page = staff_page
    page.goto(seeded_site + "/work/review/")
    assert page.get_by_text("待审核 1 项").is_visible()
    page.screenshot(path=str(ARTIFACTS / "work-review-queue.png"), full_page=True)
    page.locator("table.tasks a").first.click()
    page.wait_for_load_state()
    assert page.url.split("#")[0] == task_url
    assert page.get_by_text("排查整改全部完成，已建立长效机制。").first.is_visible()
    assert page.locator("#proposal a.pdf-preview[target=_blank]").count() == 1  # the PDF
    page.get_by_label("通过（已完成的即销号）").check()
    page.locator("#id_review_comment").fill("材料齐全，同意销号。")
    page.get_by_role("button", name="提交审核结果").click()
    page.wait_for_load_state()
    assert page.get_by_text("已审核通过。").is_visible()
    page.goto(seeded_site + "/work/overview/")
    assert page.locator("h1").inner_text() == "各单位整改概况"
    page.screenshot(path=str(ARTIFACTS / "work-overview.png"), full_page=True)
    page.context.close()

    task.refresh_from_db()
    assert task.status == Status.COMPLETED and task.is_signed_off
    assert task.signed_off_by.username == "staff"
    assert Evidence.objects.get(task=task).original_name == "验收报告.pdf"

    # The clerk sees the outcome, and both levels' decisions.
    clerk_page.reload()
    assert clerk_page.locator(".reviews").get_by_text("材料齐全，同意销号。").is_visible()
    assert clerk_page.locator(".reviews").get_by_text("经核实，同意报巡察办销号。").is_visible()
    assert clerk_page.locator(".facts").get_by_text("已完成").first.is_visible()
    clerk_page.context.close()

    # The other bureau's clerk and leader cannot open the task.
    for outsider in ("clerk_xuchang", "leader_xuchang"):
        page = _login(browser, seeded_site, outsider)
        response = page.goto(task_url)
        assert response is not None and response.status == 404
        page.context.close()
