"""Derived numbers of the problem tree.

Numbers are never typed: they follow from a node's position among its siblings and the
round's numbering style. Everything here is pure Python, shared by the models, the importer
and the public pages.

A *mark format* is a small template for one level of the tree, e.g. ``"{cn}、"`` prints
``一、``, ``"({cn})"`` prints ``(一)``, ``"{n}."`` prints ``1.``, ``"{circled}"`` prints ``①``.
"""

from __future__ import annotations

import re
import unicodedata

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


def level_format(formats: list[str], depth: int) -> str:
    """The mark format of a 1-based depth; deeper levels than defined reuse the last one."""
    formats = formats or DEFAULT_LEVEL_FORMATS
    return formats[min(depth, len(formats)) - 1]


def measure_label(position: int, count: int) -> str:
    """Measures print as 一是、二是…; a lone measure has no ordinal."""
    if count <= 1:
        return ""
    return chinese_numeral(position) + "是"


def normalize_label(label: str) -> str:
    """Fold width and spacing so that a printed ``（一）`` equals a derived ``(一)``."""
    label = unicodedata.normalize("NFKC", label or "")
    # NFKC turns circled digits into plain ones; keep them distinguishable.
    label = label.replace("、", ",").replace("，", ",").replace("．", ".")
    return re.sub(r"\s+", "", label)


def labels_agree(printed: str, derived: str) -> bool:
    """True when a printed label says the same as the derived one (ignoring width)."""
    if not printed:
        return True
    return _canonical(printed) == _canonical(derived)


def _canonical(label: str) -> str:
    out = []
    for ch in label:
        num = parse_circled(ch)
        out.append(f"<c{num}>" if num else ch)
    return normalize_label("".join(out))


def number_tree(
    nodes: list,
    *,
    style: str = NESTED,
    level_formats: list[str] | None = None,
    task_format: str = DEFAULT_TASK_FORMAT,
    children=lambda node: getattr(node, "children", []),
    is_task=lambda node: getattr(node, "is_task", False),
) -> dict[int, str]:
    """Derive the printed number of every node of an ordered tree.

    ``nodes`` are the top-level nodes in order; ``children(node)`` gives a category's ordered
    children (categories and tasks mixed). Returns ``{id(node): label}``.

    *nested*: each level has its own mark, counting restarts under every parent, and
    categories and tasks under one parent share the count.
    *continuous*: categories use the level marks and count only categories; tasks are
    numbered straight through the whole tree with ``task_format``.
    """
    formats = level_formats or DEFAULT_LEVEL_FORMATS
    labels: dict[int, str] = {}
    task_counter = 0

    def walk(siblings: list, depth: int) -> None:
        nonlocal task_counter
        position = 0
        for node in siblings:
            if style == CONTINUOUS and is_task(node):
                task_counter += 1
                labels[id(node)] = format_mark(task_format, task_counter)
            else:
                position += 1
                labels[id(node)] = format_mark(level_format(formats, depth), position)
            if not is_task(node):
                walk(children(node), depth + 1)

    walk(list(nodes), 1)
    return labels
