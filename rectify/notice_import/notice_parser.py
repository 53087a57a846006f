"""Parse the text of a published rectification notice (整改通报) into a :class:`ParsedNotice`.

The parser never raises: whatever it cannot place becomes a :class:`Doubt` with a line number
and a Chinese message. It works in passes that are each linear in the size of the text:

1. *Lines*: split, strip ``[bookmark: …]`` leftovers, odd spaces (no-break, em…) and
   whitespace, drop empty lines.
2. *Frame*: the header (web page furniture, title, document number, issuer), and from the end
   page furniture, the date line, the signature and the closing paragraph(s) ("欢迎…监督",
   contacts, "特此通报", a list of attachments).
3. *Items*: each body line becomes a heading (a recognised mark such as ``一、`` ``(一)``
   ``1.`` ``1)`` ``(1)`` ``①``), a label line (``整改情况：`` ``整改结果：`` ``责任单位：``
   ``问题：`` …) or a paragraph; a line is split again before inline labels.
4. *Raw tree*: heading marks are grouped by family; a family already on the current path
   closes the deeper levels (a sibling), a new family opens a deeper level. Inside a task whose
   label has been seen, an unseen family is a numbered measure, not a deeper heading. Problem
   statements printed without marks ("问题一：…") open tasks of their own.
5. *Sections*: overall section, wrapping problems heading, closing prose (see below).
6. *Nodes*: a node with child headings is a category, a leaf is a task; each task's body is
   read into progress label, measures, outcome, result and facts (see below).
7. *Numbers*: continuous or nested style is detected from the task labels, derived numbers
   come from :func:`rectify.rules.numbering.number_tree`, and disagreements become doubts, as do
   counts the notice states about itself that disagree with the tree.

How the parser decides
----------------------

Sections
  * A top-level heading that wraps the problem tree is the *problems heading* when its title
    reads like one (整改情况 / 反馈问题 / 问题整改 / 整改落实情况 …, no "方面", no quotes) and
    no other top-level heading carries labels; with several such headings the larger one
    wins. With a wrapper, the unlabelled sections before it are the *overall section* (the
    first one's heading is ``overall_heading``, whatever its wording, e.g. 提高政治站位…) and
    those after it (下一步工作打算, 巡察移交问题办理 …) join the closing.
  * Without a wrapper, a first top-level section that is prose only is the overall section
    when its title reads like one (总体/整体/政治站位/主体责任/整改工作 …) or when the other
    sections carry labels, unless its title names a problem (问题, 不到位, 薄弱 …). Top-level
    categories that go on counting after it (二、三、…) are not numbering doubts. A run of
    unlabelled sections at the end titled like plans (下一步, 长效机制, 巩固 …) is closing.
  * The closing starts at the first 欢迎/特此通报/联系方式 paragraph after the last heading;
    a short list after "附件：" at the end is closing text even when it is numbered.
Tasks and measures
  * A leaf heading is a task. Two or more bare numbered lines under a problem heading (not a
    ``一、`` category, no "方面"), with no content of their own, are its numbered measures.
  * Measures: "一是…二是…" inline or one per paragraph (a short subject before "一是", as in
    "学校党委一是…", opens the first measure; a longer preamble is merged with a doubt);
    "1.…；2.…" inline after a label; numbered lines of an unseen family after a label;
    otherwise the first paragraph is one unnumbered measure, and after a progress label
    (整改进展情况：) every plain paragraph is a measure until one reads like an outcome
    (经过整改/通过整改/目前/截至目前 …). A paragraph between two numbered measures continues
    the earlier one; paragraphs after the last numbered measure are the outcome.
  * Problem text: plain paragraphs between the heading and the first progress label, and
    problem labels (问题：/ 存在问题：/ 主要问题： …) under a numbered heading, are the
    problem statement: kept in ``problem`` and appended to the title ("…的问题：具体表现").
    A second problem label after the first one's labels splits the heading into one task per
    statement.
Results and facts
  * Any label whose content is a short status phrase (opens like 已/正在/持续/长期/基本…,
    at most 30 characters, no full stop inside, maps to a canonical status) is the result,
    whatever the label (整改进展 / 整改情况 / 完成情况 / 整改结果 / 整改成效 / 进展情况); its
    content may also be the next line. 整改结果 takes any short phrase (unknown ones become a
    doubt); "已完成。通过整改，…" gives the result and then the outcome; a status before the
    measures of a paragraph ("已完成整改。一是…") is the result; 整改结果/整改成效 followed by
    prose is the outcome; "（已完成）" or "【已完成】" after the title is the result when no
    result line is printed; paragraphs after the last task's result belong to the closing.
  * 责任领导/牵头领导/责任人 and 责任单位/牵头部门/配合单位 lines go to
    ``responsible_leader`` / ``responsible_department``; 整改时限 goes to ``deadline_text``
    and, when it names a date, ``deadline`` (长期坚持/立行立改 are no doubt).
  * Facts in brackets at the end of a title ("（责任单位：办公室；整改时限：2023年底前）")
    are read like those lines and leave the title.
  * A result's deadline ("持续推进，2024年6月底前完成") becomes ``deadline``.
Doubts
  * Label numbers that repeat, skip or go backwards; measure ordinals that skip or restart;
    a second result; a stray mark with neither title nor content (not imported); a heading
    without content; a category without tasks; stated counts ("共3项", "巡察反馈的3个方面9个
    问题，已完成整改7个") that disagree with the tree; missing results when most tasks print
    one; paragraphs that cannot be placed (quoted whole).
"""

from __future__ import annotations

import datetime
import gc
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from rectify.models.mark_formats import CONTINUOUS, DEFAULT_TASK_FORMAT, NESTED, format_mark
from rectify.notice_import import label_marks as marks
from rectify.notice_import import notice_facts as facts
from rectify.notice_import.parsed_notice import (
    CATEGORY,
    IN_PROGRESS,
    TASK,
    Doubt,
    ParsedMeasure,
    ParsedNode,
    ParsedNotice,
)
from rectify.notice_import.status_words import (
    RESULT_TRAILING,
    canonical_status,
    is_open_ended_deadline,
    is_status_phrase,
    parse_deadline,
)
from rectify.rules.numbering import labels_agree, number_tree

#: Beyond this many doubts the rest are summarised in one last doubt.
MAX_DOUBTS = 2000
#: Characters of a paragraph quoted in a doubt.
EXCERPT = 30
#: Lines of the opening and overall section searched for stated counts, and their length.
STATED_COUNT_ITEMS = 60
STATED_COUNT_CHARS = 2000
#: Headings beyond this many are read as plain paragraphs (a notice has hundreds at most).
MAX_HEADINGS = 100_000

_SPACES_RE = re.compile(r"\s+")
_BOOKMARK_RE = re.compile(r"\[bookmark:[^\]\n]{0,200}\]", re.IGNORECASE)
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff"
#: Odd spaces of web pages and Word (no-break, en/em/thin spaces) read as plain spaces.
_ODD_SPACES = str.maketrans(dict.fromkeys(
    "\xa0\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f", " "
))
#: Header lines examined for the title (page furniture lines do not count).
HEADER_LINES = 10
#: Page furniture lines skipped at most above the title.
HEADER_CHROME_LINES = 30
_COUNT_SUFFIX_RE = re.compile(
    r"[，,、；;：:\s]{0,3}[(（]?\s{0,3}"
    r"(?:共(?:计|有)?\s{0,3}(?P<n1>[0-9０-９]{1,4}|[一二三四五六七八九十百两]{1,5})\s{0,3}(?:项|个|条)"
    r"(?:整改任务|整改事项|具体问题|任务|问题|事项)?"
    r"|(?P<n2>[0-9０-９]{1,4}|[一二三四五六七八九十百两]{1,5})\s{0,3}(?:项|个|条)"
    r"(?:整改任务|具体问题|问题))"
    r"\s{0,3}[)）]?\s{0,3}[。.]?$"
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
_TITLE_STATUS_RE = re.compile(
    r"[（(【\[]\s{0,3}((?:已完成|已整改|基本完成|正在推进|正在整改|整改中|持续推进|长期坚持|已办结|"
    r"完成整改|整改完成|已销号|整改到位|已落实|部分完成|未完成)[^（()）【】\[\]]{0,20}?)"
    r"\s{0,3}[）)】\]]\s{0,3}[。.]?$"
)
_TITLE_FACT_RE = re.compile(r"[（(【]([^（()）【】]{2,60})[）)】]\s{0,3}[。.]?$")
_OUTCOME_START_RE = re.compile(
    r"^(?:经过整改|通过整改|经整改|整改后|目前[，,]|截至目前|截止目前|截至\d|截止\d|至此|"
    r"通过(?:以上|上述|这些)(?:措施|举措|整改)|经过(?:以上|上述)?(?:努力|措施))"
)


# ----------------------------------------------------------------------------------------
# Items


@dataclass(slots=True, eq=False)
class _Item:
    kind: str  # "heading" | "label" | "para"
    line: int
    text: str  # this item's own text (a line may be split at inline labels)
    source: str = ""  # the whole printed line, kept for prose sections
    first: bool = True  # the first item of its line
    mark: marks.HeadingMark | None = None
    label: marks.LabelMatch | None = None
    as_measure: bool = False  # a numbered line read as a measure inside a task


@dataclass(slots=True, eq=False)
class _Raw:
    """A heading of the raw tree with its own body items (those before its first child)."""

    item: _Item | None
    children: list[_Raw] = field(default_factory=list)
    body: list[_Item] = field(default_factory=list)
    has_label: bool = False  # a label other than a problem statement is in the body
    problem_at: int = -1  # index in body of the first problem statement ("问题：…")

    @property
    def family(self) -> str:
        return self.item.mark.family if self.item and self.item.mark else ""

    @property
    def title(self) -> str:
        return self.item.mark.rest if self.item and self.item.mark else ""

    @property
    def line(self) -> int:
        return self.item.line if self.item else 0


class _Context:
    """Mutable state shared by the passes: doubts and style counters."""

    def __init__(self) -> None:
        self.doubts: list[Doubt] = []
        self.suppressed = 0
        self.inline_paragraphs = 0
        self.separate_paragraphs = 0
        self.default_year: int | None = None

    def doubt(self, line: int, message: str) -> None:
        if len(self.doubts) >= MAX_DOUBTS:
            self.suppressed += 1
            return
        self.doubts.append(Doubt(line=line, message=f"第{line}行：{message}"))


def _excerpt(text: str) -> str:
    text = text.strip()
    return text if len(text) <= EXCERPT else text[:EXCERPT] + "……"


def _split_lines(text: str) -> list[tuple[int, str]]:
    """Non-empty stripped lines with their 1-based numbers; bookmarks removed."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").translate(_ODD_SPACES)
    for _ in range(10):  # removing one marker may join the halves of another
        if "[bookmark:" not in text.lower():
            break
        text, removed = _BOOKMARK_RE.subn("", text)
        if not removed:
            break
    lines: list[tuple[int, str]] = []
    for number, raw in enumerate(text.split("\n"), start=1):
        stripped = raw.strip().strip(_INVISIBLE).strip()
        if stripped:
            lines.append((number, stripped))
    return lines


def _tokenize(line: int, text: str) -> list[_Item]:
    """One line -> a heading, label or paragraph item, split again at inline labels."""
    items: list[_Item] = []
    mark = marks.match_heading(text)
    if mark is not None:
        pieces = marks.split_at_inline_labels(mark.rest)
        if pieces and marks.match_label(pieces[0]) is None:
            mark.rest = pieces.pop(0)
        else:
            mark.rest = ""
        items.append(_Item("heading", line, text, source=text, mark=mark))
    else:
        pieces = marks.split_at_inline_labels(text)
    for piece in pieces:
        label = marks.match_label(piece)
        kind = "label" if label is not None else "para"
        items.append(_Item(kind, line, piece, source=text, first=not items, label=label))
    return items


def _prose(items: Iterable[_Item]) -> list[str]:
    """The printed lines of some items (lines split at inline labels are whole again)."""
    return [item.source or item.text for item in items if item.first]


# ----------------------------------------------------------------------------------------
# Frame: header and footer


@dataclass
class _Frame:
    title: str = ""
    issuer: str = ""
    header_date: datetime.date | None = None
    date: datetime.date | None = None
    date_line: int = 0
    signature: str = ""
    trailing: list[str] = field(default_factory=list)


def _read_header(lines: list[tuple[int, str]], frame: _Frame) -> int:
    """Consume the header lines; returns the index of the first body line."""
    index = 0
    pending: tuple[int, str] | None = None
    limit = min(len(lines), HEADER_LINES)
    while index < limit:
        _, text = lines[index]
        if marks.match_heading(text) or marks.match_label(text):
            break
        if facts.is_chrome(text):
            frame.header_date = frame.header_date or facts.chrome_date(text)
            index += 1
            if limit < min(len(lines), HEADER_LINES + HEADER_CHROME_LINES):
                limit += 1  # furniture does not use up the lines allowed for the title
            continue
        if facts.is_doc_number(text):
            index += 1
            continue
        date = facts.parse_date_line(text)
        if date is not None and frame.title:
            frame.header_date = frame.header_date or date
            index += 1
            continue
        if len(text) > 100 or text[-1] in "。；;，,：:！!？?":
            break
        candidate = facts.strip_bracket_prefix(text)
        if not frame.title and facts.looks_like_title(candidate) and len(candidate) <= 100:
            if pending is not None:
                prefix = pending[1]
                if prefix.endswith("文件"):
                    frame.issuer = prefix[:-2]
                else:
                    candidate = prefix + candidate
            frame.title = candidate
            pending = None
            index += 1
            continue
        if frame.title or pending is not None or facts.has_sentence_punct(text):
            break
        if len(candidate) <= 40:
            pending = (index, text)
            index += 1
            continue
        break
    if pending is not None:
        # A short first line not followed by a title: it is body text after all.
        return pending[0]
    return index


def _read_footer(lines: list[tuple[int, str]], start: int, frame: _Frame) -> int:
    """Find the date line and the signature at the end; returns the end of the body.

    Page furniture after the notice ("【打印本页】【关闭窗口】", "分享到：", "下一篇：…") is
    dropped first, so that the notice's own date and signature are found below it.
    """
    end = len(lines)
    while end > start and facts.is_footer_chrome(lines[end - 1][1]):
        end -= 1
    lowest = max(start, end - 6)
    for index in range(end - 1, lowest - 1, -1):
        number, text = lines[index]
        date = facts.parse_date_line(text)
        if date is None:
            continue
        frame.date = date
        frame.date_line = number
        frame.trailing = [t for _, t in lines[index + 1:end] if not facts.is_footer_chrome(t)]
        end = index
        if end > start:
            candidate = lines[end - 1][1]
            if (
                facts.looks_like_signature(candidate)
                and not marks.match_heading(candidate)
                and not marks.match_label(candidate)
                and not facts.is_closing_start(candidate)
                and not (len(candidate) <= 12 and canonical_status(candidate))
            ):
                frame.signature = candidate
                end -= 1
        return end
    # No date: a last short line naming an organisation is still a signature.
    if end > start:
        candidate = lines[end - 1][1]
        if (
            facts.looks_like_signature(candidate)
            and candidate.endswith(("党组", "党委", "委员会", "党支部", "党总支", "党工委"))
            and not marks.match_heading(candidate)
        ):
            frame.signature = candidate
            end -= 1
    return end


# ----------------------------------------------------------------------------------------
# Raw tree


FAMILY_PROBLEM = "problem"


def _is_problem_label(item: _Item) -> bool:
    return item.kind == "label" and item.label is not None and item.label.kind == "problem"


def _pseudo_heading(item: _Item) -> _Raw:
    """A problem statement ("问题：…", "存在问题：…") that opens a task of its own."""
    rest = item.label.rest if item.label else item.text
    heading = _Item(
        "heading", item.line, item.text, source=item.source, first=item.first,
        mark=marks.HeadingMark(FAMILY_PROBLEM, "", "", None, rest),
    )
    return _Raw(item=heading)


def _place_problem(item: _Item, path: list[_Raw]) -> None:
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
            pseudo = _pseudo_heading(item)
            path[-1].children.append(pseudo)
            path.append(pseudo)
        else:
            current.body.append(item)
        return
    if current.item is None or current.children:
        pseudo = _pseudo_heading(item)
        current.children.append(pseudo)
        path.append(pseudo)
        return
    if current.problem_at >= 0 and current.has_label:
        moved = current.body[current.problem_at:]
        del current.body[current.problem_at:]
        first = _pseudo_heading(moved[0])
        first.body = moved[1:]
        first.has_label = any(
            i.kind == "label" and not _is_problem_label(i) for i in first.body
        )
        current.has_label = any(
            i.kind == "label" and not _is_problem_label(i) for i in current.body
        )
        current.problem_at = -1
        second = _pseudo_heading(item)
        current.children.extend((first, second))
        path.append(second)
        return
    if current.problem_at < 0:
        current.problem_at = len(current.body)
    current.body.append(item)


def _build_raw_tree(items: list[_Item], ctx: _Context) -> _Raw:
    root = _Raw(item=None)
    path: list[_Raw] = [root]
    headings = 0
    for item in items:
        if _is_problem_label(item) and item.first:
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
            node = _Raw(item=item)
            path[-1].children.append(node)
            path.append(node)
            continue
        current = path[-1]
        if _is_problem_label(item) and current.problem_at < 0:
            current.problem_at = len(current.body)
        current.body.append(item)
        if item.kind == "label" and not _is_problem_label(item):
            current.has_label = True
    return root


def _subtree_has_label(raw: _Raw) -> bool:
    stack = [raw]
    while stack:
        node = stack.pop()
        if node.has_label or node.problem_at >= 0 or node.family == FAMILY_PROBLEM:
            return True
        stack.extend(node.children)
    return False


def _flatten_text(raw: _Raw, include_heading: bool = True) -> list[str]:
    out: list[str] = []
    stack: list[tuple[_Raw, bool]] = [(raw, include_heading)]
    while stack:
        node, with_heading = stack.pop()
        if with_heading and node.item is not None:
            out.append(node.item.text)
        out.extend(_prose(node.body))
        stack.extend((child, True) for child in reversed(node.children))
    return out


# ----------------------------------------------------------------------------------------
# Tasks


class _TaskReader:
    """Reads one task's body items into progress label, measures, outcome and result."""

    def __init__(self, node: ParsedNode, ctx: _Context) -> None:
        self.node = node
        self.ctx = ctx
        self.measures: list[ParsedMeasure] = []
        self.next_k = 1
        self.ordered = False  # measures carry printed ordinals
        self.pending: list[tuple[int, str]] = []
        self.outcome: list[str] = []
        self.post_result: list[tuple[int, str]] = []
        self.mode = "body"  # "body" | "outcome" | "after_result"
        self.problems: list[str] = []  # problem statements printed under the heading
        self.labelled = False  # a progress label introduced the measures

    # -- paragraphs -------------------------------------------------------------------

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
                    self._set_result(line, preamble)
                    self.mode = "body"
                    preamble = ""
                if preamble and parts:
                    parts[0] = preamble + parts[0]
                    self.ctx.doubt(
                        line, f"措施“一是”之前的引导语“{_excerpt(preamble)}”已并入第一条措施"
                    )
                self._add_measures(line, parts)
                return
            if self.outcome or _OUTCOME_START_RE.match(text):
                # "经过整改，……" before any measure: the task prints only its outcome.
                self.outcome.append(text)
                return
            self.measures.append(ParsedMeasure(text=text, line=line))
            return
        if (
            self.labelled and not self.ordered and not self.pending and not self.outcome
            and not _OUTCOME_START_RE.match(text)
        ):
            # After "整改进展情况：" measures printed one per paragraph without ordinals.
            self.measures.append(ParsedMeasure(text=text, line=line))
            self.ctx.separate_paragraphs += 1
            return
        self.pending.append((line, text))

    def numbered_measure(self, item: _Item) -> None:
        """A numbered line such as "（1）建立台账" inside a task: one measure."""
        if self.mode in ("outcome", "after_result"):
            self.paragraph(item.line, item.text)
            return
        self._flush_pending_into_measure()
        text = item.mark.rest if item.mark else item.text
        self.measures.append(ParsedMeasure(text=text or item.text, line=item.line))
        self.ordered = True
        self.ctx.separate_paragraphs += 1

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
                    intro.line, f"措施“一是”之前的引导语“{_excerpt(intro.text)}”已并入第一条措施"
                )
            self._add_measures(intro.line, parts, first_line=intro.line, rest_line=line)
            return
        self._flush_pending_into_measure()
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

    def _flush_pending_into_measure(self) -> None:
        if self.pending and self.measures:
            last = self.measures[-1]
            last.text = "\n".join([last.text, *(text for _, text in self.pending)])
        elif self.pending:
            self.outcome.extend(text for _, text in self.pending)
        self.pending = []

    # -- labels -----------------------------------------------------------------------

    def label(self, item: _Item, following: _Item | None) -> bool:
        """Handle a label line; returns True when ``following`` was consumed."""
        label = item.label
        assert label is not None
        content = label.rest
        consumed = False
        if label.kind in ("leader", "unit", "deadline", "problem"):
            if not content and following is not None and following.kind == "para":
                if label.kind == "problem" or len(following.text) <= 80:
                    content, consumed = following.text, True
            self._fact(item, label, content)
            return consumed
        if label.kind == "progress":
            if not content and following is not None and following.kind == "para":
                if is_status_phrase(following.text):
                    content, consumed = following.text, True
            if is_status_phrase(content):
                # "整改进展：已完成。": a label that may introduce measures carries the result.
                self._set_result(item.line, content)
                return consumed
            head, tail = _first_sentence(content)
            if tail and is_status_phrase(head):
                # "整改情况：已完成。一是……" / "整改进展：已完成。经过整改，……"
                self._set_result(item.line, head)
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
            if self._is_result_phrase(label.word, following.text):
                content, consumed = following.text, True
        if self._is_result_phrase(label.word, content):
            self._set_result(item.line, content)
            return consumed
        head, tail = _first_sentence(content)
        if tail and self._is_result_phrase(label.word, head):
            # "整改结果：已完成。通过整改，……": the status, then the outcome.
            self._set_result(item.line, head)
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
        self._end_measures()
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

    def _fact(self, item: _Item, label: marks.LabelMatch, content: str) -> None:
        """责任领导 / 责任单位 / 整改时限 / 问题: facts kept apart from measures and outcome."""
        node = self.node
        text = _SPACES_RE.sub(" ", content).strip().rstrip("。；;，,")
        if label.kind == "problem":
            if not text:
                return
            if self.measures or self.outcome or node.result:
                self.ctx.doubt(
                    item.line, f"问题描述“{_excerpt(text)}”出现在整改措施之后，已并入任务标题"
                )
            self.problems.append(content.strip())
            return
        if not text:
            return
        if label.kind == "leader":
            node.responsible_leader = _join_fact(node.responsible_leader, text)
            return
        if label.kind == "unit":
            if label.word.startswith("配合"):
                text = f"{label.word}：{text}"
            node.responsible_department = _join_fact(node.responsible_department, text)
            return
        node.deadline_text = _join_fact(node.deadline_text, text)
        deadline = parse_deadline(text, self.ctx.default_year, require_hint=False)
        if deadline is not None:
            node.deadline = node.deadline or deadline
        elif not is_open_ended_deadline(text):
            self.ctx.doubt(item.line, f"无法识别的整改时限“{_excerpt(text)}”，仅保留原文")

    @staticmethod
    def _is_result_phrase(word: str, content: str) -> bool:
        text = content.strip().rstrip(RESULT_TRAILING)
        if not text or len(text) > 40 or text.startswith("一是"):
            return False
        if "。" in text:
            return False
        if word == "整改结果":
            return True
        status = canonical_status(text)
        if word in ("完成情况", "整改完成情况"):
            return status is not None or len(text) <= 12
        return status is not None and len(text) <= 20

    def _set_result(self, line: int, content: str) -> None:
        text = content.strip().rstrip(RESULT_TRAILING)
        if self.node.result:
            self.ctx.doubt(line, f"任务已有整改结果“{self.node.result}”，重复的结果“{text}”未导入")
            return
        self._end_measures()
        self.node.result = text
        self.node.status = canonical_status(text)
        if self.node.status is None:
            self.ctx.doubt(
                line,
                f"整改结果“{text}”无法对应到标准状态（正在推进/已完成/已完成，长期坚持），"
                "请人工确认",
            )
        deadline = parse_deadline(text, self.ctx.default_year)
        if deadline is not None:
            self.node.deadline = deadline
        self.mode = "after_result"

    def _end_measures(self) -> None:
        if self.pending:
            self.outcome.extend(text for _, text in self.pending)
            self.pending = []

    # -- finish -----------------------------------------------------------------------

    def finish(self) -> tuple[list[tuple[int, str]], str]:
        """Store the collected parts on the node.

        Returns the paragraphs after the result and the problem statement printed under the
        heading (to be appended to the title once the title's own suffixes are read).
        """
        self._end_measures()
        self.node.measures = self.measures
        self.node.outcome = "\n".join(self.outcome)
        if self.problems:
            self.node.problem = _join_fact(self.node.problem, "\n".join(self.problems), "\n")
        return self.post_result, " ".join(self.problems)


def _join_fact(old: str, new: str, sep: str = "；") -> str:
    return f"{old}{sep}{new}" if old else new


def _with_statement(title: str, statement: str) -> str:
    """"关于“…”的问题" + "问题：具体表现…" -> "关于“…”的问题：具体表现…"."""
    title = title.strip()
    if not title:
        return statement
    if title[-1] in "。；;：:！!？?":
        return title + statement
    return f"{title}：{statement}"


def _is_statement(item: _Item) -> bool:
    return (
        item.kind == "para" and not item.as_measure
        and marks.measure_ordinal_at_start(item.text) is None
        and marks.find_subject_ordinal(item.text) < 0
        and not _OUTCOME_START_RE.match(item.text)
        and not is_status_phrase(item.text)
    )


def _first_sentence(text: str) -> tuple[str, str]:
    """Split after the first 。 or ；: ("已完成。", "通过整改，……")."""
    for index, char in enumerate(text[:60]):
        if char in "。；;":
            return text[: index + 1], text[index + 1:].strip()
    return text, ""


def _read_task(
    node: ParsedNode, body: list[_Item], ctx: _Context
) -> tuple[list[tuple[int, str]], str]:
    reader = _TaskReader(node, ctx)
    index = 0
    # "1.问题标题" / "具体表现……" / "整改措施：……": plain paragraphs before the first progress
    # label continue the problem statement (a result label alone does not mark this).
    first_label = next((i for i, item in enumerate(body) if item.kind == "label"), -1)
    if first_label > 0 and body[first_label].label.kind == "progress":
        while index < first_label and _is_statement(body[index]):
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



def split_measures(text: str) -> tuple[list[str], list[str]]:
    """Measures typed into one cell (the Excel ledger's 整改措施) back into their texts.

    The cell is read line by line as a task's body after its progress label is read here:
    "一是…二是…" inline or one per line, "1.…；2.…" inline, or one measure without an
    ordinal; a line without an ordinal continues the measure before it. Returns the measure
    texts (ordinals stripped) and the doubts (a skipped or repeated ordinal, text merged
    into the first measure), each naming its line in the cell.
    """
    ctx = _Context()
    reader = _TaskReader(ParsedNode(kind=TASK), ctx)
    for line, paragraph in _split_lines(text):
        reader.paragraph(line, paragraph)
    reader._flush_pending_into_measure()
    if reader.node.result:
        ctx.doubt(1, f"措施之前的“{_excerpt(reader.node.result)}”像是整改结果，不是措施")
    texts = [measure.text for measure in reader.measures]
    if reader.outcome:
        # Text before the first measure that reads like an outcome ("经过整改，…") is part
        # of the cell all the same: it opens the first measure, or is the only one.
        lead = "\n".join(reader.outcome)
        texts = [lead + ("\n" + texts[0] if texts else ""), *texts[1:]]
    return texts, [doubt.message for doubt in ctx.doubts]

# ----------------------------------------------------------------------------------------
# Nodes


def _strip_count(title: str) -> tuple[str, int | None]:
    tail_start = max(0, len(title) - 40)
    m = _COUNT_SUFFIX_RE.search(title, tail_start)
    if not m or m.start() == 0:
        return title, None
    raw = m.group("n1") or m.group("n2") or ""
    raw = marks.to_ascii_digits(raw)
    value = int(raw) if raw.isdigit() else facts._cn_or_int(raw)
    return title[: m.start()].strip(), value


def _make_node(raw: _Raw, kind: str) -> ParsedNode:
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


def _measure_like(raw: _Raw) -> bool:
    """Two or more bare numbered lines under a heading that is not a 一、…方面 category."""
    return (
        len(raw.children) >= 2 and raw.family != marks.FAMILY_CN_DUN
        and "方面" not in raw.title
        and all(not child.children and not child.body and child.title for child in raw.children)
    )


class _Builder:
    def __init__(self, ctx: _Context) -> None:
        self.ctx = ctx
        self.post_results: list[tuple[ParsedNode, list[tuple[int, str]]]] = []

    def convert(self, raws: list[_Raw], top: bool = True) -> list[ParsedNode]:
        nodes: list[ParsedNode] = []
        if not top and any(_measure_like(raw) for raw in raws) and not any(
            child.body or child.children for raw in raws for child in raw.children
        ):
            # "1.问题" followed only by bare "（1）…" "（2）…" lines: numbered measures.
            for raw in raws:
                if _measure_like(raw):
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

    def convert_one(self, raw: _Raw) -> ParsedNode:
        if raw.family == FAMILY_PROBLEM and not raw.title and raw.body:
            # "存在问题：" alone on its line: the statement is the next paragraph.
            first = raw.body[0]
            if first.kind == "para" and raw.item is not None and raw.item.mark is not None:
                raw.item.mark.rest = first.text
                raw.body = raw.body[1:]
        if raw.children:
            node = _make_node(raw, CATEGORY)
            node.title, node.stated_count = _strip_count(node.title)
            for item in raw.body:
                # Kept whole in the doubt (up to a limit), so that the text is not lost.
                text = item.text if len(item.text) <= 300 else item.text[:300] + "……"
                self.ctx.doubt(item.line, f"无法识别的段落，未导入：{text}")
            node.children = self.convert(raw.children, top=False)
            if not node.title:
                self.ctx.doubt(node.line, f"分类“{node.label}”没有标题")
            return node
        title, count = _strip_count(raw.title)
        if count is not None and not raw.body:
            node = _make_node(raw, CATEGORY)
            node.title, node.stated_count = title, count
            self.ctx.doubt(node.line, f"分类“{node.label}{title}”下没有任何整改任务")
            return node
        node = _make_node(raw, TASK)
        if raw.family == FAMILY_PROBLEM:
            node.problem = node.title
        if not node.title:
            self.ctx.doubt(node.line, f"编号“{node.label}”后没有问题标题")
        if not raw.body:
            self.ctx.doubt(node.line, f"标题“{_excerpt(node.label + node.title)}”下没有内容")
        post, statement = _read_task(node, raw.body, self.ctx)
        self.post_results.append((node, post))
        self._title_suffixes(node)
        if statement:
            node.title = _with_statement(node.title, statement)
        if raw.body and not node.measures and not node.outcome:
            self.ctx.doubt(
                node.line, f"任务“{_excerpt(node.label + node.title)}”没有识别出整改措施或成效"
            )
        return node

    def _title_suffixes(self, node: ParsedNode) -> None:
        """"1.关于……的问题（责任单位：办公室）（已完成）": facts and status after the title."""
        for _ in range(4):
            title = node.title
            m = _TITLE_FACT_RE.search(title, max(0, len(title) - 80))
            if m and m.start() > 0:
                pieces = marks.split_at_inline_labels(m.group(1))
                labels = [marks.match_label(piece) for piece in pieces]
                if labels and all(
                    label is not None and label.kind in ("leader", "unit", "deadline")
                    for label in labels
                ):
                    node.title = title[: m.start()].strip()
                    reader = _TaskReader(node, self.ctx)
                    for piece, label in zip(pieces, labels, strict=True):
                        reader._fact(_Item("label", node.line, piece), label, label.rest)
                    continue
            if not node.result:
                # "1.关于……的问题（已完成）": the status printed after the title.
                m = _TITLE_STATUS_RE.search(title, max(0, len(title) - 40))
                if m and m.start() > 0:
                    node.result = m.group(1).strip().rstrip(RESULT_TRAILING)
                    node.status = canonical_status(node.result)
                    node.deadline = node.deadline or parse_deadline(
                        node.result, self.ctx.default_year
                    )
                    node.title = title[: m.start()].strip()
                    continue
            break


# ----------------------------------------------------------------------------------------
# Numbering


_Flat = list[tuple[ParsedNode, int, "ParsedNode | None"]]


def _flatten(nodes: list[ParsedNode]) -> _Flat:
    """Every node with its depth (0 = top) and parent, depth first in document order."""
    out: _Flat = []
    stack: list[tuple[ParsedNode, int, ParsedNode | None]] = [
        (node, 0, None) for node in reversed(nodes)
    ]
    while stack:
        node, depth, parent = stack.pop()
        out.append((node, depth, parent))
        stack.extend((child, depth + 1, node) for child in reversed(node.children))
    return out


def _detect_style(flat: _Flat) -> str:
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


def _level_formats(flat: _Flat, style: str) -> list[str]:
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
    nodes: list[ParsedNode], style: str, ctx: _Context, top_offset: int = 0
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


# ----------------------------------------------------------------------------------------
# Entry point


def parse_notice(text: str) -> ParsedNotice:
    """Parse a notice's text. Never raises; problems become ``doubts``."""
    # The parse allocates many small acyclic objects; the cyclic collector would only rescan
    # them over and over (making big inputs superlinear), so it pauses meanwhile.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _parse(text)
    except Exception as exc:  # pragma: no cover - a last line of defence
        notice = ParsedNotice()
        notice.doubts.append(
            Doubt(line=1, message=f"第1行：解析时发生内部错误（{type(exc).__name__}），未导入")
        )
        return notice
    finally:
        if collecting:
            gc.enable()


def _parse(text: str) -> ParsedNotice:
    if not isinstance(text, str):
        text = str(text or "")
    ctx = _Context()
    notice = ParsedNotice()
    lines = _split_lines(text)
    if not lines:
        ctx.doubt(1, "通报内容为空，未识别到任何问题")
        notice.doubts = ctx.doubts
        return notice

    frame = _Frame()
    start = _read_header(lines, frame)
    end = _read_footer(lines, start, frame)
    notice.title = frame.title
    notice.issuer = frame.issuer or facts.issuer_from_title(frame.title) or frame.signature
    notice.date = frame.date or frame.header_date
    notice.signature = frame.signature
    if notice.date is not None:
        ctx.default_year = notice.date.year

    items: list[_Item] = []
    for number, line_text in lines[start:end]:
        items.extend(_tokenize(number, line_text))

    # The opening: everything before the first heading.
    first_heading = next((i for i, item in enumerate(items) if item.kind == "heading"), None)
    if first_heading is None:
        # No heading marks at all: problems printed as "问题1：…" lines still make a tree.
        first_heading = next(
            (i for i, item in enumerate(items) if _is_problem_label(item) and item.first), None
        )
    if first_heading is None:
        notice.opening = _prose(items)
        _finish_without_tree(notice, frame, ctx, items)
        return notice
    notice.opening = _prose(items[:first_heading])

    # The closing: from the first closing-style paragraph after the last heading. A list of
    # attachments at the end ("附件：1.问题清单") is closing text, not more problems.
    closing_start = _attachments_start(items, first_heading)
    last_heading = max(
        (
            i for i in range(first_heading, closing_start)
            if items[i].kind == "heading" or (_is_problem_label(items[i]) and items[i].first)
        ),
        default=first_heading,
    )
    for index in range(last_heading + 1, closing_start):
        item = items[index]
        if item.kind == "para" and facts.is_closing_start(item.text):
            closing_start = index
            break
    closing_parts = _prose(items[closing_start:])

    root = _build_raw_tree(items[first_heading:closing_start], ctx)
    overall_raw, wrapper, before_tree, after_tree = _classify_top(root.children)

    if overall_raw is not None:
        notice.overall_heading = overall_raw.item.text if overall_raw.item else ""
        notice.overall = _flatten_text(overall_raw, include_heading=False)
    for raw in before_tree:
        notice.overall.extend(_flatten_text(raw))
    trailing_text: list[str] = []
    for raw in after_tree:
        trailing_text.extend(_flatten_text(raw))
    excluded = {id(raw) for raw in (overall_raw, *before_tree, *after_tree) if raw is not None}
    if wrapper is not None:
        notice.problems_heading = wrapper.item.text if wrapper.item else ""
        notice.overall.extend(_prose(wrapper.body))
        excluded.add(id(wrapper))
        tree_raws = [
            *wrapper.children, *(raw for raw in root.children if id(raw) not in excluded),
        ]
    else:
        tree_raws = [raw for raw in root.children if id(raw) not in excluded]

    builder = _Builder(ctx)
    notice.nodes = builder.convert(tree_raws)
    # "一、整改工作总体情况" then "二、关于…方面": the categories go on counting after it.
    top_offset = 0
    if wrapper is None and tree_raws:
        family = tree_raws[0].family
        top_offset = sum(
            1 for raw in (overall_raw, *before_tree)
            if raw is not None and raw.family == family and raw.line < tree_raws[0].line
        )

    # Paragraphs after the last task's result: the closing, unless the notice prints
    # outcomes after results everywhere.
    with_post = [(node, post) for node, post in builder.post_results if post]
    others_have_post = any(node is not builder.post_results[-1][0] for node, _ in with_post)
    for node, post in with_post:
        if node is builder.post_results[-1][0] and not others_have_post:
            trailing_text = [text for _, text in post] + trailing_text
        else:
            extra = "\n".join(text for _, text in post)
            node.outcome = f"{node.outcome}\n{extra}" if node.outcome else extra

    notice.closing = "\n".join([*trailing_text, *closing_parts, *frame.trailing])
    notice.contacts = facts.extract_contacts(notice.closing)

    _finish_tree(notice, ctx, top_offset)
    _round_facts(notice, ctx)
    _stated_counts(notice, ctx, items[:first_heading], overall_raw, wrapper)
    notice.doubts = sorted(ctx.doubts, key=lambda d: d.line)
    if ctx.suppressed:
        last = notice.doubts[-1].line if notice.doubts else 1
        notice.doubts.append(
            Doubt(line=last, message=f"另有{ctx.suppressed}处疑点未逐一列出（疑点过多）")
        )
    return notice


_ATTACHMENT_RE = re.compile(
    r"^附\s{0,2}件\s{0,2}[0-9０-９一二三四五六七八九十]{0,2}\s{0,2}(?:[:：]|$)"
)
#: Lines examined from the end for a list of attachments, and the longest such line.
ATTACHMENT_LINES = 30
ATTACHMENT_LINE_MAX = 80


def _attachments_start(items: list[_Item], first_heading: int) -> int:
    """Index of "附件：" when only a short list of attachments follows it, else len(items)."""
    lowest = max(first_heading + 1, len(items) - ATTACHMENT_LINES)
    for index in range(len(items) - 1, lowest - 1, -1):
        item = items[index]
        if len(item.source or item.text) > ATTACHMENT_LINE_MAX:
            break
        if item.kind == "para" and item.first and _ATTACHMENT_RE.match(item.text):
            return index
    return len(items)


def _classify_top(
    roots: list[_Raw],
) -> tuple[_Raw | None, _Raw | None, list[_Raw], list[_Raw]]:
    """Pick the overall section, the wrapping problems heading and the prose around them.

    With a wrapping heading (``二、巡察反馈问题整改情况``) the unlabelled top-level sections
    before it are the overall section (the first one gives ``overall_heading``) and those
    after it are the closing. Without one, a first section that is prose only is the overall
    section when its title reads like one or when the other sections carry labels, and a
    run of prose sections titled like plans (``下一步工作打算``) at the end is the closing.
    """
    if not roots:
        return None, None, [], []
    labelled = {id(raw) for raw in roots if _subtree_has_label(raw)}
    wrapper = _find_wrapper(roots, labelled)
    if wrapper is not None:
        index = next(i for i, raw in enumerate(roots) if raw is wrapper)
        prose_before = [raw for raw in roots[:index] if id(raw) not in labelled]
        overall = None
        if prose_before and prose_before[0] is roots[0]:
            overall = prose_before.pop(0)
        after = [raw for raw in roots[index + 1:] if id(raw) not in labelled]
        return overall, wrapper, prose_before, after
    overall = None
    first = roots[0]
    if len(roots) > 1 and id(first) not in labelled and _reads_like_overall(first.title):
        if _OVERALL_TITLE_RE.search(first.title) or (
            any(id(raw) in labelled for raw in roots[1:])
            and not any(child.children for child in first.children)
        ):
            overall = first
    rest = roots[1:] if overall is not None else list(roots)
    cut = len(rest)
    while (
        cut > 1 and id(rest[cut - 1]) not in labelled
        and _TRAILING_TITLE_RE.search(rest[cut - 1].title)
        and not _CATEGORY_HINT_RE.search(rest[cut - 1].title)
        and not _PROBLEM_WORDS_RE.search(rest[cut - 1].title)
    ):
        cut -= 1
    return overall, None, [], rest[cut:]


def _reads_like_overall(title: str) -> bool:
    return (
        len(title) <= 30
        and not _CATEGORY_HINT_RE.search(title)
        and not _PROBLEM_WORDS_RE.search(title)
    )


def _find_wrapper(roots: list[_Raw], labelled: set[int]) -> _Raw | None:
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
        candidates.sort(key=lambda raw: (id(raw) in labelled, _size(raw)), reverse=True)
    candidate = candidates[0]
    if any(id(raw) in labelled for raw in roots if raw is not candidate):
        return None  # labelled categories beside it: the heading is a category itself
    if len(roots) == 1 and id(candidate) not in labelled:
        return None
    return candidate


def _size(raw: _Raw) -> int:
    count = 0
    stack = [raw]
    while stack:
        node = stack.pop()
        count += 1 + len(node.body)
        stack.extend(node.children)
    return count


def _finish_without_tree(
    notice: ParsedNotice, frame: _Frame, ctx: _Context, items: list[_Item]
) -> None:
    line = items[0].line if items else (frame.date_line or 1)
    ctx.doubt(
        line,
        "未识别到问题清单：没有找到带编号（如“一、”“(一)”“1.”）的问题标题，未导入任何整改任务",
    )
    closing_index = next(
        (i for i, item in enumerate(items) if item.kind == "para" and facts.is_closing_start(
            item.text)),
        None,
    )
    if closing_index is not None and closing_index > 0:
        notice.opening = _prose(items[:closing_index])
        notice.closing = "\n".join([*_prose(items[closing_index:]), *frame.trailing])
    else:
        notice.closing = "\n".join(frame.trailing)
    notice.contacts = facts.extract_contacts(notice.closing)
    _round_facts(notice, ctx)
    notice.doubts = ctx.doubts


def _finish_tree(notice: ParsedNotice, ctx: _Context, top_offset: int = 0) -> None:
    nodes = notice.nodes
    flat = _flatten(nodes)
    tasks = [node for node, _, _ in flat if node.is_task]
    if not tasks:
        ctx.doubt(nodes[0].line if nodes else 1, "未识别到任何整改任务")
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

    # Stated counts ("，共4项整改任务") against the tasks found, counted bottom-up.
    below: dict[int, int] = {}
    for node, _, parent in reversed(flat):
        count = 1 if node.is_task else below.get(id(node), 0)
        if parent is not None:
            below[id(parent)] = below.get(id(parent), 0) + count
    for node, _, _ in flat:
        if node.is_task or node.stated_count is None:
            continue
        notice.show_task_counts = True
        actual = below.get(id(node), 0)
        if actual != node.stated_count:
            ctx.doubt(
                node.line,
                f"标题注明共{node.stated_count}项整改任务，实际识别到{actual}项",
            )

    # Missing results when most tasks print one.
    with_result = sum(1 for task in tasks if task.result)
    if tasks and with_result * 2 >= len(tasks) and with_result < len(tasks):
        for task in tasks:
            if not task.result:
                ctx.doubt(task.line, f"任务“{_excerpt(task.label + task.title)}”缺少整改结果")
    notice.measures_inline = ctx.inline_paragraphs > ctx.separate_paragraphs


def _stated_counts(
    notice: ParsedNotice, ctx: _Context, opening: list[_Item], overall: _Raw | None,
    wrapper: _Raw | None,
) -> None:
    """Counts the notice states about itself, checked against the tree (doubts if not)."""
    candidates: list[_Item] = [item for item in opening if item.first]
    if overall is not None:
        stack = [overall]
        while stack and len(candidates) < STATED_COUNT_ITEMS:
            raw = stack.pop()
            if raw.item is not None:
                candidates.append(raw.item)
            candidates.extend(item for item in raw.body if item.first)
            stack.extend(reversed(raw.children))
    if wrapper is not None:
        candidates.extend(item for item in wrapper.body if item.first)
    for item in candidates[:STATED_COUNT_ITEMS]:
        counts = facts.extract_stated_counts((item.source or item.text)[:STATED_COUNT_CHARS])
        if "problems" in counts:
            break
    else:
        return
    notice.stated_counts = counts
    tasks = notice.tasks
    if not tasks:
        return
    line = item.line
    if counts["problems"] != len(tasks):
        ctx.doubt(
            line,
            f"通报称反馈问题{counts['problems']}个，实际识别到{len(tasks)}项整改任务，请核对",
        )
    top_categories = [node for node in notice.nodes if not node.is_task]
    if "aspects" in counts and top_categories and len(top_categories) == len(notice.nodes):
        if counts["aspects"] != len(top_categories):
            ctx.doubt(
                line,
                f"通报称反馈问题涉及{counts['aspects']}个方面，实际识别到{len(top_categories)}个一级分类，"
                "请核对",
            )
    if all(task.status for task in tasks) and (
        "completed" in counts or "in_progress" in counts
    ):
        done = sum(1 for task in tasks if task.status != IN_PROGRESS)
        going = len(tasks) - done
        if counts.get("completed", done) != done or counts.get("in_progress", going) != going:
            stated = "、".join(
                f"{word}{counts[key]}个"
                for key, word in (("completed", "已完成"), ("in_progress", "正在推进"))
                if key in counts
            )
            ctx.doubt(
                line,
                f"通报称{stated}，与各任务的整改结果（已完成{done}个、正在推进{going}个）"
                "不一致，请核对",
            )


def _round_facts(notice: ParsedNotice, ctx: _Context) -> None:
    source = "\n".join([notice.title, *notice.opening])
    if len(source) < facts.FACTS_WINDOW:
        source = "\n".join([source, *notice.overall[:5]])
    notice.round = facts.extract_round_facts(source, ctx.default_year)
