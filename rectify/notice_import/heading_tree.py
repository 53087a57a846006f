"""Pass 4 of the notice parser: the raw tree of headings, built from the body items.

Heading marks are grouped by family (``一、`` ``(一)`` ``1.`` ``1)`` ``(1)`` ``①``; width
variants of one shape share a family). A family already on the current path closes the
deeper levels (the heading is a sibling there); a new family opens a deeper level. Inside a
task whose label has been seen, an unseen family is a numbered measure, not a deeper heading;
so is a list in the task's own family that starts again at 1 right after a progress label
with nothing after it ("整改措施：" then "1." "2."), while its numbers follow, until the next
label. Every other item goes into the body of the current heading.

Problem statements printed without marks ("问题一：…", "存在问题：…") open tasks of their own
(pseudo headings of family :data:`FAMILY_PROBLEM`; a numbered one's 问题N is the task's
printed label, "问题{n}：" its mark format). The first statement under a numbered heading
describes that heading's problem, unless it is numbered or the heading names an aspect
("…方面", :func:`reads_like_aspect`): then the heading is a category. A second statement after
the first one's labels splits the heading into one task per statement.

Beyond :data:`MAX_HEADINGS` headings the rest are read as plain paragraphs (with a doubt).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rectify.notice_import import label_marks as marks
from rectify.notice_import.line_kinds import LineItem, is_problem_label, prose
from rectify.notice_import.parse_context import ParseContext

#: Headings beyond this many are read as plain paragraphs (a notice has hundreds at most).
MAX_HEADINGS = 100_000
#: The family of a task opened by a problem statement printed without a mark.
FAMILY_PROBLEM = "problem"
#: A heading that names an aspect of the inspection ("一、党的领导方面", "（二）关于…方面的问题",
#: "三、组织建设方面存在的问题"): a category, whatever follows it.
_ASPECT_RE = re.compile(
    r"方面(?:的|存在的|存在)?(?:问题)?(?:的?整改(?:落实)?情况)?[。．.：:]?$"
)


def reads_like_aspect(title: str) -> bool:
    """Whether a heading's title names an aspect ("…方面"), not a problem."""
    return bool(title) and len(title) <= 60 and bool(_ASPECT_RE.search(title))


@dataclass(slots=True, eq=False)
class RawHeading:
    """A heading of the raw tree with its own body items (those before its first child)."""

    item: LineItem | None
    children: list[RawHeading] = field(default_factory=list)
    body: list[LineItem] = field(default_factory=list)
    has_label: bool = False  # a label other than a problem statement is in the body
    problem_at: int = -1  # index in body of the first problem statement ("问题：…")
    #: The next ordinal of a list of measures printed with this heading's own marks after
    #: "整改措施：" (0: no such list open).
    measure_next: int = 0

    @property
    def family(self) -> str:
        return self.item.mark.family if self.item and self.item.mark else ""

    @property
    def title(self) -> str:
        return self.item.mark.rest if self.item and self.item.mark else ""

    @property
    def line(self) -> int:
        return self.item.line if self.item else 0


def pseudo_heading(item: LineItem) -> RawHeading:
    """A problem statement ("问题：…", "存在问题：…") that opens a task of its own."""
    label = item.label
    rest = label.rest if label else item.text
    if label is not None and label.number is not None:
        # "问题1：…" / "问题二：…": the 问题N is the task's printed label.
        mark = marks.HeadingMark(
            FAMILY_PROBLEM, f"{label.printed}{label.colon}", label.number_format,
            label.number, rest,
        )
    else:
        mark = marks.HeadingMark(FAMILY_PROBLEM, "", "", None, rest)
    heading = LineItem(
        "heading", item.line, item.text, source=item.source, first=item.first, mark=mark,
    )
    return RawHeading(item=heading)


def _place_problem(item: LineItem, path: list[RawHeading]) -> None:
    """Attach a problem statement: to the current heading, or as a task of its own.

    The first statement under a numbered heading describes that heading's problem. A second
    statement after the first one's labels means the heading is a category whose problems are
    printed without numbers: the first statement and what follows it become one task, and
    the new statement opens the next.
    """
    current = path[-1]
    if current.family == FAMILY_PROBLEM:
        if current.has_label or current.body:
            path.pop()
            pseudo = pseudo_heading(item)
            path[-1].children.append(pseudo)
            path.append(pseudo)
        else:
            current.body.append(item)
        return
    if (
        current.item is None or current.children
        or (item.label is not None and item.label.number is not None)
        or (not current.body and reads_like_aspect(current.title))
    ):
        # Under the root, beside other problems, numbered ("问题5：") or under an aspect
        # ("三、组织建设方面"): the statement opens a task of its own.
        pseudo = pseudo_heading(item)
        current.children.append(pseudo)
        path.append(pseudo)
        return
    if current.problem_at >= 0 and current.has_label:
        moved = current.body[current.problem_at:]
        del current.body[current.problem_at:]
        first = pseudo_heading(moved[0])
        first.body = moved[1:]
        first.has_label = any(
            i.kind == "label" and not is_problem_label(i) for i in first.body
        )
        current.has_label = any(
            i.kind == "label" and not is_problem_label(i) for i in current.body
        )
        current.problem_at = -1
        second = pseudo_heading(item)
        current.children.extend((first, second))
        path.append(second)
        return
    if current.problem_at < 0:
        current.problem_at = len(current.body)
    current.body.append(item)


def build_raw_tree(items: list[LineItem], ctx: ParseContext) -> RawHeading:
    """The headings of ``items`` as a tree under a root without item."""
    root = RawHeading(item=None)
    path: list[RawHeading] = [root]
    headings = 0
    for item in items:
        if is_problem_label(item) and item.first:
            _place_problem(item, path)
            continue
        if item.kind == "heading" and headings >= MAX_HEADINGS:
            if headings == MAX_HEADINGS:
                ctx.doubt(item.line, f"编号标题超过{MAX_HEADINGS}个，其后的标题按普通段落处理")
                headings += 1
            item.kind = "para"
        if item.kind == "heading" and item.mark is not None:
            headings += 1
            family = item.mark.family
            if _continues_measures(path[-1], item):
                item.as_measure = True
                path[-1].body.append(item)
                continue
            position = next(
                (i for i in range(1, len(path)) if path[i].family == family), None
            )
            if position is not None:
                del path[position:]
            else:
                current = path[-1]
                if current is not root and current.has_label and not current.children:
                    item.as_measure = True
                    current.body.append(item)
                    continue
            node = RawHeading(item=item)
            path[-1].children.append(node)
            path.append(node)
            continue
        current = path[-1]
        if is_problem_label(item) and current.problem_at < 0:
            current.problem_at = len(current.body)
        current.body.append(item)
        if item.kind == "label":
            current.measure_next = 0
            if not is_problem_label(item):
                current.has_label = True
    return root


def _continues_measures(current: RawHeading, item: LineItem) -> bool:
    """A numbered line with the task's own marks that is one of its measures.

    "1.问题 / 整改措施： / 1.… / 2.… / 整改结果：…": after a progress label with nothing after
    it, a list that starts again at 1 with the task's own marks is its measures (the tasks go
    on counting, the measures start over); it goes on while the numbers follow and ends at
    the next label.
    """
    mark = item.mark
    if current.item is None or current.children or mark is None:
        return False
    if current.measure_next:
        if mark.family == current.family and mark.ordinal == current.measure_next:
            current.measure_next += 1
            return True
        return False
    if mark.family != current.family or mark.ordinal != 1 or not current.body:
        return False
    last = current.body[-1]
    if (
        last.kind == "label" and last.label is not None and last.label.kind == "progress"
        and not last.label.rest
    ):
        current.measure_next = 2
        return True
    return False


def subtree_has_label(raw: RawHeading) -> bool:
    """Whether a heading or one below it carries labels or problem statements."""
    stack = [raw]
    while stack:
        node = stack.pop()
        if node.has_label or node.problem_at >= 0 or node.family == FAMILY_PROBLEM:
            return True
        stack.extend(node.children)
    return False


def flatten_text(raw: RawHeading, include_heading: bool = True) -> list[str]:
    """The printed lines of a heading's subtree, in document order."""
    out: list[str] = []
    stack: list[tuple[RawHeading, bool]] = [(raw, include_heading)]
    while stack:
        node, with_heading = stack.pop()
        if with_heading and node.item is not None:
            out.append(node.item.text)
        out.extend(prose(node.body))
        stack.extend((child, True) for child in reversed(node.children))
    return out


def subtree_size(raw: RawHeading) -> int:
    """Headings and body items in a heading's subtree."""
    count = 0
    stack = [raw]
    while stack:
        node = stack.pop()
        count += 1 + len(node.body)
        stack.extend(node.children)
    return count
