"""A round's records as its documents read them: the numbered problem tree in print order,
each task with its due dates, measures and outcome figures — read once, in a fixed number of
queries whatever the size of the round, and shared by the rectification report
(``round_report``) and the plan (``round_plan``).

Queries: the round (with its party group and whether its final notice is published), its
categories, its tasks (with the due-date rule's ``due_on``, ``original_due_on`` and
``is_overdue``), their measures, and their outcome figures summed by kind: :data:`QUERIES`.
Tasks and measures are read with cursors (``iterator``); the tree holds one round.
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from rectify.models import (
    InspectionRound,
    Measure,
    OutcomeFigure,
    ProblemCategory,
    RectificationTask,
)
from rectify.rules import due_dates
from rectify.rules.problem_tree import TreeNode, assemble, walk
from rectify.services import statistics

#: Queries of :func:`read_round`.
QUERIES = 5
#: Rows fetched per round trip by the task and measure cursors.
CHUNK_SIZE = 2000

#: Characters a file name may not hold on common systems.
_UNSAFE_FILE_CHARS = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


@dataclass(frozen=True)
class MeasureLine:
    """One measure of a task, in print order."""

    text: str
    responsible_unit: str
    due_date: datetime.date | None


@dataclass
class RoundRecords:
    """The round, its numbered tree, and each task's measures and figures (by task id)."""

    round: InspectionRound
    tree: list[TreeNode]
    measures: dict[int, list[MeasureLine]] = field(default_factory=dict)
    figures: dict[int, list[statistics.Figure]] = field(default_factory=dict)
    today: datetime.date = field(default_factory=timezone.localdate)

    def nodes(self) -> Iterator[TreeNode]:
        """Every category and task, in print order."""
        return walk(self.tree)

    def tasks(self) -> Iterator[TreeNode]:
        """Every task, in print order."""
        return (node for node in walk(self.tree) if node.is_task)

    def measures_of(self, node: TreeNode) -> list[MeasureLine]:
        return self.measures.get(node.obj.pk, [])

    def figures_of(self, node: TreeNode) -> list[statistics.Figure]:
        return self.figures.get(node.obj.pk, [])

    @property
    def areas(self) -> int:
        """Top-level categories (the "方面" the feedback is grouped in)."""
        return sum(1 for node in self.tree if not node.is_task)

    @property
    def measure_count(self) -> int:
        return sum(len(lines) for lines in self.measures.values())


def read_round(round_: InspectionRound | int, today: datetime.date | None = None
               ) -> RoundRecords:
    """The records of ``round_`` as they are now (:data:`QUERIES` queries)."""
    today = today or timezone.localdate()
    pk = round_.pk if isinstance(round_, InspectionRound) else round_
    rnd = (due_dates.with_final_published(InspectionRound.objects.filter(pk=pk))
           .select_related("party_group").get())
    categories = ProblemCategory.objects.filter(round_id=pk).only(
        "id", "round_id", "parent_id", "position", "title", "printed_label")
    tasks = (due_dates.with_due_dates(RectificationTask.objects.filter(round_id=pk), today)
             .order_by("pk").iterator(chunk_size=CHUNK_SIZE))
    tree = assemble(rnd, categories, tasks)
    measures: dict[int, list[MeasureLine]] = defaultdict(list)
    for task_id, text, unit, due in (
            Measure.objects.filter(task__round_id=pk).order_by("task_id", "position", "pk")
            .values_list("task_id", "text", "responsible_unit", "due_date")
            .iterator(chunk_size=CHUNK_SIZE)):
        measures[task_id].append(MeasureLine(text, unit, due))
    sums: dict[int, list[dict]] = defaultdict(list)
    for row in (OutcomeFigure.objects.filter(round_id=pk, task__isnull=False)
                .values("task", "kind", "label", "unit").annotate(total=Sum("value"))
                .order_by()):
        sums[row["task"]].append(row)
    figures = {task_id: statistics.figures_of(rows) for task_id, rows in sums.items()}
    return RoundRecords(rnd, tree, dict(measures), figures, today)


# -- names -----------------------------------------------------------------------------------


def round_subject(rnd: InspectionRound) -> str:
    """What the round is called in a document's title: its own name where staff gave one,
    else its inspection group and kind ("市委第三巡察组常规巡察"; a kind the group's name
    already says is not repeated: "县委上下联动专项巡察组"); "巡察" when nothing is known."""
    if rnd.title.strip():
        return rnd.title.strip()
    body, kind = rnd.inspecting_body.strip(), rnd.kind.strip()
    if kind and kind in body:
        kind = ""
    return f"{body}{kind}" or _("巡察")


def issuer(rnd: InspectionRound) -> str:
    """Who issues the round's documents: the inspected party group, by its full name."""
    return rnd.party_group.name


def file_label(rnd: InspectionRound) -> str:
    """The round in a file name: "许昌市教育局-市委第三巡察组常规巡察" (no character a file
    system refuses)."""
    group = rnd.party_group.short_name or rnd.party_group.name
    label = f"{group}-{round_subject(rnd)}"
    return _UNSAFE_FILE_CHARS.sub("", label).strip(". ") or str(rnd.pk)
