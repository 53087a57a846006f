"""A published notice as .docx and PDF: the page's content, label by label, laid out per
GB/T 9704-2012, under the page's access rule.

The PDF tests need Debian's chromium and poppler-utils (pdftotext, pdfinfo): .ci/run installs
them; without them these tests fail saying so, they are never skipped.
"""

from __future__ import annotations

import re
import threading
import time
import zipfile
from io import BytesIO
from pathlib import Path
from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import reverse
from docx.oxml.ns import qn

from rectify.documents import gongwen_pdf, rendered_files
from rectify.models import RectificationTask
from rectify.models.choices import WithholdGround
from rectify.services.publishing import withdraw_publication
from rectify.services.records import save_record
from tests.document_helpers import (
    docx_blocks,
    open_docx,
    page_blocks,
    pdf_info,
    pdf_text,
    pdf_words,
)
from tests.public_helpers import (
    XINYE_FILE,
    XUCHANG_FILE,
    make_big_round,
    match_in_order,
    seed_lines,
    squash,
)
from tests.seed_helpers import demo_client, demo_user

pytestmark = pytest.mark.django_db

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XINYE_TASK = "关于“违反中央八项规定精神整改不彻底”的问题"
NOTE = "案件尚在审查调查中"
PAGE_NUMBER = re.compile(r"—\s*(\d+)\s*—")


def docx_url(publication, **query) -> str:
    return _url("public:notice_docx", publication, query)


def pdf_url(publication, **query) -> str:
    return _url("public:notice_pdf", publication, query)


def _url(name, publication, query) -> str:
    url = reverse(name, args=[publication.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def get_ok(reader, url):
    response = reader.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response


def require_chromium():
    if not gongwen_pdf.available():
        pytest.fail(f"{gongwen_pdf.chromium_path()} is missing: install Debian's chromium and "
                    "fonts-noto-cjk (apt-get install -y -q chromium fonts-noto-cjk), as "
                    ".ci/run and `make run` do.", pytrace=False)


# -- the text: the page's, block by block -------------------------------------------------------


@pytest.mark.parametrize("seed", ["xinye", "xuchang"])
def test_public_docx_prints_the_public_page_block_by_block(client, seeded, seed):
    publication = seeded[seed]
    page = get_ok(client, publication.get_absolute_url())
    document = get_ok(client, docx_url(publication))
    assert document["Content-Type"] == DOCX
    assert docx_blocks(document.content) == page_blocks(page.content)


@pytest.mark.parametrize("seed", ["xinye", "xuchang"])
def test_party_docx_prints_the_party_page_block_by_block(demo_staff_client, seeded, seed):
    publication = seeded[seed]
    page = get_ok(demo_staff_client, publication.get_absolute_url())
    assert page.context["audience"] == "party"
    document = get_ok(demo_staff_client, docx_url(publication))
    assert docx_blocks(document.content) == page_blocks(page.content)
    # Staff choose the public version as on the page.
    public_page = get_ok(demo_staff_client, publication.get_absolute_url() + "?audience=public")
    public = get_ok(demo_staff_client, docx_url(publication, audience="public"))
    assert docx_blocks(public.content) == page_blocks(public_page.content)


def test_xinye_docx_carries_every_line_of_the_seed_in_order(client, seeded):
    text = "".join(docx_blocks(get_ok(client, docx_url(seeded["xinye"])).content))
    # From the title (printed on two lines) to the date: nothing left out, nothing added.
    match_in_order(text, seed_lines(XINYE_FILE), {""})


def test_xuchang_docx_carries_every_line_of_the_seed_in_order(client, seeded):
    text = "".join(docx_blocks(get_ok(client, docx_url(seeded["xuchang"])).content))
    title = "中共许昌市教育局党组关于巡察整改情况的通报"
    assert text.startswith(title)
    # The seed is a web page: the notice proper starts with its opening paragraph.
    match_in_order(text[len(title):], seed_lines(XUCHANG_FILE, start="2022年11月21日"), {""})


def styled(data: bytes) -> list[tuple[str, str]]:
    return [(p.style.name, p.text) for p in open_docx(data).paragraphs]


def test_xinye_levels_labels_and_signature(client, seeded):
    rows = styled(get_ok(client, docx_url(seeded["xinye"])).content)
    assert rows[0] == ("Title", "中共新野县教育体育局党组关于上下联动专项巡察整改进展情况的通报")
    assert ("Heading 1", "一、关于“态度不坚决，推进巡察审计反馈问题持续整改成效不明显”方面，"
                         "共1项整改任务") in rows
    # A problem numbered "1." is a level-3 heading (仿宋 bold), below the "一、" category.
    assert ("Heading 3", f"1.{XINYE_TASK}") in rows
    assert sum(style == "Heading 1" for style, _text in rows) == 4
    assert sum(style == "Heading 3" for style, _text in rows) == 12
    # The progress label is a bold run-in lead on its own line, then one measure a paragraph.
    index = rows.index(("Heading 3", f"1.{XINYE_TASK}"))
    assert rows[index + 1] == ("Normal", "整改进展情况：")
    assert rows[index + 2][1].startswith("一是县教体局于5月26日")
    assert rows[-2:] == [("Signature (GB/T 9704)", "中共新野县教育体育局党组"),
                         ("Signature (GB/T 9704)", "2024年10月10日")]


def test_xuchang_levels_inline_measures_and_results(client, seeded):
    data = get_ok(client, docx_url(seeded["xuchang"])).content
    rows = styled(data)
    levels = {text: style for style, text in rows}
    assert levels["一、整体推进情况"] == "Heading 1"
    assert levels["二、问题整改情况"] == "Heading 1"
    assert levels["(一)政治责任扛得不牢,教育事业高质量发展存在落差"] == "Heading 2"
    assert levels["1.贯彻办好人民满意的教育要求不到位。"] == "Heading 3"
    assert levels["1)“三年攻坚存在短板”。"] == "Heading 4"
    assert levels["①老教育三年攻坚统筹推进不足,新教育三年攻坚计划未完成。"] == "Heading 5"
    paragraphs = open_docx(data).paragraphs
    inline = [p for p in paragraphs if p.text.startswith("整改情况：")]
    results = [p for p in paragraphs if p.text.startswith("整改结果：")]
    assert len(inline) == 53 and len(results) == 53
    for paragraph in inline + results:
        lead = paragraph.runs[0]
        assert lead.text in ("整改情况：", "整改结果：") and lead.style.font.bold
    # The missing ③ stays missing, as printed.
    start = next(i for i, (_s, text) in enumerate(rows) if text.startswith("1)重要事项监管不严"))
    end = next(i for i, (_s, text) in enumerate(rows) if text.startswith("2)纪律规矩意识不强"))
    marks = [text[0] for style, text in rows[start:end] if style == "Heading 5"]
    assert marks == ["①", "②", "④", "⑤"]
    # No signature on this notice: the date alone, four characters in from the right.
    assert rows[-1] == ("Signature (GB/T 9704)", "2023年7月18日")
    assert rows[-2][0] == "Normal"
    ind = paragraphs[-1]._p.find(qn("w:pPr")).find(qn("w:ind"))
    assert ind.get(qn("w:rightChars")) == "400"


def test_seed_docx_page_grid_fonts_and_page_numbers(client, seeded):
    document = open_docx(get_ok(client, docx_url(seeded["xuchang"])).content)
    section = document.sections[0]
    assert [round(x, 1) for x in (section.page_width.mm, section.page_height.mm)] == [210, 297]
    assert [round(m.mm, 1) for m in (section.top_margin, section.bottom_margin,
                                     section.left_margin, section.right_margin)] == [37, 35,
                                                                                    28, 26]
    grid = section._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:type")) == "linesAndChars"
    fonts = document.styles["Normal"].element.find(qn("w:rPr")).find(qn("w:rFonts"))
    assert fonts.get(qn("w:eastAsia")) == "仿宋_GB2312"
    assert document.settings.odd_and_even_pages_header_footer
    assert not section.different_first_page_header_footer
    for footer, side in ((section.footer, "RIGHT"), (section.even_page_footer, "LEFT")):
        paragraph = footer.paragraphs[0]
        assert paragraph.alignment.name == side
        instructions = [t.text for t in paragraph._p.iter(qn("w:instrText"))]
        assert instructions == [" PAGE "]
        assert paragraph.text == "— 1 —"  # the field's placeholder between the dashes


def test_docx_names_the_version_and_no_user(client, seeded):
    publication = seeded["xinye"]
    response = get_ok(client, docx_url(publication))
    name = f"{publication.title}（第1版）.docx"
    assert response["Content-Disposition"] == f"attachment; filename*=utf-8''{quote(name)}"
    document = open_docx(response.content)
    assert document.core_properties.title == f"{publication.title}（第1版）"
    assert document.core_properties.author == ""
    # No user name anywhere in the file (the publisher is "staff").
    with zipfile.ZipFile(BytesIO(response.content)) as package:
        for info in package.infolist():
            text = package.read(info).decode("utf-8", "replace")
            assert publication.published_by_name not in text, info.filename
            assert "python-docx" not in text, info.filename


# -- withholding: the public document has no withheld task ---------------------------------


@pytest.fixture
def withheld_version(seeded, publish):
    """The Xinye notice published again with its first task withheld (在办案件)."""
    staff = demo_user("staff")
    task = RectificationTask.objects.get(round=seeded["xinye"].round, title=XINYE_TASK)
    task.withhold_ground = WithholdGround.OPEN_CASE
    task.withhold_note = NOTE
    save_record(task, staff)
    return publish(seeded["xinye"].notice, staff)


def test_withheld_task_is_only_in_the_party_docx(client, withheld_version):
    publication = withheld_version
    public = docx_blocks(get_ok(client, docx_url(publication)).content)
    text = "".join(public)
    assert squash(XINYE_TASK) not in text and NOTE not in text and "不向社会公开" not in text
    # Not renumbered: the next task keeps its number; the page's note closes the document.
    assert public[-1].startswith("注：依照有关规定，本版本向社会公开时略去1项整改任务")
    assert public == page_blocks(get_ok(client, publication.get_absolute_url()).content)
    # Anonymous readers asking for the party version still get the public one.
    assert docx_blocks(get_ok(client, docx_url(publication, audience="party")).content) == public

    staff = demo_client("staff")
    party = docx_blocks(get_ok(staff, docx_url(publication)).content)
    assert squash(f"1.{XINYE_TASK}") in party
    assert squash(f"不向社会公开：在办案件（{NOTE}）") in party
    assert party == page_blocks(get_ok(staff, publication.get_absolute_url()).content)


def test_withheld_task_is_not_in_the_public_pdf(client, withheld_version):
    require_chromium()
    data = get_ok(client, pdf_url(withheld_version)).content
    text = squash(pdf_text(data))
    assert squash(XINYE_TASK) not in text and NOTE not in text
    assert "本版本向社会公开时略去1项整改任务" in text


# -- the PDF ----------------------------------------------------------------------------------


def pdf_body(text: str) -> str:
    """The PDF's text without its page numbers, squashed."""
    return squash(PAGE_NUMBER.sub("", text))


@pytest.mark.parametrize("seed", ["xinye", "xuchang"])
def test_pdf_has_the_document_in_order_and_numbered_pages(client, seeded, seed):
    require_chromium()
    publication = seeded[seed]
    response = get_ok(client, pdf_url(publication))
    assert response["Content-Type"] == "application/pdf"
    name = f"{publication.title}（第1版）.pdf"
    assert response["Content-Disposition"] == f"attachment; filename*=utf-8''{quote(name)}"
    info = pdf_info(response.content)
    assert info["Page size"].endswith("(A4)")
    assert info["Title"] == f"{publication.title}（第1版）"
    text = pdf_text(response.content)
    pages = [page for page in text.split("\f") if page.strip()]
    assert len(pages) == int(info["Pages"]) > 1
    for number, page in enumerate(pages, start=1):
        # "— N —" (pdftotext leaves out the spaces between CJK-width characters; the
        # positions test below measures them).
        assert [int(n) for n in PAGE_NUMBER.findall(page)] == [number], number
    body = pdf_body(text)
    assert body.startswith(squash(publication.title))
    blocks = docx_blocks(get_ok(client, docx_url(publication)).content)
    match_in_order(body, blocks, {""})


def test_pdf_page_numbers_stand_on_the_outside_edge(client, seeded):
    """Odd pages right, even pages left, below the type area (pdftotext -bbox)."""
    require_chromium()
    data = get_ok(client, pdf_url(seeded["xinye"])).content
    pages = pdf_words(data, first=1, last=2)
    assert len(pages) == 2
    mm = 25.4 / 72
    for number, words in enumerate(pages, start=1):
        x_min, y_min, x_max, y_max, _word = next(w for w in words if w[4] == str(number))
        dashes = [w for w in words if w[4] == "—"]
        assert len(dashes) == 2
        # "— N —": a space (about half a character of 4号) either side of the number.
        assert x_min - dashes[0][2] == pytest.approx(7, abs=2.5)
        assert dashes[1][0] - x_max == pytest.approx(7, abs=2.5)
        left = min(w[0] for w in dashes) * mm
        right = max(w[2] for w in dashes) * mm
        if number % 2:  # odd: right edge one 14 pt character in from the type area's edge
            assert right == pytest.approx(210 - 26 - 14 * 25.4 / 72, abs=1.5)
        else:  # even: the margins mirrored, left edge one character in
            assert left == pytest.approx(26 + 14 * 25.4 / 72, abs=1.5)
        # About 7 mm below the type area (the middle of the line, where the dashes are).
        middle = (y_min + y_max) / 2 * mm
        assert middle == pytest.approx(297 - 35 + 7, abs=1.5)


def test_pdf_unavailable_is_a_clear_503_and_keeps_nothing(client, small_notice, publish,
                                                          settings):
    publication = publish(small_notice)  # never rendered
    settings.CHROMIUM_PATH = "/nonexistent/chromium"
    response = client.get(pdf_url(publication))
    assert response.status_code == 503
    html = response.content.decode()
    assert "服务器未安装 PDF 生成所需的 Chromium" in html
    assert reverse("public:notice_docx", args=[publication.pk]) in html
    assert response["Cache-Control"] == "no-store"
    key = rendered_files.notice_key(publication, "public", "pdf")
    assert not (rendered_files.cache_root() / key).exists()
    # The Word file does not need Chromium.
    assert client.get(docx_url(publication)).status_code == 200


# -- access, validators, caching ------------------------------------------------------------------


def test_party_only_version_is_404_to_the_public(client, small_notice, publish, staff_client):
    publication = publish(small_notice, public=False)
    for url in (docx_url(publication), pdf_url(publication),
                docx_url(publication, audience="party")):
        assert client.get(url).status_code == 404, url
    assert get_ok(staff_client, docx_url(publication))["Content-Type"] == DOCX
    # Asking for a public version that does not exist gives the party one to staff (as the
    # page does), and still nothing to the public.
    assert staff_client.get(docx_url(publication, audience="public")).status_code == 200


def test_withdrawn_version_is_gone(client, staff_client, small_notice, publish, staff_user):
    publication = publish(small_notice)
    withdraw_publication(publication, staff_user, reason="内容有误，需重新发布", approved_by="李四")
    for reader in (client, staff_client):
        for url in (docx_url(publication), pdf_url(publication)):
            response = reader.get(url)
            assert response.status_code == 410, url
            assert "内容有误，需重新发布" in response.content.decode()
            assert not response.has_header("ETag") and not response.has_header("Last-Modified")


def test_validators_and_conditional_get(client, seeded):
    publication = seeded["xinye"]
    first = get_ok(client, docx_url(publication))
    etag, modified = first["ETag"], first["Last-Modified"]
    page = get_ok(client, publication.get_absolute_url())
    assert etag != page["ETag"]
    assert client.get(docx_url(publication), HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert client.get(docx_url(publication),
                      HTTP_IF_MODIFIED_SINCE=modified).status_code == 304

def test_the_pdf_has_an_etag_of_its_own(client, small_notice, publish, settings):
    publication = publish(small_notice)  # never rendered
    etag = get_ok(client, docx_url(publication))["ETag"]
    settings.CHROMIUM_PATH = "/nonexistent/chromium"  # answered without rendering
    assert client.get(pdf_url(publication), HTTP_IF_NONE_MATCH=etag).status_code == 503


def test_a_rendered_file_is_kept_and_served_again(client, seeded, monkeypatch):
    publication = seeded["xuchang"]
    first = get_ok(client, docx_url(publication)).content
    calls = []
    monkeypatch.setitem(rendered_files.RENDERERS, "docx",
                        lambda document: calls.append(document) or b"new")
    again = get_ok(client, docx_url(publication)).content
    assert again == first and calls == []


def test_concurrent_first_requests_render_once(seeded, monkeypatch, settings, tmp_path):
    settings.DOCUMENTS_CACHE_ROOT = tmp_path  # nothing rendered yet
    publication = seeded["xinye"]
    calls = []

    def slow_render(document):
        calls.append(document)
        time.sleep(0.3)
        return b"%PDF-1.4 rendered once"

    monkeypatch.setitem(rendered_files.RENDERERS, "pdf", slow_render)
    results = []
    threads = [threading.Thread(target=lambda: results.append(
        rendered_files.notice_file(publication, "public", "pdf"))) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(calls) == 1
    assert results == [b"%PDF-1.4 rendered once"] * 4


def test_a_failed_render_keeps_nothing(seeded, monkeypatch, settings, tmp_path):
    settings.DOCUMENTS_CACHE_ROOT = tmp_path  # nothing rendered yet
    publication = seeded["xinye"]

    def failing(document):
        raise gongwen_pdf.PdfUnavailable("PDF 生成失败：测试。")

    monkeypatch.setitem(rendered_files.RENDERERS, "pdf", failing)
    with pytest.raises(gongwen_pdf.PdfUnavailable):
        rendered_files.notice_file(publication, "party", "pdf")
    key = rendered_files.notice_key(publication, "party", "pdf")
    assert not (rendered_files.cache_root() / key).exists()


@pytest.mark.parametrize("size", ["seed", "big"])
def test_query_counts_do_not_grow_with_the_notice(client, seeded, bureau, publish, size,
                                                  django_assert_max_num_queries):
    publication = seeded["xinye"] if size == "seed" else publish(make_big_round(bureau, 300))
    url = docx_url(publication)
    with django_assert_max_num_queries(2):  # the publication, then its frozen content
        get_ok(client, url)
    with django_assert_max_num_queries(1):  # rendered already: the publication only
        get_ok(client, url)
    staff = demo_client("staff")
    with django_assert_max_num_queries(6):  # the session and the user's roles too
        get_ok(staff, url)


def test_notice_page_offers_the_downloads(client, seeded, demo_staff_client):
    publication = seeded["xinye"]
    html = get_ok(client, publication.get_absolute_url()).content.decode()
    notes = html[html.index('<aside class="notes"'):]
    assert f'href="{docx_url(publication)}"' in notes
    assert f'href="{pdf_url(publication)}"' in notes
    staff_html = get_ok(demo_staff_client, publication.get_absolute_url()).content.decode()
    assert f'href="{docx_url(publication, audience="party")}"' in staff_html
    public_html = get_ok(demo_staff_client,
                         publication.get_absolute_url() + "?audience=public").content.decode()
    assert f'href="{pdf_url(publication, audience="public")}"' in public_html


def test_the_notice_page_prints_page_numbers():
    """The page's print CSS numbers its pages like the PDF: "— N —", outside edge (the
    browser test prints the page and reads the numbers)."""
    css = (Path(__file__).resolve().parent.parent / "static" / "rectify" /
           "public.css").read_text(encoding="utf-8")
    right = css[css.index("@page {"):css.index("@page :left")]
    left = css[css.index("@page :left"):]
    assert '@bottom-right {\n    content: "— " counter(page) " —";' in right
    assert '@bottom-left {\n    content: "— " counter(page) " —";' in left
    assert "margin: 37mm 28mm 35mm 26mm" in left  # mirrored on even pages


def test_a_clerk_gets_the_public_version(seeded, withheld_version):
    clerk = Client()
    clerk.force_login(demo_user("clerk_xinye"))
    blocks = docx_blocks(get_ok(clerk, docx_url(withheld_version, audience="party")).content)
    assert squash(XINYE_TASK) not in "".join(blocks)
