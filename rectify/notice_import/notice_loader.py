"""Write a parsed notice into records: party group, round, problem tree, measures, outcome
figures, notice.

One transaction: either the whole notice lands, or nothing does. Every record is written
through :func:`rectify.services.records.save_record`, so the models' own checks
(``full_clean``: lengths, positions, dates, depth) hold for imported records as for edited
ones. A record those checks refuse refuses the whole import with :class:`ImportRefused`,
whose Chinese message names the line of the notice and the field, so that the text can be
corrected and imported again; nothing is cut to fit.

The party group's feedback contacts are the exception: they are filled only where the record
has none yet and only with values its fields accept; a contact that does not fit stays where
it was printed, in the notice's closing text.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models, transaction

from bureaus.models import PartyGroup
from rectify.models import (
    InspectionRound,
    Measure,
    Notice,
    OutcomeFigure,
    ProblemCategory,
    RectificationTask,
)
from rectify.models.choices import NoticeKind, NumberingStyle, Status
from rectify.notice_import.parsed_notice import ParsedNode, ParsedNotice
from rectify.rules import lifecycle
from rectify.services import search_index
from rectify.services.records import save_record

IMPORT_REASON = "导入通报"
#: Characters of a title quoted in an error message.
QUOTED = 30


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


def _quote(text: str) -> str:
    text = text.strip()
    return text if len(text) <= QUOTED else text[:QUOTED] + "……"


def _save(obj: models.Model, user, where: str) -> None:
    """``save_record`` for the import; a refused record refuses the import, saying where."""
    try:
        save_record(obj, user, IMPORT_REASON)
    except ValidationError as exc:
        raise ImportRefused(f"{where}无法导入：{_reasons(obj, exc)}请修改原文后重新导入。") from exc


def _reasons(obj: models.Model, exc: ValidationError) -> str:
    """"标题：标题不能为空。" for each field the model refused."""
    if not hasattr(exc, "error_dict"):
        return "".join(exc.messages)
    parts = []
    for name, errors in exc.error_dict.items():
        messages = "".join(message for error in errors for message in error.messages)
        try:
            label = str(obj._meta.get_field(name).verbose_name)
        except FieldDoesNotExist:  # NON_FIELD_ERRORS
            label = ""
        parts.append(f"{label}：{messages}" if label else messages)
    return "".join(parts)


def _accepted(model: type[models.Model], name: str, value: str) -> str:
    """``value`` when the field ``name`` accepts it as it is, else ""."""
    if not value:
        return ""
    try:
        model._meta.get_field(name).clean(value, None)
    except ValidationError:
        return ""
    return value


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
    # Fill contacts the record does not know yet; never overwrite what staff entered. A
    # contact the field does not accept (too long, not an address) stays in the closing.
    group.phone = group.phone or _accepted(PartyGroup, "phone", contacts.get("phone", ""))
    group.postal_address = group.postal_address or _accepted(
        PartyGroup, "postal_address", contacts.get("address", "")
    )
    group.email = group.email or _accepted(PartyGroup, "email", contacts.get("email", ""))
    _save(group, user, f"被巡察党组织“{_quote(name)}”")
    return group


def _round(parsed: ParsedNotice, group: PartyGroup, user) -> InspectionRound:
    facts = parsed.round or {}
    progress_label = next(
        (n.progress_label for n in _tasks(parsed.nodes) if n.progress_label), "整改情况"
    )
    rnd = InspectionRound(
        party_group=group,
        inspecting_body=facts.get("inspecting_body") or "",
        kind=facts.get("kind") or "",
        superior_body=facts.get("superior_body") or "",
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
        progress_label=progress_label,
        show_results=any(node.result for node in _tasks(parsed.nodes)),
    )
    _save(rnd, user, "巡察轮次（通报开头的巡察情况）")
    return rnd


def _tasks(nodes: list[ParsedNode]):
    for node in nodes:
        if node.kind == "task":
            yield node
        else:
            yield from _tasks(node.children)


def _initial_state(task: RectificationTask, node: ParsedNode) -> None:
    """The state an imported task starts in (the lifecycle's ``import`` move): the printed
    result's status, else in progress, with the printed words kept."""
    lifecycle.imported(task, node.status or Status.IN_PROGRESS, node.result)


def _where(node: ParsedNode, what: str) -> str:
    return f"第{node.line}行{what}“{_quote(node.label + node.title)}”"


def _write_nodes(rnd, nodes: list[ParsedNode], parent: ProblemCategory | None, user,
                 written=None) -> None:
    """Write ``nodes`` under ``parent``; ``written()`` is called after each task."""
    for position, node in enumerate(nodes, start=1):
        if node.kind == "task":
            task = RectificationTask(
                round=rnd,
                category=parent,
                position=position,
                printed_label=node.label,
                title=node.title,
                outcome=node.outcome,
                deadline=node.deadline,
                responsible_leader=node.responsible_leader,
                responsible_department=node.responsible_department,
            )
            _initial_state(task, node)
            _save(task, user, _where(node, "整改任务"))
            for index, measure in enumerate(node.measures, start=1):
                obj = Measure(task=task, position=index, text=measure.text)
                _save(obj, user, f"第{measure.line}行整改措施“{_quote(measure.text)}”")
            _write_figures(rnd, task, node, user)
            if written is not None:
                written()
        else:
            cat = ProblemCategory(
                round=rnd, parent=parent, position=position,
                printed_label=node.label, title=node.title,
            )
            _save(cat, user, _where(node, "问题类别"))
            _write_nodes(rnd, node.children, cat, user, written)


def _write_figures(rnd, task: RectificationTask, node: ParsedNode, user) -> None:
    """The outcome figures proposed from the task's outcome (``figure_phrases``), each noting
    the phrase it was read from."""
    for figure in node.figures:
        obj = OutcomeFigure(round=rnd, task=task, kind=figure.kind, value=Decimal(figure.value),
                            unit=figure.unit, note=f"通报原文：{figure.printed}"[:200])
        _save(obj, user, _where(node, f"整改成效数据“{figure.printed}”所在的整改任务"))


def _notice_kind(title: str) -> str:
    return NoticeKind.PROGRESS if "进展" in title else NoticeKind.FINAL


@transaction.atomic
@search_index.batched()  # each task's search row written once, at the end
def load_notice(parsed: ParsedNotice, *, party_group: str | None = None, user=None,
                progress=None) -> Notice:
    """Create the round, its tree and the notice from ``parsed``; returns the notice.

    Raises :class:`ImportRefused` (and writes nothing) when the notice has no tasks, was
    imported before, or a record would not pass its model's checks. A background import
    passes ``progress(tasks_written, tasks)``.
    """
    if not parsed.nodes or parsed.task_count == 0:
        raise ImportRefused("通报中没有识别出任何整改任务，未导入。")
    if find_existing(parsed, party_group):
        raise ImportRefused("该通报已导入过（同一党组织、标题和日期），未重复导入。")
    group = _party_group(parsed, party_group, user)
    rnd = _round(parsed, group, user)
    written = None
    if progress is not None:
        count = iter(range(1, parsed.task_count + 1))

        def written() -> None:
            progress(next(count, parsed.task_count), parsed.task_count)

    _write_nodes(rnd, parsed.nodes, None, user, written)
    notice = Notice(
        round=rnd,
        kind=_notice_kind(parsed.title),
        title=parsed.title or str(rnd),
        opening="\n".join(parsed.opening),
        overall_heading=parsed.overall_heading,
        overall="\n".join(parsed.overall),
        problems_heading=parsed.problems_heading,
        closing=parsed.closing,
        signature=parsed.signature,
        date=parsed.date or rnd.feedback_date or rnd.created_at.date(),
    )
    _save(notice, user, f"通报“{_quote(notice.title)}”")
    return notice
