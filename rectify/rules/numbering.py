"""Derived numbers of the problem tree.

Numbers are never typed: they follow from a node's position among its siblings and the
round's numbering style, written with the marks of ``rectify.models.mark_formats``.
Pure Python, shared by the problem tree, the importer and the public pages.
"""

from __future__ import annotations

import functools
import re
import unicodedata

from rectify.models.mark_formats import (
    CONTINUOUS,
    DEFAULT_LEVEL_FORMATS,
    DEFAULT_TASK_FORMAT,
    NESTED,
    chinese_numeral,
    format_mark,
    parse_circled,
)


def level_format(formats: list[str], depth: int) -> str:
    """The mark format of a 1-based depth; deeper levels than defined reuse the last one."""
    formats = formats or DEFAULT_LEVEL_FORMATS
    return formats[min(depth, len(formats)) - 1]


def measure_label(position: int, count: int) -> str:
    """Measures print as 一是、二是…; a lone measure has no ordinal."""
    if count <= 1:
        return ""
    return chinese_numeral(position) + "是"


def measures_text(texts: list[str]) -> str:
    """Measures as printed: 一是…, 二是… one per line; a lone measure without ordinal."""
    if len(texts) <= 1:
        return texts[0] if texts else ""
    return "\n".join(_ordinal(i) + text for i, text in enumerate(texts, 1))


@functools.cache
def _ordinal(position: int) -> str:
    return measure_label(position, 2)


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
