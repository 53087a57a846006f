"""The document model of an official document (公文) and the GB/T 9704-2012 constants.

A ``Document`` is a list of blocks — ``Title``, ``Heading``, ``Paragraph``, ``Table``,
``Signature`` — in reading order. The renderers (``gongwen_docx.render_docx``,
``gongwen_pdf.render_pdf``) lay it out per the standard; nothing here knows about notices or
rounds (``notice_document`` builds a notice's document).

The standard, as used here:

* A4 (210 × 297 mm); margins top 37 mm, bottom 35 mm, left (订口) 28 mm, right 26 mm: a type
  area (版心) of 156 × 225 mm; 22 lines of 28 characters of 3号 (16 pt).
* Title: 2号 (22 pt) 小标宋, centred, one line of space below it.
* Body: 3号 仿宋, first line indented two characters, justified.
* Headings, each on its own line, indented like the body: level 1 (“一、”) 黑体, level 2
  (“（一）”) 楷体, level 3 (“1.”) 仿宋 bold, deeper levels 仿宋.
* Page numbers: “— 1 —” in 4号 (14 pt) 宋体 below the type area, odd pages on the right
  (one character in), even pages on the left; every page numbered, the first too.
* Signature (署名) and date (成文日期): the date two lines below the body, right-aligned four
  characters in; the issuer on the line above, centred over the date.
"""

from __future__ import annotations

import datetime
import unicodedata
from dataclasses import dataclass, field

# -- the page -------------------------------------------------------------------------------

PAGE_WIDTH_MM = 210
PAGE_HEIGHT_MM = 297
MARGIN_TOP_MM = 37
MARGIN_BOTTOM_MM = 35
MARGIN_LEFT_MM = 28  # the binding edge (订口)
MARGIN_RIGHT_MM = 26
TYPE_AREA_WIDTH_MM = PAGE_WIDTH_MM - MARGIN_LEFT_MM - MARGIN_RIGHT_MM  # 156
TYPE_AREA_HEIGHT_MM = PAGE_HEIGHT_MM - MARGIN_TOP_MM - MARGIN_BOTTOM_MM  # 225
LINES_PER_PAGE = 22
CHARS_PER_LINE = 28
#: Distance from the bottom of the type area to the page number's dashes (一字线).
PAGE_NUMBER_GAP_MM = 7

# -- type sizes (号) in points ---------------------------------------------------------------

SIZE_2 = 22  # 2号: the title
SIZE_3 = 16  # 3号: body and headings
SIZE_4 = 14  # 4号: page numbers
SIZE_SMALL_4 = 12  # 小四: table cells
TITLE_PT = SIZE_2
BODY_PT = SIZE_3
PAGE_NUMBER_PT = SIZE_4
TABLE_PT = SIZE_SMALL_4

# -- fonts: the name the standard uses first, then the fallbacks named in the document ------

#: 仿宋_GB2312 is what the standard's templates name; 仿宋 (FangSong) ships with Windows.
FONT_FANGSONG = ("仿宋_GB2312", "仿宋", "FangSong")
FONT_TITLE = ("方正小标宋简体", "小标宋", "宋体")
FONT_HEITI = ("黑体", "SimHei")
FONT_KAITI = ("楷体_GB2312", "楷体", "KaiTi")
FONT_SONG = ("宋体", "SimSun")
#: What a machine without any of the above (Debian with fonts-noto-cjk) uses in the PDF.
FALLBACK_SERIF = "Noto Serif CJK SC"
FALLBACK_SANS = "Noto Sans CJK SC"

#: Heading level → (fonts, bold). Levels deeper than the last use the last.
HEADING_FONTS = {
    1: (FONT_HEITI, False),
    2: (FONT_KAITI, False),
    3: (FONT_FANGSONG, True),
    4: (FONT_FANGSONG, False),
}
MAX_HEADING_LEVEL = 9

#: Page number: “— 1 —” (一字线, a space, the number, a space, 一字线).
PAGE_NUMBER_BEFORE = "— "
PAGE_NUMBER_AFTER = " —"


def heading_style(level: int) -> tuple[tuple[str, ...], bool]:
    """The fonts and boldness of a heading of ``level`` (1 = “一、”)."""
    return HEADING_FONTS[min(max(level, 1), max(HEADING_FONTS))]


def page_number_text(number: int) -> str:
    return f"{PAGE_NUMBER_BEFORE}{number}{PAGE_NUMBER_AFTER}"


# -- the blocks ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Title:
    """The document's title: 2号 小标宋, centred; long titles wrap (or break at ``\\n``)."""

    text: str


@dataclass(frozen=True)
class Heading:
    """A level heading in 3号: 1 黑体 (“一、”), 2 楷体 (“（一）”), 3 仿宋 bold (“1.”), 4+ 仿宋.

    ``text`` is the whole line as printed, its label (“一、”) included.
    """

    level: int
    text: str


@dataclass(frozen=True)
class Paragraph:
    """A body paragraph: 3号 仿宋, first line indented two characters.

    ``label`` is a run-in lead (“整改情况：”) printed bold before ``text``, as its own run.
    """

    text: str
    label: str = ""


@dataclass(frozen=True)
class Table:
    """A table with thin borders; the header row repeats on every page it spans.

    ``widths``: the columns' relative widths (any unit; scaled to the type area), or None
    for equal columns.
    """

    headers: list[str]
    rows: list[list[str]]
    widths: list[float] | None = None


@dataclass(frozen=True)
class Signature:
    """The issuer (署名) and the date (成文日期), placed at the end as 公文 place them.

    An empty ``issuer`` prints the date alone.
    """

    issuer: str
    date: datetime.date


@dataclass
class Document:
    """A document: its blocks in reading order.

    ``title`` is the file's metadata (core properties, the PDF's title), not printed;
    ``landscape`` turns the page (tables with many columns).
    """

    blocks: list = field(default_factory=list)
    landscape: bool = False
    title: str = ""


BLOCK_TYPES = (Title, Heading, Paragraph, Table, Signature)


# -- text helpers shared by the renderers ------------------------------------------------------


def cn_date(value: datetime.date) -> str:
    """2023-07-18 → 2023年7月18日: the year in full, no leading zeros (GB/T 9704 7.3.5)."""
    return f"{value.year}年{value.month}月{value.day}日"


def text_width(text: str) -> float:
    """The width of ``text`` in characters of the body: CJK and full-width count 1,
    half-width (digits, Latin letters, ASCII punctuation) count ½."""
    return sum(1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.5 for ch in text)


def signature_indents(signature: Signature) -> tuple[float, float]:
    """Right indents, in characters, of the issuer's line and the date's line.

    The date stands four characters in from the right edge (右空四字); the issuer is centred
    over the date. An issuer longer than the space allows moves right, never past the edge.
    """
    date_indent = 4.0
    date_width = text_width(cn_date(signature.date))
    issuer_width = text_width(signature.issuer)
    issuer_indent = max(0.0, date_indent + (date_width - issuer_width) / 2)
    return issuer_indent, date_indent


def block_lines(block) -> list[str]:
    """The printed text of one block, one string per printed paragraph (no layout)."""
    if isinstance(block, Title):
        return [block.text]
    if isinstance(block, Heading):
        return [block.text]
    if isinstance(block, Paragraph):
        return [block.label + block.text]
    if isinstance(block, Table):
        return [*block.headers, *(cell for row in block.rows for cell in row)]
    if isinstance(block, Signature):
        return [line for line in (block.issuer, cn_date(block.date)) if line]
    raise TypeError(f"not a block of a document: {block!r}")


def document_lines(document: Document) -> list[str]:
    """Everything the document prints, in order (for tests and search)."""
    return [line for block in document.blocks for line in block_lines(block)]
