"""A task's paragraphs split into its measures (整改措施) and its outcome (整改成效).

  * Measures are printed "一是…二是…" inline or one per paragraph (a short subject before
    "一是", as in "学校党委一是…", opens the first measure; a longer preamble is merged with a
    doubt); "1.…；2.…" inline after a label; numbered lines of an unseen family after a label
    (``numbered_measure``); otherwise the first paragraph is one unnumbered measure, and after
    a progress label (整改进展情况：) every plain paragraph is a measure until one reads like
    an outcome (经过整改/通过整改/目前/截至目前 …).
  * A paragraph between two numbered measures continues the earlier one; paragraphs after the
    last numbered measure are the outcome.
  * A status before the measures of a paragraph ("已完成整改。一是…") is the result.
  * Measure ordinals that skip, repeat or restart are doubts; the text is imported as printed.

:class:`MeasureReader` holds the state of one task's body; the task body reader
(:mod:`rectify.notice_import.task_body`) adds the labels. :func:`split_measures` reads the
measures typed into one cell of the Excel ledger the same way.
"""

from __future__ import annotations

import re

from rectify.notice_import import label_marks as marks
from rectify.notice_import.line_kinds import LineItem, split_lines
from rectify.notice_import.parse_context import ParseContext, excerpt
from rectify.notice_import.parsed_notice import TASK, ParsedMeasure, ParsedNode
from rectify.notice_import.result_lines import record_result
from rectify.notice_import.status_words import is_status_phrase

#: A paragraph that opens like this is the outcome, not a measure.
OUTCOME_START_RE = re.compile(
    r"^(?:经过整改|通过整改|经整改|整改后|目前[，,]|截至目前|截止目前|截至\d|截止\d|至此|"
    r"通过(?:以上|上述|这些)(?:措施|举措|整改)|经过(?:以上|上述)?(?:努力|措施))"
)


class MeasureReader:
    """Reads one task's paragraphs into measures and outcome."""

    def __init__(self, node: ParsedNode, ctx: ParseContext) -> None:
        self.node = node
        self.ctx = ctx
        self.measures: list[ParsedMeasure] = []
        self.next_k = 1
        self.ordered = False  # measures carry printed ordinals
        self.pending: list[tuple[int, str]] = []
        self.outcome: list[str] = []
        self.post_result: list[tuple[int, str]] = []
        self.mode = "body"  # "body" | "outcome" | "after_result"
        self.labelled = False  # a progress label introduced the measures

    def paragraph(self, line: int, text: str) -> None:
        if not text:
            return
        if self.mode == "outcome":
            self.outcome.append(text)
            return
        if self.mode == "after_result":
            self.post_result.append((line, text))
            return
        k = marks.measure_ordinal_at_start(text)
        if k is not None:
            self._ordinal_paragraph(line, text, k)
            return
        if not self.measures:
            numbered = marks.split_numbered_inline(text)
            if numbered:
                # "整改措施：1.建立台账；2.开展检查。"
                self._add_measures(line, numbered)
                return
            subject = marks.find_subject_ordinal(text)
            if subject > 0:
                # "学校党委一是……；二是……": the subject opens the first measure.
                parts = self._split_inline(line, text[subject:], 1)
                if parts:
                    parts[0] = text[:subject] + parts[0]
                self._add_measures(line, parts)
                return
            first = marks.find_measure_ordinal(text, 1)
            if first > 0 and marks.find_measure_ordinal(text, 2, first + 2) >= 0:
                preamble = text[:first].strip()
                parts = self._split_inline(line, text[first:], 1)
                if preamble and not self.node.result and is_status_phrase(preamble):
                    # "已完成整改。一是……": the result, then the measures.
                    self.set_result(line, preamble)
                    self.mode = "body"
                    preamble = ""
                if preamble and parts:
                    parts[0] = preamble + parts[0]
                    self.ctx.doubt(
                        line, f"措施“一是”之前的引导语“{excerpt(preamble)}”已并入第一条措施"
                    )
                self._add_measures(line, parts)
                return
            if self.outcome or OUTCOME_START_RE.match(text):
                # "经过整改，……" before any measure: the task prints only its outcome.
                self.outcome.append(text)
                return
            self.measures.append(ParsedMeasure(text=text, line=line))
            return
        if (
            self.labelled and not self.ordered and not self.pending and not self.outcome
            and not OUTCOME_START_RE.match(text)
        ):
            # After "整改进展情况：" measures printed one per paragraph without ordinals.
            self.measures.append(ParsedMeasure(text=text, line=line))
            self.ctx.separate_paragraphs += 1
            return
        self.pending.append((line, text))

    def numbered_measure(self, item: LineItem) -> None:
        """A numbered line such as "（1）建立台账" inside a task: one measure."""
        if self.mode in ("outcome", "after_result"):
            self.paragraph(item.line, item.text)
            return
        self.flush_pending()
        text = item.mark.rest if item.mark else item.text
        self.measures.append(ParsedMeasure(text=text or item.text, line=item.line))
        self.ordered = True
        self.ctx.separate_paragraphs += 1

    def set_result(self, line: int, content: str) -> None:
        """A printed result ends the measures; what follows it is read after the result."""
        if not record_result(self.node, self.ctx, line, content):
            return
        self.end_measures()
        self.mode = "after_result"

    def flush_pending(self) -> None:
        """Paragraphs since the last measure continue it (or are the outcome if none)."""
        if self.pending and self.measures:
            last = self.measures[-1]
            last.text = "\n".join([last.text, *(text for _, text in self.pending)])
        elif self.pending:
            self.outcome.extend(text for _, text in self.pending)
        self.pending = []

    def end_measures(self) -> None:
        """Paragraphs after the last measure are the outcome."""
        if self.pending:
            self.outcome.extend(text for _, text in self.pending)
            self.pending = []

    def _ordinal_paragraph(self, line: int, text: str, k: int) -> None:
        if k != self.next_k:
            expected = marks.measure_token(self.next_k)
            printed = marks.measure_token(k)
            if k == 1 and self.ordered:
                what = "措施序号重新从“一是”开始"
            elif k < self.next_k:
                what = f"措施序号“{printed}”重复或顺序颠倒（应为“{expected}”）"
            else:
                what = f"措施序号“{printed}”前缺少“{expected}”"
            self.ctx.doubt(line, f"{what}，已按原文导入")
        if k == 1 and not self.ordered and len(self.measures) == 1 and not self.pending:
            # A leading unnumbered paragraph followed by "一是…": it was an introduction.
            intro = self.measures.pop()
            parts = self._split_inline(line, text, k)
            if parts:
                parts[0] = intro.text + parts[0]
                self.ctx.doubt(
                    intro.line, f"措施“一是”之前的引导语“{excerpt(intro.text)}”已并入第一条措施"
                )
            self._add_measures(intro.line, parts, first_line=intro.line, rest_line=line)
            return
        self.flush_pending()
        self._add_measures(line, self._split_inline(line, text, k))

    def _add_measures(
        self, line: int, parts: list[str], first_line: int | None = None,
        rest_line: int | None = None,
    ) -> None:
        for index, part in enumerate(parts):
            measure_line = (first_line if index == 0 and first_line else rest_line) or line
            self.measures.append(ParsedMeasure(text=part, line=measure_line))
        self.ordered = True
        if len(parts) >= 2:
            self.ctx.inline_paragraphs += 1
        elif parts:
            self.ctx.separate_paragraphs += 1

    def _split_inline(self, line: int, text: str, k: int) -> list[str]:
        """Split "一是…。二是…" at the expected next ordinals; strips the ordinals."""
        parts: list[str] = []
        start = len(marks.measure_token(k))
        pos = start
        skipped = False
        while True:
            nxt = k + 1
            found = marks.find_measure_ordinal(text, nxt, pos)
            if found < 0 and not skipped:
                alt = marks.find_measure_ordinal(text, nxt + 1, pos)
                if alt >= 0:
                    self.ctx.doubt(
                        line,
                        f"措施序号“{marks.measure_token(nxt + 1)}”前缺少"
                        f"“{marks.measure_token(nxt)}”，已按原文导入",
                    )
                    found, nxt, skipped = alt, nxt + 1, True
            if found < 0:
                part = text[start:].strip()
                if part:
                    parts.append(part)
                break
            part = text[start:found].strip()
            if part:
                parts.append(part)
            k = nxt
            start = found + len(marks.measure_token(nxt))
            pos = start
        self.next_k = k + 1
        return parts


def split_measures(text: str) -> tuple[list[str], list[str]]:
    """Measures typed into one cell (the Excel ledger's 整改措施) back into their texts.

    The cell is read line by line as a task's body after its progress label is read here:
    "一是…二是…" inline or one per line, "1.…；2.…" inline, or one measure without an
    ordinal; a line without an ordinal continues the measure before it. Returns the measure
    texts (ordinals stripped) and the doubts (a skipped or repeated ordinal, text merged
    into the first measure), each naming its line in the cell.
    """
    ctx = ParseContext()
    reader = MeasureReader(ParsedNode(kind=TASK), ctx)
    for line, paragraph in split_lines(text):
        reader.paragraph(line, paragraph)
    reader.flush_pending()
    if reader.node.result:
        ctx.doubt(1, f"措施之前的“{excerpt(reader.node.result)}”像是整改结果，不是措施")
    texts = [measure.text for measure in reader.measures]
    if reader.outcome:
        # Text before the first measure that reads like an outcome ("经过整改，…") is part
        # of the cell all the same: it opens the first measure, or is the only one.
        lead = "\n".join(reader.outcome)
        texts = [lead + ("\n" + texts[0] if texts else ""), *texts[1:]]
    return texts, [doubt.message for doubt in ctx.doubts]
