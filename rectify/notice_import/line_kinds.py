"""Passes 1 and 3 of the notice parser: clean lines, then classify them into items.

*Lines*: the text is split into lines; ``[bookmark: …]`` leftovers of Word, odd spaces
(no-break, en/em, thin …) and invisible characters are removed, whitespace is stripped and
empty lines are dropped. Every line keeps its 1-based number in the original text, so that
doubts can name it.

*Items*: each body line becomes a *heading* (a recognised mark such as ``一、`` ``(一)``
``1.`` ``1)`` ``(1)`` ``①``, see :mod:`rectify.notice_import.label_marks`), a *label* line
(``整改情况：`` ``整改结果：`` ``责任单位：`` ``问题：`` …) or a *paragraph*; a heading whose text
is a label word alone ("二、整改进展情况及成效") keeps it as its title; a line is split
again before inline labels, and every piece keeps the whole printed line (``source``) so that
prose sections can be given back as printed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from rectify.notice_import import label_marks as marks

_BOOKMARK_RE = re.compile(r"\[bookmark:[^\]\n]{0,200}\]", re.IGNORECASE)
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff"
#: Odd spaces of web pages and Word (no-break, en/em/thin spaces) read as plain spaces.
_ODD_SPACES = str.maketrans(dict.fromkeys(
    "\xa0\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f", " "
))


@dataclass(slots=True, eq=False)
class LineItem:
    """One classified piece of a body line."""

    kind: str  # "heading" | "label" | "para"
    line: int
    text: str  # this item's own text (a line may be split at inline labels)
    source: str = ""  # the whole printed line, kept for prose sections
    first: bool = True  # the first item of its line
    mark: marks.HeadingMark | None = None
    label: marks.LabelMatch | None = None
    as_measure: bool = False  # a numbered line read as a measure inside a task


def split_lines(text: str) -> list[tuple[int, str]]:
    """Non-empty stripped lines with their 1-based numbers; bookmarks removed."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").translate(_ODD_SPACES)
    for _ in range(10):  # removing one marker may join the halves of another
        if "[bookmark:" not in text.lower():
            break
        text, removed = _BOOKMARK_RE.subn("", text)
        if not removed:
            break
    lines: list[tuple[int, str]] = []
    for number, raw in enumerate(text.split("\n"), start=1):
        stripped = raw.strip().strip(_INVISIBLE).strip()
        if stripped:
            lines.append((number, stripped))
    return lines


def tokenize(line: int, text: str) -> list[LineItem]:
    """One line -> a heading, label or paragraph item, split again at inline labels."""
    items: list[LineItem] = []
    mark = marks.match_heading(text)
    if mark is not None:
        pieces = marks.split_at_inline_labels(mark.rest)
        if pieces and not _label_opens(pieces[0]):
            mark.rest = pieces.pop(0)
        else:
            mark.rest = ""
        items.append(LineItem("heading", line, text, source=text, mark=mark))
    else:
        pieces = marks.split_at_inline_labels(text)
    for piece in pieces:
        label = marks.match_label(piece)
        kind = "label" if label is not None else "para"
        items.append(LineItem(kind, line, piece, source=text, first=not items, label=label))
    return items


def _label_opens(text: str) -> bool:
    """Whether a heading's text opens with a label ("1.问题1：…", "（一）整改情况：…").

    A label word alone without a colon ("二、整改进展情况及成效", "三、整改成效") is the
    heading's title: a section heading, not a task's label.
    """
    label = marks.match_label(text)
    if label is None:
        return False
    return bool(label.colon or label.rest)


def prose(items: Iterable[LineItem]) -> list[str]:
    """The printed lines of some items (lines split at inline labels are whole again)."""
    return [item.source or item.text for item in items if item.first]


def is_problem_label(item: LineItem) -> bool:
    """A problem statement label ("问题：…", "存在问题：…")."""
    return item.kind == "label" and item.label is not None and item.label.kind == "problem"
