"""A ``gongwen.Document`` as one self-contained HTML page laid out for print (CSS paged media).

``render_html(document) -> str``: inline CSS, no script, no external resource — what
``gongwen_pdf`` prints with Chromium. The page box is the standard's: A4, margins 37/35 mm
top and bottom, 28 mm on the binding side and 26 mm on the other (mirrored on even pages);
22 lines of 28 characters (line height 225 mm / 22, tracking that makes 28 characters of
3号 fill 156 mm); the page number “— N —” in 4号 宋体 in the bottom margin, on the outside
edge one character in (odd pages right, even pages left), every page numbered.

Fonts are named as in the .docx (仿宋_GB2312, 仿宋, …) and end with what Debian ships
(fonts-noto-cjk: Noto Serif CJK SC for 仿宋, 楷体 and 小标宋, Noto Sans CJK SC for 黑体).
"""

from __future__ import annotations

from html import escape

from rectify.documents import gongwen as gw


def _family(fonts: tuple[str, ...], fallback: str, generic: str) -> str:
    names = [*fonts, fallback]
    return ", ".join(f'"{name}"' for name in names) + f", {generic}"


FANGSONG = _family(gw.FONT_FANGSONG + ("STFangsong",), gw.FALLBACK_SERIF, "serif")
TITLE = _family(gw.FONT_TITLE + ("STZhongsong",), gw.FALLBACK_SERIF, "serif")
HEITI = _family(gw.FONT_HEITI + ("STHeiti",), gw.FALLBACK_SANS, "sans-serif")
KAITI = _family(gw.FONT_KAITI + ("STKaiti",), gw.FALLBACK_SERIF, "serif")
SONG = _family(gw.FONT_SONG, gw.FALLBACK_SERIF, "serif")


def _css(landscape: bool) -> str:
    top, bottom = gw.MARGIN_TOP_MM, gw.MARGIN_BOTTOM_MM
    binding, outside = gw.MARGIN_LEFT_MM, gw.MARGIN_RIGHT_MM
    if landscape:
        # The portrait page turned a quarter counter-clockwise: the binding edge on top.
        size = "A4 landscape"
        odd_margin = f"{binding}mm {top}mm {outside}mm {bottom}mm"
        even_margin = odd_margin
        area_w, area_h = gw.TYPE_AREA_HEIGHT_MM, gw.TYPE_AREA_WIDTH_MM
        number_gap = outside
    else:
        size = "A4"
        odd_margin = f"{top}mm {outside}mm {bottom}mm {binding}mm"
        even_margin = f"{top}mm {binding}mm {bottom}mm {outside}mm"
        area_w, area_h = gw.TYPE_AREA_WIDTH_MM, gw.TYPE_AREA_HEIGHT_MM
        number_gap = bottom
    line = f"{gw.TYPE_AREA_HEIGHT_MM / gw.LINES_PER_PAGE:.4f}mm"
    chars = gw.CHARS_PER_LINE if not landscape else int(
        area_w / (gw.TYPE_AREA_WIDTH_MM / gw.CHARS_PER_LINE))
    tracking = f"calc({area_w / chars:.4f}mm - {gw.BODY_PT}pt)"
    # The number's line box starts this far below the type area, so that its dashes (at
    # mid-height of the 4号 line) stand PAGE_NUMBER_GAP_MM below it.
    number_top = f"calc({gw.PAGE_NUMBER_GAP_MM}mm - {gw.PAGE_NUMBER_PT / 2}pt)"
    number = (f'content: "{gw.PAGE_NUMBER_BEFORE}" counter(page) "{gw.PAGE_NUMBER_AFTER}"; '
              f"font-family: {SONG}; font-size: {gw.PAGE_NUMBER_PT}pt; "
              f"line-height: {gw.PAGE_NUMBER_PT}pt; vertical-align: top; word-spacing: .25em; "
              f"padding-top: {number_top}; color: #000;")
    return f"""
@page {{ size: {size}; margin: {odd_margin};
  @bottom-right {{ {number} text-align: right; padding-right: {gw.PAGE_NUMBER_PT}pt; }} }}
@page :left {{ margin: {even_margin};
  @bottom-right {{ content: none; }}
  @bottom-left {{ {number} text-align: left; padding-left: {gw.PAGE_NUMBER_PT}pt; }} }}
html {{ -webkit-print-color-adjust: exact; print-color-adjust: exact; }}
body {{ margin: 0; color: #000; background: #fff;
  font-family: {FANGSONG}; font-size: {gw.BODY_PT}pt; line-height: {line};
  letter-spacing: {tracking}; font-kerning: none; }}
p, h1, h2, h3, h4, h5, h6, .h {{ margin: 0; font-size: {gw.BODY_PT}pt; line-height: {line};
  font-weight: 400; text-align: justify; text-indent: 2em; orphans: 2; widows: 2; }}
h1, h2, h3, h4, h5, h6, .h {{ break-after: avoid; page-break-after: avoid;
  break-inside: avoid; }}
.title {{ font-family: {TITLE}; font-size: {gw.TITLE_PT}pt; line-height: {gw.TITLE_PT * 1.6}pt;
  text-align: center; text-indent: 0; margin: 0 0 {line}; letter-spacing: 0;
  break-after: avoid; }}
.l1 {{ font-family: {HEITI}; }}
.l2 {{ font-family: {KAITI}; }}
.l3 {{ font-family: {FANGSONG}; font-weight: 700; }}
.l4 {{ font-family: {FANGSONG}; }}
.label {{ font-weight: 700; }}
.signature {{ text-align: right; text-indent: 0; break-inside: avoid; }}
.signature.first {{ margin-top: {line}; }}
.keep {{ break-after: avoid; page-break-after: avoid; }}
table {{ width: {area_w}mm; border-collapse: collapse; margin: 0; letter-spacing: 0;
  font-size: {gw.TABLE_PT}pt; line-height: 1.4; table-layout: fixed; }}
thead {{ display: table-header-group; }}
th, td {{ border: 0.5pt solid #000; padding: 1mm 1.5mm; vertical-align: middle;
  text-align: left; overflow-wrap: anywhere; }}
th {{ font-family: {HEITI}; font-weight: 400; text-align: center; }}
thead tr {{ break-inside: avoid; }}
td p {{ text-indent: 0; font-size: {gw.TABLE_PT}pt; line-height: 1.4; text-align: left; }}
@media screen {{ body {{ margin: 2rem auto; width: {area_w}mm; }} }}
/* type area {area_w} × {area_h} mm; the page number {number_gap} mm margin */
"""


def _text(text: str) -> str:
    return escape(text).replace("\n", "<br>")


def _heading(block: gw.Heading) -> str:
    """Level n is <h(n+1)> (the title is the <h1>); below <h6>, a paragraph with its level."""
    level = min(max(block.level, 1), gw.MAX_HEADING_LEVEL)
    css = f"l{min(level, max(gw.HEADING_FONTS))}"
    tag_level = level + 1
    if tag_level <= 6:
        return f'<h{tag_level} class="{css}">{_text(block.text)}</h{tag_level}>'
    return (f'<p class="h {css}" role="heading" aria-level="{tag_level}">'
            f"{_text(block.text)}</p>")


def _table(block: gw.Table) -> str:
    columns = max(1, len(block.headers), *(len(row) for row in block.rows))
    weights = list(block.widths or [1.0] * columns)
    weights += [sum(weights) / len(weights)] * (columns - len(weights))
    total = sum(weights[:columns]) or 1
    parts = ["<table><colgroup>"]
    parts += [f'<col style="width:{100 * w / total:.3f}%">' for w in weights[:columns]]
    parts.append("</colgroup>")
    if block.headers:
        parts.append("<thead><tr>")
        parts += [f"<th>{_text(str(cell))}</th>" for cell in block.headers]
        parts.append("</tr></thead>")
    parts.append("<tbody>")
    for row in block.rows:
        cells = [*row, *[""] * (columns - len(row))]
        parts.append("<tr>" + "".join(f"<td>{_text(str(cell))}</td>" for cell in cells)
                     + "</tr>")
    parts.append("</tbody></table>")
    return "".join(parts)


def _signature(block: gw.Signature) -> list[str]:
    issuer_indent, date_indent = gw.signature_indents(block)
    lines = [(block.issuer, issuer_indent),
             (gw.cn_date(block.date), date_indent)]
    out = []
    for text, indent in lines:
        if not text:
            continue
        first = " first" if not out else ""
        out.append(f'<p class="signature{first}" style="padding-right:{indent:g}em">'
                   f"{_text(text)}</p>")
    return out


def _blocks(document: gw.Document) -> list[str]:
    out: list[str] = []
    for block in document.blocks:
        if isinstance(block, gw.Title):
            out.append(f'<h1 class="title">{_text(block.text)}</h1>')
        elif isinstance(block, gw.Heading):
            out.append(_heading(block))
        elif isinstance(block, gw.Paragraph):
            label = f'<b class="label">{_text(block.label)}</b>' if block.label else ""
            out.append(f"<p>{label}{_text(block.text)}</p>")
        elif isinstance(block, gw.Table):
            out.append(_table(block))
        elif isinstance(block, gw.Signature):
            if out and out[-1].startswith("<p>"):  # the text above stays on the page
                out[-1] = '<p class="keep">' + out[-1][len("<p>"):]
            out.extend(_signature(block))
        else:
            raise TypeError(f"not a block of a document: {block!r}")
    return out


def render_html(document: gw.Document) -> str:
    """The document as a complete HTML page (UTF-8 text), ready to print."""
    title = document.title or next(
        (block.text for block in document.blocks if isinstance(block, gw.Title)), "")
    body = "\n".join(_blocks(document))
    return (
        "<!DOCTYPE html>\n"
        '<html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title>"
        f"<style>{_css(document.landscape)}</style></head>\n"
        f"<body>\n{body}\n</body></html>\n"
    )
