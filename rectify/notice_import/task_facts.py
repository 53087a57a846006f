"""The facts of a task kept apart from its measures: responsible leader and unit, deadline.

  * 责任领导/牵头领导/责任人 and 责任单位/牵头部门/配合单位 lines go to
    ``responsible_leader`` / ``responsible_department`` (several lines are joined with "；";
    a 配合单位 keeps its word); 整改时限 goes to ``deadline_text`` and, when it names a date,
    ``deadline`` (长期坚持/立行立改 are no doubt; any other unreadable deadline is).
  * Facts in brackets at the end of a title ("（责任单位：办公室；整改时限：2023年底前）")
    are read like those lines and leave the title (:func:`take_title_facts`).

Facts about the round and the notice as a whole are read by
:mod:`rectify.notice_import.notice_facts`.
"""

from __future__ import annotations

import re

from rectify.notice_import import label_marks as marks
from rectify.notice_import.parse_context import ParseContext, excerpt
from rectify.notice_import.parsed_notice import ParsedNode
from rectify.notice_import.status_words import is_open_ended_deadline, parse_deadline

_SPACES_RE = re.compile(r"\s+")
_TITLE_FACT_RE = re.compile(r"[（(【]([^（()）【】]{2,60})[）)】]\s{0,3}[。.]?$")
#: The label kinds that are facts of a task.
FACT_KINDS = ("leader", "unit", "deadline")


def fact_text(content: str) -> str:
    """A fact's content on one line, without trailing punctuation."""
    return _SPACES_RE.sub(" ", content).strip().rstrip("。；;，,")


def join_fact(old: str, new: str, sep: str = "；") -> str:
    return f"{old}{sep}{new}" if old else new


def record_fact(
    node: ParsedNode, ctx: ParseContext, line: int, label: marks.LabelMatch, content: str
) -> None:
    """责任领导 / 责任单位 / 整改时限: store the content of a fact label on the task."""
    text = fact_text(content)
    if not text:
        return
    if label.kind == "leader":
        node.responsible_leader = join_fact(node.responsible_leader, text)
        return
    if label.kind == "unit":
        if label.word.startswith("配合"):
            text = f"{label.word}：{text}"
        node.responsible_department = join_fact(node.responsible_department, text)
        return
    node.deadline_text = join_fact(node.deadline_text, text)
    deadline = parse_deadline(text, ctx.default_year, require_hint=False)
    if deadline is not None:
        node.deadline = node.deadline or deadline
    elif not is_open_ended_deadline(text):
        ctx.doubt(line, f"无法识别的整改时限“{excerpt(text)}”，仅保留原文")


def take_title_facts(node: ParsedNode, ctx: ParseContext) -> bool:
    """"1.关于……的问题（责任单位：办公室）": facts in brackets after the title.

    Returns whether they were found (read and cut from the title); brackets holding anything
    but fact labels stay in the title.
    """
    title = node.title
    m = _TITLE_FACT_RE.search(title, max(0, len(title) - 80))
    if not m or m.start() == 0:
        return False
    pieces = marks.split_at_inline_labels(m.group(1))
    labels = [marks.match_label(piece) for piece in pieces]
    if not labels or not all(label is not None and label.kind in FACT_KINDS for label in labels):
        return False
    node.title = title[: m.start()].strip()
    for label in labels:
        record_fact(node, ctx, node.line, label, label.rest)
    return True
