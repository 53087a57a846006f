"""Pass 7 of the notice parser: the numbering style, derived numbers and label doubts.

  * The style is *continuous* when task labels keep counting across parents (1..12 over 4
    categories), else *nested*; each level's mark format is the most common one printed at
    that depth (in the continuous style, tasks have their own ``task_format``).
  * Derived numbers come from :func:`rectify.rules.numbering.number_tree`, as the round
    will print them once imported.
  * A printed label that disagrees with its derived number is a doubt (the label is kept):
    numbers that repeat, skip or go backwards, or a level that mixes mark formats. Top-level
    categories that go on counting after an overall section printed with the same marks
    ("一、总体情况" then "二、关于…方面") are in order.
"""

from __future__ import annotations

from collections import Counter

from rectify.models.mark_formats import CONTINUOUS, DEFAULT_TASK_FORMAT, NESTED, format_mark
from rectify.notice_import import label_marks as marks
from rectify.notice_import.parse_context import ParseContext
from rectify.notice_import.parsed_notice import ParsedNode, ParsedNotice
from rectify.rules.numbering import labels_agree, number_tree

#: Every node with its depth (0 = top) and its parent, depth first in document order.
FlatTree = list[tuple[ParsedNode, int, "ParsedNode | None"]]


def flatten(nodes: list[ParsedNode]) -> FlatTree:
    """Every node with its depth (0 = top) and parent, depth first in document order."""
    out: FlatTree = []
    stack: list[tuple[ParsedNode, int, ParsedNode | None]] = [
        (node, 0, None) for node in reversed(nodes)
    ]
    while stack:
        node, depth, parent = stack.pop()
        out.append((node, depth, parent))
        stack.extend((child, depth + 1, node) for child in reversed(node.children))
    return out


def number_nodes(
    notice: ParsedNotice, flat: FlatTree, tasks: list[ParsedNode], ctx: ParseContext,
    top_offset: int = 0,
) -> None:
    """Detect the style and formats, derive every node's number, doubt disagreeing labels."""
    nodes = notice.nodes
    style = _detect_style(flat)
    notice.numbering = style
    notice.level_formats = _level_formats(flat, style)
    if style == CONTINUOUS:
        notice.task_format = _most_common(
            [node.mark_format for node in tasks if node.mark_format]
        ) or DEFAULT_TASK_FORMAT
    try:
        numbers = number_tree(
            nodes,
            style=style,
            level_formats=notice.level_formats or None,
            task_format=notice.task_format or DEFAULT_TASK_FORMAT,
            children=lambda node: node.children,
            is_task=lambda node: node.is_task,
        )
    except (KeyError, ValueError, IndexError):
        numbers = {}
    for node, _, _ in flat:
        node.number = numbers.get(id(node), node.label)
    _label_doubts(nodes, style, ctx, top_offset)


def _detect_style(flat: FlatTree) -> str:
    """Continuous when task labels keep counting across parents (1..12 over 4 categories)."""
    continuous = nested = 0
    previous: ParsedNode | None = None
    previous_parent: ParsedNode | None = None
    for node, _, parent in flat:
        if not node.is_task:
            continue
        if previous is not None and parent is not previous_parent:
            if node.ordinal == 1:
                nested += 1
            elif (
                node.ordinal is not None and previous.ordinal is not None
                and node.ordinal > previous.ordinal
            ):
                continuous += 1
        previous, previous_parent = node, parent
    return CONTINUOUS if continuous > nested else NESTED


def _most_common(values: list[str]) -> str:
    if not values:
        return ""
    counts = Counter(values)
    best = max(counts.values())
    return next(value for value in values if counts[value] == best)


def _level_formats(flat: FlatTree, style: str) -> list[str]:
    by_depth: dict[int, tuple[list[str], list[str]]] = {}
    for node, depth, _ in flat:
        if not node.mark_format:
            continue
        cats, tasks = by_depth.setdefault(depth, ([], []))
        (tasks if node.is_task else cats).append(node.mark_format)
    formats: list[str] = []
    for depth in range(len(by_depth)):
        if depth not in by_depth:
            break
        cats, tasks = by_depth[depth]
        if style == CONTINUOUS:
            formats.append(_most_common(cats) or _most_common(tasks))
        else:
            formats.append(_most_common(cats + tasks))
    return formats


def _label_doubts(
    nodes: list[ParsedNode], style: str, ctx: ParseContext, top_offset: int = 0
) -> None:
    """A doubt for every printed label that disagrees with its derived number.

    ``top_offset`` top-level sections of the same marks precede the tree (an overall section
    printed as "一、"): top-level labels that go on counting after them are in order.
    """
    def sequence_note(node: ParsedNode, previous: int | None) -> str:
        if node.ordinal is None:
            return ""
        last = previous or 0
        if previous is not None and node.ordinal == previous:
            return "（与上一项编号重复）"
        if node.ordinal < last:
            return "（编号顺序颠倒）"
        if node.ordinal > last + 1:
            try:
                first = format_mark(node.mark_format, last + 1)
                final = format_mark(node.mark_format, node.ordinal - 1)
            except (KeyError, ValueError, IndexError):
                first, final = str(last + 1), str(node.ordinal - 1)
            missing = f"“{first}”" if first == final else f"“{first}”至“{final}”"
            return f"（原文跳过了{missing}）"
        return ""

    def check(node: ParsedNode, previous: int | None) -> None:
        if not node.label or node.label == node.number:
            return
        if node.label.isascii() and node.number.isascii():
            if node.label.replace(" ", "") == node.number.replace(" ", ""):
                return
        elif labels_agree(node.label, node.number):
            return
        note = sequence_note(node, previous)
        if not note and node.ordinal is not None and _ordinal_of_number(node) == node.ordinal:
            ctx.doubt(
                node.line,
                f"编号“{node.label}”与本级格式推算的“{node.number}”不一致"
                "（同级编号格式不统一），已按原文保留",
            )
            return
        ctx.doubt(
            node.line, f"编号“{node.label}”与推算编号“{node.number}”不一致，已按原文保留{note}"
        )

    task_previous: int | None = None

    def visit(siblings: list[ParsedNode], top: bool) -> None:
        nonlocal task_previous
        previous: int | None = top_offset if top and top_offset else None
        for position, node in enumerate(siblings, start=1):
            if style == CONTINUOUS and node.is_task:
                check(node, task_previous)
                task_previous = node.ordinal
            elif top and top_offset and node.ordinal == position + top_offset:
                previous = node.ordinal
            else:
                check(node, previous)
                previous = node.ordinal
            if not node.is_task:
                visit(node.children, False)

    visit(nodes, True)


def _ordinal_of_number(node: ParsedNode) -> int | None:
    mark = marks.match_heading(node.number + "x")
    return mark.ordinal if mark else None
