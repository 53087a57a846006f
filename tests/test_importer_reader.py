"""Reading notice files: encodings, .docx (paragraphs, tables, list numbers) and refusals.

Plain pytest, no database.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import docx
import pytest
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls

import rectify.notice_import.notice_reader as reader_module
from rectify.notice_import import NoticeReadError, parse_notice, read_notice_file

SEEDS = Path(__file__).resolve().parent.parent / "fixtures" / "notices"
XINYE = SEEDS / "000_d41cc051d79ffcc9.txt"
XUCHANG = SEEDS / "001_eae98d11af12162c.txt"


@pytest.fixture(scope="module")
def seed_text() -> str:
    return XUCHANG.read_text(encoding="utf-8")


def docx_bytes(document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# ----------------------------------------------------------------------------------------
# Text files


def test_reads_a_path_and_a_str_path():
    text = read_notice_file(XINYE)
    assert text == XINYE.read_text(encoding="utf-8").replace("\r\n", "\n")
    assert read_notice_file(str(XINYE)) == text


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be",
                                      "utf-32", "gb18030", "gbk"])
def test_encodings(seed_text, encoding):
    sample = seed_text
    if encoding == "gbk":
        sample = seed_text.encode("gbk", errors="ignore").decode("gbk")
    data = sample.encode(encoding)
    if encoding == "utf-16":
        assert data[:2] in (b"\xff\xfe", b"\xfe\xff")
    text = read_notice_file(data, "notice.txt")
    assert text == sample
    assert not text.startswith("\ufeff")
    assert parse_notice(text).task_count == 53


def test_line_endings_are_normalised():
    data = "一、类别\r\n1.问题\r整改情况：措施。\r\n".encode()
    assert read_notice_file(data, "a.txt") == "一、类别\n1.问题\n整改情况：措施。\n"


def test_file_objects_and_names(tmp_path):
    path = tmp_path / "通报.txt"
    path.write_bytes("关于整改情况的通报\n1.问题\n整改情况：措施。".encode("gb18030"))
    with path.open("rb") as handle:
        assert read_notice_file(handle).startswith("关于整改情况的通报")
    assert read_notice_file(io.BytesIO(path.read_bytes()), "a.txt").endswith("措施。")


def test_unknown_extension_with_text_content_is_read():
    assert read_notice_file("1.问题\n整改情况：措施。".encode(), "notice.md").startswith("1.")
    assert read_notice_file("1.问题".encode(), None) == "1.问题"


def test_charset_normalizer_is_only_a_fallback(monkeypatch):
    # Not UTF-8 and not GB18030 (0xFF is invalid in both): the detector decides.
    data = "Café crème brûlée – ½".encode("cp1252") + b"\xff"
    assert read_notice_file(data, "a.txt")

    import charset_normalizer

    class Nothing:
        def best(self):
            return None

    monkeypatch.setattr(charset_normalizer, "from_bytes", lambda data: Nothing())
    with pytest.raises(NoticeReadError, match="编码"):
        read_notice_file(data, "a.txt")


# ----------------------------------------------------------------------------------------
# Refusals


def test_error_is_a_value_error_with_a_chinese_message():
    with pytest.raises(ValueError) as info:
        read_notice_file(b"", "a.txt")
    assert isinstance(info.value, NoticeReadError)
    assert info.value.message == "文件为空。"


@pytest.mark.parametrize("data", [b"", b"   \r\n\t\n", "\u3000\n".encode()])
def test_empty_files(data):
    with pytest.raises(NoticeReadError, match="为空"):
        read_notice_file(data, "a.txt")


@pytest.mark.parametrize(
    "data",
    [
        b"\x00\x01\x02\x03" * 100,
        b"text with a NUL \x00 inside and more text",
        bytes(range(256)) * 8,
        b"\x01\x02\x03\x04\x05\x06\x07\x08\x0e\x0f" * 50 + "正文".encode(),
    ],
)
def test_binary_junk(data):
    with pytest.raises(NoticeReadError, match="不是文本"):
        read_notice_file(data, "a.txt")


@pytest.mark.parametrize(
    ("data", "name", "what"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "notice.pdf", "PDF"),
        (b"%PDF-1.7\n", "notice.txt", "PDF"),
        ("1.问题\n整改情况：措施。".encode(), "notice.pdf", "PDF"),
        (b"MZ\x90\x00\x03\x00\x00\x00", "setup.exe", "可执行程序"),
        (b"\x7fELF\x02\x01\x01", "a.bin", "可执行程序"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "old.doc", "旧版"),
        (b"\x89PNG\r\n\x1a\n", "scan.png", "图片"),
        (b"{\\rtf1\\ansi hello}", "a.rtf", "RTF"),
    ],
)
def test_unsupported_types(data, name, what):
    with pytest.raises(NoticeReadError, match=what):
        read_notice_file(data, name)


def _zip_with(names: list[str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            archive.writestr(name, "<x/>")
    return buffer.getvalue()


def test_xlsx_and_plain_zip_are_refused():
    with pytest.raises(NoticeReadError, match="Excel"):
        read_notice_file(_zip_with(["[Content_Types].xml", "xl/workbook.xml"]), "a.xlsx")
    with pytest.raises(NoticeReadError, match="Excel"):
        # Content wins over a misleading extension.
        read_notice_file(_zip_with(["xl/workbook.xml"]), "a.docx")
    with pytest.raises(NoticeReadError, match="不支持"):
        read_notice_file(_zip_with(["readme.txt"]), "a.zip")


def test_oversize(tmp_path):
    big = b"a" * (reader_module.MAX_BYTES + 1)
    with pytest.raises(NoticeReadError, match="过大"):
        read_notice_file(big, "big.txt")
    path = tmp_path / "big.txt"
    with path.open("wb") as handle:
        handle.truncate(reader_module.MAX_BYTES + 1)  # sparse: refused before reading
    with pytest.raises(NoticeReadError, match="过大"):
        read_notice_file(path)


def test_missing_path_is_an_os_error(tmp_path):
    with pytest.raises(FileNotFoundError):
        read_notice_file(tmp_path / "missing.txt")


def test_unsupported_input_type():
    with pytest.raises(NoticeReadError):
        read_notice_file(12345)


# ----------------------------------------------------------------------------------------
# .docx


def test_docx_round_trip_of_the_seed(seed_text):
    document = docx.Document()
    for line in seed_text.split("\n"):
        document.add_paragraph(line)
    text = read_notice_file(docx_bytes(document), "notice.docx")
    assert text == seed_text
    parsed = parse_notice(text)
    assert parsed.task_count == 53
    assert parsed.measure_count == 187


def test_docx_from_a_path_without_extension_hint(tmp_path):
    document = docx.Document()
    document.add_paragraph("1.问题")
    document.add_paragraph("整改情况：措施。")
    path = tmp_path / "upload.bin"
    path.write_bytes(docx_bytes(document))
    assert read_notice_file(path) == "1.问题\n整改情况：措施。"


def test_docx_tables_are_read_in_order():
    document = docx.Document()
    document.add_paragraph("前言")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "1.问题甲"
    table.cell(0, 1).text = "整改情况：措施甲。"
    merged = table.cell(1, 0).merge(table.cell(1, 1))
    merged.text = "合并单元格"
    document.add_paragraph("结尾")
    text = read_notice_file(docx_bytes(document), "a.docx")
    assert text.split("\n") == ["前言", "1.问题甲", "整改情况：措施甲。", "合并单元格", "结尾"]


def test_docx_automatic_numbering_is_rendered():
    document = docx.Document()
    numbering = document.part.numbering_part.element
    numbering.append(parse_xml(
        f'<w:abstractNum {nsdecls("w")} w:abstractNumId="90">'
        '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/>'
        '<w:lvlText w:val="%1、"/></w:lvl>'
        '<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="decimal"/>'
        '<w:lvlText w:val="%2."/></w:lvl>'
        "</w:abstractNum>"
    ))
    numbering.append(parse_xml(
        f'<w:num {nsdecls("w")} w:numId="90"><w:abstractNumId w:val="90"/></w:num>'
    ))

    def numbered(text: str, level: int) -> None:
        paragraph = document.add_paragraph(text)
        paragraph._p.get_or_add_pPr().append(parse_xml(
            f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{level}"/><w:numId w:val="90"/></w:numPr>'
        ))

    numbered("组织建设方面", 0)
    numbered("问题甲", 1)
    document.add_paragraph("整改情况：措施甲。")
    numbered("问题乙", 1)
    document.add_paragraph("整改情况：措施乙。")
    numbered("作风建设方面", 0)
    numbered("问题丙", 1)
    document.add_paragraph("整改情况：措施丙。")
    document.add_paragraph("步骤一", style="List Number")
    text = read_notice_file(docx_bytes(document), "a.docx")
    assert text.split("\n") == [
        "一、组织建设方面", "1.问题甲", "整改情况：措施甲。", "2.问题乙", "整改情况：措施乙。",
        "二、作风建设方面", "1.问题丙", "整改情况：措施丙。", "1.步骤一",
    ]
    parsed = parse_notice(text)
    assert [n.label for n in parsed.nodes] == ["一、", "二、"]
    assert parsed.task_count == 4  # the trailing list item is a task without content
    assert [t.label for t in parsed.tasks[:3]] == ["1.", "2.", "1."]


@pytest.mark.parametrize(
    "data",
    [
        b"PK\x03\x04" + b"\x00" * 40 + b"not really a zip",
        b"this is not a zip file at all",
        b"",
    ],
)
def test_corrupt_docx(data):
    with pytest.raises(NoticeReadError):
        read_notice_file(data, "broken.docx")


def test_docx_with_broken_document_xml():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document><unclosed>")
    with pytest.raises(NoticeReadError, match="Word"):
        read_notice_file(buffer.getvalue(), "broken.docx")


def test_truncated_docx(seed_text):
    document = docx.Document()
    document.add_paragraph(seed_text[:200])
    data = docx_bytes(document)
    with pytest.raises(NoticeReadError):
        read_notice_file(data[: len(data) // 2], "cut.docx")


def test_text_mode_file_objects():
    assert read_notice_file(io.StringIO("1.问题\r\n整改情况：措施。")) == "1.问题\n整改情况：措施。"
    with pytest.raises(NoticeReadError, match="为空"):
        read_notice_file(io.StringIO(""))
