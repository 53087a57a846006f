"""Recognise the small printed signals of a notice: heading marks, measure ordinals, labels.

Everything here works on one already stripped line and uses anchored regular expressions with
bounded repetition, so the cost per line is proportional to the line's length at worst.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rectify.numbering import chinese_numeral, parse_chinese_numeral, parse_circled

CN_DIGITS = "一二三四五六七八九十百零〇两"
_FULL_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")

#: Characters after which an inline measure ordinal (二是, 三是…) may start.
MEASURE_BOUNDARY = frozenset("。；;！!？?，,：:、")

# Heading mark families. Width variants of one shape share a family, so that "(一)" and
# "（二）" are siblings; "1." and "1、" share one too (documents mix them within a level).
FAMILY_CN_DUN = "cn-dun"  # 一、
FAMILY_CN_PAREN = "cn-paren"  # (一) （一）
FAMILY_N_DOT = "n-dot"  # 1. 1、 １．
FAMILY_N_RPAREN = "n-rparen"  # 1) 1）
FAMILY_N_PAREN = "n-paren"  # (1) （1） ⑴
FAMILY_CIRCLED = "circled"  # ①

_CN_PAREN_RE = re.compile(
    r"([（(])[ \t\u3000]{0,3}([一二三四五六七八九十百零〇两]{1,6})[ \t\u3000]{0,3}([）)])"
)
_N_PAREN_RE = re.compile(r"([（(])[ \t\u3000]{0,3}([0-9０-９]{1,3})[ \t\u3000]{0,3}([）)])")
_CN_DUN_RE = re.compile(r"([一二三四五六七八九十百零〇两]{1,6})[ \t\u3000]{0,3}([、．.])")
_N_DOT_RE = re.compile(r"([0-9０-９]{1,3})[ \t\u3000]{0,3}([.．、])(?![0-9０-９])")
_N_RPAREN_RE = re.compile(r"([0-9０-９]{1,3})[ \t\u3000]{0,3}([)）])")
# ①..⑳, ㉑..㉟, ㊱..㊿
_CIRCLED_CHARS = "".join(chr(c) for c in range(0x2460, 0x2474)) + "".join(
    chr(c) for c in range(0x3251, 0x3260)
) + "".join(chr(c) for c in range(0x32B1, 0x32C0))
_PAREN_DIGIT_START = 0x2474  # ⑴ .. ⒇
_DOT_DIGIT_START = 0x2488  # ⒈ .. ⒛

_ASCII_AND_FULL_DIGITS = frozenset("0123456789０１２３４５６７８９")

_MEASURE_START_RE = re.compile(r"([一二三四五六七八九十]{1,3})是")

# Progress labels (the rectification work), result-ish labels (a status or the effect), and
# deadline labels. Longest first so that "整改进展情况" wins over "整改进展".
PROGRESS_WORDS = (
    "整改进展情况", "整改落实情况", "整改工作情况", "整改情况", "整改进展", "整改进度",
    "整改措施", "落实情况", "进展情况",
)
RESULT_WORDS = ("整改完成情况", "整改结果", "整改成效", "整改成果", "完成情况")
DEADLINE_WORDS = ("整改时限", "完成时限", "整改期限")
_ALL_WORDS = sorted(PROGRESS_WORDS + RESULT_WORDS + DEADLINE_WORDS, key=len, reverse=True)
_WORDS_ALT = "|".join(_ALL_WORDS)
_LABEL_RE = re.compile(
    r"(?P<open>[【\[〔(（])?[ \t\u3000]{0,3}"
    rf"(?P<word>{_WORDS_ALT})"
    r"(?P<suffix>(?:及|和|与)(?:整改)?(?:成效|进展|结果|完成情况))?"
    r"[ \t\u3000]{0,3}(?P<close>[】\]〕)）])?"
    r"(?P<sep>[ \t\u3000]{0,3}[:：]|[ \t\u3000]+)?"
)
# A label inside a heading line ("1.关于…问题。整改情况：一是…"): only after a sentence end
# and only with a colon.
_INLINE_LABEL_RE = re.compile(rf"[。；;！!？?\s]((?:{_WORDS_ALT}))[ \t\u3000]{{0,3}}[:：]")


@dataclass(slots=True)
class HeadingMark:
    """A heading mark at the start of a line."""

    family: str
    label: str  # as printed, e.g. "(一)", "1.", "④"
    mark_format: str  # e.g. "({cn})", "{n}.", "{circled}"
    ordinal: int | None
    rest: str  # the heading text after the mark, stripped


@dataclass(slots=True)
class LabelMatch:
    """A label such as "整改情况：" at the start of a line."""

    word: str  # the base word, e.g. "整改情况"
    printed: str  # as printed without brackets and colon, e.g. "整改措施及成效"
    kind: str  # "progress" | "result" | "deadline"
    rest: str  # the text after the label on the same line, stripped
    explicit: bool  # followed by a colon, brackets or spacing (not just running text)


def to_ascii_digits(text: str) -> str:
    return text.translate(_FULL_DIGITS)


def match_heading(text: str) -> HeadingMark | None:
    """The heading mark at the start of ``text`` (already stripped), or None."""
    if not text:
        return None
    first = text[0]
    if first in "(（":
        m = _CN_PAREN_RE.match(text)
        if m:
            fmt = f"{m.group(1)}{{cn}}{m.group(3)}"
            return HeadingMark(
                FAMILY_CN_PAREN, text[: m.end()].replace(" ", "").replace("\u3000", ""), fmt,
                parse_chinese_numeral(m.group(2)), text[m.end():].strip(),
            )
        m = _N_PAREN_RE.match(text)
        if m:
            fmt = f"{m.group(1)}{{n}}{m.group(3)}"
            return HeadingMark(
                FAMILY_N_PAREN, text[: m.end()].replace(" ", "").replace("\u3000", ""), fmt,
                int(to_ascii_digits(m.group(2))), text[m.end():].strip(),
            )
        return None
    if first in CN_DIGITS:
        m = _CN_DUN_RE.match(text)
        if not m:
            return None
        rest = text[m.end():]
        # "一、二年级…" or "一、二个月" is prose, not a heading.
        if len(rest) > 1 and rest[0] in CN_DIGITS and rest[1] in "、年级个月次":
            return None
        value = parse_chinese_numeral(m.group(1))
        if value is None:
            return None
        return HeadingMark(
            FAMILY_CN_DUN, f"{m.group(1)}{m.group(2)}", f"{{cn}}{m.group(2)}", value,
            rest.strip(),
        )
    if first in _ASCII_AND_FULL_DIGITS:
        m = _N_DOT_RE.match(text)
        if m:
            digits = to_ascii_digits(m.group(1))
            if not digits.isascii():
                return None
            return HeadingMark(
                FAMILY_N_DOT, f"{m.group(1)}{m.group(2)}", f"{{n}}{m.group(2)}", int(digits),
                text[m.end():].strip(),
            )
        m = _N_RPAREN_RE.match(text)
        if m:
            digits = to_ascii_digits(m.group(1))
            if not digits.isascii():
                return None
            return HeadingMark(
                FAMILY_N_RPAREN, f"{m.group(1)}{m.group(2)}", f"{{n}}{m.group(2)}", int(digits),
                text[m.end():].strip(),
            )
        return None
    if first in _CIRCLED_CHARS:
        return HeadingMark(
            FAMILY_CIRCLED, first, "{circled}", parse_circled(first), text[1:].strip()
        )
    code = ord(first)
    if _PAREN_DIGIT_START <= code < _PAREN_DIGIT_START + 20:
        return HeadingMark(
            FAMILY_N_PAREN, first, "({n})", code - _PAREN_DIGIT_START + 1, text[1:].strip()
        )
    if _DOT_DIGIT_START <= code < _DOT_DIGIT_START + 20:
        return HeadingMark(
            FAMILY_N_DOT, first, "{n}.", code - _DOT_DIGIT_START + 1, text[1:].strip()
        )
    return None


def measure_ordinal_at_start(text: str) -> int | None:
    """The value of a leading measure ordinal ("三是…" -> 3), or None."""
    if not text or text[0] not in "一二三四五六七八九十":
        return None
    m = _MEASURE_START_RE.match(text)
    if not m:
        return None
    return parse_chinese_numeral(m.group(1))


def measure_token(k: int) -> str:
    return chinese_numeral(k) + "是"


def find_measure_ordinal(text: str, k: int, start: int = 0) -> int:
    """Index of the ordinal "<k>是" at or after ``start`` on a boundary, or -1.

    A boundary is the start of the text, a punctuation mark from :data:`MEASURE_BOUNDARY` or
    whitespace; this keeps "十一是" from matching "一是" and incidental "是" from splitting.
    """
    token = measure_token(k)
    pos = start
    while True:
        index = text.find(token, pos)
        if index < 0:
            return -1
        if index == 0:
            return 0
        before = text[index - 1]
        if before in MEASURE_BOUNDARY or before.isspace():
            return index
        pos = index + 1


def match_label(text: str) -> LabelMatch | None:
    """A progress/result/deadline label at the start of ``text`` (already stripped)."""
    if not text or text[0] not in "整完落进【[〔(（":
        return None
    m = _LABEL_RE.match(text)
    if not m:
        return None
    word = m.group("word")
    rest = text[m.end():].strip()
    sep = m.group("sep")
    explicit = bool(sep) or bool(m.group("close")) or not rest
    if m.group("open") and not m.group("close"):
        # "(整改情况…" without a closing bracket is running text.
        return None
    if word in PROGRESS_WORDS:
        kind = "progress"
    elif word in RESULT_WORDS:
        kind = "result"
    else:
        kind = "deadline"
    if not explicit and not rest.startswith("一是"):
        # Without separator accept only "整改结果已完成" style short result phrases.
        if kind != "result" or len(rest) > 20 or not rest.startswith(("已", "正在", "基本", "完成",
                                                                       "长期", "持续", "整改中")):
            return None
    printed = word + (m.group("suffix") or "")
    return LabelMatch(word=word, printed=printed, kind=kind, rest=rest, explicit=explicit)


def split_at_inline_labels(text: str) -> list[str]:
    """Split "…问题。整改情况：一是…。整改结果：已完成" before each inline label.

    A label only counts inside a line when it follows a sentence end (or space) and carries
    a colon, so running prose such as "整改情况如下" is never split.
    """
    pieces: list[str] = []
    start = 0
    for m in _INLINE_LABEL_RE.finditer(text):
        cut = m.start(1)
        if cut <= start:
            continue
        piece = text[start:cut].strip()
        if piece:
            pieces.append(piece)
        start = cut
    piece = text[start:].strip()
    if piece:
        pieces.append(piece)
    return pieces
