"""The public pages in a real browser: headless Debian Chromium driven by Playwright.

Never downloads a browser (no ``playwright install``): it launches /usr/bin/chromium, which
CI installs (``.ci/run``). Without it the test fails with a message saying so.
Screenshots (desktop, mobile, print) and a PDF go to ``test-artifacts/``.
"""

from __future__ import annotations

import re

import pytest

from tests.conftest import ARTIFACTS
from tests.document_helpers import pdf_text

XINYE_TITLE = "中共新野县教育体育局党组关于上下联动专项巡察整改进展情况的通报"
XUCHANG_TITLE = "中共许昌市教育局党组关于巡察整改情况的通报"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _open(browser, url: str, width: int, height: int = 900):
    context = browser.new_context(viewport={"width": width, "height": height},
                                  locale="en-US")
    page = context.new_page()
    response = page.goto(url)
    assert response is not None and response.status == 200, url
    return page


def test_seed_notices_read_like_the_printed_notices(seeded_site, browser):
    # The list.
    page = _open(browser, seeded_site + "/notices/", 1280)
    assert page.locator("h1").inner_text() == "巡察整改情况通报"
    links = page.locator(".notice-list h2 a")
    assert links.all_inner_texts() == [XINYE_TITLE, XUCHANG_TITLE]
    page.screenshot(path=str(ARTIFACTS / "list-desktop.png"), full_page=True)

    # Xinye: opened from the list.
    links.first.click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == XINYE_TITLE
    heading = page.get_by_role("heading", name=(
        "一、关于“态度不坚决，推进巡察审计反馈问题持续整改成效不明显”方面，"
        "共1项整改任务"))
    assert heading.is_visible()
    assert page.get_by_text("整改进展情况：").first.is_visible()
    measure = page.get_by_text("一是县教体局于5月26日、6月16日分两期")
    assert measure.is_visible()
    assert page.locator(".result").count() == 0
    assert page.locator("footer.signature").inner_text().split() == [
        "中共新野县教育体育局党组", "2024年10月10日"]
    page.screenshot(path=str(ARTIFACTS / "xinye-desktop.png"))
    page.context.close()

    # Xuchang: desktop.
    page = _open(browser, seeded_site + "/notices/", 1280)
    page.get_by_role("link", name=XUCHANG_TITLE).click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == XUCHANG_TITLE
    for name in ("一、整体推进情况", "二、问题整改情况",
                 "(一)政治责任扛得不牢,教育事业高质量发展存在落差"):
        assert page.get_by_role("heading", name=name, exact=True).is_visible(), name
    assert page.get_by_text("整改结果：").count() == 53
    # The result as printed, the status not repeated beside it ("正在推进 [正在推进]"); where
    # the printed words say something else, a small note gives the statistics' basis.
    first_result = page.locator(".result").first
    assert first_result.inner_text().strip() == "整改结果：正在推进"
    assert first_result.locator(".badge, .status-basis").count() == 0
    partial = page.locator(".result", has_text="已完成部分整改").first
    assert partial.locator(".status-basis").inner_text() == "统计口径：正在推进"
    assert partial.locator(".status-basis").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    lax = page.locator("h5", has_text="重要事项监管不严").locator("xpath=..")
    assert lax.locator(":scope > section.task .number").all_inner_texts() == [
        "①", "②", "④", "⑤"]
    assert page.get_by_text("电子邮箱:xcsjyjdb@126.com").is_visible()
    # The downloads: Word and PDF, beside the open data.
    assert page.locator(".download-button").all_inner_texts() == ["Word 文档（.docx）", "PDF"]
    assert page.locator(".download-button").first.is_visible()
    page.screenshot(path=str(ARTIFACTS / "xuchang-desktop.png"))
    url = page.url
    page.context.close()

    # Mobile: one readable column, no sideways scrolling.
    page = _open(browser, url, 390, 844)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert page.locator("h1").is_visible()
    page.screenshot(path=str(ARTIFACTS / "xuchang-mobile.png"))
    page.locator("h6", has_text="挤占学生餐费").scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "xuchang-mobile-missing-3.png"))
    page.context.close()

    # Print: the notice alone, in 3号 仿宋 with a 2号 title (GB/T 9704-2012).
    page = _open(browser, url, 794, 1123)
    page.emulate_media(media="print")
    assert page.locator(".site-header").is_hidden()
    assert page.locator(".notes").is_hidden()
    assert page.locator(".badge").first.is_hidden()
    assert page.locator(".status-basis").first.is_hidden()  # the printed notice has none
    sizes = page.evaluate("""() => {
        const style = (sel) => getComputedStyle(document.querySelector(sel));
        return {body: style('.notice p').fontSize, title: style('.notice-title').fontSize,
                family: style('.notice p').fontFamily};
    }""")
    assert sizes["body"] == "21.3333px"  # 16pt
    assert sizes["title"] == "29.3333px"  # 22pt
    assert "FangSong" in sizes["family"]
    page.screenshot(path=str(ARTIFACTS / "xuchang-print.png"))
    assert page.locator(".download-button").first.is_hidden()
    page.pdf(path=str(ARTIFACTS / "xuchang.pdf"), prefer_css_page_size=True)
    page.context.close()
    # The printed page is numbered "— N —" on every page, as the PDF download is.
    printed = (ARTIFACTS / "xuchang.pdf").read_bytes()
    pages = [text for text in pdf_text(printed).split("\f") if text.strip()]
    assert len(pages) > 1
    for number, text in enumerate(pages, start=1):
        assert re.findall(r"—\s*(\d+)\s*—", text) == [str(number)], number

    for name in ("list-desktop.png", "xinye-desktop.png", "xuchang-desktop.png",
                 "xuchang-mobile.png", "xuchang-print.png", "xuchang.pdf"):
        assert (ARTIFACTS / name).stat().st_size > 1000, name


@pytest.mark.parametrize("width, height", [(1366, 768), (390, 844)])
def test_public_pages_fit_the_screens_people_have(seeded_site, browser, width, height):
    """The office laptop and the phone: no sideways scrolling on the list, a notice and its
    changes page, and the notice's text column wide enough to read (at least 20 characters
    a line on the phone, a printed page's 28 on the laptop)."""
    page = _open(browser, seeded_site + "/notices/", width, height)
    pages = {"list": page.url}
    page.get_by_role("link", name=XUCHANG_TITLE).click()
    page.wait_for_load_state()
    pages["notice"] = page.url
    pages["changes"] = page.url.rstrip("/") + "/changes/"
    for name, url in pages.items():
        response = page.goto(url)
        assert response is not None and response.status == 200, url
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), name
        page.screenshot(path=str(ARTIFACTS / f"public-{name}-{width}.png"))
    page.goto(pages["notice"])
    column = page.locator("article.notice p").nth(2).bounding_box()
    font = float(page.evaluate(
        "parseFloat(getComputedStyle(document.querySelector('article.notice p')).fontSize)"))
    characters = column["width"] / font
    assert characters >= (28 if width > 1000 else 20), (width, column, font)
    assert column["x"] >= 0 and column["x"] + column["width"] <= width
    page.context.close()
