"""The rectification report (整改情况报告) of a round, to the inspection body, as a 公文.

``build_report(round)`` reads the round's records as they are now and returns a
``gongwen.Document`` (rendered by ``gongwen_docx.render_docx``):

* the title "中共××党组关于<round>巡察整改情况的报告" and an opening from the round's dates;
* 一、整改工作开展情况: the feedback date, the report's due date and the end of concentrated
  rectification (the round's milestones, ``rectify.rules.due_dates``); the number of areas,
  tasks and measures; the counts of the statistics service (completed, of which long-term,
  in progress, completion and on-time rates, overdue, signed off, approved extensions,
  awaiting review) and the sums of the outcome figures, worded as the notices' summary words
  them (``rectify.services.notice_summary``); then the overall paragraphs of the round's
  newest notice that has some (an imported notice's 整体推进情况);
* 二、反馈问题整改落实情况: the problem tree in print order with its derived numbers,
  categories as headings, each task with labelled paragraphs — 整改措施, 责任领导, 责任科室,
  责任单位 (of its measures, where given), 整改时限, 整改进展, 完成情况, 整改成效;
* 三、下一步工作打算: the round's ``next_steps``, or a placeholder saying where to write it;
* the party group as issuer, and today's date.

Always in Chinese, the language of the document (as the published notices are). A fixed number
of queries whatever the size of the round: :data:`QUERIES`.
"""

from __future__ import annotations

import datetime

from django.utils import translation
from django.utils.translation import gettext as _

from rectify.documents import round_records
from rectify.documents.gongwen import (
    Document,
    Heading,
    Paragraph,
    Signature,
    Title,
    cn_date,
)
from rectify.documents.round_records import RoundRecords
from rectify.models import Notice, RectificationTask
from rectify.models.choices import Status
from rectify.rules import due_dates
from rectify.rules.numbering import measure_label
from rectify.rules.problem_tree import TreeNode
from rectify.rules.status_wording import fold
from rectify.services import notice_summary, statistics

CHINESE = "zh-hans"
#: Queries of :func:`build_report`: the round's records, the statistics (without the
#: breakdown by category) and the newest notice with overall paragraphs.
QUERIES = round_records.QUERIES + statistics.QUERIES - 1 + 1


def report_title(rnd) -> str:
    """"中共许昌市教育局党组关于市委第三巡察组常规巡察整改情况的报告"."""
    subject = round_records.round_subject(rnd)
    if not subject.endswith((_("巡察"), _("巡视"))):
        subject += _("巡察")
    return _("{issuer}关于{subject}整改情况的报告").format(
        issuer=round_records.issuer(rnd), subject=subject)


def report_filename(rnd) -> str:
    """"整改情况报告-许昌市教育局-市委第三巡察组常规巡察.docx" (in Chinese, as the report)."""
    with translation.override(CHINESE):
        return _("整改情况报告-{round}.docx").format(round=round_records.file_label(rnd))


def build_report(round_, *, today: datetime.date | None = None,
                 next_steps_url: str = "") -> Document:
    """The report of ``round_`` (an ``InspectionRound`` or its id) from its records as they
    are now. ``next_steps_url``: where the 下一步工作打算 is written, named by the placeholder
    while it is empty."""
    with translation.override(CHINESE):
        records = round_records.read_round(round_, today)
        rnd = records.round
        tasks = RectificationTask.objects.filter(round_id=rnd.pk)
        counts = statistics.compute(tasks, records.today, categories=False).total
        title = report_title(rnd)
        blocks: list = [Title(title)]
        blocks += _opening(rnd)
        blocks.append(Heading(1, _("一、整改工作开展情况")))
        blocks += _overall(records, counts)
        blocks.append(Heading(1, _("二、反馈问题整改落实情况")))
        blocks += _problems(records)
        blocks.append(Heading(1, _("三、下一步工作打算")))
        blocks += _next_steps(rnd, next_steps_url)
        blocks.append(Signature(round_records.issuer(rnd), records.today))
        return Document(blocks, landscape=False, title=title)


# -- the opening and 一、 --------------------------------------------------------------------


def _opening(rnd) -> list[Paragraph]:
    """What the round was, from its dates: who inspected whom, when, and the feedback."""
    group, body = rnd.party_group.name, rnd.inspecting_body or _("巡察组")
    kind = rnd.kind or _("巡察")
    sentences = []
    if rnd.inspection_start and rnd.inspection_end:
        sentences.append(_("{start}至{end}，{body}对{group}开展了{kind}。").format(
            start=cn_date(rnd.inspection_start), end=cn_date(rnd.inspection_end), body=body,
            group=group, kind=kind))
    if rnd.feedback_date:
        sentences.append(_("{date}，{body}向{group}反馈了巡察意见。").format(
            date=cn_date(rnd.feedback_date), body=body, group=group))
    sentences.append(_("现将整改情况报告如下。"))
    return [Paragraph("".join(sentences))]


def _overall(records: RoundRecords, counts: statistics.Counts) -> list[Paragraph]:
    rnd = records.round
    paragraphs = [Paragraph(_timetable(rnd, records.today))]
    if not counts.tasks:
        paragraphs.append(Paragraph(_("本轮巡察尚无整改任务记录。")))
    else:
        scope = _("巡察反馈问题共{tasks}项整改任务，制定整改措施{measures}条。").format(
            tasks=counts.tasks, measures=records.measure_count)
        if records.areas:
            scope = _("巡察反馈问题涉及{areas}个方面、{tasks}项整改任务，制定整改措施{measures}"
                      "条。").format(areas=records.areas, tasks=counts.tasks,
                                   measures=records.measure_count)
        paragraphs.append(Paragraph(scope))
        paragraphs.append(Paragraph(_progress(records, counts)))
    figures = notice_summary.figures_text(counts.figures)
    if figures:
        paragraphs.append(Paragraph(figures, label=_("整改成效：")))
    notice = (Notice.objects.filter(round_id=rnd.pk).exclude(overall="")
              .order_by("-date", "-pk").first())
    if notice is not None:
        paragraphs += [Paragraph(text) for text in notice.overall_paragraphs]
    return paragraphs


def _timetable(rnd, today: datetime.date) -> str:
    """The feedback, the report's due date and the end of concentrated rectification, as the
    round's milestones say them."""
    points = {point.label: point for point in due_dates.milestones(
        rnd, today, final_published=getattr(rnd, "final_published", False))}
    feedback = points.get(str(_("巡察反馈")))
    report = points.get(str(_("报送整改情况报告")))
    end = points.get(str(_("集中整改结束")))
    parts = []
    if feedback:
        parts.append(_("巡察反馈日期为{date}").format(date=cn_date(feedback.date)))
    if report:
        parts.append(_("整改情况报告应于{date}前报送").format(date=cn_date(report.date)))
    if end:
        months = rnd.rectification_months if not rnd.rectification_end else None
        text = _("集中整改期至{date}").format(date=cn_date(end.date))
        if months:
            text += _("（{months}个月）").format(months=months)
        parts.append(text)
    else:
        parts.append(_("本轮尚未设定集中整改结束日期"))
    return "，".join(parts) + "。"


def _progress(records: RoundRecords, counts: statistics.Counts) -> str:
    longterm = sum(1 for node in records.tasks()
                   if node.obj.status == Status.COMPLETED_LONGTERM)
    text = _("截至{today}，已完成{completed}项").format(
        today=cn_date(records.today), completed=counts.completed)
    if longterm:
        text += _("（其中已完成、长期坚持{n}项）").format(n=longterm)
    text += _("，正在推进{in_progress}项，完成率{rate}；按期完成{on_time}项；逾期未完成"
              "{overdue}项；已销号{signed_off}项；经批准延期{extended}项；待审核{awaiting}项。"
              ).format(in_progress=counts.in_progress,
                       rate=notice_summary.rate_text(counts.completion_rate),
                       on_time=counts.on_time, overdue=counts.overdue,
                       signed_off=counts.signed_off, extended=counts.extended,
                       awaiting=counts.awaiting_review)
    return text


# -- 二、 the problems ------------------------------------------------------------------------


def _problems(records: RoundRecords) -> list:
    blocks: list = []
    for node in records.nodes():
        blocks.append(Heading(node.depth + 1, f"{node.number}{node.obj.title}"))
        if node.is_task:
            blocks += task_paragraphs(records, node)
    if not blocks:
        blocks.append(Paragraph(_("本轮巡察尚无整改任务记录。")))
    return blocks


def not_filled() -> str:
    return _("（未填写）")


def _lines(text: str) -> list[str]:
    return Notice.paragraphs(text)


def _labelled(label: str, lines: list[str]) -> list[Paragraph]:
    """The first line after the label, each further line a paragraph of its own."""
    if not lines:
        return [Paragraph(not_filled(), label=label)]
    return [Paragraph(lines[0], label=label), *(Paragraph(line) for line in lines[1:])]


def task_paragraphs(records: RoundRecords, node: TreeNode) -> list[Paragraph]:
    """The labelled paragraphs of one task, from its record."""
    task, rnd = node.obj, records.round
    measures = records.measures_of(node)
    texts = [measure_label(index, len(measures)) + line.text
             for index, line in enumerate(measures, 1)]
    if rnd.measures_inline and texts:
        texts = ["".join(texts)]
    paragraphs = _labelled(_("整改措施："), texts)
    paragraphs.append(Paragraph(task.responsible_leader or not_filled(), label=_("责任领导：")))
    paragraphs.append(Paragraph(task.responsible_department or not_filled(),
                                label=_("责任科室：")))
    units = list(dict.fromkeys(line.responsible_unit for line in measures
                               if line.responsible_unit))
    if units:
        paragraphs.append(Paragraph("、".join(units), label=_("责任单位：")))
    paragraphs.append(Paragraph(deadline_text(task, rnd), label=_("整改时限：")))
    paragraphs += _labelled(_("整改进展："), _lines(task.progress))
    paragraphs.append(Paragraph(completion_text(task, rnd), label=_("完成情况：")))
    outcome = _lines(task.outcome)
    figures = notice_summary.figures_text(records.figures_of(node))
    if figures:
        outcome.append(figures)
    if outcome:
        paragraphs += _labelled(_("整改成效："), outcome)
    return paragraphs


def deadline_text(task, rnd) -> str:
    """The task's time limit: its own, else the end of concentrated rectification; an
    approved extension and an overdue task said so in brackets."""
    notes = []
    if task.deadline:
        text = cn_date(task.deadline)
    elif rnd.rectification_end_date:
        text = cn_date(rnd.rectification_end_date)
        notes.append(_("随集中整改期"))
    else:
        text = _("未设定")
    if task.extended_deadline:
        notes.append(_("经批准延期至{date}").format(date=cn_date(task.extended_deadline)))
    if getattr(task, "is_overdue", False):
        notes.append(_("已逾期"))
    return text + (_("（{notes}）").format(notes="；".join(notes)) if notes else "")


def completion_text(task, rnd) -> str:
    """The status, the completion date, the sign-off, a proposal waiting, and the result as
    the notice printed it (where it says more than the status)."""
    status = str(Status(task.status).label)
    text = status
    if task.completion_date:
        text += _("，完成时间{date}").format(date=cn_date(task.completion_date))
    if task.signed_off_at:
        text += _("，已销号")
    if task.proposed_status:
        text += _("，单位已提议“{status}”，待审核").format(
            status=Status(task.proposed_status).label)
    text += "。"
    if task.result_text and fold(task.result_text) != fold(status):
        text += _("通报所载{label}：{result}。").format(
            label=rnd.result_label or _("整改结果"), result=task.result_text.rstrip("。"))
    return text


# -- 三、 ------------------------------------------------------------------------------------


def next_steps_placeholder(next_steps_url: str = "") -> str:
    if next_steps_url:
        return _("（尚未填写下一步工作打算：请在本轮次的工作页面（{url}）填写后重新生成本报告。）"
                 ).format(url=next_steps_url)
    return _("（尚未填写下一步工作打算：请在本轮次的工作页面填写后重新生成本报告。）")


def _next_steps(rnd, next_steps_url: str) -> list[Paragraph]:
    lines = _lines(rnd.next_steps)
    if not lines:
        return [Paragraph(next_steps_placeholder(next_steps_url))]
    return [Paragraph(line) for line in lines]
