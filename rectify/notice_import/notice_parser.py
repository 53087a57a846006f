"""Parse the text of a published rectification notice (整改通报) into a :class:`ParsedNotice`.

The parser never raises: whatever it cannot place becomes a :class:`Doubt` with a line number
and a Chinese message. It works in passes that are each linear in the size of the text; each
pass is a module of this package, whose docstring says how it decides:

1. *Lines* (:mod:`~rectify.notice_import.line_kinds`): split, strip ``[bookmark: …]``
   leftovers, odd spaces and whitespace, drop empty lines.
2. *Frame* (:mod:`~rectify.notice_import.notice_frame`): the header (page furniture, title,
   document number, issuer), and from the end page furniture, the date line and the
   signature.
3. *Items* (:mod:`~rectify.notice_import.line_kinds`): each body line becomes a heading, a
   label line or a paragraph; a line is split again before inline labels.
4. *Raw tree* (:mod:`~rectify.notice_import.heading_tree`): heading marks grouped by family
   into a tree; problem statements printed without marks ("问题1：…", "问题：" with the
   statement on the next line) open tasks of their own, 问题N being the task's label;
   measures numbered with the task's own marks after "整改措施：" stay in the task.
5. *Sections* (:mod:`~rectify.notice_import.top_sections`): the closing paragraph(s)
   ("欢迎…监督", contacts, "特此通报", a list of attachments), the overall section, the
   wrapping problems heading (followed inward when it wraps another) and the prose sections
   after the tree. Unlabelled sections before the problems are judged by
   :mod:`~rectify.notice_import.section_kinds`: organisational ones (整改工作组织情况, run-in
   work steps "1.强化组织领导。成立……") are overall text, unclear ones too with a doubt.
6. *Nodes* (:mod:`~rectify.notice_import.node_builder`): plain problem statements under a
   heading become its tasks (:mod:`~rectify.notice_import.unnumbered_problems`); a node with
   child headings is a category, a leaf is a task; each task's body
   (:mod:`~rectify.notice_import.task_body`) is read into problem statement, progress label,
   measures and outcome (:mod:`~rectify.notice_import.measure_split`), result and status
   (:mod:`~rectify.notice_import.result_lines`: labels, and a status sentence ending the
   prose, "目前该问题已完成整改。") and facts (:mod:`~rectify.notice_import.task_facts`).
7. *Numbers* (:mod:`~rectify.notice_import.numbering_checks`): continuous or nested style,
   derived numbers, doubts for labels that disagree; then the counts the notice states about
   itself ("反馈问题10个", "37项整改任务") and missing results
   (:mod:`~rectify.notice_import.count_checks`), each task's outcome figures
   ("建立完善制度12项", :mod:`~rectify.notice_import.figure_phrases`; unsure ones become
   doubts), and the round's facts (:mod:`~rectify.notice_import.notice_facts`).

The preview's choice of staff (``kinds``: a heading read as a task, a category or overall
text, :mod:`~rectify.notice_import.node_kinds`) is applied in passes 5 and 6, so that the
preview and the import read the same tree.

Doubts shared by the passes go through :class:`~rectify.notice_import.parse_context.
ParseContext`; this module runs the passes in order and assembles the notice: the opening
(before the first heading), the overall section, the tree, the closing (paragraphs after the
last task's result belong to it, unless every task prints an outcome after its result).

Known limits
------------
What the parser cannot place it reports, and leaves to a person:

  * Label numbers that repeat, skip or go backwards; measure ordinals that skip or restart;
    a second result (not imported); a stray mark with neither title nor content (not
    imported); a heading without content; a category without tasks; stated counts ("共3项",
    "巡察反馈的3个方面9个问题，已完成整改7个", "反馈问题8个", "梳理形成37项整改任务") that
    disagree with the tree; missing results when most tasks print one; paragraphs that cannot
    be placed (quoted whole, up to 300 characters, not imported); results that map to no
    canonical status; deadlines it cannot read (the text is kept).
  * An unlabelled section before the problems that neither states a problem nor reads as the
    organisation of the rectification is kept as overall text with a doubt (not imported as
    tasks): staff read it as a task or a category in the preview if it is one.
  * A notice without any heading mark or problem label gives no tree (one doubt, no tasks).
  * Everything is decided from printed structure and wording (lists of words per decision,
    in the passes' modules): a notice worded unlike these lists may be read wrongly without a
    doubt, e.g. an organisational step that states a problem in its own words ("3.问题整改
    不到位的，约谈责任人。") read as a problem, a problem printed as a run-in work step
    ("1.强化监管。对……") read as overall text, or an outcome paragraph that does not open
    like one (经过整改/通过整改/目前 …) read as a measure.
  * Measures numbered with the task's own marks are recognised only right after a progress
    label with nothing after it ("整改措施：" then "1." "2."), and end at the next label or
    a number out of sequence; a next task numbered like the next measure ("1.措施" then
    "2.下一个问题" without a label between) is read as a measure.
  * Problems printed without marks under a heading are recognised when each is followed by
    its own progress label (repeated) or result; several statement paragraphs before the
    first label are one problem.
  * A status in prose is read only from the last sentence of a task's text (or its last
    clause when it names its subject: "目前该问题已完成整改"); a status printed in the middle
    of the measures is not.
  * At most :data:`~rectify.notice_import.parse_context.MAX_DOUBTS` doubts are listed (the
    rest are counted in one last doubt), and headings beyond
    :data:`~rectify.notice_import.heading_tree.MAX_HEADINGS` are read as paragraphs.
"""

from __future__ import annotations

import gc

from rectify.notice_import import notice_facts as facts
from rectify.notice_import.count_checks import (
    check_category_counts,
    check_missing_results,
    check_stated_counts,
)
from rectify.notice_import.figure_phrases import read_task_figures
from rectify.notice_import.heading_tree import build_raw_tree, flatten_text
from rectify.notice_import.line_kinds import (
    LineItem,
    is_problem_label,
    prose,
    split_lines,
    tokenize,
)
from rectify.notice_import.node_builder import NodeBuilder, shape_tree
from rectify.notice_import.node_kinds import (
    clean_kinds,
    lift_into_tree,
    set_aside,
    take_out_overall,
)
from rectify.notice_import.notice_frame import NoticeFrame, read_footer, read_header
from rectify.notice_import.numbering_checks import flatten, number_nodes
from rectify.notice_import.parse_context import ParseContext, excerpt
from rectify.notice_import.parsed_notice import Doubt, ParsedNotice
from rectify.notice_import.top_sections import classify_top, closing_start

__all__ = ["parse_notice"]


def parse_notice(text: str, kinds: dict | None = None) -> ParsedNotice:
    """Parse a notice's text. Never raises; problems become ``doubts``.

    ``kinds`` is the preview's choice, ``{line: "task"|"category"|"overall"}``: the heading
    printed on that line is read so (:mod:`~rectify.notice_import.node_kinds`).
    """
    # The parse allocates many small acyclic objects; the cyclic collector would only rescan
    # them over and over (making big inputs superlinear), so it pauses meanwhile.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _parse(text, clean_kinds(kinds))
    except Exception as exc:  # pragma: no cover - a last line of defence
        notice = ParsedNotice()
        notice.doubts.append(
            Doubt(line=1, message=f"第1行：解析时发生内部错误（{type(exc).__name__}），未导入")
        )
        return notice
    finally:
        if collecting:
            gc.enable()


def _parse(text: str, kinds: dict[int, str]) -> ParsedNotice:
    if not isinstance(text, str):
        text = str(text or "")
    ctx = ParseContext()
    notice = ParsedNotice(kinds=dict(kinds))
    lines = split_lines(text)
    if not lines:
        ctx.doubt(1, "通报内容为空，未识别到任何问题")
        notice.doubts = ctx.doubts
        return notice

    frame = NoticeFrame()
    start = read_header(lines, frame)
    end = read_footer(lines, start, frame)
    notice.title = frame.title
    notice.issuer = frame.issuer or facts.issuer_from_title(frame.title) or frame.signature
    notice.date = frame.date or frame.header_date
    notice.signature = frame.signature
    if notice.date is not None:
        ctx.default_year = notice.date.year

    items: list[LineItem] = []
    for number, line_text in lines[start:end]:
        items.extend(tokenize(number, line_text))

    # The opening: everything before the first heading.
    first_heading = next((i for i, item in enumerate(items) if item.kind == "heading"), None)
    if first_heading is None:
        # No heading marks at all: problems printed as "问题1：…" lines still make a tree.
        first_heading = next(
            (i for i, item in enumerate(items) if is_problem_label(item) and item.first), None
        )
    if first_heading is None:
        notice.opening = prose(items)
        _finish_without_tree(notice, frame, ctx, items)
        return notice
    notice.opening = prose(items[:first_heading])

    closing_at = closing_start(items, first_heading)
    closing_parts = prose(items[closing_at:])

    root = build_raw_tree(items[first_heading:closing_at], ctx)
    top = classify_top(root.children, kinds)
    tree_raws = top.tree
    overall_raws = [raw for raw in (top.overall, *top.before) if raw is not None]
    lifted = lift_into_tree(overall_raws, kinds)
    if lifted:
        tree_raws = [*lifted, *tree_raws]
    shape_tree(tree_raws, kinds)
    tree_raws, taken = take_out_overall(tree_raws, kinds)

    # The overall text in document order: the overall section, sections before the tree,
    # the bodies of the wrapping headings, headings chosen as overall text.
    chunks: list[tuple[int, list[str]]] = []
    if top.overall is not None:
        notice.overall_heading = top.overall.item.text if top.overall.item else ""
        chunks.append((top.overall.line, flatten_text(top.overall, include_heading=False)))
    for outer in top.outer:
        if not notice.overall_heading and outer.item is not None:
            notice.overall_heading = outer.item.text
            chunks.append((outer.line, prose(outer.body)))
        else:
            chunks.append((outer.line, [outer.item.text, *prose(outer.body)]))
    chunks.extend((raw.line, flatten_text(raw)) for raw in (*top.before, *taken))
    if top.wrapper is not None:
        notice.problems_heading = top.wrapper.item.text if top.wrapper.item else ""
        chunks.append((top.wrapper.line, prose(top.wrapper.body)))
    for _, lines in sorted(chunks, key=lambda chunk: chunk[0]):
        notice.overall.extend(lines)
    unclear = {id(raw) for raw in top.unclear}
    for raw in top.unclear:
        ctx.doubt(
            raw.line,
            f"无法确定“{excerpt(raw.item.text if raw.item else raw.title)}”是反映的问题还是"
            "整改工作的组织情况，已作为整改工作情况，未导入为整改任务；如是问题，请在预览中改为任务",
        )
    notice.set_aside = set_aside([*overall_raws, *taken], unclear)
    trailing_text: list[str] = []
    for raw in top.after:
        trailing_text.extend(flatten_text(raw))

    builder = NodeBuilder(ctx, kinds)
    notice.nodes = builder.convert(tree_raws)
    # "一、整改工作总体情况" then "二、关于…方面": the categories go on counting after it.
    top_offset = 0
    if top.wrapper is None and tree_raws:
        family = tree_raws[0].family
        top_offset = sum(
            1 for raw in overall_raws
            if raw.family == family and raw.line < tree_raws[0].line
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
    check_stated_counts(
        notice, ctx, items[:first_heading],
        top.overall or (top.outer[0] if top.outer else None), top.wrapper,
    )
    notice.doubts = sorted(ctx.doubts, key=lambda d: d.line)
    if ctx.suppressed:
        last = notice.doubts[-1].line if notice.doubts else 1
        notice.doubts.append(
            Doubt(line=last, message=f"另有{ctx.suppressed}处疑点未逐一列出（疑点过多）")
        )
    return notice


def _finish_without_tree(
    notice: ParsedNotice, frame: NoticeFrame, ctx: ParseContext, items: list[LineItem]
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
        notice.opening = prose(items[:closing_index])
        notice.closing = "\n".join([*prose(items[closing_index:]), *frame.trailing])
    else:
        notice.closing = "\n".join(frame.trailing)
    notice.contacts = facts.extract_contacts(notice.closing)
    _round_facts(notice, ctx)
    notice.doubts = ctx.doubts


def _finish_tree(notice: ParsedNotice, ctx: ParseContext, top_offset: int = 0) -> None:
    """Numbers and the checks on the whole tree; how the measures are printed."""
    flat = flatten(notice.nodes)
    tasks = [node for node, _, _ in flat if node.is_task]
    if not tasks:
        ctx.doubt(notice.nodes[0].line if notice.nodes else 1, "未识别到任何整改任务")
    number_nodes(notice, flat, tasks, ctx, top_offset)
    check_category_counts(notice, flat, ctx)
    check_missing_results(tasks, ctx)
    read_task_figures(tasks, ctx)
    notice.measures_inline = ctx.inline_paragraphs > ctx.separate_paragraphs


def _round_facts(notice: ParsedNotice, ctx: ParseContext) -> None:
    source = "\n".join([notice.title, *notice.opening])
    if len(source) < facts.FACTS_WINDOW:
        source = "\n".join([source, *notice.overall[:5]])
    notice.round = facts.extract_round_facts(source, ctx.default_year)
