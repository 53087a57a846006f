"""A task's body read into problem statement, progress label, measures, outcome, result, facts.

The body items of a leaf heading are read in order: labels are dispatched by their kind
(facts to :mod:`~rectify.notice_import.task_facts`, results to
:mod:`~rectify.notice_import.result_lines`), paragraphs and numbered lines to the measure
reader (:mod:`~rectify.notice_import.measure_split`).

  * Problem text: plain paragraphs between the heading and the first progress label, and
    problem labels (问题：/ 存在问题：/ 主要问题： …) under a numbered heading, are the
    problem statement: kept in ``problem`` and appended to the title ("…的问题：具体表现",
    :func:`with_statement`). A problem label after the measures is merged all the same, with
    a doubt.
  * A progress label (整改情况：/ 整改进展情况： …) gives ``progress_label`` and introduces the
    measures, unless its content is a status phrase: then it is the result ("整改情况：已完成。
    一是……" gives the result, then the measures).
  * 整改结果/整改成效 followed by prose is the outcome; "整改结果：已完成。通过整改，……" is the
    status, then the outcome. 完成情况 before any measure introduces them like a progress
    label.
  * Paragraphs after the result are returned to the caller: they are the outcome, or the
    closing after the last task.
  * Without a printed result, a status sentence ending the task's prose ("目前该问题已完成
    整改。", "此项工作已阶段性完成，将持续推进。") is its result, the words kept as printed
    (:func:`~rectify.notice_import.result_lines.split_status_sentence`).
"""

from __future__ import annotations

from rectify.notice_import import label_marks as marks
from rectify.notice_import.line_kinds import LineItem
from rectify.notice_import.measure_split import OUTCOME_START_RE, MeasureReader
from rectify.notice_import.parse_context import ParseContext, excerpt
from rectify.notice_import.parsed_notice import ParsedNode
from rectify.notice_import.result_lines import (
    first_sentence,
    is_result_phrase,
    record_result,
    split_status_sentence,
)
from rectify.notice_import.status_words import is_status_phrase
from rectify.notice_import.task_facts import FACT_KINDS, fact_text, join_fact, record_fact


class TaskReader(MeasureReader):
    """Reads one task's body items into progress label, measures, outcome and result."""

    def __init__(self, node: ParsedNode, ctx: ParseContext) -> None:
        super().__init__(node, ctx)
        self.problems: list[str] = []  # problem statements printed under the heading

    def label(self, item: LineItem, following: LineItem | None) -> bool:
        """Handle a label line; returns True when ``following`` was consumed."""
        label = item.label
        assert label is not None
        content = label.rest
        consumed = False
        if label.kind in (*FACT_KINDS, "problem"):
            if not content and following is not None and following.kind == "para":
                if label.kind == "problem" or len(following.text) <= 80:
                    content, consumed = following.text, True
            if label.kind == "problem":
                self._problem(item.line, content)
            else:
                record_fact(self.node, self.ctx, item.line, label, content)
            return consumed
        if label.kind == "progress":
            if not content and following is not None and following.kind == "para":
                if is_status_phrase(following.text):
                    content, consumed = following.text, True
            if is_status_phrase(content):
                # "整改进展：已完成。": a label that may introduce measures carries the result.
                self.set_result(item.line, content)
                return consumed
            head, tail = first_sentence(content)
            if tail and is_status_phrase(head):
                # "整改情况：已完成。一是……" / "整改进展：已完成。经过整改，……"
                self.set_result(item.line, head)
                self._after_status(item.line, tail)
                return consumed
            if not self.node.progress_label:
                self.node.progress_label = label.printed
            self.labelled = True
            if self.mode != "body":
                self.mode = "body"
            self.paragraph(item.line, content)
            return consumed
        if not content and following is not None and following.kind == "para":
            if is_result_phrase(label.word, following.text):
                content, consumed = following.text, True
        if is_result_phrase(label.word, content):
            self.set_result(item.line, content)
            return consumed
        head, tail = first_sentence(content)
        if tail and is_result_phrase(label.word, head):
            # "整改结果：已完成。通过整改，……": the status, then the outcome.
            self.set_result(item.line, head)
            self._after_status(item.line, tail)
            return consumed
        if label.word in ("完成情况", "整改完成情况") and not self.measures:
            if not self.node.progress_label:
                self.node.progress_label = label.printed
            self.labelled = True
            self.mode = "body"
            self.paragraph(item.line, content)
            return consumed
        # 整改成效 / 整改结果 followed by prose: the outcome.
        self.end_measures()
        self.mode = "outcome"
        if content:
            self.outcome.append(content)
        return consumed

    def _after_status(self, line: int, tail: str) -> None:
        """Text after a printed status: measures when they carry ordinals, else the outcome."""
        if marks.measure_ordinal_at_start(tail) is not None and not self.measures:
            self.mode = "body"
            self.paragraph(line, tail)
            self.mode = "after_result"
        else:
            self.outcome.append(tail)

    def _problem(self, line: int, content: str) -> None:
        """问题：… under the heading: the problem statement, kept apart from the measures."""
        text = fact_text(content)
        if not text:
            return
        if self.measures or self.outcome or self.node.result:
            self.ctx.doubt(line, f"问题描述“{excerpt(text)}”出现在整改措施之后，已并入任务标题")
        self.problems.append(content.strip())

    def finish(self) -> tuple[list[tuple[int, str]], str]:
        """Store the collected parts on the node.

        Returns the paragraphs after the result and the problem statement printed under the
        heading (to be appended to the title once the title's own suffixes are read).
        """
        self.end_measures()
        if not self.node.result:
            self._status_in_prose()
        self.node.measures = self.measures
        self.node.outcome = "\n".join(self.outcome)
        if self.problems:
            self.node.problem = join_fact(self.node.problem, "\n".join(self.problems), "\n")
        return self.post_result, " ".join(self.problems)


    def _status_in_prose(self) -> None:
        """"……。目前该问题已完成整改。": a status sentence ending the task's prose is its
        result (the words kept as printed), taken out of the measure or outcome."""
        if self.outcome:
            before, sentence = split_status_sentence(self.outcome[-1])
            if sentence:
                if before:
                    self.outcome[-1] = before
                else:
                    self.outcome.pop()
                record_result(self.node, self.ctx, self.node.line, sentence)
            return
        if self.measures:
            last = self.measures[-1]
            before, sentence = split_status_sentence(last.text)
            if sentence:
                if before:
                    last.text = before
                elif len(self.measures) > 1 or self.node.problem:
                    self.measures.pop()
                else:
                    return  # the task's only text: keep it as its measure
                record_result(self.node, self.ctx, last.line, sentence)


def is_statement(item: LineItem) -> bool:
    """A plain paragraph that may state a problem (no ordinal, outcome or status)."""
    return (
        item.kind == "para" and not item.as_measure
        and marks.measure_ordinal_at_start(item.text) is None
        and marks.find_subject_ordinal(item.text) < 0
        and not OUTCOME_START_RE.match(item.text)
        and not is_status_phrase(item.text)
    )


def with_statement(title: str, statement: str) -> str:
    """"关于“…”的问题" + "问题：具体表现…" -> "关于“…”的问题：具体表现…"."""
    title = title.strip()
    if not title:
        return statement
    if title[-1] in "。；;：:！!？?":
        return title + statement
    return f"{title}：{statement}"


def read_task(
    node: ParsedNode, body: list[LineItem], ctx: ParseContext
) -> tuple[list[tuple[int, str]], str]:
    """Read a task's body onto ``node``; returns what :meth:`TaskReader.finish` returns."""
    reader = TaskReader(node, ctx)
    index = 0
    # "1.问题标题" / "具体表现……" / "整改措施：……": plain paragraphs before the first progress
    # label continue the problem statement (a result label alone does not mark this).
    first_label = next((i for i, item in enumerate(body) if item.kind == "label"), -1)
    if first_label > 0 and body[first_label].label.kind == "progress":
        while index < first_label and is_statement(body[index]):
            reader.problems.append(body[index].text)
            index += 1
    while index < len(body):
        item = body[index]
        following = body[index + 1] if index + 1 < len(body) else None
        if item.kind == "label":
            if reader.label(item, following):
                index += 1
        elif item.as_measure:
            reader.numbered_measure(item)
        else:
            reader.paragraph(item.line, item.text)
        index += 1
    return reader.finish()
