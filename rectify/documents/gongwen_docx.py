"""A ``gongwen.Document`` as a Word file (.docx) laid out per GB/T 9704-2012.

``render_docx(document) -> bytes``. Built on python-docx's default package, whose styles are
rewritten from the constants of ``gongwen`` (nothing of the template's theme fonts, colours
or spacing survives):

* the section: A4, the four margins, a document grid of 22 lines × 28 characters
  (``w:docGrid`` type ``linesAndChars``), every page numbered;
* styles ``Normal`` (3号 仿宋_GB2312, first line indented two characters, lines exactly one
  grid pitch), ``Title`` (2号 方正小标宋简体, centred), ``Heading 1``… (黑体, 楷体, 仿宋 bold,
  仿宋), ``Signature`` (the issuer and date lines), ``Table Text``, ``Page Number``;
* the fonts by their east-Asian names (``w:rFonts w:eastAsia``), and the fallbacks named in
  the document's font table (``w:altName``: 仿宋_GB2312 → 仿宋, 楷体_GB2312 → 楷体,
  方正小标宋简体 → 小标宋 → 宋体), with the GB2312 character set and the family, so that Word
  and WPS substitute a Chinese font of the same kind; the core properties' comments say the
  same in words;
* footers: “— PAGE —” in 4号 宋体, odd pages right-aligned one character in, even pages
  left-aligned one character in (``w:evenAndOddHeaders``); no different first page.

Paragraphs are written as XML directly (python-docx's per-paragraph API is the slow part of
a 500-task document); the result opens in python-docx, Word, WPS and LibreOffice.
"""

from __future__ import annotations

import copy
import datetime
import io
import math

import docx
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml.ns import qn
from docx.shared import Mm
from lxml import etree

from rectify.documents import gongwen as gw

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"

# -- the grid, in twentieths of a point (twips) ---------------------------------------------

TWIPS_PER_MM = 1440 / 25.4


def _twips(mm: float) -> int:
    return round(mm * TWIPS_PER_MM)


def _type_area_twips(landscape: bool) -> tuple[int, int]:
    """Width and height of the type area in twips, from the page and margins as written."""
    width, height = _twips(gw.PAGE_WIDTH_MM), _twips(gw.PAGE_HEIGHT_MM)
    top, bottom, left, right = _margins_twips(landscape)
    if landscape:
        width, height = height, width
    return width - left - right, height - top - bottom


def _margins_twips(landscape: bool) -> tuple[int, int, int, int]:
    """(top, bottom, left, right). A landscape page is the portrait page turned a quarter
    counter-clockwise: its binding edge (订口, 28 mm) at the top."""
    top, bottom = _twips(gw.MARGIN_TOP_MM), _twips(gw.MARGIN_BOTTOM_MM)
    left, right = _twips(gw.MARGIN_LEFT_MM), _twips(gw.MARGIN_RIGHT_MM)
    if landscape:
        return left, right, bottom, top
    return top, bottom, left, right


def line_pitch_twips(landscape: bool = False) -> int:
    """The grid's line pitch: the largest whole twips giving 22 lines in the portrait type
    area (a landscape page keeps the pitch: 15 lines)."""
    _width, height = _type_area_twips(False)
    return height // gw.LINES_PER_PAGE


def char_space(landscape: bool = False) -> int:
    """``w:charSpace``: the grid's character pitch minus the body size, in 1/4096 pt, the
    largest giving 28 characters (portrait) in the type area. Negative: 156 mm / 28 is a
    little less than 16 pt."""
    width, _height = _type_area_twips(landscape)
    chars = gw.CHARS_PER_LINE if not landscape else math.floor(
        width / (_type_area_twips(False)[0] / gw.CHARS_PER_LINE))
    pitch_pt = width / 20 / chars
    return math.floor((pitch_pt - gw.BODY_PT) * 4096)


# -- XML helpers ------------------------------------------------------------------------------


def _w(tag: str) -> str:
    return qn(f"w:{tag}")


def _el(tag: str, **attrs) -> etree._Element:
    element = etree.Element(_w(tag))
    for key, value in attrs.items():
        element.set(_w(key), str(value))
    return element


def _sub(parent, tag: str, **attrs) -> etree._Element:
    element = _el(tag, **attrs)
    parent.append(element)
    return element


def _fonts_el(fonts: tuple[str, ...]) -> etree._Element:
    """``w:rFonts`` naming the first font for every script (east-Asian text, Latin letters and
    digits alike: 公文 print digits in the body's font), no theme fonts."""
    name = fonts[0]
    return _el("rFonts", ascii=name, hAnsi=name, eastAsia=name, cs=name)


def _rpr(fonts: tuple[str, ...], size_pt: float, *, bold: bool = False) -> etree._Element:
    rpr = _el("rPr")
    rpr.append(_fonts_el(fonts))
    if bold:
        _sub(rpr, "b")
        _sub(rpr, "bCs")
    _sub(rpr, "color", val="000000")
    half_points = round(size_pt * 2)
    _sub(rpr, "sz", val=half_points)
    _sub(rpr, "szCs", val=half_points)
    _sub(rpr, "lang", val="en-US", eastAsia="zh-CN", bidi="ar-SA")
    return rpr


def _ppr(*, align: str = "both", first_line_chars: float = 0, right_chars: float = 0,
         left_chars: float = 0, line: int | None = None, before: int = 0, after: int = 0,
         keep_next: bool = False, outline: int | None = None, snap: bool = True,
         size_pt: float = gw.BODY_PT) -> etree._Element:
    """Paragraph properties. Indents in characters are written both ways: ``…Chars`` (which
    Word and WPS use, in hundredths of a character) and in twips (for other readers)."""
    ppr = _el("pPr")
    if keep_next:
        _sub(ppr, "keepNext")
        _sub(ppr, "keepLines")
    if not snap:
        _sub(ppr, "snapToGrid", val=0)
    spacing = _sub(ppr, "spacing", before=before, after=after)
    if line is None:
        spacing.set(_w("line"), "240")
        spacing.set(_w("lineRule"), "auto")
    else:
        spacing.set(_w("line"), str(line))
        spacing.set(_w("lineRule"), "exact")
    char = size_pt * 20
    ind = _sub(ppr, "ind",
               left=round(left_chars * char), leftChars=round(left_chars * 100),
               right=round(right_chars * char), rightChars=round(right_chars * 100),
               firstLine=round(first_line_chars * char),
               firstLineChars=round(first_line_chars * 100))
    # The first-line indent is always written (0 too): styles based on Normal would
    # otherwise inherit its two characters (a centred title, a footer, table cells).
    if not left_chars:
        del ind.attrib[_w("left")], ind.attrib[_w("leftChars")]
    if not right_chars:
        del ind.attrib[_w("right")], ind.attrib[_w("rightChars")]
    _sub(ppr, "jc", val=align)
    if outline is not None:
        _sub(ppr, "outlineLvl", val=outline)
    return ppr


# -- styles -----------------------------------------------------------------------------------

STYLE_NORMAL = "Normal"
STYLE_TITLE = "Title"
STYLE_SIGNATURE = "GongwenSignature"
STYLE_TABLE_TEXT = "GongwenTableText"
STYLE_TABLE_HEADER = "GongwenTableHeader"
STYLE_PAGE_NUMBER = "GongwenPageNumber"
STYLE_LABEL = "GongwenLabel"
#: The template's styles kept as they are: the defaults of tables, runs and lists, and the
#: table style with thin borders.
KEPT_TEMPLATE_STYLES = {"DefaultParagraphFont", "TableNormal", "NoList", "TableGrid"}


def heading_style_id(level: int) -> str:
    return f"Heading{min(max(level, 1), gw.MAX_HEADING_LEVEL)}"


def _set_style(styles_el, style_id: str, name: str, *, ppr=None, rpr=None,
               kind: str = "paragraph", based_on: str | None = "Normal",
               next_style: str | None = None) -> None:
    """(Re)define a style from scratch: the template's version, if any, is replaced."""
    for old in styles_el.findall(_w("style")):
        if old.get(_w("styleId")) == style_id:
            styles_el.remove(old)
    style = _sub(styles_el, "style", type=kind, styleId=style_id)
    if style_id == STYLE_NORMAL:
        style.set(_w("default"), "1")
    _sub(style, "name", val=name)
    if based_on:
        _sub(style, "basedOn", val=based_on)
    if next_style:
        _sub(style, "next", val=next_style)
    _sub(style, "qFormat")
    if ppr is not None:
        style.append(ppr)
    if rpr is not None:
        style.append(rpr)


def _write_styles(doc, landscape: bool) -> None:
    styles_el = doc.styles.element
    pitch = line_pitch_twips(landscape)
    # Document defaults: the body's font and size, Chinese as the east-Asian language.
    defaults = styles_el.find(_w("docDefaults"))
    if defaults is not None:
        styles_el.remove(defaults)
    defaults = _el("docDefaults")
    rpr_default = _sub(defaults, "rPrDefault")
    rpr_default.append(_rpr(gw.FONT_FANGSONG, gw.BODY_PT))
    ppr_default = _sub(defaults, "pPrDefault")
    ppr_default.append(_ppr(line=pitch, align="both"))
    styles_el.insert(0, defaults)
    # The template's other styles (its theme fonts and colours) are not used: gone.
    for old in list(styles_el.findall(_w("style"))):
        if old.get(_w("styleId")) not in KEPT_TEMPLATE_STYLES:
            styles_el.remove(old)

    _set_style(styles_el, STYLE_NORMAL, "Normal", based_on=None,
               ppr=_ppr(first_line_chars=2, line=pitch),
               rpr=_rpr(gw.FONT_FANGSONG, gw.BODY_PT))
    # The title: 2号 小标宋, centred, one body line of space below it (标题下空一行); off
    # the character grid, whose 3号 cells would space its 2号 characters two cells apart.
    _set_style(styles_el, STYLE_TITLE, "Title", next_style=STYLE_NORMAL,
               ppr=_ppr(align="center", line=round(gw.TITLE_PT * 20 * 1.6), after=pitch,
                        keep_next=True, snap=False),
               rpr=_rpr(gw.FONT_TITLE, gw.TITLE_PT))
    for level in range(1, gw.MAX_HEADING_LEVEL + 1):
        fonts, bold = gw.heading_style(level)
        _set_style(styles_el, heading_style_id(level), f"heading {level}",
                   next_style=STYLE_NORMAL,
                   ppr=_ppr(first_line_chars=2, line=pitch, keep_next=True, outline=level - 1),
                   rpr=_rpr(fonts, gw.BODY_PT, bold=bold))
    _set_style(styles_el, STYLE_SIGNATURE, "Signature (GB/T 9704)",
               ppr=_ppr(align="right", line=pitch, keep_next=True),
               rpr=_rpr(gw.FONT_FANGSONG, gw.BODY_PT))
    _set_style(styles_el, STYLE_TABLE_TEXT, "Table Text (GB/T 9704)",
               ppr=_ppr(align="left", snap=False, size_pt=gw.TABLE_PT),
               rpr=_rpr(gw.FONT_FANGSONG, gw.TABLE_PT))
    _set_style(styles_el, STYLE_TABLE_HEADER, "Table Header (GB/T 9704)",
               ppr=_ppr(align="center", snap=False, keep_next=True, size_pt=gw.TABLE_PT),
               rpr=_rpr(gw.FONT_HEITI, gw.TABLE_PT))
    _set_style(styles_el, STYLE_PAGE_NUMBER, "Page Number (GB/T 9704)",
               ppr=_ppr(align="right", snap=False, line=round(gw.PAGE_NUMBER_PT * 20)),
               rpr=_rpr(gw.FONT_SONG, gw.PAGE_NUMBER_PT))
    label_rpr = _el("rPr")
    _sub(label_rpr, "b")
    _sub(label_rpr, "bCs")
    _set_style(styles_el, STYLE_LABEL, "Run-in Label (GB/T 9704)", kind="character",
               based_on=None, rpr=label_rpr)


# -- the font table: fallbacks named in the document --------------------------------------

#: name → (alternate names, family, pitch). Charset 86 is GB2312.
FONT_TABLE = {
    gw.FONT_FANGSONG[0]: (gw.FONT_FANGSONG[1:], "modern", "fixed"),
    gw.FONT_TITLE[0]: (gw.FONT_TITLE[1:], "script", "variable"),
    gw.FONT_HEITI[0]: (gw.FONT_HEITI[1:], "modern", "fixed"),
    gw.FONT_KAITI[0]: (gw.FONT_KAITI[1:], "modern", "fixed"),
    gw.FONT_SONG[0]: (gw.FONT_SONG[1:], "auto", "variable"),
}
#: w:altName holds one name: the first fallback; the others follow in the style note.
GB2312_CHARSET = "86"


def _font_table_xml() -> bytes:
    root = etree.Element(_w("fonts"), nsmap={"w": W_NS})
    for name, (alternates, family, pitch) in FONT_TABLE.items():
        font = _sub(root, "font", name=name)
        if alternates:
            _sub(font, "altName", val=alternates[0])
        _sub(font, "charset", val=GB2312_CHARSET)
        _sub(font, "family", val=family)
        _sub(font, "pitch", val=pitch)
    for name in ("Times New Roman", "Symbol"):
        font = _sub(root, "font", name=name)
        _sub(font, "charset", val="00")
        _sub(font, "family", val="roman" if name != "Symbol" else "auto")
        _sub(font, "pitch", val="variable")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def font_note() -> str:
    """The fonts and their fallbacks, in words (the file's comments)."""
    def chain(fonts):
        return " → ".join(fonts)
    return "；".join([
        f"标题：{chain(gw.FONT_TITLE)}",
        f"正文：{chain(gw.FONT_FANGSONG)}",
        f"一级标题：{chain(gw.FONT_HEITI)}",
        f"二级标题：{chain(gw.FONT_KAITI)}",
        f"三级标题：{chain(gw.FONT_FANGSONG)}（加粗）",
        f"页码：{chain(gw.FONT_SONG)}",
    ]) + "。字体缺失时依次使用后者（GB/T 9704-2012）。"


def _replace_part_blob(doc, partname: str, blob: bytes) -> None:
    for part in doc.part.package.iter_parts():
        if part.partname == partname:
            part._blob = blob
            return


def _drop_template_parts(doc) -> None:
    """The template's leftovers Word does not need: its preview picture, Word 2010's copy of
    the styles (which would keep the old ones alive there) and its custom XML."""
    for rel_id, rel in list(doc.part.rels.items()):
        if rel.reltype.rsplit("/", 1)[-1] in ("stylesWithEffects", "customXml"):
            del doc.part.rels[rel_id]
    package = doc.part.package
    for rel_id, rel in list(package.rels.items()):
        if rel.reltype == RT.THUMBNAIL:
            del package.rels[rel_id]


# -- section, footers, settings -----------------------------------------------------------------


def _setup_section(doc, landscape: bool) -> None:
    section = doc.sections[0]
    sect_pr = section._sectPr
    width, height = Mm(gw.PAGE_WIDTH_MM), Mm(gw.PAGE_HEIGHT_MM)
    if landscape:
        from docx.enum.section import WD_ORIENT

        section.orientation = WD_ORIENT.LANDSCAPE
        width, height = height, width
    section.page_width, section.page_height = width, height
    top, bottom, left, right = _margins_twips(landscape)
    pg_mar = sect_pr.find(_w("pgMar"))
    # The page number's dashes stand 7 mm below the type area: the footer's line (4号,
    # exactly 14 pt) ends about that far below it.
    footer_mm = (gw.MARGIN_BOTTOM_MM if not landscape else gw.MARGIN_RIGHT_MM) \
        - gw.PAGE_NUMBER_GAP_MM - gw.PAGE_NUMBER_PT * 25.4 / 72 * 0.6
    for key, value in (("top", top), ("bottom", bottom), ("left", left), ("right", right),
                       ("header", _twips(15)), ("footer", _twips(footer_mm)), ("gutter", 0)):
        pg_mar.set(_w(key), str(value))
    grid = sect_pr.find(_w("docGrid"))
    if grid is None:
        grid = _sub(sect_pr, "docGrid")
    for attr in list(grid.attrib):
        del grid.attrib[attr]
    grid.set(_w("type"), "linesAndChars")
    grid.set(_w("linePitch"), str(line_pitch_twips(landscape)))
    grid.set(_w("charSpace"), str(char_space(landscape)))
    section.different_first_page_header_footer = False
    doc.settings.odd_and_even_pages_header_footer = True
    _write_footer(section.footer, align="right")
    _write_footer(section.even_page_footer, align="left")


def _field_runs(instruction: str, placeholder: str) -> list[etree._Element]:
    """A complex field: begin, instruction, separate, the placeholder result, end."""
    runs = []
    for kind in ("begin", "instr", "separate", "result", "end"):
        run = _el("r")
        if kind == "instr":
            text = _sub(run, "instrText")
            text.set(XML_SPACE, "preserve")
            text.text = f" {instruction} "
        elif kind == "result":
            _sub(run, "t").text = placeholder
        else:
            _sub(run, "fldChar", fldCharType=kind)
        runs.append(run)
    return runs


def _text_run(text: str, rpr=None, *, style: str | None = None) -> etree._Element:
    run = _el("r")
    if style is not None or rpr is not None:
        props = copy.deepcopy(rpr) if rpr is not None else _el("rPr")
        if style is not None:
            props.insert(0, _el("rStyle", val=style))
        run.append(props)
    t = _sub(run, "t")
    t.text = text
    if text != text.strip() or "  " in text:
        t.set(XML_SPACE, "preserve")
    return run


def _write_footer(footer, *, align: str) -> None:
    """“— PAGE —” one character in from the outside edge: odd pages right, even pages left."""
    footer.is_linked_to_previous = False
    element = footer._element
    for child in list(element):
        element.remove(child)
    p = _sub(element, "p")
    ppr = _sub(p, "pPr")
    _sub(ppr, "pStyle", val=STYLE_PAGE_NUMBER)
    char = gw.PAGE_NUMBER_PT * 20
    if align == "right":
        _sub(ppr, "ind", right=char, rightChars=100)
    else:
        _sub(ppr, "ind", left=char, leftChars=100)
    _sub(ppr, "jc", val=align)
    p.append(_text_run(gw.PAGE_NUMBER_BEFORE))
    for run in _field_runs("PAGE", "1"):
        p.append(run)
    p.append(_text_run(gw.PAGE_NUMBER_AFTER))


# -- the blocks --------------------------------------------------------------------------------


class _Writer:
    """Appends the blocks' paragraphs to the body, before the section properties."""

    def __init__(self, doc, landscape: bool):
        self.body = doc.element.body
        self.sect_pr = self.body.find(_w("sectPr"))
        self.pitch = line_pitch_twips(landscape)
        self.width = _type_area_twips(landscape)[0]
        self.last_p = None

    def _append(self, element) -> None:
        self.sect_pr.addprevious(element)

    def paragraph(self, style: str | None, runs, ppr_extra=None) -> etree._Element:
        p = _el("p")
        ppr = _sub(p, "pPr")
        if style:
            _sub(ppr, "pStyle", val=style)
        for extra in ppr_extra or ():
            ppr.append(extra)
        for run in runs:
            p.append(run)
        self._append(p)
        self.last_p = p
        return p

    def keep_last_with_next(self) -> None:
        """The paragraph before the signature stays on its page: no page with a signature
        and no body text (GB/T 9704 7.3.5)."""
        if self.last_p is None:
            return
        ppr = self.last_p.find(_w("pPr"))
        if ppr.find(_w("keepNext")) is None:
            style = ppr.find(_w("pStyle"))
            keep = _el("keepNext")
            if style is not None:
                style.addnext(keep)
            else:
                ppr.insert(0, keep)

    def block(self, block) -> None:
        if isinstance(block, gw.Title):
            lines = block.text.split("\n")
            runs = []
            for index, line in enumerate(lines):
                if index:
                    runs.append(_break_run())
                runs.append(_text_run(line))
            self.paragraph(STYLE_TITLE, runs)
        elif isinstance(block, gw.Heading):
            self.paragraph(heading_style_id(block.level), [_text_run(block.text)])
        elif isinstance(block, gw.Paragraph):
            runs = []
            if block.label:
                runs.append(_text_run(block.label, style=STYLE_LABEL))
            if block.text or not block.label:
                runs.append(_text_run(block.text))
            self.paragraph(None, runs)
        elif isinstance(block, gw.Table):
            self.table(block)
        elif isinstance(block, gw.Signature):
            self.signature(block)
        else:
            raise TypeError(f"not a block of a document: {block!r}")

    def signature(self, signature: gw.Signature) -> None:
        self.keep_last_with_next()
        issuer_indent, date_indent = gw.signature_indents(signature)
        char = gw.BODY_PT * 20
        first = True
        for text, indent in ((signature.issuer, issuer_indent),
                             (gw.cn_date(signature.date), date_indent)):
            if not text:
                continue
            extra = []
            if first:  # one empty line between the body and the signature (下空一行)
                extra.append(_el("spacing", before=self.pitch))
                first = False
            extra.append(_el("ind", right=round(indent * char), rightChars=round(indent * 100),
                             firstLine=0, firstLineChars=0))
            self.paragraph(STYLE_SIGNATURE, [_text_run(text)], extra)
        self.last_p = None

    def table(self, table: gw.Table) -> None:
        columns = max(1, len(table.headers), *(len(row) for row in table.rows))
        weights = list(table.widths or [1.0] * columns)
        weights += [sum(weights) / len(weights)] * (columns - len(weights))
        total = sum(weights[:columns]) or 1
        widths = [int(self.width * w / total) for w in weights[:columns]]
        tbl = _el("tbl")
        tbl_pr = _sub(tbl, "tblPr")
        _sub(tbl_pr, "tblStyle", val="TableGrid")
        _sub(tbl_pr, "tblW", w=sum(widths), type="dxa")
        _sub(tbl_pr, "jc", val="center")
        borders = _sub(tbl_pr, "tblBorders")
        for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
            _sub(borders, edge, val="single", sz=4, space=0, color="000000")
        _sub(tbl_pr, "tblLayout", type="fixed")
        _sub(tbl_pr, "tblLook", val="04A0", firstRow=1, lastRow=0, firstColumn=0,
             lastColumn=0, noHBand=0, noVBand=1)
        grid = _sub(tbl, "tblGrid")
        for width in widths:
            _sub(grid, "gridCol", w=width)
        if table.headers:
            tbl.append(self._row(table.headers, widths, header=True))
        for row in table.rows:
            tbl.append(self._row(row, widths, header=False))
        self._append(tbl)
        # A table is followed by an empty paragraph in Word anyway; make it a thin one.
        self.last_p = None

    @staticmethod
    def _row(cells, widths, *, header: bool) -> etree._Element:
        tr = _el("tr")
        tr_pr = _sub(tr, "trPr")
        if header:
            # The header row stays whole and is repeated at the top of each page; a data row
            # may break across pages (a task with long measures would otherwise leave most
            # of a page empty before it).
            _sub(tr_pr, "cantSplit")
            _sub(tr_pr, "tblHeader")
        cells = [*cells, *[""] * (len(widths) - len(cells))]
        for text, width in zip(cells, widths, strict=False):
            tc = _sub(tr, "tc")
            tc_pr = _sub(tc, "tcPr")
            _sub(tc_pr, "tcW", w=width, type="dxa")
            _sub(tc_pr, "vAlign", val="center")
            lines = str(text).split("\n") if text is not None else [""]
            for line in lines:
                p = _sub(tc, "p")
                p_pr = _sub(p, "pPr")
                _sub(p_pr, "pStyle", val=STYLE_TABLE_HEADER if header else STYLE_TABLE_TEXT)
                if line:
                    p.append(_text_run(line))
        return tr


def _break_run() -> etree._Element:
    run = _el("r")
    _sub(run, "br")
    return run


# -- the whole ------------------------------------------------------------------------------------


def _core_properties(doc, document: gw.Document) -> None:
    """Title, language and the font note; no author or editor (never a user's name)."""
    props = doc.core_properties
    props.title = document.title or next(
        (block.text for block in document.blocks if isinstance(block, gw.Title)), "")
    props.author = ""
    props.last_modified_by = ""
    props.comments = font_note()
    props.keywords = ""
    props.subject = ""
    props.category = ""
    props.language = "zh-CN"
    props.revision = 1
    now = datetime.datetime.now(datetime.UTC).replace(microsecond=0, tzinfo=None)
    props.created = now
    props.modified = now


def _app_properties() -> bytes:
    return (
        b"<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
        b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
        b'extended-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/'
        b'2006/docPropsVTypes"><Application>Rectify</Application>'
        b"<DocSecurity>0</DocSecurity></Properties>"
    )


def render_docx(document: gw.Document) -> bytes:
    """The document as a .docx file (bytes)."""
    doc = docx.Document()
    _drop_template_parts(doc)
    _write_styles(doc, document.landscape)
    _replace_part_blob(doc, "/word/fontTable.xml", _font_table_xml())
    _replace_part_blob(doc, "/docProps/app.xml", _app_properties())
    body = doc.element.body
    for child in list(body):
        if child.tag != _w("sectPr"):
            body.remove(child)
    _setup_section(doc, document.landscape)
    writer = _Writer(doc, document.landscape)
    for block in document.blocks:
        writer.block(block)
    last = writer.sect_pr.getprevious()
    if last is None or last.tag != _w("p"):  # Word wants a paragraph last, after a table too
        writer.paragraph(None, [])
    _core_properties(doc, document)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


