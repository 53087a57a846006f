"""Recognise the small printed signals of a notice: heading marks, measure ordinals, labels.

Everything here works on one already stripped line and uses anchored regular expressions with
bounded repetition, so the cost per line is proportional to the line's length at worst.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rectify.models.mark_formats import chinese_numeral, parse_chinese_numeral, parse_circled

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

# Progress labels (the rectification work; "整改" alone only with a colon), result-ish
# labels (a status or the effect), deadline labels, responsibility labels and
# problem-statement labels. Longest first so that "整改进展情况" wins over "整改进展".
PROGRESS_WORDS = (
    "整改进展情况", "整改落实情况", "整改工作情况", "整改情况", "整改进展", "整改进度",
    "整改措施", "整改举措", "主要措施", "具体措施", "落实情况", "进展情况", "整改",
)
RESULT_WORDS = (
    "整改完成情况", "整改结果", "整改成效", "整改成果", "完成情况", "整改状态", "办理结果",
    "办结情况", "目前进展", "当前进展",
)
DEADLINE_WORDS = ("整改时限", "完成时限", "整改期限", "完成期限", "时限要求")
LEADER_WORDS = ("责任领导", "牵头领导", "分管领导", "责任校领导", "责任人")
UNIT_WORDS = (
    "责任单位", "责任部门", "牵头单位", "牵头部门", "责任科室", "责任处室", "责任股室",
    "配合单位", "配合部门",
)
PROBLEM_WORDS = ("存在问题", "反馈问题", "具体问题", "问题表现", "主要问题", "问题描述", "问题")
_KIND_OF_WORD = {
    **dict.fromkeys(PROGRESS_WORDS, "progress"),
    **dict.fromkeys(RESULT_WORDS, "result"),
    **dict.fromkeys(DEADLINE_WORDS, "deadline"),
    **dict.fromkeys(LEADER_WORDS, "leader"),
    **dict.fromkeys(UNIT_WORDS, "unit"),
    **dict.fromkeys(PROBLEM_WORDS, "problem"),
}
#: Label kinds that only count with an explicit separator (a colon or brackets).
_COLON_ONLY_KINDS = frozenset({"leader", "unit", "problem"})
#: Words too common in running text to be a label without a colon ("整改工作…").
_COLON_ONLY_WORDS = frozenset({"整改"})
_ALL_WORDS = sorted(_KIND_OF_WORD, key=len, reverse=True)
_WORDS_ALT = "|".join(_ALL_WORDS)
_LABEL_FIRST_CHARS = frozenset("".join(word[0] for word in _ALL_WORDS) + "【[〔(（")
_LABEL_RE = re.compile(
    r"(?P<open>[【\[〔(（])?[ \t\u3000]{0,3}"
    rf"(?P<word>{_WORDS_ALT})"
    r"(?P<num>[0-9０-９]{1,3}|[一二三四五六七八九十]{1,3}|[(（][0-9０-９一二三四五六七八九十]{1,3}[)）])?"
    r"(?P<suffix>(?:及|和|与)(?:整改)?(?:成效|进展|结果|完成情况))?"
    r"[ \t\u3000]{0,3}(?P<close>[】\]〕)）])?"
    r"(?P<sep>[ \t\u3000]{0,3}[:：]|[ \t\u3000]+)?"
)
# A label inside a line ("1.关于…问题。整改情况：一是…", "责任领导：王某；责任单位：…"): only
# after a sentence end or a space, and only with a colon.
_INLINE_LABEL_RE = re.compile(rf"[。；;！!？?\s]((?:{_WORDS_ALT}))[ \t\u3000]{{0,3}}[:：]")
#: Short result phrases accepted after a result label without any separator.
_BARE_RESULT_STARTS = ("已", "正在", "基本", "完成", "长期", "持续", "整改中")


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
    kind: str  # "progress" | "result" | "deadline" | "leader" | "unit" | "problem"
    rest: str  # the text after the label on the same line, stripped
    explicit: bool  # followed by a colon, brackets or spacing (not just running text)
    colon: str = ""  # the colon as printed ("：" or ":"), "" without one
    number: int | None = None  # the number of a numbered problem label ("问题1：" -> 1)
    number_format: str = ""  # its mark format ("问题{n}：", "问题{cn}：")


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


_INLINE_NUMBER_RE = re.compile(
    r"(?:[(（][ \t\u3000]{0,2}(?P<p>[0-9０-９]{1,2})[ \t\u3000]{0,2}[)）]"
    r"|(?P<d>[0-9０-９]{1,2})[ \t\u3000]{0,2}[.．、](?![0-9０-９]))"
)


def split_numbered_inline(text: str) -> list[str] | None:
    """"1.建立台账；2.开展检查。" -> ["建立台账；", "开展检查。"], else None.

    Only when the text opens with 1 (or (1)) and 2, 3 … follow in order after a boundary
    (punctuation or space), in the same style; the marks are dropped.
    """
    first = _INLINE_NUMBER_RE.match(text)
    if not first or to_ascii_digits(first.group("p") or first.group("d")) != "1":
        return None
    paren = first.group("p") is not None
    cuts = [(first.start(), first.end())]
    expected = 2
    for m in _INLINE_NUMBER_RE.finditer(text, first.end()):
        if (m.group("p") is not None) != paren:
            continue
        if to_ascii_digits(m.group("p") or m.group("d")) != str(expected):
            continue
        before = text[m.start() - 1]
        if before not in MEASURE_BOUNDARY and not before.isspace():
            continue
        cuts.append((m.start(), m.end()))
        expected += 1
    if len(cuts) < 2:
        return None
    parts = []
    for index, (_, end) in enumerate(cuts):
        stop = cuts[index + 1][0] if index + 1 < len(cuts) else len(text)
        part = text[end:stop].strip()
        if part:
            parts.append(part)
    return parts or None


#: Longest subject printed right before a first ordinal ("学校党委一是…").
SUBJECT_MAX = 12
_SUBJECT_STOP = frozenset("。；;！!？?，,：:、“”\"《》()（）")


def find_subject_ordinal(text: str) -> int:
    """Index of "一是" right after a short subject ("学校一是…；二是…"), or -1.

    The subject has no punctuation and at most :data:`SUBJECT_MAX` characters, and a
    "二是" must follow on a boundary; otherwise the "一是" is running text.
    """
    index = text.find("一是", 1, SUBJECT_MAX + 2)
    if index < 1 or any(ch in _SUBJECT_STOP for ch in text[:index]):
        return -1
    if text[index - 1] in "十第之":
        return -1
    if find_measure_ordinal(text, 2, index + 2) < 0:
        return -1
    return index


def match_label(text: str) -> LabelMatch | None:
    """A label at the start of ``text`` (already stripped), or None.

    Kinds: progress (整改情况), result (整改结果), deadline (整改时限), leader (责任领导),
    unit (责任单位) and problem (问题：…, 存在问题：…). Leader, unit and problem labels need a
    colon or brackets; the others may also be followed by spacing, and result labels by a
    bare short status ("整改结果已完成").
    """
    if not text or text[0] not in _LABEL_FIRST_CHARS:
        return None
    m = _LABEL_RE.match(text)
    if not m:
        return None
    word = m.group("word")
    kind = _KIND_OF_WORD[word]
    rest = text[m.end():].strip()
    sep = m.group("sep")
    colon = bool(sep) and sep.strip() in (":", "：")
    explicit = bool(sep) or bool(m.group("close")) or not rest
    if m.group("open") and not m.group("close"):
        # "(整改情况…" without a closing bracket is running text.
        return None
    if m.group("num") and kind != "problem":
        return None
    if kind in _COLON_ONLY_KINDS or word in _COLON_ONLY_WORDS:
        if not (colon or (m.group("open") and m.group("close"))):
            return None
    elif not explicit and not rest.startswith("一是"):
        # Without separator accept only "整改结果已完成" style short result phrases.
        if kind != "result" or len(rest) > 20 or not rest.startswith(_BARE_RESULT_STARTS):
            return None
    printed = word + (m.group("num") or "") + (m.group("suffix") or "")
    number, number_format = _label_number(word, m.group("num"), sep.strip() if colon else "")
    return LabelMatch(word=word, printed=printed, kind=kind, rest=rest, explicit=explicit,
                      colon=sep.strip() if colon else "", number=number,
                      number_format=number_format)


def _label_number(word: str, num: str | None, colon: str) -> tuple[int | None, str]:
    """"问题1：" -> (1, "问题{n}："), "问题二：" -> (2, "问题{cn}："); else (None, "")."""
    if not num or num[0] in "(（":
        return None, ""
    digits = to_ascii_digits(num)
    if digits.isdigit():
        return int(digits), f"{word}{{n}}{colon}"
    value = parse_chinese_numeral(num)
    return (value, f"{word}{{cn}}{colon}") if value else (None, "")


def split_at_inline_labels(text: str) -> list[str]:
    """Split "…问题。整改情况：一是…。整改结果：已完成" before each inline label.

    A label only counts inside a line when it follows a sentence end (or space) and carries
    a colon, and not inside brackets, so running prose such as "整改情况如下" is never split.
    """
    pieces: list[str] = []
    start = 0
    depth = 0  # open brackets before the cut: "（责任单位：…；整改时限：…）" stays whole
    scanned = 0
    for m in _INLINE_LABEL_RE.finditer(text):
        cut = m.start(1)
        for ch in text[scanned:cut]:
            if ch in "（(【":
                depth += 1
            elif ch in "）)】" and depth:
                depth -= 1
        scanned = cut
        if cut <= start or depth:
            continue
        piece = text[start:cut].strip()
        if piece:
            pieces.append(piece)
        start = cut
    piece = text[start:].strip()
    if piece:
        pieces.append(piece)
    return pieces
