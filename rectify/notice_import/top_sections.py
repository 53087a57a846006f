"""Pass 5 of the notice parser: the top-level sections around the problem tree.

Where the closing starts
  * The closing starts at the first 欢迎/特此通报/联系方式 paragraph after the last heading;
    a short list after "附件：" at the end is closing text even when it is numbered.
Overall section, problems heading and closing sections (:func:`classify_top`)
  * A top-level heading that wraps the problem tree is the *problems heading* when its title
    reads like one (整改情况 / 反馈问题 / 问题整改 / 整改落实情况 …, no "方面", no quotes) and
    no other top-level heading carries labels; with several such headings the larger one
    wins. With a wrapper, the unlabelled sections before it are the *overall section* (the
    first one's heading is ``overall_heading``, whatever its wording, e.g. 提高政治站位…) and
    those after it (下一步工作打算, 巡察移交问题办理 …) join the closing. Inside the wrapper,
    an organisational part before the labelled problems is overall text, and a heading that
    wraps the problems again ("（二）反馈问题整改落实情况") is followed inward.
  * Without a wrapper, the unlabelled sections before the labelled ones are the overall
    section unless they state problems (:mod:`~rectify.notice_import.section_kinds`); an
    unclear one is overall text with a doubt.
  * Without a wrapper, a first top-level section that is prose only is the overall section
    when its title reads like one (总体/整体/政治站位/主体责任/整改工作 …) or when the other
    sections carry labels, unless its title names a problem (问题, 不到位, 薄弱 …). Top-level
    categories that go on counting after it (二、三、…) are not numbering doubts. A run of
    unlabelled sections at the end titled like plans (下一步, 长效机制, 巩固 …) is closing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rectify.notice_import import notice_facts as facts
from rectify.notice_import.heading_tree import RawHeading, subtree_has_label, subtree_size
from rectify.notice_import.line_kinds import LineItem, is_problem_label
from rectify.notice_import.section_kinds import (
    ORGANISATIONAL,
    PROBLEM,
    UNCLEAR,
    section_kind,
)

_OVERALL_TITLE_RE = re.compile(
    r"整体|总体|总的|基本情况|工作情况|推进情况|开展情况|主要做法|工作措施|组织领导|"
    r"政治站位|政治责任|主体责任|政治自觉|思想认识|高度重视|扛牢|扛起|扛稳|压实|压紧|整改工作"
)
#: Words of a problem ("…不到位", "…薄弱") that keep a heading from being the overall section.
_PROBLEM_WORDS_RE = re.compile(
    r"问题|不到位|不够|不足|不力|不严|不实|不规范|薄弱|缺失|弱化|差距|偏差"
)
_WRAPPER_TITLE_RE = re.compile(
    r"整改(?:落实|工作|完成)?情况|整改进展|落实情况|问题清单|具体问题|反馈问题|问题整改|问题及整改|"
    r"反馈意见|整改任务|整改事项"
)
_CATEGORY_HINT_RE = re.compile(r"方面|“|\"|关于(?!.{0,6}(?:巡察|巡视|反馈))")
_TRAILING_TITLE_RE = re.compile(
    r"下一步|下步|今后|工作打算|下阶段|工作计划|长效机制|巩固|成果运用|持续深化|常态化"
)
_ATTACHMENT_RE = re.compile(
    r"^附\s{0,2}件\s{0,2}[0-9０-９一二三四五六七八九十]{0,2}\s{0,2}(?:[:：]|$)"
)
#: Lines examined from the end for a list of attachments, and the longest such line.
ATTACHMENT_LINES = 30
ATTACHMENT_LINE_MAX = 80


def closing_start(items: list[LineItem], first_heading: int) -> int:
    """Index of the first closing item: a closing-style paragraph after the last heading.

    A list of attachments at the end ("附件：1.问题清单") is closing text, not more problems.
    """
    start = _attachments_start(items, first_heading)
    last_heading = max(
        (
            i for i in range(first_heading, start)
            if items[i].kind == "heading" or (is_problem_label(items[i]) and items[i].first)
        ),
        default=first_heading,
    )
    for index in range(last_heading + 1, start):
        item = items[index]
        if item.kind == "para" and facts.is_closing_start(item.text):
            return index
    return start


def _attachments_start(items: list[LineItem], first_heading: int) -> int:
    """Index of "附件：" when only a short list of attachments follows it, else len(items)."""
    lowest = max(first_heading + 1, len(items) - ATTACHMENT_LINES)
    for index in range(len(items) - 1, lowest - 1, -1):
        item = items[index]
        if len(item.source or item.text) > ATTACHMENT_LINE_MAX:
            break
        if item.kind == "para" and item.first and _ATTACHMENT_RE.match(item.text):
            return index
    return len(items)


@dataclass(slots=True, eq=False)
class TopSections:
    """The top-level sections of a notice's body, by what they are."""

    #: The overall section whose heading is the notice's ``overall_heading``.
    overall: RawHeading | None = None
    #: The heading that wraps the problem tree (the innermost, when one wraps another).
    wrapper: RawHeading | None = None
    #: Headings of the overall text after ``overall``: sections before the problems, wrapping
    #: headings around the innermost one, organisational parts inside a wrapper.
    before: list[RawHeading] = field(default_factory=list)
    #: Prose sections after the tree (下一步工作打算 …): the closing.
    after: list[RawHeading] = field(default_factory=list)
    #: The problem tree's top-level headings, in document order.
    tree: list[RawHeading] = field(default_factory=list)
    #: Sections kept as overall text though they may state problems (a doubt each).
    unclear: list[RawHeading] = field(default_factory=list)
    #: Wrapping headings whose own heading line is overall text (their children are not).
    outer: list[RawHeading] = field(default_factory=list)


def classify_top(roots: list[RawHeading], kinds: dict[int, str] | None = None) -> TopSections:
    """Pick the overall section, the wrapping problems heading and the prose around them.

    With a wrapping heading (``二、巡察反馈问题整改情况``) the unlabelled top-level sections
    before it are the overall section (the first one gives ``overall_heading``) and those after
    it are the closing; inside it, an organisational part before the labelled problems is
    overall text too, and a heading that wraps the problems again is followed inward.
    Without one, the unlabelled sections before the labelled ones are the overall section
    unless they state problems (:mod:`~rectify.notice_import.section_kinds`): organisational
    ones silently, unclear ones with a doubt. Without labels anywhere, a first section that
    is prose only is the overall section when its title reads like one, and a run of prose
    sections titled like plans (``下一步工作打算``) at the end is the closing. ``kinds``
    (line → "task", "category" or "overall", chosen by staff in the preview) overrides the
    reading of a top-level section.
    """
    top = TopSections()
    kinds = kinds or {}
    if not roots:
        return top
    forced = {id(raw): kinds.get(raw.line) for raw in roots if raw.line in kinds}
    labelled = {
        id(raw) for raw in roots
        if forced.get(id(raw)) in ("task", "category")
        or (forced.get(id(raw)) != "overall" and subtree_has_label(raw))
    }
    wrapper = _find_wrapper([raw for raw in roots if id(raw) not in forced], labelled)
    if wrapper is not None:
        index = next(i for i, raw in enumerate(roots) if raw is wrapper)
        for raw in roots[:index]:
            if id(raw) in labelled:
                continue
            if raw is roots[0] and top.overall is None:
                top.overall = raw
            else:
                top.before.append(raw)
        top.after = [raw for raw in roots[index + 1:] if id(raw) not in labelled]
        top.wrapper = wrapper
        children = _unwrap(top, wrapper, kinds)
        top.tree = [
            *children,
            *(raw for raw in roots if id(raw) in labelled and raw is not wrapper),
        ]
        return top
    index = 0
    while index < len(roots) - 1 and id(roots[index]) not in labelled and any(
        id(raw) in labelled for raw in roots[index + 1:]
    ):
        raw = roots[index]
        kind = ORGANISATIONAL if forced.get(id(raw)) == "overall" else section_kind(raw)
        if kind == PROBLEM:
            break
        if kind == UNCLEAR:
            top.unclear.append(raw)
        if top.overall is None and index == 0:
            top.overall = raw
        else:
            top.before.append(raw)
        index += 1
    first = roots[0]
    if (
        index == 0 and len(roots) > 1 and id(first) not in labelled
        and (_reads_like_overall(first.title) and _OVERALL_TITLE_RE.search(first.title)
             or forced.get(id(first)) == "overall")
    ):
        top.overall = first
        index = 1
    rest = roots[index:]
    cut = len(rest)
    while (
        cut > 1 and id(rest[cut - 1]) not in labelled
        and _TRAILING_TITLE_RE.search(rest[cut - 1].title)
        and not _CATEGORY_HINT_RE.search(rest[cut - 1].title)
        and not _PROBLEM_WORDS_RE.search(rest[cut - 1].title)
    ):
        cut -= 1
    top.after = rest[cut:]
    for raw in rest[:cut]:
        if forced.get(id(raw)) == "overall":
            top.before.append(raw)
        else:
            top.tree.append(raw)
    return top


def _unwrap(top: TopSections, wrapper: RawHeading, kinds: dict[int, str]) -> list[RawHeading]:
    """The children of a wrapping heading that hold the problems.

    Unlabelled children before the labelled ones that are organisational (or unclear, with
    a doubt) are overall text; when one labelled child is left and it wraps the problems
    again ("（二）反馈问题整改落实情况" inside "一、巡察整改工作情况"), it is followed inward.
    """
    children = wrapper.children
    while True:
        labelled = [
            raw for raw in children
            if kinds.get(raw.line) in ("task", "category")
            or (kinds.get(raw.line) != "overall" and subtree_has_label(raw))
        ]
        if not labelled:
            return children
        kept: list[RawHeading] = []
        for position, raw in enumerate(children):
            later = any(other in labelled for other in children[position + 1:])
            if raw in labelled or not later:
                kept.append(raw)
                continue
            kind = ORGANISATIONAL if kinds.get(raw.line) == "overall" else section_kind(raw)
            if kind == PROBLEM:
                kept.append(raw)
                continue
            if kind == UNCLEAR:
                top.unclear.append(raw)
            top.before.append(raw)
        inner = kept[0] if len(kept) == 1 else None
        if (
            inner is None or not inner.children or inner.line in kinds
            or not _WRAPPER_TITLE_RE.search(inner.title)
            or _CATEGORY_HINT_RE.search(inner.title)
        ):
            return kept
        # The wrapper around the inner one: its heading line and body are overall text.
        top.outer.append(top.wrapper)
        top.wrapper = inner
        children = inner.children


def _reads_like_overall(title: str) -> bool:
    return (
        len(title) <= 30
        and not _CATEGORY_HINT_RE.search(title)
        and not _PROBLEM_WORDS_RE.search(title)
    )


def _find_wrapper(roots: list[RawHeading], labelled: set[int]) -> RawHeading | None:
    """The one top-level heading that wraps the problem tree, if any."""
    candidates = [
        raw for raw in roots
        if raw.children and len(raw.title) <= 30 and _WRAPPER_TITLE_RE.search(raw.title)
        and not _CATEGORY_HINT_RE.search(raw.title)
    ]
    if not candidates:
        return None
    if len(candidates) > 1:
        # "一、整改工作情况" (prose subsections) and "二、反馈问题整改情况": the bigger one.
        candidates.sort(key=lambda raw: (id(raw) in labelled, subtree_size(raw)), reverse=True)
    candidate = candidates[0]
    if any(id(raw) in labelled for raw in roots if raw is not candidate):
        return None  # labelled categories beside it: the heading is a category itself
    if len(roots) == 1 and id(candidate) not in labelled:
        return None
    return candidate
