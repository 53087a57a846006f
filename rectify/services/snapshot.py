"""The frozen content of a published notice: everything its page shows, as JSON.

``build_snapshot(notice)`` reads the notice, its round, party group, problem tree, tasks and
measures in a fixed number of queries (four, whatever the size of the round; and the
statistics' when the notice prints its summary paragraph) and returns the
*party* content: the whole tree with derived numbers, printed labels, measures, outcomes,
results, statuses, and for each withheld task its ground. ``public_content(snapshot)`` derives
the public content from it: withheld tasks and the categories they leave empty are removed,
and so is every trace of why.

Numbers and counts in the public content are those of the party content (nothing is
renumbered): a withheld task leaves a gap in the numbering, and "共N项整改任务" still counts
every task of the category; the page says so in a footnote. This keeps each number pointing
at the same task in both versions and the counts in agreement with the notice's opening.
"""

from __future__ import annotations

import copy
import datetime
from typing import Any

from django.utils import translation

from rectify.models import Notice, RectificationTask
from rectify.models.choices import Audience, NoticeKind, Status, WithholdGround
from rectify.rules import numbering
from rectify.rules.problem_tree import TreeNode, build_tree
from rectify.services.notice_summary import summary as summary_paragraph

#: Bumped when the shape of the snapshot changes; pages read older shapes too.
SCHEMA = 1
CHINESE = "zh-hans"


def _date(value: datetime.date | None) -> str | None:
    return value.isoformat() if value else None


def display_label(node: TreeNode) -> str:
    """The label readers see: the printed one where it disagrees with the derived number
    (as published, e.g. the Xuchang notice's ④ after ②), else the derived number."""
    return node.printed_label if node.label_flagged else node.number


def _result_line(task: RectificationTask, show_results: bool) -> str:
    """整改结果: the printed text, else the status where the round's notices print results."""
    if task.result_text:
        return task.result_text
    return str(Status(task.status).label) if show_results else ""


def _measures(task: RectificationTask) -> list[dict[str, str]]:
    measures = list(task.measures.all())  # prefetched, in print order
    return [
        {"ordinal": numbering.measure_label(index, len(measures)), "text": m.text}
        for index, m in enumerate(measures, start=1)
    ]


def _node(node: TreeNode, labels: list[str], show_results: bool) -> dict[str, Any]:
    obj = node.obj
    label = display_label(node)
    data: dict[str, Any] = {
        "kind": node.kind,
        "id": obj.pk,
        "depth": node.depth,
        "number": node.number,
        "printed_label": obj.printed_label,
        "label_flagged": node.label_flagged,
        "label": label,
        "title": obj.title,
    }
    if not node.is_task:
        data["task_count"] = node.task_count
        data["children"] = [_node(child, [*labels, label], show_results)
                             for child in node.children]
        return data
    ground = obj.withhold_ground
    data.update({
        "number_path": "".join([*labels, label]),
        "category_path": [parent.obj.title for parent in node.path],
        "measures": _measures(obj),
        "outcome": obj.outcome,
        "result_text": obj.result_text,
        "result": _result_line(obj, show_results),
        "status": obj.status,
        "status_label": str(Status(obj.status).label),
        "completion_date": _date(obj.completion_date),
        "deadline": _date(obj.deadline),
        "withhold": {
            "ground": ground,
            "ground_label": str(WithholdGround(ground).label),
            "note": obj.withhold_note,
        } if ground else None,
    })
    return data


def iter_tasks(nodes: list[dict]):
    """Every task of a snapshot tree, in document order."""
    for node in nodes:
        if node["kind"] == "task":
            yield node
        else:
            yield from iter_tasks(node.get("children", []))


def iter_nodes(nodes: list[dict]):
    for node in nodes:
        yield node
        if node["kind"] == "category":
            yield from iter_nodes(node.get("children", []))


def _counts(tree: list[dict]) -> dict[str, Any]:
    tasks = list(iter_tasks(tree))
    by_status = {status.value: 0 for status in Status}
    for task in tasks:
        by_status[task["status"]] = by_status.get(task["status"], 0) + 1
    return {
        "tasks": len(tasks),
        "by_status": [
            {"status": code, "label": str(Status(code).label), "count": count}
            for code, count in by_status.items()
        ],
    }


def _paragraphs(text: str) -> list[str]:
    return Notice.paragraphs(text)


def build_snapshot(notice: Notice) -> dict[str, Any]:
    """The party content of ``notice`` as it stands now (four queries)."""
    notice = Notice.objects.select_related("round__party_group").get(pk=notice.pk)
    round_ = notice.round
    group = round_.party_group
    with translation.override(CHINESE):
        tree = [_node(node, [], round_.show_results) for node in build_tree(round_)]
        withheld = [
            {"id": task["id"], "number_path": task["number_path"], "title": task["title"],
             **task["withhold"]}
            for task in iter_tasks(tree) if task["withhold"]
        ]
        return {
            "schema": SCHEMA,
            "audience": Audience.PARTY.value,
            "notice": {
                "id": notice.pk,
                "title": notice.title,
                "kind": notice.kind,
                "kind_label": str(NoticeKind(notice.kind).label),
                "date": _date(notice.date),
                "opening": notice.opening_paragraphs,
                # The summary paragraph (统计概要) computed now from the records, frozen with
                # the rest; "" when the notice prints none. Both versions print the same one,
                # as they print the same counts.
                "summary": summary_paragraph(notice),
                "overall_heading": notice.overall_heading,
                "overall": notice.overall_paragraphs,
                "problems_heading": notice.problems_heading,
                "closing": notice.closing_paragraphs,
                "signature": notice.signature,
            },
            "issuer": {
                "id": group.pk,
                "name": group.name,
                "short_name": group.short_name,
                "region": group.region,
                "phone": group.phone,
                "postal_address": group.postal_address,
                "email": group.email,
            },
            "round": {
                "id": round_.pk,
                "title": str(round_),
                "inspecting_body": round_.inspecting_body,
                "kind": round_.kind,
                "superior_body": round_.superior_body,
                "inspection_start": _date(round_.inspection_start),
                "inspection_end": _date(round_.inspection_end),
                "feedback_date": _date(round_.feedback_date),
                "rectification_end": _date(round_.rectification_end_date),
                "numbering_style": round_.numbering_style,
                "show_task_counts": round_.show_task_counts,
                "measures_inline": round_.measures_inline,
                "progress_label": round_.progress_label,
                "result_label": round_.result_label,
                "show_results": round_.show_results,
            },
            "tree": tree,
            "counts": {**_counts(tree), "withheld": len(withheld)},
            "withheld": withheld,
        }


def _prune(nodes: list[dict]) -> list[dict]:
    """The tree without withheld tasks, and without categories left empty by them."""
    kept = []
    for node in nodes:
        if node["kind"] == "task":
            if node.get("withhold"):
                continue
            node = {key: value for key, value in node.items() if key != "withhold"}
        else:
            had_tasks = any(True for _ in iter_tasks(node.get("children", [])))
            children = _prune(node.get("children", []))
            if had_tasks and not any(True for _ in iter_tasks(children)):
                continue
            node = {**node, "children": children}
        kept.append(node)
    return kept


def public_content(snapshot: dict[str, Any]) -> dict[str, Any]:
    """The content of the public version (向社会通报): no withheld task, no ground, no note."""
    content = copy.deepcopy(snapshot)
    content["audience"] = Audience.PUBLIC.value
    content["tree"] = _prune(content["tree"])
    withheld = len(snapshot.get("withheld", []))
    content["withheld"] = []
    content["counts"] = {**_counts(content["tree"]), "withheld": withheld}
    return content


def search_text(content: dict[str, Any]) -> str:
    """What the list's search looks in: the title, the issuer, and every heading and problem."""
    parts = [content["notice"]["title"], content["issuer"]["name"],
             content["issuer"]["short_name"]]
    parts.extend(node["title"] for node in iter_nodes(content["tree"]))
    return "\n".join(part for part in parts if part)
