"""The structured result of parsing a published rectification notice (通报).

Plain dataclasses without Django: the parser fills them, the loader turns them into records,
``to_dict()`` gives JSON-safe dictionaries (dates as ISO strings) for previews and ``--json``.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

CATEGORY = "category"
TASK = "task"

IN_PROGRESS = "in_progress"
COMPLETED = "completed"
COMPLETED_LONGTERM = "completed_longterm"


def _json_safe(value: Any) -> Any:
    """Dates become ISO strings; containers are converted recursively."""
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(key): _json_safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(item) for item in value]
    return value


@dataclass
class ParsedMeasure:
    """One rectification measure (一是…), without its printed ordinal."""

    text: str
    line: int

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "line": self.line}


@dataclass
class ParsedFigure:
    """An outcome figure printed in a task's outcome ("追缴资金6300元"), as proposed for
    import: its kind (a ``FigureKind`` value), its value as a decimal string in the kind's
    unit (money in 万元: "0.63") and the phrase as printed."""

    kind: str
    value: str
    unit: str
    printed: str

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "value": self.value, "unit": self.unit,
                "printed": self.printed}


@dataclass
class ParsedNode:
    """A node of the problem tree: a category (with children) or a task (with measures)."""

    kind: str
    label: str = ""
    mark_format: str = ""
    ordinal: int | None = None
    number: str = ""
    title: str = ""
    line: int = 0
    stated_count: int | None = None
    children: list[ParsedNode] = field(default_factory=list)
    progress_label: str = ""
    measures: list[ParsedMeasure] = field(default_factory=list)
    outcome: str = ""
    result: str = ""
    status: str | None = None
    deadline: datetime.date | None = None
    # Optional facts some notices print per task. ``problem`` is the problem statement printed
    # under a label (问题：… / 存在问题：…); it is also part of ``title`` so that nothing is lost
    # where only the title is kept. ``deadline_text`` is the printed 整改时限 (e.g. 长期坚持).
    problem: str = ""
    responsible_leader: str = ""
    responsible_department: str = ""
    deadline_text: str = ""
    #: Outcome figures proposed from the outcome (``rectify.notice_import.figure_phrases``).
    figures: list[ParsedFigure] = field(default_factory=list)

    @property
    def is_task(self) -> bool:
        return self.kind == TASK

    def iter_tasks(self) -> Iterator[ParsedNode]:
        """This node if it is a task, else every task below it, in document order."""
        if self.is_task:
            yield self
            return
        for child in self.children:
            yield from child.iter_tasks()

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "kind": self.kind,
            "label": self.label,
            "mark_format": self.mark_format,
            "ordinal": self.ordinal,
            "number": self.number,
            "title": self.title,
            "line": self.line,
            "stated_count": self.stated_count,
            "children": [child.to_dict() for child in self.children],
            "progress_label": self.progress_label,
            "measures": [measure.to_dict() for measure in self.measures],
            "outcome": self.outcome,
            "result": self.result,
            "status": self.status,
            "deadline": _json_safe(self.deadline),
            "problem": self.problem,
            "responsible_leader": self.responsible_leader,
            "responsible_department": self.responsible_department,
            "deadline_text": self.deadline_text,
            "figures": [figure.to_dict() for figure in self.figures],
        }
        return data


@dataclass
class SetAside:
    """A heading read as overall text, not as a problem: the preview lists it so that staff
    can read it as a task or a category instead (``unsure``: the parser said so in a doubt).
    """

    line: int
    label: str
    title: str
    unsure: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"line": self.line, "label": self.label, "title": self.title,
                "unsure": self.unsure}


@dataclass
class Doubt:
    """Something the parser could not place or found inconsistent; message is Chinese."""

    line: int
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {"line": self.line, "message": self.message}


@dataclass
class ParsedNotice:
    """A whole notice: header facts, prose sections, the problem tree and the doubts."""

    title: str = ""
    issuer: str = ""
    date: datetime.date | None = None
    opening: list[str] = field(default_factory=list)
    overall_heading: str = ""
    overall: list[str] = field(default_factory=list)
    problems_heading: str = ""
    nodes: list[ParsedNode] = field(default_factory=list)
    closing: str = ""
    contacts: dict[str, str] = field(default_factory=dict)
    signature: str = ""
    doubts: list[Doubt] = field(default_factory=list)
    numbering: str = "nested"
    level_formats: list[str] = field(default_factory=list)
    task_format: str = ""
    measures_inline: bool = False
    show_task_counts: bool = False
    round: dict[str, Any] = field(default_factory=dict)
    #: Counts stated in the text ("巡察反馈的3个方面9个问题，已完成整改7个，正在推进2个"):
    #: keys among aspects, problems, completed, in_progress (only those printed).
    stated_counts: dict[str, int] = field(default_factory=dict)
    #: Headings read as overall text (organisational steps …), for the preview's choice.
    set_aside: list[SetAside] = field(default_factory=list)
    #: The choice of staff the notice was parsed with: {line: "task"|"category"|"overall"}.
    kinds: dict[int, str] = field(default_factory=dict)

    def iter_nodes(self) -> Iterator[ParsedNode]:
        """Every node of the tree, depth first, in document order."""
        stack = list(reversed(self.nodes))
        while stack:
            node = stack.pop()
            yield node
            stack.extend(reversed(node.children))

    def iter_tasks(self) -> Iterator[ParsedNode]:
        return (node for node in self.iter_nodes() if node.is_task)

    @property
    def categories(self) -> list[ParsedNode]:
        return [node for node in self.iter_nodes() if not node.is_task]

    @property
    def tasks(self) -> list[ParsedNode]:
        return list(self.iter_tasks())

    @property
    def task_count(self) -> int:
        return sum(1 for _ in self.iter_tasks())

    @property
    def measure_count(self) -> int:
        return sum(len(task.measures) for task in self.iter_tasks())

    def to_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "issuer": self.issuer,
            "date": _json_safe(self.date),
            "opening": list(self.opening),
            "overall_heading": self.overall_heading,
            "overall": list(self.overall),
            "problems_heading": self.problems_heading,
            "nodes": [node.to_dict() for node in self.nodes],
            "closing": self.closing,
            "contacts": dict(self.contacts),
            "signature": self.signature,
            "doubts": [doubt.to_dict() for doubt in self.doubts],
            "numbering": self.numbering,
            "level_formats": list(self.level_formats),
            "task_format": self.task_format,
            "measures_inline": self.measures_inline,
            "show_task_counts": self.show_task_counts,
            "round": _json_safe(self.round),
            "stated_counts": dict(self.stated_counts),
            "set_aside": [entry.to_dict() for entry in self.set_aside],
            "kinds": {str(line): kind for line, kind in self.kinds.items()},
            "task_count": self.task_count,
            "measure_count": self.measure_count,
        }
