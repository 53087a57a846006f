"""The marks that number a problem tree, and the round's mark formats.

A *mark format* is a small template for one level of the tree, e.g. ``"{cn}、"`` prints
``一、``, ``"({cn})"`` prints ``(一)``, ``"{n}."`` prints ``1.``, ``"{circled}"`` prints ``①``.
Pure Python: the vocabulary that the round model validates its formats with, and that the
numbering rule (``rectify.rules.numbering``) and the notice importer read marks with.
"""

from __future__ import annotations

import re

NESTED = "nested"
CONTINUOUS = "continuous"

#: National default (GB/T 9704-2012): 一、 (一) 1. (1) and, below, ①.
DEFAULT_LEVEL_FORMATS = ["{cn}、", "（{cn}）", "{n}.", "（{n}）", "{circled}"]
DEFAULT_TASK_FORMAT = "{n}."
MAX_TASK_DEPTH = 5

_CN_DIGITS = "零一二三四五六七八九"
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳㉑㉒㉓㉔㉕㉖㉗㉘㉙㉚㉛㉜㉝㉞㉟㊱㊲㊳㊴㊵㊶㊷㊸㊹㊺㊻㊼㊽㊾㊿"


def chinese_numeral(n: int) -> str:
    """1 -> 一, 10 -> 十, 12 -> 十二, 20 -> 二十, 105 -> 一百零五 (for n >= 1)."""
    if n < 1:
        raise ValueError("Chinese numerals start at 1")
    if n < 10:
        return _CN_DIGITS[n]
    if n < 20:
        return "十" + (_CN_DIGITS[n % 10] if n % 10 else "")
    if n < 100:
        return _CN_DIGITS[n // 10] + "十" + (_CN_DIGITS[n % 10] if n % 10 else "")
    if n < 1000:
        rest = n % 100
        head = _CN_DIGITS[n // 100] + "百"
        if rest == 0:
            return head
        if rest < 10:
            return head + "零" + _CN_DIGITS[rest]
        if rest < 20:
            return head + "一十" + (_CN_DIGITS[rest % 10] if rest % 10 else "")
        return head + chinese_numeral(rest)
    return str(n)


def parse_chinese_numeral(text: str) -> int | None:
    """Inverse of :func:`chinese_numeral` for 1..999; None if ``text`` is not one."""
    if not text or any(ch not in "零一二三四五六七八九十百两〇" for ch in text):
        return None
    text = text.replace("两", "二").replace("〇", "零")
    total, current = 0, 0
    for ch in text:
        if ch == "百":
            total += (current or 1) * 100
            current = 0
        elif ch == "十":
            total += (current or 1) * 10
            current = 0
        elif ch != "零":
            current = _CN_DIGITS.index(ch)
    total += current
    return total or None


def circled(n: int) -> str:
    """1 -> ①; beyond 50 falls back to a plain number."""
    return _CIRCLED[n - 1] if 1 <= n <= len(_CIRCLED) else f"({n})"


def parse_circled(ch: str) -> int | None:
    idx = _CIRCLED.find(ch)
    return idx + 1 if idx >= 0 and len(ch) == 1 else None


def format_mark(fmt: str, n: int) -> str:
    """Render one mark: ``format_mark("({cn})", 3) == "(三)"``."""
    return fmt.format(n=n, cn=chinese_numeral(n), circled=circled(n))


#: An ordinal typed at the start of a measure: 一是 / 二是、 / （4） / (4) / 4. / 4、 / ④ / 第四，
_MEASURE_ORDINAL = re.compile(
    r"^\s*(?:"
    r"[一二三四五六七八九十]{1,3}是[、，,：:]?"
    r"|[（(]\s*(?:\d{1,2}|[一二三四五六七八九十]{1,3})\s*[)）][、，,.．]?"
    r"|\d{1,2}\s*[.．、](?!\d)"
    r"|[一二三四五六七八九十]{1,3}[、．]"
    r"|[" + _CIRCLED[:20] + r"]"
    r"|第[一二三四五六七八九十]{1,3}[，,、是]"
    r")\s*"
)


def strip_measure_ordinal(text: str) -> tuple[str, str]:
    """``text`` without an ordinal typed at its start, and the ordinal removed ("" if none).

    Measures are numbered by their order (一是、二是…), so a typed ordinal would print twice.
    """
    match = _MEASURE_ORDINAL.match(text or "")
    if not match or not text[match.end():].strip():
        return text, ""
    return text[match.end():], match.group(0).strip()
