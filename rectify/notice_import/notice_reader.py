"""Read an uploaded notice (.txt in any common Chinese encoding, or .docx) into plain text.

``read_notice_file`` accepts a path, raw bytes or a binary file object (e.g. a Django upload).
It returns text with ``\\n`` line endings, or raises :class:`NoticeReadError` (a ValueError)
with a Chinese message for an empty, oversized, binary, undecodable or unsupported file.
Operating-system errors for a path (missing file, directory, permissions) propagate as
``OSError`` so that callers can word them themselves.
"""

from __future__ import annotations

import io
import os
import posixpath
import re
import zipfile
from pathlib import Path
from typing import Any

from rectify.models.mark_formats import chinese_numeral, circled

#: Largest accepted file.
MAX_BYTES = 20 * 1024 * 1024
#: Largest accepted total of a .docx's unpacked parts (guards against zip bombs).
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024

_UNSUPPORTED_EXTENSIONS = {
    ".pdf": "PDF 文件", ".ofd": "OFD 版式文件", ".doc": "旧版 Word（.doc）文件",
    ".wps": "WPS 文字（.wps）文件", ".rtf": "RTF 文件", ".xls": "Excel 表格",
    ".xlsx": "Excel 表格", ".xlsm": "Excel 表格", ".et": "WPS 表格", ".csv": "CSV 表格",
    ".ppt": "PowerPoint 演示文稿", ".pptx": "PowerPoint 演示文稿", ".dps": "WPS 演示文稿",
    ".exe": "可执行程序", ".dll": "程序库文件", ".msi": "安装包", ".bat": "批处理脚本",
    ".zip": "压缩包", ".rar": "压缩包", ".7z": "压缩包", ".gz": "压缩包", ".tar": "压缩包",
    ".png": "图片", ".jpg": "图片", ".jpeg": "图片", ".gif": "图片", ".bmp": "图片",
    ".tif": "图片", ".tiff": "图片", ".webp": "图片", ".mp3": "音频", ".mp4": "视频",
    ".odt": "ODT 文档", ".pages": "Pages 文稿", ".html": "网页文件", ".htm": "网页文件",
}
_MAGIC = (
    (b"%PDF", "PDF 文件"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "旧版 Office（.doc/.xls/.wps）文件"),
    (b"MZ", "可执行程序"),
    (b"\x7fELF", "可执行程序"),
    (b"\xca\xfe\xba\xbe", "可执行程序"),
    (b"\xcf\xfa\xed\xfe", "可执行程序"),
    (b"\x89PNG", "图片"),
    (b"\xff\xd8\xff", "图片"),
    (b"GIF8", "图片"),
    (b"II*\x00", "图片"),
    (b"MM\x00*", "图片"),
    (b"RIFF", "音视频或图片文件"),
    (b"Rar!", "压缩包"),
    (b"7z\xbc\xaf\x27\x1c", "压缩包"),
    (b"\x1f\x8b", "压缩包"),
    (b"{\\rtf", "RTF 文件"),
)
_SUPPORTED_HINT = "请提供 Word（.docx）或纯文本（.txt）格式的通报。"

# Characters that should not appear in a text notice: C0/C1 controls (except tab, line feed,
# carriage return, form feed, vertical tab), the replacement character, private use area.
_CONTROL_RE = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")
_SUSPECT_RE = re.compile(r"[\ufffd\ue000-\uf8ff]")


class NoticeReadError(ValueError):
    """The file cannot be read as a notice; ``message`` says why, in Chinese."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def read_notice_file(path_or_bytes: Any, filename: str | None = None) -> str:
    """The text of a notice file (.txt or .docx); see the module docstring."""
    data, name = _load(path_or_bytes, filename)
    if not data:
        raise NoticeReadError("文件为空。")
    if len(data) > MAX_BYTES:
        raise NoticeReadError(f"文件过大（超过 {MAX_BYTES // (1024 * 1024)} MB），未导入。")
    if isinstance(data, str):
        return _finish_text(data)
    extension = Path(name or "").suffix.lower()

    if data.startswith((b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")):
        return _finish_text(_read_zip(data, extension))
    if extension == ".docx":
        raise NoticeReadError("Word 文件已损坏或不是有效的 .docx 文件，无法读取。")
    for magic, what in _MAGIC:
        if data.startswith(magic):
            raise NoticeReadError(f"不支持此类文件（{what}）。{_SUPPORTED_HINT}")
    if extension in _UNSUPPORTED_EXTENSIONS:
        what = _UNSUPPORTED_EXTENSIONS[extension]
        raise NoticeReadError(f"不支持此类文件（{what}）。{_SUPPORTED_HINT}")
    return _finish_text(_decode(data))


# ----------------------------------------------------------------------------------------
# Input


def _load(source: Any, filename: str | None) -> tuple[bytes | str, str]:
    if isinstance(source, bytes | bytearray | memoryview):
        return bytes(source), filename or ""
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        size = path.stat().st_size
        if path.is_dir():
            raise IsADirectoryError(21, "Is a directory", str(path))
        if size > MAX_BYTES:
            raise NoticeReadError(f"文件过大（超过 {MAX_BYTES // (1024 * 1024)} MB），未导入。")
        with path.open("rb") as handle:
            return handle.read(MAX_BYTES + 1), filename or path.name
    read = getattr(source, "read", None)
    if callable(read):
        if hasattr(source, "seek"):
            try:
                source.seek(0)
            except (OSError, ValueError):
                pass
        data = read(MAX_BYTES + 1)
        name = filename or str(getattr(source, "name", "") or "")
        if isinstance(data, str):
            return data, name
        if isinstance(data, bytes | bytearray | memoryview):
            return bytes(data), name
    raise NoticeReadError("无法读取：请提供文件路径、文件内容或已打开的文件。")


# ----------------------------------------------------------------------------------------
# Text files


def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        return _strict(data, "utf-32")
    if data.startswith(b"\xef\xbb\xbf"):
        return _strict(data, "utf-8-sig")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _strict(data, "utf-16")
    if b"\x00" in data:
        guessed = _utf16_without_bom(data)
        if guessed is not None:
            return guessed
        raise NoticeReadError(f"文件内容不是文本（含有二进制数据）。{_SUPPORTED_HINT}")
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data).best()
    except Exception:  # any failure of the detector means "unknown"
        best = None
    if best is None:
        raise NoticeReadError("无法识别文件的文字编码，请另存为 UTF-8 编码的文本文件后再导入。")
    return str(best)


def _strict(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        raise NoticeReadError(
            "文件的文字编码有误，无法读取，请另存为 UTF-8 编码的文本文件后再导入。"
        ) from None


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 text without a byte-order mark: zero bytes (almost) only on one side of pairs."""
    if len(data) % 2 or len(data) < 4:
        return None
    sample = data[:8192]
    even_zero = sample[0::2].count(0)
    odd_zero = sample[1::2].count(0)
    if odd_zero > 4 * even_zero:
        encoding = "utf-16-le"
    elif even_zero > 4 * odd_zero:
        encoding = "utf-16-be"
    else:
        return None
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        return None
    head = text[:4096]
    if _CONTROL_RE.search(head):
        return None
    readable = sum(1 for ch in head if ch.isprintable() or ch in "\n\r\t")
    return text if readable >= 0.95 * len(head) else None


def _finish_text(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\u2028", "\n").replace("\u2029", "\n")
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text.strip():
        raise NoticeReadError("文件为空（没有文字内容）。")
    if "\x00" in text:
        raise NoticeReadError(f"文件内容不是文本（含有二进制数据）。{_SUPPORTED_HINT}")
    length = len(text)
    controls = len(_CONTROL_RE.findall(text)) if _CONTROL_RE.search(text) else 0
    suspects = controls + len(_SUSPECT_RE.findall(text))
    if controls > max(2, length // 100) or suspects > max(8, length // 20):
        raise NoticeReadError(f"文件内容不是文本（疑似二进制文件或编码错误）。{_SUPPORTED_HINT}")
    return text


# ----------------------------------------------------------------------------------------
# Zip containers (.docx; other Office formats are refused)


def _read_zip(data: bytes, extension: str) -> str:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = {info.filename: info for info in archive.infolist()}
        unpacked = sum(info.file_size for info in infos.values())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        if extension == ".docx":
            raise NoticeReadError("Word 文件已损坏或不是有效的 .docx 文件，无法读取。") from None
        raise NoticeReadError(f"文件已损坏或不是受支持的格式。{_SUPPORTED_HINT}") from None
    names = set(infos)
    if _DOCUMENT not in names:
        if any(name.startswith("xl/") for name in names):
            what = "Excel 表格"
        elif any(name.startswith("ppt/") for name in names):
            what = "PowerPoint 演示文稿"
        elif extension == ".docx":
            raise NoticeReadError("Word 文件已损坏（缺少正文部分），无法读取。")
        else:
            what = "压缩包或该类文件"
        raise NoticeReadError(f"不支持此类文件（{what}）。{_SUPPORTED_HINT}")
    if extension and extension not in (".docx", ".docm", ".dotx"):
        if extension in _UNSUPPORTED_EXTENSIONS:
            raise NoticeReadError(
                f"不支持此类文件（{_UNSUPPORTED_EXTENSIONS[extension]}）。{_SUPPORTED_HINT}"
            )
    if unpacked > MAX_UNZIPPED_BYTES:
        raise NoticeReadError("Word 文件解压后过大，未导入。")
    budget = _XmlBudget(max_xml_bytes())
    try:
        parts = [_DOCUMENT, *_related_parts(archive, names, budget)]
        # The zip directory first (nothing decompressed), then every read is counted too.
        budget.check(sum(infos[name].file_size for name in parts if name))
        return _docx_text(archive, parts[1:], budget)
    except NoticeReadError:
        raise
    except Exception:  # zipfile/lxml raise many types on bad input
        raise NoticeReadError("Word 文件已损坏或格式无效，无法读取。") from None


#: The main part of a .docx (where Word and python-docx put it).
_DOCUMENT = "word/document.xml"
_RELS = "word/_rels/document.xml.rels"
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"


def _qn(tag: str) -> str:
    """``w:p`` → lxml's ``{namespace}p`` (only the ``w:`` prefix is used here)."""
    return f"{{{_W}}}{tag.split(':', 1)[1]}"


def max_xml_bytes() -> int:
    """Largest total of the XML a .docx may unpack to (``NOTICE_MAX_XML_BYTES``, 20 MB)."""
    from django.conf import settings

    return getattr(settings, "NOTICE_MAX_XML_BYTES", 20 * 1024 * 1024)


class _XmlBudget:
    """The bytes of XML still allowed; exceeding it is the same refusal wherever it happens
    (from the zip directory, or while decompressing: a zip may lie about sizes)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.used = 0

    def check(self, size: int) -> None:
        if size > self.limit:
            raise NoticeReadError(
                f"Word 文件的正文解压后过大（超过 {self.limit / (1024 * 1024):g} MB），未导入。"
                "请拆分后再导入。")

    def add(self, size: int) -> None:
        self.used += size
        self.check(self.used)


class _BoundedPart(io.RawIOBase):
    """A zip member read in chunks, each counted against the budget: decompression stops
    as soon as the budget is spent, whatever the zip directory claimed."""

    def __init__(self, archive: zipfile.ZipFile, name: str, budget: _XmlBudget) -> None:
        self._member = archive.open(name)
        self._budget = budget

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        chunk = self._member.read(size if size and size > 0 else 64 * 1024)
        self._budget.add(len(chunk))
        return chunk

    def close(self) -> None:
        self._member.close()
        super().close()


def _parser_options() -> dict[str, Any]:
    # No DTDs, entities or network: a .docx has none, and they are how XML attacks start.
    return {"resolve_entities": False, "load_dtd": False, "no_network": True,
            "huge_tree": False}


def _parse_part(archive: zipfile.ZipFile, name: str, budget: _XmlBudget) -> Any:
    from lxml import etree

    with _BoundedPart(archive, name, budget) as stream:
        return etree.parse(stream, etree.XMLParser(**_parser_options())).getroot()


def _related_parts(archive: zipfile.ZipFile, names: set[str], budget: _XmlBudget) -> list[str]:
    """The numbering and styles parts of the document (from its relationships, else where
    Word puts them), for the automatic list numbers."""
    found = {"numbering": "word/numbering.xml", "styles": "word/styles.xml"}
    if _RELS in names:
        for rel in _parse_part(archive, _RELS, budget).iter(f"{{{_REL_NS}}}Relationship"):
            kind = (rel.get("Type") or "").rsplit("/", 1)[-1]
            target = rel.get("Target") or ""
            if kind in found and rel.get("TargetMode") != "External" and target:
                path = target.lstrip("/") if target.startswith("/") else f"word/{target}"
                found[kind] = posixpath.normpath(path)
    return [found[kind] if found[kind] in names else "" for kind in ("numbering", "styles")]


def _docx_text(archive: zipfile.ZipFile, parts: list[str], budget: _XmlBudget) -> str:
    """The paragraphs and table cells of the body in document order, streamed: each block
    (a paragraph or a table directly in the body) is read, turned into lines and freed."""
    from lxml import etree

    numbering_part, styles_part = parts
    numbering = _Numbering(
        _parse_part(archive, numbering_part, budget) if numbering_part else None,
        _parse_part(archive, styles_part, budget) if styles_part else None,
    )
    lines: list[str] = []
    p_tag, tbl_tag = _qn("w:p"), _qn("w:tbl")

    def add_blocks(container) -> None:
        for block in container:
            if block.tag == p_tag:
                lines.append(numbering.prefix(block) + _paragraph_text(block))
            elif block.tag == tbl_tag:
                add_table(block)

    def add_table(table) -> None:
        for row in table.iterchildren(_qn("w:tr")):
            for cell in row.iterchildren(_qn("w:tc")):
                if not _continues_vertical_merge(cell):
                    add_blocks(cell)

    depth = 0
    with _BoundedPart(archive, _DOCUMENT, budget) as stream:
        events = etree.iterparse(stream, events=("start", "end"), **_parser_options())
        for event, element in events:
            if event == "start":
                depth += 1
                continue
            depth -= 1
            if depth == 2:  # a block of the body (w:document > w:body > block)
                add_blocks([element])
                element.clear()
                parent = element.getparent()
                while parent is not None and element.getprevious() is not None:
                    del parent[0]
    return "\n".join(lines)


def _paragraph_text(paragraph: Any) -> str:
    """The text of a paragraph as python-docx reads it: its runs and hyperlinks' runs."""
    r_tag, link_tag = _qn("w:r"), _qn("w:hyperlink")
    out: list[str] = []
    for child in paragraph:
        if child.tag == r_tag:
            out.append(_run_text(child))
        elif child.tag == link_tag:
            out.extend(_run_text(run) for run in child.iterchildren(r_tag))
    return "".join(out)


_RUN_TEXT = {_qn("w:tab"): "\t", _qn("w:ptab"): "\t", _qn("w:cr"): "\n",
             _qn("w:noBreakHyphen"): "-"}


def _run_text(run: Any) -> str:
    out: list[str] = []
    for child in run:
        if child.tag == _qn("w:t"):
            out.append(child.text or "")
        elif child.tag == _qn("w:br"):
            if child.get(_qn("w:type"), "textWrapping") == "textWrapping":
                out.append("\n")
        elif child.tag in _RUN_TEXT:
            out.append(_RUN_TEXT[child.tag])
    return "".join(out)


def _continues_vertical_merge(cell: Any) -> bool:
    """A cell below the first of a vertical merge: its content is the first cell's."""
    properties = cell.find(_qn("w:tcPr"))
    merge = properties.find(_qn("w:vMerge")) if properties is not None else None
    return merge is not None and merge.get(_qn("w:val"), "continue") == "continue"


_CN_FORMATS = {
    "chineseCounting", "chineseCountingThousand", "chineseLegalSimplified",
    "ideographLegalTraditional", "taiwaneseCounting", "taiwaneseCountingThousand",
    "japaneseCounting", "koreanCounting", "ideographDigital",
}
_FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def _render_number(fmt: str, value: int) -> str:
    if fmt in ("bullet", "none"):
        return ""
    if fmt in _CN_FORMATS and value >= 1:
        return chinese_numeral(value)
    if fmt in ("decimalEnclosedCircle", "decimalEnclosedCircleChinese") and value >= 1:
        return circled(value)
    if fmt in ("decimalFullWidth", "decimalFullWidth2"):
        return str(value).translate(_FULL_WIDTH)
    if fmt == "decimalZero":
        return f"{value:02d}"
    if fmt == "decimalEnclosedParen":
        return f"({value})"
    if fmt in ("lowerLetter", "upperLetter") and value >= 1:
        letter = chr(ord("a") + (value - 1) % 26) * ((value - 1) // 26 + 1)
        return letter.upper() if fmt == "upperLetter" else letter
    if fmt in ("lowerRoman", "upperRoman") and 1 <= value < 4000:
        roman = _roman(value)
        return roman if fmt == "upperRoman" else roman.lower()
    return str(value)


def _roman(value: int) -> str:
    out = []
    for number, letters in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"),
                            (90, "XC"), (50, "L"), (40, "XL"), (10, "X"), (9, "IX"),
                            (5, "V"), (4, "IV"), (1, "I")):
        while value >= number:
            out.append(letters)
            value -= number
    return "".join(out)


class _Numbering:
    """Renders Word's automatic list numbers ("一、", "（一）", "1.") that are not in the text."""

    def __init__(self, numbering: Any, styles: Any) -> None:
        """``numbering`` and ``styles``: the roots of the numbering and styles parts, or None."""
        self._qn = _qn
        self.nums: dict[str, dict[int, tuple[str, str, int]]] = {}
        self.style_numbering: dict[str, tuple[str, int]] = {}
        self.counters: dict[str, dict[int, int]] = {}
        if numbering is not None:
            self._read_numbering(numbering)
        if styles is not None:
            self._read_styles(styles)

    def _val(self, element: Any, tag: str, default: str | None = None) -> str | None:
        child = element.find(self._qn(tag)) if element is not None else None
        if child is None:
            return default
        return child.get(self._qn("w:val"), default)

    def _read_numbering(self, root: Any) -> None:
        qn = self._qn
        abstract: dict[str, dict[int, tuple[str, str, int]]] = {}
        for node in root.findall(qn("w:abstractNum")):
            levels: dict[int, tuple[str, str, int]] = {}
            for lvl in node.findall(qn("w:lvl")):
                try:
                    ilvl = int(lvl.get(qn("w:ilvl"), "0"))
                    start = int(self._val(lvl, "w:start", "1") or 1)
                except ValueError:
                    continue
                fmt = self._val(lvl, "w:numFmt", "decimal") or "decimal"
                text = self._val(lvl, "w:lvlText", "") or ""
                levels[ilvl] = (fmt, text, start)
            abstract[node.get(qn("w:abstractNumId"), "")] = levels
        for num in root.findall(qn("w:num")):
            num_id = num.get(qn("w:numId"), "")
            abstract_id = self._val(num, "w:abstractNumId", "") or ""
            levels = dict(abstract.get(abstract_id, {}))
            for override in num.findall(qn("w:lvlOverride")):
                try:
                    ilvl = int(override.get(qn("w:ilvl"), "0"))
                    start_override = self._val(override, "w:startOverride")
                    if start_override is not None and ilvl in levels:
                        fmt, text, _ = levels[ilvl]
                        levels[ilvl] = (fmt, text, int(start_override))
                except ValueError:
                    continue
            self.nums[num_id] = levels

    def _read_styles(self, styles: Any) -> None:
        qn = self._qn
        direct: dict[str, tuple[str | None, int | None]] = {}
        based_on: dict[str, str] = {}
        for style in styles.findall(qn("w:style")):
            style_id = style.get(qn("w:styleId"), "")
            parent = self._val(style, "w:basedOn")
            if parent:
                based_on[style_id] = parent
            ppr = style.find(qn("w:pPr"))
            numpr = ppr.find(qn("w:numPr")) if ppr is not None else None
            if numpr is not None:
                ilvl = self._val(numpr, "w:ilvl")
                direct[style_id] = (
                    self._val(numpr, "w:numId"), int(ilvl) if ilvl and ilvl.isdigit() else None
                )
        for style_id in set(direct) | set(based_on):
            current, hops = style_id, 0
            while current and current not in direct and hops < 10:
                current, hops = based_on.get(current, ""), hops + 1
            if current in direct and direct[current][0]:
                num_id, ilvl = direct[current]
                self.style_numbering[style_id] = (num_id or "", ilvl or 0)

    def prefix(self, paragraph: Any) -> str:
        try:
            return self._prefix(paragraph)
        except Exception:  # numbering is a nicety, never a failure
            return ""

    def _prefix(self, paragraph: Any) -> str:
        if not self.nums:
            return ""
        qn = self._qn
        ppr = paragraph.find(qn("w:pPr"))
        num_id: str | None = None
        ilvl: int | None = None
        if ppr is not None:
            numpr = ppr.find(qn("w:numPr"))
            if numpr is not None:
                num_id = self._val(numpr, "w:numId")
                level = self._val(numpr, "w:ilvl")
                ilvl = int(level) if level and level.isdigit() else None
            style_id = self._val(ppr, "w:pStyle")
            if style_id and style_id in self.style_numbering:
                style_num, style_level = self.style_numbering[style_id]
                num_id = num_id or style_num
                ilvl = style_level if ilvl is None else ilvl
        if not num_id or num_id == "0" or num_id not in self.nums:
            return ""
        ilvl = ilvl or 0
        levels = self.nums[num_id]
        if ilvl not in levels:
            return ""
        counts = self.counters.setdefault(num_id, {})
        fmt, text, start = levels[ilvl]
        counts[ilvl] = counts.get(ilvl, start - 1) + 1
        for deeper in [key for key in counts if key > ilvl]:
            del counts[deeper]
        if fmt in ("bullet", "none") or not text:
            return ""

        def level_value(match: re.Match[str]) -> str:
            index = int(match.group(1)) - 1
            if index not in levels:
                return ""
            level_fmt, _, level_start = levels[index]
            return _render_number(level_fmt, counts.get(index, level_start))

        return re.sub(r"%([1-9])", level_value, text)
