"""Write a parsed notice into records: party group, round, problem tree, measures, notice.

One transaction: either the whole notice lands, or nothing does.
"""

from __future__ import annotations

import datetime

from django.db import transaction

from bureaus.models import PartyGroup
from rectify.models import InspectionRound, Measure, Notice, ProblemCategory, RectificationTask
from rectify.models.choices import NoticeKind, NumberingStyle, Status
from rectify.notice_import.parsed_notice import ParsedNode, ParsedNotice
from rectify.services.records import attribute

IMPORT_REASON = "导入通报"


class ImportRefused(ValueError):
    """The parsed notice cannot become records (e.g. it has no problems)."""


def find_existing(parsed: ParsedNotice, party_group_name: str | None = None) -> Notice | None:
    """The notice already imported from the same text (same issuer, title and date)."""
    name = (party_group_name or parsed.issuer or "").strip()
    return Notice.objects.filter(
        round__party_group__name=name, title=parsed.title, date=parsed.date
    ).first()


def _date(value) -> datetime.date | None:
    """Round facts may carry dates or ISO strings."""
    if isinstance(value, datetime.date) or value is None:
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        return None


def _party_group(parsed: ParsedNotice, name: str | None, user) -> PartyGroup:
    name = (name or parsed.issuer or "").strip()
    if not name:
        raise ImportRefused("无法确定被巡察党组织：请用 --party-group 指定。")
    group = PartyGroup.objects.find(name)
    contacts = parsed.contacts or {}
    if group is None:
        group = PartyGroup(
            name=name,
            short_name=name.removeprefix("中共").removesuffix("党组").removesuffix("党委"),
        )
    # Fill contacts the record does not know yet; never overwrite what staff entered.
    group.phone = group.phone or contacts.get("phone", "")[:100]
    group.postal_address = group.postal_address or contacts.get("address", "")[:300]
    group.email = group.email or contacts.get("email", "")[:254]
    attribute(group, user, IMPORT_REASON)
    group.save()
    return group


def _round(parsed: ParsedNotice, group: PartyGroup, user) -> InspectionRound:
    facts = parsed.round or {}
    progress_label = next(
        (n.progress_label for n in _tasks(parsed.nodes) if n.progress_label), "整改情况"
    )
    rnd = InspectionRound(
        party_group=group,
        inspecting_body=(facts.get("inspecting_body") or "")[:100],
        kind=(facts.get("kind") or "")[:50],
        superior_body=(facts.get("superior_body") or "")[:100],
        inspection_start=_date(facts.get("inspection_start")),
        inspection_end=_date(facts.get("inspection_end")),
        feedback_date=_date(facts.get("feedback_date")),
        rectification_months=facts.get("rectification_months"),
        numbering_style=(
            NumberingStyle.CONTINUOUS
            if parsed.numbering == NumberingStyle.CONTINUOUS
            else NumberingStyle.NESTED
        ),
        level_formats=list(parsed.level_formats) or InspectionRound().level_formats,
        task_format=parsed.task_format or "{n}.",
        show_task_counts=parsed.show_task_counts,
        measures_inline=parsed.measures_inline,
        progress_label=progress_label[:20],
        show_results=any(node.result for node in _tasks(parsed.nodes)),
    )
    attribute(rnd, user, IMPORT_REASON)
    rnd.save()
    return rnd


def _tasks(nodes: list[ParsedNode]):
    for node in nodes:
        if node.kind == "task":
            yield node
        else:
            yield from _tasks(node.children)


def _write_nodes(rnd, nodes: list[ParsedNode], parent: ProblemCategory | None, user) -> None:
    for position, node in enumerate(nodes, start=1):
        if node.kind == "task":
            task = RectificationTask(
                round=rnd,
                category=parent,
                position=position,
                printed_label=node.label[:20],
                title=node.title,
                status=node.status or Status.IN_PROGRESS,
                result_text=node.result[:200],
                outcome=node.outcome,
                deadline=node.deadline,
                responsible_leader=node.responsible_leader[:100],
                responsible_department=node.responsible_department[:200],
            )
            attribute(task, user, IMPORT_REASON)
            task.save()
            for index, measure in enumerate(node.measures, start=1):
                obj = Measure(task=task, position=index, text=measure.text)
                attribute(obj, user, IMPORT_REASON)
                obj.save()
        else:
            cat = ProblemCategory(
                round=rnd, parent=parent, position=position,
                printed_label=node.label[:20], title=node.title[:500],
            )
            attribute(cat, user, IMPORT_REASON)
            cat.save()
            _write_nodes(rnd, node.children, cat, user)


def _notice_kind(title: str) -> str:
    return NoticeKind.PROGRESS if "进展" in title else NoticeKind.FINAL


@transaction.atomic
def load_notice(parsed: ParsedNotice, *, party_group: str | None = None, user=None) -> Notice:
    """Create the round, its tree and the notice from ``parsed``; returns the notice."""
    if not parsed.nodes or parsed.task_count == 0:
        raise ImportRefused("通报中没有识别出任何整改任务，未导入。")
    if find_existing(parsed, party_group):
        raise ImportRefused("该通报已导入过（同一党组织、标题和日期），未重复导入。")
    group = _party_group(parsed, party_group, user)
    rnd = _round(parsed, group, user)
    _write_nodes(rnd, parsed.nodes, None, user)
    notice = Notice(
        round=rnd,
        kind=_notice_kind(parsed.title),
        title=parsed.title[:300] or str(rnd),
        opening="\n".join(parsed.opening),
        overall_heading=parsed.overall_heading[:100],
        overall="\n".join(parsed.overall),
        problems_heading=parsed.problems_heading[:100],
        closing=parsed.closing,
        signature=parsed.signature[:200],
        date=parsed.date or rnd.feedback_date or rnd.created_at.date(),
    )
    attribute(notice, user, IMPORT_REASON)
    notice.save()
    return notice
