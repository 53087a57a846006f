"""What staff chose in the preview: a heading read as a task, a category or overall text.

The preview lists every heading of the tree and every heading set aside as overall text
(:class:`~rectify.notice_import.parsed_notice.SetAside`), each with its line; staff may read
any of them otherwise before confirming. The choice travels as ``{line: kind}`` and the
notice is parsed again with it (``parse_notice(text, kinds=…)``), so that the preview shows
and the loader writes the same tree:

  * ``overall``: the heading and everything under it are overall text (not imported as
    tasks), wherever it stood;
  * ``task``: a heading in the overall text moves into the problem tree (at its top, in
    document order); a category becomes one task whose child headings are its measures;
  * ``category``: a heading in the overall text moves into the tree; a task whose body
    states its problems without marks is split into them (:mod:`~rectify.notice_import.
    unnumbered_problems`), else it is an empty category (a doubt).

A line that names no heading is ignored.
"""

from __future__ import annotations

from rectify.notice_import.heading_tree import RawHeading
from rectify.notice_import.parsed_notice import SetAside

TASK_KIND = "task"
CATEGORY_KIND = "category"
OVERALL_KIND = "overall"
KINDS = (TASK_KIND, CATEGORY_KIND, OVERALL_KIND)


def clean_kinds(kinds: dict | None) -> dict[int, str]:
    """Only line numbers and known kinds (the form's data may hold anything)."""
    out: dict[int, str] = {}
    for line, kind in (kinds or {}).items():
        try:
            number = int(line)
        except (TypeError, ValueError):
            continue
        if number > 0 and kind in KINDS:
            out[number] = kind
    return out


def lift_into_tree(raws: list[RawHeading], kinds: dict[int, str]) -> list[RawHeading]:
    """Headings under overall sections chosen as tasks or categories, taken out of them."""
    lifted: list[RawHeading] = []
    if not kinds:
        return lifted
    stack = list(raws)
    while stack:
        raw = stack.pop()
        kept = []
        for child in raw.children:
            if kinds.get(child.line) in (TASK_KIND, CATEGORY_KIND):
                lifted.append(child)
            else:
                kept.append(child)
                stack.append(child)
        raw.children = kept
    return sorted(lifted, key=lambda raw: raw.line)


def take_out_overall(
    raws: list[RawHeading], kinds: dict[int, str]
) -> tuple[list[RawHeading], list[RawHeading]]:
    """Headings of the tree chosen as overall text, taken out of it: (the tree's top-level
    headings left, the headings taken)."""
    if not kinds:
        return raws, []
    taken = [raw for raw in raws if kinds.get(raw.line) == OVERALL_KIND]
    raws = [raw for raw in raws if kinds.get(raw.line) != OVERALL_KIND]
    stack = list(raws)
    while stack:
        raw = stack.pop()
        kept = []
        for child in raw.children:
            if kinds.get(child.line) == OVERALL_KIND:
                taken.append(child)
            else:
                kept.append(child)
                stack.append(child)
        raw.children = kept
    return raws, sorted(taken, key=lambda raw: raw.line)


def fold_into_task(raw: RawHeading) -> None:
    """A category read as a task: its child headings (and their text) are its body."""
    body = list(raw.body)
    stack = list(reversed(raw.children))
    while stack:
        child = stack.pop()
        if child.item is not None:
            child.item.as_measure = True
            body.append(child.item)
        body.extend(child.body)
        stack.extend(reversed(child.children))
    raw.body = body
    raw.children = []
    raw.has_label = any(item.kind == "label" for item in body)


def set_aside(raws: list[RawHeading], unclear: set[int]) -> list[SetAside]:
    """Every heading of the overall text, with whether the parser was unsure of it."""
    out: list[SetAside] = []
    stack = list(reversed(raws))
    doubtful: set[int] = set()
    while stack:
        raw = stack.pop()
        if raw.item is not None and raw.item.mark is not None:
            sure = id(raw) not in unclear and id(raw) not in doubtful
            out.append(SetAside(line=raw.line, label=raw.item.mark.label, title=raw.title,
                                unsure=not sure))
        if id(raw) in unclear or id(raw) in doubtful:
            doubtful.update(id(child) for child in raw.children)
        stack.extend(reversed(raw.children))
    return sorted(out, key=lambda entry: entry.line)
