"""The 公文 layout of GB/T 9704-2012 in the .docx renderer: page, grid, fonts, footers."""

from __future__ import annotations

import datetime
import io
import re
import time
import zipfile

import docx
import pytest
from docx.oxml.ns import qn
from lxml import etree

from rectify.documents import gongwen as gw
from rectify.documents import gongwen_pdf
from rectify.documents.gongwen_docx import render_docx
from rectify.documents.gongwen_html import render_html
from tests.document_helpers import pdf_info, pdf_text
from tests.public_helpers import squash

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def sample(**kwargs) -> gw.Document:
    return gw.Document(title="测试文件", blocks=[
        gw.Title("中共测试市教育局党组\n关于巡察整改情况的通报"),
        gw.Paragraph("根据市委巡察工作统一部署，现将有关整改情况通报如下。"),
        gw.Heading(1, "一、整体推进情况"),
        gw.Heading(2, "（一）政治责任扛得不牢"),
        gw.Heading(3, "1.三年攻坚存在短板"),
        gw.Heading(4, "（1）要求不到位"),
        gw.Paragraph("一是全面开展排查。二是建立工作台账。", label="整改情况："),
        gw.Table(["序号", "问题", "措施"], [["1", "问题甲", "措施甲"], ["2", "问题乙", "一\n二"]],
                 widths=[1, 3, 4]),
        gw.Paragraph("欢迎监督。"),
        gw.Signature("中共测试市教育局党组", datetime.date(2023, 7, 18)),
    ], **kwargs)


@pytest.fixture(scope="module")
def rendered() -> bytes:
    return render_docx(sample())


@pytest.fixture(scope="module")
def opened(rendered):
    return docx.Document(io.BytesIO(rendered))


def part_xml(data: bytes, name: str):
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return etree.fromstring(package.read(name))


def test_page_is_a4_with_the_standard_margins(opened):
    section = opened.sections[0]
    assert round(section.page_width.mm, 1) == 210.0
    assert round(section.page_height.mm, 1) == 297.0
    assert round(section.top_margin.mm, 1) == 37.0
    assert round(section.bottom_margin.mm, 1) == 35.0
    assert round(section.left_margin.mm, 1) == 28.0
    assert round(section.right_margin.mm, 1) == 26.0
    area_w = section.page_width.mm - section.left_margin.mm - section.right_margin.mm
    area_h = section.page_height.mm - section.top_margin.mm - section.bottom_margin.mm
    assert (round(area_w), round(area_h)) == (156, 225)


def test_grid_gives_22_lines_of_28_characters(opened):
    section = opened.sections[0]
    grid = section._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:type")) == "linesAndChars"
    pitch = int(grid.get(qn("w:linePitch")))  # twips
    area_h = section.page_height.twips - section.top_margin.twips - section.bottom_margin.twips
    assert area_h // pitch == 22
    # charSpace: the character pitch beyond the body's 16 pt, in 1/4096 pt.
    char_pitch_twips = (16 + int(grid.get(qn("w:charSpace"))) / 4096) * 20
    area_w = section.page_width.twips - section.left_margin.twips - section.right_margin.twips
    assert int(area_w // char_pitch_twips) == 28
    # Body lines are exactly one grid line: 22 per page whatever the fonts.
    spacing = opened.styles["Normal"].element.find(qn("w:pPr")).find(qn("w:spacing"))
    assert (spacing.get(qn("w:line")), spacing.get(qn("w:lineRule"))) == (str(pitch), "exact")


def east_asian(style) -> str:
    return style.element.find(qn("w:rPr")).find(qn("w:rFonts")).get(qn("w:eastAsia"))


def test_fonts_are_named_for_east_asian_text(opened):
    styles = opened.styles
    assert east_asian(styles["Normal"]) == "仿宋_GB2312"
    assert styles["Normal"].font.size.pt == 16
    assert east_asian(styles["Title"]) == "方正小标宋简体"
    assert styles["Title"].font.size.pt == 22
    # Off the 3号 character grid, which would space 2号 characters two cells apart.
    snap = styles["Title"].element.find(qn("w:pPr")).find(qn("w:snapToGrid"))
    assert snap is not None and snap.get(qn("w:val")) == "0"
    assert east_asian(styles["Heading 1"]) == "黑体"
    assert east_asian(styles["Heading 2"]) == "楷体_GB2312"
    assert east_asian(styles["Heading 3"]) == "仿宋_GB2312"
    assert styles["Heading 3"].font.bold is True
    assert east_asian(styles["Heading 4"]) == "仿宋_GB2312"
    assert not styles["Heading 4"].font.bold
    for level in (1, 2, 3, 4):
        assert styles[f"Heading {level}"].font.size.pt == 16
    # No theme font can override the names.
    xml = etree.tostring(styles.element).decode()
    assert xml.count("Theme=") == 0 and xml.count("themeColor") == 0


def test_fallback_fonts_are_named_in_the_document(rendered, opened):
    fonts = part_xml(rendered, "word/fontTable.xml")
    alt = {font.get(f"{W}name"): font.find(f"{W}altName").get(f"{W}val")
           for font in fonts.findall(f"{W}font") if font.find(f"{W}altName") is not None}
    assert alt["仿宋_GB2312"] == "仿宋"
    assert alt["楷体_GB2312"] == "楷体"
    assert alt["方正小标宋简体"] == "小标宋"
    charsets = {font.get(f"{W}name"): font.find(f"{W}charset").get(f"{W}val")
                for font in fonts.findall(f"{W}font")}
    assert charsets["仿宋_GB2312"] == "86"  # GB2312: a Chinese font substitutes
    note = opened.core_properties.comments
    assert "仿宋_GB2312 → 仿宋" in note and "方正小标宋简体 → 小标宋 → 宋体" in note


def footer_text(footer) -> str:
    return "".join(node.text or "" for node in footer._element.iter(f"{W}t", f"{W}instrText"))


def test_footers_number_every_page_outside_edge(rendered, opened):
    section = opened.sections[0]
    assert opened.settings.odd_and_even_pages_header_footer is True
    assert section.different_first_page_header_footer is False
    odd, even = section.footer, section.even_page_footer
    for footer, side in ((odd, "right"), (even, "left")):
        p = footer.paragraphs[0]
        assert p.alignment.name.lower() == side
        assert footer_text(footer) == "—  PAGE 1 —"
        assert [fld.get(qn("w:fldCharType")) for fld in p._p.iter(qn("w:fldChar"))] == [
            "begin", "separate", "end"]
        ind = p._p.find(qn("w:pPr")).find(qn("w:ind"))
        assert ind.get(qn(f"w:{side}Chars")) == "100"  # one character in
    style = opened.styles["Page Number (GB/T 9704)"]
    assert east_asian(style) == "宋体"
    assert style.font.size.pt == 14


def test_only_body_and_headings_indent_their_first_line(opened):
    def first_line_chars(style):
        ind = style.element.find(qn("w:pPr")).find(qn("w:ind"))
        return ind.get(qn("w:firstLineChars"))

    styles = opened.styles
    for name in ("Normal", "Heading 1", "Heading 2", "Heading 3", "Heading 4"):
        assert first_line_chars(styles[name]) == "200", name  # two characters
    for name in ("Title", "Signature (GB/T 9704)", "Table Text (GB/T 9704)",
                 "Table Header (GB/T 9704)", "Page Number (GB/T 9704)"):
        assert first_line_chars(styles[name]) == "0", name  # not inherited from Normal


def test_blocks_in_order_with_their_styles(opened):
    rows = [(p.style.name, p.text) for p in opened.paragraphs]
    assert rows == [
        ("Title", "中共测试市教育局党组\n关于巡察整改情况的通报"),
        ("Normal", "根据市委巡察工作统一部署，现将有关整改情况通报如下。"),
        ("Heading 1", "一、整体推进情况"),
        ("Heading 2", "（一）政治责任扛得不牢"),
        ("Heading 3", "1.三年攻坚存在短板"),
        ("Heading 4", "（1）要求不到位"),
        ("Normal", "整改情况：一是全面开展排查。二是建立工作台账。"),
        ("Normal", "欢迎监督。"),
        ("Signature (GB/T 9704)", "中共测试市教育局党组"),
        ("Signature (GB/T 9704)", "2023年7月18日"),
    ]
    label = opened.paragraphs[6].runs[0]
    assert label.text == "整改情况：" and label.bold is not False
    assert label.style.name == "Run-in Label (GB/T 9704)" and label.style.font.bold


def test_signature_date_four_characters_in_issuer_centred_over_it(opened):
    issuer, date = opened.paragraphs[-2], opened.paragraphs[-1]
    assert date.style.paragraph_format.alignment.name == "RIGHT"

    def right_chars(p):
        return int(p._p.find(qn("w:pPr")).find(qn("w:ind")).get(qn("w:rightChars"))) / 100

    assert right_chars(date) == 4
    # 2023年7月18日 is 4.5 characters wide (digits are half-width), the issuer 10:
    # centred over the date, the issuer's right edge is (10 − 6.5) / 2 = 1.75 further right.
    assert right_chars(issuer) == pytest.approx(4 - (10 - 6.5) / 2)
    # The text before the signature is kept on its page.
    assert opened.paragraphs[-3].paragraph_format.keep_with_next


def test_table_has_a_repeating_header_and_thin_borders(opened):
    table = opened.tables[0]
    assert [c.text for c in table.rows[0].cells] == ["序号", "问题", "措施"]
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    # The header row never splits; a long data row may continue on the next page rather
    # than leave most of a page empty.
    assert table.rows[0]._tr.trPr.find(qn("w:cantSplit")) is not None
    assert all(row._tr.trPr is None or row._tr.trPr.find(qn("w:cantSplit")) is None
               for row in table.rows[1:])
    assert table.rows[2].cells[2].text == "一\n二"
    widths = [cell.width.mm for cell in table.rows[1].cells]
    assert widths == pytest.approx([156 / 8, 156 * 3 / 8, 156 * 4 / 8], abs=0.1)
    borders = table._tbl.tblPr.find(qn("w:tblBorders"))
    assert {b.get(qn("w:sz")) for b in borders} == {"4"}


def test_core_properties_title_and_no_author(opened):
    props = opened.core_properties
    assert props.title == "测试文件"
    assert props.author == "" and props.last_modified_by == ""


def test_landscape_turns_the_page(tmp_path):
    opened = docx.Document(io.BytesIO(render_docx(sample(landscape=True))))
    section = opened.sections[0]
    assert round(section.page_width.mm) == 297 and round(section.page_height.mm) == 210
    area_w = section.page_width.mm - section.left_margin.mm - section.right_margin.mm
    area_h = section.page_height.mm - section.top_margin.mm - section.bottom_margin.mm
    assert (round(area_w), round(area_h)) == (225, 156)


def test_document_lines_are_what_is_printed():
    lines = gw.document_lines(sample())
    assert lines[0].startswith("中共测试市教育局党组")
    assert "整改情况：一是全面开展排查。二是建立工作台账。" in lines
    assert lines[-2:] == ["中共测试市教育局党组", "2023年7月18日"]


# -- the HTML and the PDF ------------------------------------------------------------------------


def test_html_is_self_contained_with_the_page_box():
    html = render_html(sample())
    assert "<script" not in html and "http://" not in html.replace(
        "http://www.w3.org", "") and "https://" not in html and "<link" not in html
    assert "size: A4; margin: 37mm 26mm 35mm 28mm;" in html
    assert "@page :left { margin: 37mm 28mm 35mm 26mm;" in html  # mirrored on even pages
    assert 'content: "— " counter(page) " —"' in html
    assert '"仿宋_GB2312", "仿宋", "FangSong"' in html
    assert '<h1 class="title">中共测试市教育局党组<br>关于巡察整改情况的通报</h1>' in html
    assert '<h2 class="l1">一、整体推进情况</h2>' in html
    assert '<p><b class="label">整改情况：</b>一是全面开展排查。' in html
    assert "<thead><tr><th>序号</th>" in html  # repeated on each page by the browser


@pytest.fixture
def chromium():
    if not gongwen_pdf.available():
        pytest.fail(f"{gongwen_pdf.chromium_path()} is missing: install Debian's chromium and "
                    "fonts-noto-cjk, as .ci/run and `make run` do.", pytrace=False)


def test_pdf_long_table_repeats_its_header_and_pages_are_numbered(chromium):
    rows = [[str(n), f"第{n}项问题的内容", f"第{n}项措施"] for n in range(1, 121)]
    document = gw.Document(title="表格", landscape=True, blocks=[
        gw.Title("整改方案"), gw.Table(["序号", "问题", "措施"], rows, widths=[1, 4, 4])])
    data = gongwen_pdf.render_pdf(document)
    info = pdf_info(data)
    width, height = (float(v) for v in re.findall(r"[\d.]+", info["Page size"])[:2])
    assert width > height  # landscape A4
    pages = [page for page in pdf_text(data).split("\f") if page.strip()]
    assert len(pages) > 2
    for number, page in enumerate(pages, start=1):
        assert "序号" in page and "问题" in page, number  # the header on every page
        assert re.findall(r"—\s*(\d+)\s*—", page) == [str(number)]
    text = squash("".join(pages))
    assert text.index("第1项问题的内容") < text.index("第120项问题的内容")


def fake_chromium(tmp_path, script: str) -> str:
    path = tmp_path / "chromium"
    path.write_text("#!/bin/sh\n" + script + "\n")
    path.chmod(0o755)
    return str(path)


def test_pdf_failures_are_pdf_unavailable_in_chinese(tmp_path, settings):
    settings.CHROMIUM_PATH = str(tmp_path / "missing")
    with pytest.raises(gongwen_pdf.PdfUnavailable, match="服务器未安装 PDF 生成所需的 Chromium"):
        gongwen_pdf.render_pdf(sample())
    settings.CHROMIUM_PATH = fake_chromium(tmp_path, "echo crashed >&2; exit 3")
    with pytest.raises(gongwen_pdf.PdfUnavailable, match="退出码 3。crashed"):
        gongwen_pdf.render_pdf(sample())
    settings.CHROMIUM_PATH = fake_chromium(tmp_path, "exit 0")
    with pytest.raises(gongwen_pdf.PdfUnavailable, match="未输出文件"):
        gongwen_pdf.render_pdf(sample())
    settings.CHROMIUM_PATH = fake_chromium(tmp_path, "sleep 30")
    settings.PDF_TIMEOUT_SECONDS = 1
    started = time.monotonic()
    with pytest.raises(gongwen_pdf.PdfUnavailable, match="PDF 生成超时（超过 1 秒）"):
        gongwen_pdf.render_pdf(sample())
    assert time.monotonic() - started < 10  # killed, not waited for
