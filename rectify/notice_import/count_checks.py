"""The counts a notice states about itself, and the results it prints, against the tree.

  * A category title's count ("，共4项整改任务") against the tasks found below it.
  * Counts in the opening, the overall section or under the problems heading ("巡察反馈的3个
    方面9个问题，已完成整改7个", read by :func:`rectify.notice_import.notice_facts.
    extract_stated_counts`) against the tasks, the top-level categories and the tasks'
    statuses.
  * Missing results when most tasks print one.

Every disagreement is a doubt; nothing is changed. :func:`stated_totals` gives the same
comparison to the top of the import preview.
"""

from __future__ import annotations

from rectify.notice_import import notice_facts as facts
from rectify.notice_import.heading_tree import RawHeading
from rectify.notice_import.line_kinds import LineItem
from rectify.notice_import.numbering_checks import FlatTree
from rectify.notice_import.parse_context import ParseContext, excerpt
from rectify.notice_import.parsed_notice import IN_PROGRESS, ParsedNode, ParsedNotice

#: Lines of the opening and overall section searched for stated counts, and their length.
STATED_COUNT_ITEMS = 60
STATED_COUNT_CHARS = 2000


def check_category_counts(notice: ParsedNotice, flat: FlatTree, ctx: ParseContext) -> None:
    """Stated counts ("，共4项整改任务") against the tasks found, counted bottom-up."""
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


def check_missing_results(tasks: list[ParsedNode], ctx: ParseContext) -> None:
    """Missing results when most tasks print one."""
    with_result = sum(1 for task in tasks if task.result)
    if tasks and with_result * 2 >= len(tasks) and with_result < len(tasks):
        for task in tasks:
            if not task.result:
                ctx.doubt(task.line, f"任务“{excerpt(task.label + task.title)}”缺少整改结果")


def check_stated_counts(
    notice: ParsedNotice, ctx: ParseContext, opening: list[LineItem],
    overall: RawHeading | None, wrapper: RawHeading | None,
) -> None:
    """Counts the notice states about itself, checked against the tree (doubts if not)."""
    candidates: list[LineItem] = [item for item in opening if item.first]
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


def stated_totals(notice: ParsedNotice) -> list[dict]:
    """The totals the notice states beside those found, for the top of the preview.

    One entry per stated total, in the order problems, aspects, completed, in progress:
    ``{"key", "stated", "found", "differs"}`` (``found`` None where the tree cannot tell,
    e.g. statuses when some task prints none).
    """
    counts = notice.stated_counts
    tasks = notice.tasks
    found: dict[str, int | None] = {"problems": len(tasks)}
    top = notice.nodes
    found["aspects"] = (
        len(top) if top and all(not node.is_task for node in top) else None
    )
    if tasks and all(task.status for task in tasks):
        found["in_progress"] = sum(1 for task in tasks if task.status == IN_PROGRESS)
        found["completed"] = len(tasks) - found["in_progress"]
    out = []
    for key in ("problems", "aspects", "completed", "in_progress"):
        if key not in counts:
            continue
        value = found.get(key)
        out.append({"key": key, "stated": counts[key], "found": value,
                    "differs": value is not None and value != counts[key]})
    return out
