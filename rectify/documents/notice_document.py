"""A published notice (通报) as a 公文 document: the page's content, label by label, in order.

``build_document(content)`` maps one frozen version (``Publication.content(audience)``: the
public or the party snapshot) onto ``gongwen`` blocks, in the order and words of the notice
page (templates/public/notice_detail.html and _node.html):

* the title; the opening paragraphs; the summary paragraph; the overall section's heading
  and paragraphs; the problems section's heading;
* the problem tree: each category a heading — its label, title and, where the round prints
  counts, "，共N项整改任务"; each task a heading with its label; in the party version the
  withholding ground ("不向社会公开：…"); the measures after the progress label, inline
  (one paragraph) or one paragraph each, as the round's notices print them; the outcome;
  the result after the result label;
* the closing paragraphs; the signature (the notice's 署名, if any) and the date;
* in a public version from which tasks were withheld, the page's note saying so, where 公文
  put a note (附注): below the date.

The screen's status badges are not printed (the page's print CSS hides them too).

Heading levels (``gongwen.Heading``): the sections (“一、整体推进情况”) are level 1; the tree
follows below them (below nothing when the notice has no sections): a category one level
per depth, a task likewise but never above level 3 — a problem is printed in 仿宋 (bold at
level 3), as on the page, never in 黑体 or 楷体.
"""

from __future__ import annotations

import datetime

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from rectify.documents import gongwen as gw
from rectify.models.choices import Audience

#: Bumped whenever the same snapshot renders differently (part of cache keys and ETags).
RENDER_VERSION = "1"
#: The level below which a problem (task) heading never rises: 仿宋.
TASK_MIN_LEVEL = 3


def withheld_note(count: int) -> str:
    """The public version's note on withheld tasks: the page's footnote, word for word."""
    return ngettext(
        "注：依照有关规定，本版本向社会公开时略去 %(counter)s 项整改任务（涉及党和国家秘密、"
        "在办案件、重大敏感事项或个人隐私等）。其余各项的编号和“共N项整改任务”的计数与完整"
        "通报一致，未重新编号，故编号可能不连续。",
        "注：依照有关规定，本版本向社会公开时略去 %(counter)s 项整改任务（涉及党和国家秘密、"
        "在办案件、重大敏感事项或个人隐私等）。其余各项的编号和“共N项整改任务”的计数与完整"
        "通报一致，未重新编号，故编号可能不连续。",
        count,
    ) % {"counter": count}


def _task_blocks(node: dict, level: int, round_: dict) -> list:
    blocks: list = [gw.Heading(max(level, TASK_MIN_LEVEL), node["label"] + node["title"])]
    withhold = node.get("withhold")
    if withhold:
        note = f"（{withhold['note']}）" if withhold.get("note") else ""
        blocks.append(gw.Paragraph(withhold["ground_label"] + note,
                                   label=_("不向社会公开") + "："))
    measures = node.get("measures") or []
    if measures:
        label = f"{round_['progress_label']}："
        if round_.get("measures_inline"):
            blocks.append(gw.Paragraph("".join(m["ordinal"] + m["text"] for m in measures),
                                       label=label))
        else:
            blocks.append(gw.Paragraph("", label=label))
            blocks += [gw.Paragraph(m["ordinal"] + m["text"]) for m in measures]
    if node.get("outcome"):
        blocks.append(gw.Paragraph(node["outcome"]))
    if node.get("result"):
        blocks.append(gw.Paragraph(node["result"], label=f"{round_['result_label']}："))
    return blocks


def _tree_blocks(nodes: list[dict], offset: int, round_: dict) -> list:
    blocks: list = []
    for node in nodes:
        level = offset + node["depth"]
        if node["kind"] == "category":
            count = f"，共{node['task_count']}项整改任务" if round_.get("show_task_counts") else ""
            blocks.append(gw.Heading(level, node["label"] + node["title"] + count))
            blocks += _tree_blocks(node.get("children", []), offset, round_)
        else:
            blocks += _task_blocks(node, level, round_)
    return blocks


def _min_depth(nodes: list[dict]) -> int:
    return min((node["depth"] for node in nodes), default=1)


def build_document(content: dict, *, title: str = "") -> gw.Document:
    """The document of one frozen version of a notice (the public or the party content)."""
    notice = content["notice"]
    round_ = content["round"]
    paragraphs = gw.Paragraph
    blocks: list = [gw.Title(notice["title"])]
    blocks += [paragraphs(text) for text in notice.get("opening", [])]
    if notice.get("summary"):
        blocks.append(paragraphs(notice["summary"]))
    sections = bool(notice.get("overall_heading") or notice.get("problems_heading"))
    if notice.get("overall_heading"):
        blocks.append(gw.Heading(1, notice["overall_heading"]))
    blocks += [paragraphs(text) for text in notice.get("overall", [])]
    if notice.get("problems_heading"):
        blocks.append(gw.Heading(1, notice["problems_heading"]))
    # The tree's top level is level 1, or 2 below the sections' headings.
    offset = (2 if sections else 1) - _min_depth(content["tree"])
    blocks += _tree_blocks(content["tree"], offset, round_)
    blocks += [paragraphs(text) for text in notice.get("closing", [])]
    date = notice.get("date")
    if date:
        blocks.append(gw.Signature(notice.get("signature") or "",
                                   datetime.date.fromisoformat(date)))
    elif notice.get("signature"):
        blocks.append(paragraphs(notice["signature"]))
    withheld = content.get("counts", {}).get("withheld", 0)
    if content.get("audience") == Audience.PUBLIC and withheld:
        blocks.append(paragraphs(withheld_note(withheld)))
    return gw.Document(blocks=blocks, title=title or notice["title"])


def publication_document(publication, audience: str) -> gw.Document:
    """The document of ``publication``'s version for ``audience`` (its frozen content)."""
    return build_document(publication.content(audience), title=download_title(publication))


def download_title(publication) -> str:
    """「标题（第N版）」: the file's name (without extension) and its title metadata."""
    return _("%(title)s（第%(version)s版）") % {"title": publication.title,
                                              "version": publication.version}
