"""Pass 2 of the notice parser: the frame around the body, header and footer.

*Header*: web page furniture (site names, "发布时间：…", breadcrumbs; it does not use up the
lines allowed for the title), the title (a short first line ending in "文件" names the issuer;
another short line before the title is joined to it), the document number and a date under
the title.

*Footer*: page furniture after the notice ("【打印本页】【关闭窗口】", "分享到：",
"下一篇：…") is dropped first; then the date line among the last lines, the signature above
it (a short line naming an organisation, not a heading, label, closing paragraph or status),
and whatever follows the date (kept as closing text). Without a date, a last short line
ending in 党组/党委/委员会 … is still the signature.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from rectify.notice_import import label_marks as marks
from rectify.notice_import import notice_facts as facts
from rectify.notice_import.status_words import canonical_status

#: Header lines examined for the title (page furniture lines do not count).
HEADER_LINES = 10
#: Page furniture lines skipped at most above the title.
HEADER_CHROME_LINES = 30


@dataclass
class NoticeFrame:
    """What the header and the footer say about the notice."""

    title: str = ""
    issuer: str = ""
    header_date: datetime.date | None = None
    date: datetime.date | None = None
    date_line: int = 0
    signature: str = ""
    trailing: list[str] = field(default_factory=list)


def read_header(lines: list[tuple[int, str]], frame: NoticeFrame) -> int:
    """Consume the header lines; returns the index of the first body line."""
    index = 0
    pending: tuple[int, str] | None = None
    limit = min(len(lines), HEADER_LINES)
    while index < limit:
        _, text = lines[index]
        if marks.match_heading(text) or marks.match_label(text):
            break
        if facts.is_chrome(text):
            frame.header_date = frame.header_date or facts.chrome_date(text)
            index += 1
            if limit < min(len(lines), HEADER_LINES + HEADER_CHROME_LINES):
                limit += 1  # furniture does not use up the lines allowed for the title
            continue
        if facts.is_doc_number(text):
            index += 1
            continue
        date = facts.parse_date_line(text)
        if date is not None and frame.title:
            frame.header_date = frame.header_date or date
            index += 1
            continue
        if len(text) > 100 or text[-1] in "。；;，,：:！!？?":
            break
        candidate = facts.strip_bracket_prefix(text)
        if not frame.title and facts.looks_like_title(candidate) and len(candidate) <= 100:
            if pending is not None:
                prefix = pending[1]
                if prefix.endswith("文件"):
                    frame.issuer = prefix[:-2]
                else:
                    candidate = prefix + candidate
            frame.title = candidate
            pending = None
            index += 1
            continue
        if frame.title or pending is not None or facts.has_sentence_punct(text):
            break
        if len(candidate) <= 40:
            pending = (index, text)
            index += 1
            continue
        break
    if pending is not None:
        # A short first line not followed by a title: it is body text after all.
        return pending[0]
    return index


def read_footer(lines: list[tuple[int, str]], start: int, frame: NoticeFrame) -> int:
    """Find the date line and the signature at the end; returns the end of the body.

    Page furniture after the notice ("【打印本页】【关闭窗口】", "分享到：", "下一篇：…") is
    dropped first, so that the notice's own date and signature are found below it.
    """
    end = len(lines)
    while end > start and facts.is_footer_chrome(lines[end - 1][1]):
        end -= 1
    lowest = max(start, end - 6)
    for index in range(end - 1, lowest - 1, -1):
        number, text = lines[index]
        date = facts.parse_date_line(text)
        if date is None:
            continue
        frame.date = date
        frame.date_line = number
        frame.trailing = [t for _, t in lines[index + 1:end] if not facts.is_footer_chrome(t)]
        end = index
        if end > start:
            candidate = lines[end - 1][1]
            if (
                facts.looks_like_signature(candidate)
                and not marks.match_heading(candidate)
                and not marks.match_label(candidate)
                and not facts.is_closing_start(candidate)
                and not (len(candidate) <= 12 and canonical_status(candidate))
            ):
                frame.signature = candidate
                end -= 1
        return end
    # No date: a last short line naming an organisation is still a signature.
    if end > start:
        candidate = lines[end - 1][1]
        if (
            facts.looks_like_signature(candidate)
            and candidate.endswith(("党组", "党委", "委员会", "党支部", "党总支", "党工委"))
            and not marks.match_heading(candidate)
        ):
            frame.signature = candidate
            end -= 1
    return end
