"""What changed for each task between two published versions of a round."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from rectify.services.snapshot import iter_tasks

#: Compared per task, in this order, with the name shown to readers.
FIELDS = [
    ("status_label", _("整改状态")),
    ("result", _("整改结果")),
    ("title", _("问题")),
    ("label", _("编号")),
    ("measures", _("整改措施")),
    ("outcome", _("整改成效")),
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


def _value(task: dict, key: str) -> str:
    if key == "measures":
        return "".join(m["ordinal"] + m["text"] for m in task.get("measures", []))
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
