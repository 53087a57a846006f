"""Pass 6 of the notice parser: the raw heading tree becomes categories and tasks.

  * A heading with child headings is a category, a leaf heading is a task; its body is read
    by :mod:`~rectify.notice_import.task_body`. A category's own paragraphs cannot be placed:
    each becomes a doubt that quotes it (up to 300 characters), so that the text is not lost.
  * Two or more bare numbered lines under a problem heading (not a ``一、`` category, no
    "方面"), with no content of their own, are its numbered measures, not tasks; so are
    numbered lines whose only content is the result after the last one ("1.问题 / （1）… /
    （2）… / 整改结果：已完成": a task of its own would carry its own result).
  * Plain problem statements under a heading become its tasks first
    (:mod:`~rectify.notice_import.unnumbered_problems`), and the kinds staff chose in the
    preview are applied (:func:`shape_tree`).
  * A count at the end of a title ("，共4项整改任务", "（3个问题）") leaves the title and is
    kept as ``stated_count``; a leaf heading with a count and no body is an empty category.
  * Facts and a status in brackets after a task's title leave the title (up to four
    suffixes, in any order); then the problem statement printed under the heading is
    appended to it.
  * Doubts: a stray mark with neither title nor content (not imported), a heading without
    title or content, a category without tasks, a task without measures or outcome.
"""

from __future__ import annotations

import re

from rectify.notice_import import label_marks as marks
from rectify.notice_import import notice_facts as facts
from rectify.notice_import.heading_tree import FAMILY_PROBLEM, RawHeading, reads_like_aspect
from rectify.notice_import.node_kinds import CATEGORY_KIND, TASK_KIND, fold_into_task
from rectify.notice_import.parse_context import ParseContext, excerpt
from rectify.notice_import.parsed_notice import CATEGORY, TASK, ParsedNode
from rectify.notice_import.result_lines import take_title_status
from rectify.notice_import.task_body import read_task, with_statement
from rectify.notice_import.task_facts import take_title_facts
from rectify.notice_import.unnumbered_problems import split_unnumbered

_COUNT_SUFFIX_RE = re.compile(
    r"[，,、；;：:\s]{0,3}[(（]?\s{0,3}"
    r"(?:共(?:计|有)?\s{0,3}(?P<n1>[0-9０-９]{1,4}|[一二三四五六七八九十百两]{1,5})\s{0,3}(?:项|个|条)"
    r"(?:整改任务|整改事项|具体问题|任务|问题|事项)?"
    r"|(?P<n2>[0-9０-９]{1,4}|[一二三四五六七八九十百两]{1,5})\s{0,3}(?:项|个|条)"
    r"(?:整改任务|具体问题|问题))"
    r"\s{0,3}[)）]?\s{0,3}[。.]?$"
)
#: Title suffixes (facts, status) read at most from one title.
TITLE_SUFFIXES = 4


def _strip_count(title: str) -> tuple[str, int | None]:
    tail_start = max(0, len(title) - 40)
    m = _COUNT_SUFFIX_RE.search(title, tail_start)
    if not m or m.start() == 0:
        return title, None
    raw = m.group("n1") or m.group("n2") or ""
    raw = marks.to_ascii_digits(raw)
    value = int(raw) if raw.isdigit() else facts._cn_or_int(raw)
    return title[: m.start()].strip(), value


def _make_node(raw: RawHeading, kind: str) -> ParsedNode:
    item = raw.item
    mark = item.mark if item else None
    return ParsedNode(
        kind=kind,
        label=mark.label if mark else "",
        mark_format=mark.mark_format if mark else "",
        ordinal=mark.ordinal if mark else None,
        title=mark.rest if mark else (item.text if item else ""),
        line=raw.line,
    )


def _measures_before_result(raw: RawHeading) -> bool:
    """"1.问题 / （1）… / （2）… / 整改结果：已完成": numbered lines whose only content is the
    labels after the last one are the heading's measures (a task of its own would carry its
    own result); the labels belong to the heading."""
    children = raw.children
    if len(children) < 2 or raw.family == marks.FAMILY_CN_DUN:
        return False
    last = children[-1].body
    if not last or any(child.body for child in children[:-1]):
        return False
    if not all(
        item.kind == "label" and item.label is not None
        and item.label.kind in ("result", "deadline", "leader", "unit")
        for item in last
    ):
        return False
    if any(child.children or not child.title for child in children):
        return False
    return not reads_like_aspect(raw.title)


def _measure_like(raw: RawHeading) -> bool:
    """Two or more bare numbered lines under a heading that is not a 一、…方面 category."""
    return (
        len(raw.children) >= 2 and raw.family != marks.FAMILY_CN_DUN
        and "方面" not in raw.title
        and all(not child.children and not child.body and child.title for child in raw.children)
    )


def shape_tree(raws: list[RawHeading], kinds: dict[int, str]) -> None:
    """Before the nodes are made, top down: headings chosen as tasks fold their children in;
    plain problem statements under a heading become its tasks (:mod:`~rectify.
    notice_import.unnumbered_problems`); numbered lines before a lone result are measures."""
    stack = list(raws)
    while stack:
        raw = stack.pop()
        chosen = kinds.get(raw.line) if raw.item is not None else None
        if chosen == TASK_KIND:
            if raw.children:
                fold_into_task(raw)
            continue
        if not split_unnumbered(raw, force=chosen == CATEGORY_KIND) and (
            chosen != CATEGORY_KIND and _measures_before_result(raw)
        ):
            labels = raw.children[-1].body
            for child in raw.children:
                if child.item is not None:
                    child.item.as_measure = True
                    raw.body.append(child.item)
            raw.body.extend(labels)
            raw.has_label = True
            raw.children = []
        stack.extend(raw.children)


class NodeBuilder:
    """Converts raw headings into parsed nodes; keeps each task's paragraphs after its result."""

    def __init__(self, ctx: ParseContext, kinds: dict[int, str] | None = None) -> None:
        self.ctx = ctx
        #: The preview's choice: {line: "task"|"category"|"overall"} (overall is applied
        #: before the tree is built).
        self.kinds = kinds or {}
        #: Every task in document order, with the paragraphs printed after its result.
        self.post_results: list[tuple[ParsedNode, list[tuple[int, str]]]] = []

    def convert(self, raws: list[RawHeading], top: bool = True) -> list[ParsedNode]:
        nodes: list[ParsedNode] = []
        if not top and any(_measure_like(raw) for raw in raws) and not any(
            child.body or child.children for raw in raws for child in raw.children
        ):
            # "1.问题" followed only by bare "（1）…" "（2）…" lines: numbered measures.
            for raw in raws:
                if _measure_like(raw) and self.kinds.get(raw.line) != CATEGORY_KIND:
                    for child in raw.children:
                        if child.item is not None:
                            child.item.as_measure = True
                            raw.body.append(child.item)
                    raw.children = []
        for raw in raws:
            if raw.item is not None and not raw.children and not raw.body and not raw.title:
                # "3." alone on a line: a stray mark with nothing to import.
                self.ctx.doubt(raw.line, f"孤立的编号“{raw.item.text}”（没有标题和内容），未导入")
                continue
            nodes.append(self.convert_one(raw))
        return nodes

    def convert_one(self, raw: RawHeading) -> ParsedNode:
        if raw.family == FAMILY_PROBLEM and not raw.title and raw.body:
            # "存在问题：" alone on its line: the statement is the next paragraph.
            first = raw.body[0]
            if first.kind == "para" and raw.item is not None and raw.item.mark is not None:
                raw.item.mark.rest = first.text
                raw.body = raw.body[1:]
        chosen = self.kinds.get(raw.line) if raw.item is not None else None
        if raw.children or chosen == CATEGORY_KIND:
            node = _make_node(raw, CATEGORY)
            node.title, node.stated_count = _strip_count(node.title)
            for item in raw.body:
                # Kept whole in the doubt (up to a limit), so that the text is not lost.
                text = item.text if len(item.text) <= 300 else item.text[:300] + "……"
                self.ctx.doubt(item.line, f"无法识别的段落，未导入：{text}")
            node.children = self.convert(raw.children, top=False)
            if not node.title:
                self.ctx.doubt(node.line, f"分类“{node.label}”没有标题")
            if not node.children:
                self.ctx.doubt(node.line, f"分类“{node.label}{node.title}”下没有任何整改任务")
            return node
        title, count = _strip_count(raw.title)
        if count is not None and not raw.body and chosen != TASK_KIND:
            node = _make_node(raw, CATEGORY)
            node.title, node.stated_count = title, count
            self.ctx.doubt(node.line, f"分类“{node.label}{title}”下没有任何整改任务")
            return node
        node = _make_node(raw, TASK)
        if raw.family == FAMILY_PROBLEM:
            node.problem = node.title
        if not raw.body:
            self.ctx.doubt(node.line, f"标题“{excerpt(node.label + node.title)}”下没有内容")
        post, statement = read_task(node, raw.body, self.ctx)
        self.post_results.append((node, post))
        self._title_suffixes(node)
        if statement:
            node.title = with_statement(node.title, statement)
        if not node.title:
            self.ctx.doubt(node.line, f"编号“{node.label}”后没有问题标题")
        if raw.body and not node.measures and not node.outcome:
            self.ctx.doubt(
                node.line, f"任务“{excerpt(node.label + node.title)}”没有识别出整改措施或成效"
            )
        return node

    def _title_suffixes(self, node: ParsedNode) -> None:
        """"1.关于……的问题（责任单位：办公室）（已完成）": facts and status after the title."""
        for _ in range(TITLE_SUFFIXES):
            if take_title_facts(node, self.ctx):
                continue
            if not node.result and take_title_status(node, self.ctx):
                continue
            break
