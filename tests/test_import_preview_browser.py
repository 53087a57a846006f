"""The notice import's preview in a real browser (headless Debian Chromium, Playwright): the
stated totals at the top, a heading set aside as overall text chosen as a task, previewed
again and imported. No Content-Security-Policy violation or script error."""

from __future__ import annotations

from pathlib import Path

import pytest

from rectify.models import RectificationTask
from tests.conftest import ARTIFACTS
from tests.seed_helpers import browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NOTICE = "\n".join([
    "中共某县某局党组关于巡察整改情况的通报",
    "县委第一巡察组反馈了巡察意见，反馈问题3个。",
    "一、整改工作组织情况",
    "（一）强化组织领导。成立整改工作领导小组。",
    "（二）食堂管理不规范。对食堂开展专项检查。",
    "二、问题整改情况",
    "1.会议过多。",
    "整改措施：一是精简会议；二是合并发文。",
    "整改结果：已完成。",
    "2.文件过多。",
    "整改措施：控制发文。",
    "整改结果：已完成。",
    "中共某县某局党组",
    "2024年1月5日",
])


def test_a_heading_is_chosen_as_a_task_in_the_preview(seeded_site, browser):
    page, problems = browser_login(browser, seeded_site, "staff", height=1200)
    page.goto(f"{seeded_site}/admin/rectify/inspectionround/import/")
    page.locator("textarea[name=text]").fill(NOTICE)
    page.get_by_role("button", name="预览").click()
    page.wait_for_load_state()
    totals = page.locator("table.import-totals")
    assert "与通报所述不一致" in totals.inner_text()
    assert "整改任务 2 项" in page.content()
    page.screenshot(path=str(ARTIFACTS / "import-preview.png"), full_page=True)

    page.locator("select[name=kind_5]").select_option("task")
    page.get_by_role("button", name="按所选类型重新预览").click()
    page.wait_for_load_state()
    assert "整改任务 3 项" in page.content()
    assert "与通报所述不一致" not in page.locator("table.import-totals").inner_text()
    page.screenshot(path=str(ARTIFACTS / "import-preview-chosen.png"), full_page=True)

    page.get_by_role("button", name="确认导入").click()
    page.wait_for_load_state()
    assert RectificationTask.objects.filter(title__startswith="食堂管理不规范").exists()
    assert problems == []


@pytest.mark.parametrize("width, height", [(1366, 768), (390, 844)])
def test_the_preview_of_a_seed_notice_fits_the_screen(seeded_site, browser, width, height):
    """The Xuchang notice's preview (53 tasks, a tree 5 columns wide) on the office laptop and
    on a phone: the page never scrolls sideways (its tables scroll in their own box), and on
    the laptop the problem's title column is wide enough to read."""
    notice = (Path(__file__).resolve().parent.parent / "fixtures" / "notices"
              / "001_eae98d11af12162c.txt").read_text(encoding="utf-8")
    page, problems = browser_login(browser, seeded_site, "staff", width=width, height=height)
    page.goto(f"{seeded_site}/admin/rectify/inspectionround/import/")
    page.locator("textarea[name=text]").fill(notice)
    page.get_by_role("button", name="预览").click()
    page.wait_for_load_state()
    assert "整改任务 53 项" in page.content()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    if width > 1000:
        title = page.locator("table.import-tree th", has_text="标题").bounding_box()
        assert title["width"] >= 280, title
    page.screenshot(path=str(ARTIFACTS / f"import-preview-{width}.png"))
    assert problems == []
