"""Words in Chinese text: what the search stores, what a query asks for, what it highlights.

The one home of the search rule. Chinese has no spaces between words and PostgreSQL's
trigrams cannot serve a two-character word ("食堂", "教师"), so each searchable record keeps,
beside its text, the set of its *grams*: every character and every pair of neighbouring
characters (unigrams and bigrams, lower-cased) of each run of text between spaces. A query
word of two characters or more asks for its bigrams, a one-character word for itself. A word
of one or two characters is its own gram, so a row holding it holds the word; a longer word's
bigrams may lie apart in the row, so the exact test on the text (``icontains``, or
``contains`` for a word without letter case) decides. On PostgreSQL the grams are a
``text[]`` column with a GIN index, so the candidate rows come from the index; elsewhere
(SQLite) the exact test alone scans the rows.

A row's text is made of *parts* (the problem, each measure, the progress …), each on its own
line and opened by an invisible marker (a private-use character) naming its kind, so that a
hit can say where it was found ("整改措施：…组织<mark>教师</mark>…"). Markers and line breaks
are never part of a word or a gram; spaces inside a part are collapsed to one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

#: At most this many words of a query are used (the rest are ignored).
MAX_WORDS = 10

#: The kinds of part a row's text is made of, in the order of their markers, and how a hit
#: names them. Append only: the stored texts carry the markers' positions.
KINDS: dict[str, object] = {
    "title": _("问题"),
    "detail": _("问题详情"),
    "leader": _("责任领导"),
    "department": _("责任科室"),
    "progress": _("整改进展"),
    "outcome": _("整改成效"),
    "result": _("整改结果"),
    "measure": _("整改措施"),
    "unit": _("责任单位"),
    "entry": _("进展记录"),
    "notice": _("通报标题"),
    "issuer": _("发布单位"),
    "heading": _("问题类别"),
}
_FIRST_MARK = 0xE000
MARKS = {kind: chr(_FIRST_MARK + index) for index, kind in enumerate(KINDS)}
_KIND_OF_MARK = {mark: kind for kind, mark in MARKS.items()}
#: Characters that are never part of a word: the markers' private-use block.
_MARK_CLASS = "\ue000-\ue0ff"
_NOT_WORD = re.compile(f"[{_MARK_CLASS}]")
_RUN = re.compile(rf"[^\s{_MARK_CLASS}]+")
_SPACES = re.compile(r"\s+")


# -- what a row stores ------------------------------------------------------------------------


def joined(parts: Iterable[tuple[str, str]]) -> str:
    """The stored text of ``(kind, text)`` parts: one line each, opened by the kind's marker,
    spaces collapsed; empty parts are left out."""
    lines = []
    for kind, text in parts:
        text = _SPACES.sub(" ", _NOT_WORD.sub("", text or "")).strip()
        if text:
            lines.append(MARKS[kind] + text)
    return "\n".join(lines)


def split_parts(stored: str) -> list[tuple[str, str]]:
    """The ``(kind, text)`` parts of a stored text (the inverse of :func:`joined`)."""
    parts = []
    for line in (stored or "").split("\n"):
        if line and line[0] in _KIND_OF_MARK:
            parts.append((_KIND_OF_MARK[line[0]], line[1:]))
        elif line:
            parts.append(("title", line))
    return parts


def grams(text: str) -> list[str]:
    """The distinct unigrams and bigrams of ``text``, lower-cased, sorted; none spans a
    space, a line break or a marker."""
    found: set[str] = set()
    for run in _RUN.findall((text or "").lower()):
        found.update(run)
        found.update(run[i:i + 2] for i in range(len(run) - 1))
    return sorted(found)


# -- what a query asks --------------------------------------------------------------------------


def query_words(value: str | None) -> list[str]:
    """The words of a query: split on spaces, without markers, each once, at most
    ``MAX_WORDS``."""
    words: list[str] = []
    for word in _NOT_WORD.sub("", value or "").split():
        if word.lower() not in (w.lower() for w in words):
            words.append(word)
    return words[:MAX_WORDS]


def word_grams(word: str) -> list[str]:
    """The grams a row holds if it contains ``word``: its bigrams (its one character for a
    one-character word)."""
    word = word.lower()
    if len(word) < 2:
        return [word] if word else []
    return sorted({word[i:i + 2] for i in range(len(word) - 1)})


def query_grams(words: Iterable[str]) -> list[str]:
    """The grams a row holds if it contains every one of ``words``."""
    return sorted({gram for word in words for gram in word_grams(word)})


def grams_decide(word: str) -> bool:
    """Whether holding the word's grams means holding the word: a word of one or two
    characters is its own gram, so the index answers exactly; a longer word's bigrams may lie
    apart and the text must be tested."""
    return len(word.lower()) <= 2


def caseless(word: str) -> bool:
    """Whether the word has no upper and lower case (Chinese, digits, punctuation): then a
    case-sensitive test finds the same as a case-insensitive one, and costs less."""
    return word.lower() == word.upper()


# -- what a hit shows ---------------------------------------------------------------------------


def _pattern(words: Iterable[str]) -> re.Pattern | None:
    words = sorted({w for w in words if w}, key=len, reverse=True)
    if not words:
        return None
    return re.compile("|".join(re.escape(word) for word in words), re.IGNORECASE)


def highlight(text, words: Iterable[str] | str | None) -> SafeString:
    """``text`` escaped, every occurrence of one of ``words`` (a list, or a query's text)
    wrapped in ``<mark>``. Safe to print as HTML whatever the text and the words hold."""
    text = "" if text is None else str(text)
    if isinstance(words, str) or words is None:
        words = query_words(words)
    pattern = _pattern(words)
    if pattern is None:
        return mark_safe(escape(text))  # noqa: S308 -- escaped
    pieces, last = [], 0
    for match in pattern.finditer(text):
        pieces.append(escape(text[last:match.start()]))
        pieces.append(f"<mark>{escape(match.group())}</mark>")
        last = match.end()
    pieces.append(escape(text[last:]))
    return mark_safe("".join(pieces))  # noqa: S308 -- every piece escaped


def snippet(text: str, words: Iterable[str], width: int = 60) -> str:
    """About ``width`` characters of ``text`` around its first hit, with "…" where cut."""
    pattern = _pattern(words)
    match = pattern.search(text) if pattern else None
    if len(text) <= width or match is None:
        return text if len(text) <= width else text[:width] + "…"
    start = max(0, min(match.start() - width // 3, len(text) - width))
    end = start + width
    return ("…" if start else "") + text[start:end] + ("…" if end < len(text) else "")


@dataclass(frozen=True)
class Hit:
    """Where a row's text holds a query word: the part's kind and label, and a snippet."""

    kind: str
    label: str
    text: str


def first_hit(stored: str, words: Iterable[str], *, besides: Iterable[str] = ("title",),
              width: int = 60) -> Hit | None:
    """The first part (of a kind not in ``besides``, which the page shows already) that holds
    a query word those parts lack; None when they hold every word, or nothing does."""
    words = [w for w in words if w]
    parts = split_parts(stored)
    shown = " ".join(text for kind, text in parts if kind in set(besides)).lower()
    missing = [w for w in words if w.lower() not in shown]
    pattern = _pattern(missing)
    if pattern is None:
        return None
    for kind, text in parts:
        if kind not in set(besides) and pattern.search(text):
            return Hit(kind=kind, label=str(KINDS[kind]), text=snippet(text, missing, width))
    return None
