"""What changed for each task between two published versions of a round.

Both versions are compared in one audience. A public reader's comparison is computed from the
two public snapshots only, so a task withheld from the public is never read, let alone shown:
the reader learns how many tasks each version withholds (the count its page prints) and
nothing else. A task the older public version lists and the newer one does not may have been
withheld since; such tasks are counted, never named or numbered. Numbers are those of the
public snapshots, which keep the party numbering as the notice page does (nothing renumbered).
Staff and auditors compare the party snapshots: every task, with its withholding compared too.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _

from rectify.models.choices import Audience
from rectify.services.snapshot import iter_tasks

#: Compared per task, in this order, with the name shown to readers. ``withhold`` exists in
#: the party snapshots only (the public ones hold no withheld task and no ground).
FIELDS = [
    ("status_label", _("整改状态")),
    ("result", _("整改结果")),
    ("title", _("问题")),
    ("label", _("编号")),
    ("measures", _("整改措施")),
    ("outcome", _("整改成效")),
    ("withhold", _("是否向社会公开")),
]


@dataclass
class TaskChange:
    """One task that differs: added, no longer listed, or changed in some fields."""

    kind: str  # "added", "removed", "changed"
    task: dict
    fields: list[tuple[str, str, str]] = field(default_factory=list)  # (name, before, after)

    @property
    def status_changed(self) -> bool:
        return any(name == FIELDS[0][1] for name, _before, _after in self.fields)


@dataclass
class Comparison:
    """The changes between two versions as one audience reads them."""

    audience: str
    changes: list[TaskChange]
    #: How many tasks each version withholds from the public (a count, never which).
    withheld_before: int = 0
    withheld_after: int = 0
    #: Public comparison only: tasks of the older version the newer one no longer lists.
    unlisted: int = 0


def _value(task: dict, key: str) -> str:
    if key == "measures":
        return "".join(m["ordinal"] + m["text"] for m in task.get("measures", []))
    if key == "withhold":
        withhold = task.get("withhold")
        if not withhold:
            return pgettext("withholding state", "向社会公开")
        note = f"（{withhold['note']}）" if withhold.get("note") else ""
        return gettext("不向社会公开：{ground}{note}").format(ground=withhold["ground_label"],
                                                      note=note)
    return str(task.get(key) or "")


def compare(before: dict, after: dict) -> list[TaskChange]:
    """Tasks of ``after`` that are new or differ from ``before``, then those gone from it."""
    old = {task["id"]: task for task in iter_tasks(before["tree"])}
    changes = []
    seen = set()
    for task in iter_tasks(after["tree"]):
        seen.add(task["id"])
        previous = old.get(task["id"])
        if previous is None:
            changes.append(TaskChange("added", task))
            continue
        differing = [
            (str(name), _value(previous, key), _value(task, key))
            for key, name in FIELDS
            if _value(previous, key) != _value(task, key)
        ]
        if differing:
            changes.append(TaskChange("changed", task, differing))
    changes.extend(TaskChange("removed", task) for task_id, task in old.items()
                   if task_id not in seen)
    return changes


def _withheld(content: dict) -> int:
    return int(content.get("counts", {}).get("withheld") or 0)


def compare_versions(before: dict, after: dict, audience: str) -> Comparison:
    """The comparison of two versions' contents, both of ``audience``.

    For the public audience both contents must be public snapshots (refused otherwise), and
    the tasks no longer listed are only counted: from the public snapshots alone a task
    withheld since cannot be told from one taken out, and neither may be named.
    """
    if audience == Audience.PUBLIC and any(
            content.get("audience") != Audience.PUBLIC for content in (before, after)):
        raise PermissionError("a public comparison reads public snapshots only")
    changes = compare(before, after)
    unlisted = 0
    if audience == Audience.PUBLIC:
        unlisted = sum(1 for change in changes if change.kind == "removed")
        changes = [change for change in changes if change.kind != "removed"]
    return Comparison(audience, changes, _withheld(before), _withheld(after), unlisted)
