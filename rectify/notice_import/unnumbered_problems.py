"""Problems printed without marks under a heading: the heading is their category.

"（一）政治建设方面。" followed by a plain line stating a problem, its 整改情况：/整改结果：,
then another plain line and its labels …: each plain line before a progress label is a task
(its title, without a printed label), and the heading is its category. The heading is split
when

  * the progress label repeats (or a result label comes between), each time after a plain
    statement: one task prints each label once, so a second one opens the next task; the
    statement is the last plain paragraph before that label, paragraphs before it (an
    outcome) stay with the previous task;
  * or there is one such task only and the heading names an aspect ("…方面",
    :func:`~rectify.notice_import.heading_tree.reads_like_aspect`), or staff chose to read
    the heading as a category in the preview (``force``).

The body must open with the first statement: a heading whose body opens with measures or
labels is a task of its own, as before.
"""

from __future__ import annotations

from rectify.notice_import.heading_tree import RawHeading, pseudo_heading, reads_like_aspect
from rectify.notice_import.line_kinds import LineItem
from rectify.notice_import.measure_split import OUTCOME_START_RE
from rectify.notice_import.task_body import is_statement


def _is_label(item: LineItem, *kinds: str) -> bool:
    return item.kind == "label" and item.label is not None and item.label.kind in kinds


def split_unnumbered(raw: RawHeading, force: bool = False) -> bool:
    """Split a leaf heading's body into tasks opened by plain statements; True if split."""
    body = raw.body
    if raw.children or not body or not is_statement(body[0]):
        return False
    # (statement index, progress label index) of each task, in order.
    starts: list[tuple[int, int]] = []
    previous_word = ""
    boundary = True  # a new task may start here (the start, or after a result / repeat)
    for index, item in enumerate(body):
        if _is_label(item, "result"):
            boundary = True
            continue
        if not _is_label(item, "progress"):
            continue
        word = item.label.word if item.label else ""
        if index > 0 and is_statement(body[index - 1]) and (
            boundary or word == previous_word
        ):
            first = index - 1
            if not starts:
                first = 0  # the opening paragraphs all state the first problem
            elif OUTCOME_START_RE.match(body[first].text):
                first = -1
            if first >= 0:
                starts.append((first, index))
        previous_word = previous_word or word
        boundary = False
    if not starts or starts[0][0] != 0:
        return False
    if len(starts) < 2 and not (force or reads_like_aspect(raw.title)):
        return False
    children: list[RawHeading] = []
    for number, (first, _) in enumerate(starts):
        end = starts[number + 1][0] if number + 1 < len(starts) else len(body)
        child = pseudo_heading(body[first])
        # Further opening paragraphs continue the statement (read by the task's body).
        child.body.extend(body[first + 1:end])
        child.has_label = any(item.kind == "label" for item in child.body)
        children.append(child)
    raw.body = []
    raw.children = children
    raw.has_label = False
    return True
