"""The statistics (整改统计): one service that counts a selection of tasks — made with the shared
task FilterSet, under the one permission rule — and sums its outcome figures, in total, by
party group and by top-level category. The API (``/api/statistics/``), the dashboard, the
ledger's 汇总 sheet, the notice's summary paragraph and the daily trend snapshots all read it.

For a selection of tasks:

==================  ==========================================================================
``tasks``           the tasks selected
``completed``       已完成 and 已完成，长期坚持
``in_progress``     正在推进 (``tasks - completed``)
``completion_rate`` completed ÷ tasks (a fraction, None without tasks)
``on_time``         completed tasks whose completion date is on or before their due date
                    (``rectify.rules.due_dates``), or that have no due date or no recorded
                    completion date (nothing says they were late)
``on_time_rate``    on_time ÷ completed (None without completed tasks)
``overdue``         the one due-date rule: open and past the due date
``awaiting_review`` a status proposal waits (at either level)
``signed_off``      销号
``reopened``        reopened at least once after a recheck (回头看)
``extended``        with an approved deadline extension
==================  ==========================================================================

Outcome figures counted for a selection: those of the selected tasks, and a round's own
figures (not of a task) for every round with a selected task. Aggregated in SQL: the number of
queries is fixed whatever the size (:data:`QUERIES`).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from bureaus.models import PartyGroup
from rectify.models import (
    FigureKind,
    InspectionRound,
    OutcomeFigure,
    ProblemCategory,
    RectificationTask,
    Review,
)
from rectify.models.choices import ReviewDecision, Status
from rectify.models.outcomes import UNITS
from rectify.models.problems import MAX_CATEGORY_DEPTH
from rectify.rules import due_dates, permissions
from rectify.services.filtersets import TaskFilterSet

#: Queries of :func:`compute`: the counts and the figures (each by party group and category,
#: folded into the totals here), the categories of the rounds concerned and the party groups.
QUERIES = 4


@dataclass(frozen=True)
class Figure:
    """The sum of one kind of outcome figure ("其他": one per label and unit)."""

    kind: str
    label: str
    value: Decimal
    unit: str


@dataclass
class Counts:
    """The counts of a selection (or of one party group, one category, of it)."""

    tasks: int = 0
    completed: int = 0
    on_time: int = 0
    overdue: int = 0
    awaiting_review: int = 0
    signed_off: int = 0
    reopened: int = 0
    extended: int = 0
    figures: list[Figure] = field(default_factory=list)

    @property
    def in_progress(self) -> int:
        return self.tasks - self.completed

    @property
    def completion_rate(self) -> float | None:
        return self.completed / self.tasks if self.tasks else None

    @property
    def on_time_rate(self) -> float | None:
        return self.on_time / self.completed if self.completed else None

    def figure(self, kind: str) -> Decimal:
        """The sum of one kind (all labels of "其他" together)."""
        return sum((f.value for f in self.figures if f.kind == kind), Decimal(0))


@dataclass
class Group:
    """One row of a breakdown: a party group or a top-level category, with its counts."""

    id: int | None
    name: str
    counts: Counts
    round_id: int | None = None  # a category's round


@dataclass
class Statistics:
    total: Counts
    by_party_group: list[Group]
    by_category: list[Group]
    today: datetime.date


_COUNTS = ("tasks", "completed", "on_time", "overdue", "awaiting_review", "signed_off",
           "reopened", "extended")


def _aggregates() -> dict:
    done = Q(status__in=Status.done())
    return {
        "tasks": Count("pk"),
        "completed": Count("pk", filter=done),
        "on_time": Count("pk", filter=done & (Q(due_on__isnull=True)
                                              | Q(completion_date__isnull=True)
                                              | Q(completion_date__lte=F("due_on")))),
        "overdue": Count("pk", filter=Q(is_overdue=True)),
        "awaiting_review": Count("pk", filter=~Q(proposed_status="")),
        "signed_off": Count("pk", filter=Q(signed_off_at__isnull=False)),
        "reopened": Count("pk", filter=Q(was_reopened=True)),
        "extended": Count("pk", filter=Q(extended_deadline__isnull=False)),
    }


def _counts(row: dict) -> Counts:
    return Counts(**{name: row.get(name) or 0 for name in _COUNTS})


_KIND_ORDER = {kind: index for index, kind in enumerate(FigureKind.values)}


def kind_labels() -> dict[str, str]:
    """The figure kinds' labels in the active language."""
    return {kind: str(label) for kind, label in FigureKind.choices}


def figures_of(rows, labels: dict[str, str] | None = None) -> list[Figure]:
    """Sums of figures (dicts of ``kind``, ``label``, ``unit``, ``total``) as :class:`Figure`,
    named by their kind (the label of "其他") and in the kinds' order; ``labels``: the
    kinds' labels (:func:`kind_labels`) when the caller looked them up already."""
    order = _KIND_ORDER
    labels = labels or kind_labels()
    figures = [Figure(row["kind"], row["label"] if row["kind"] == FigureKind.OTHER
                      else labels.get(row["kind"], row["kind"]), row["total"],
                      UNITS.get(row["kind"], row["unit"])) for row in rows]
    return sorted(figures, key=lambda f: (order.get(f.kind, 99), f.label, f.unit))


def compute(tasks: QuerySet, today: datetime.date | None = None, *,
            categories: bool = True) -> Statistics:
    """The statistics of ``tasks`` (a selection the caller may see: see :func:`for_user`);
    without ``categories`` the breakdown by category is left out (``by_category`` empty) and
    the work grows with the party groups only, not with the categories (the dashboard)."""
    today = today or timezone.localdate()
    reopened = Review.objects.filter(task=OuterRef("pk"), decision=ReviewDecision.REOPENED)
    annotated = due_dates.with_due_dates(tasks.order_by(), today).annotate(
        was_reopened=Exists(reopened))
    aggregates = _aggregates()

    # One scan: the counts per party group and category, folded into the totals, the party
    # groups and the categories here (a few thousand rows at province scale).
    sums: list[int] = [0] * len(_COUNTS)
    group_sums: dict[int, list[int]] = {}
    per_category: dict[int | None, list[int]] = {}
    if categories:
        annotated = annotated.annotate(top_category=top_category_expression("category"))
    keys = ("round__party_group", "top_category") if categories else ("round__party_group",)
    for row in annotated.values(*keys).annotate(**aggregates):
        values = [row[name] or 0 for name in _COUNTS]
        _fold(sums, values)
        _fold(group_sums.setdefault(row["round__party_group"], [0] * len(_COUNTS)), values)
        if categories:
            _fold(per_category.setdefault(row["top_category"], [0] * len(_COUNTS)), values)
    total = Counts(*sums)
    per_group = {pk: Counts(*values) for pk, values in group_sums.items()}

    # Figures: of the selected tasks, and the rounds' own of the selected rounds.
    selected = tasks.order_by().values("pk")
    figures = OutcomeFigure.objects.filter(
        Q(task__in=selected) | Q(task__isnull=True, round__in=tasks.order_by().values("round")))
    # One query: the sums per party group, category and kind, folded into the total, the
    # party groups and the categories (a round's own figures belong to no category).
    all_sums: dict[tuple, Decimal] = defaultdict(Decimal)
    group_sums: dict[int, dict[tuple, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    category_sums: dict[int | None, dict[tuple, Decimal]] = defaultdict(
        lambda: defaultdict(Decimal))
    if categories:
        figures = figures.annotate(top_category=top_category_expression("task__category"))
    keys = ("round__party_group", "top_category") if categories else ("round__party_group",)
    for row in figures.values(*keys, "kind", "label", "unit").annotate(
            total=Sum("value"), of_tasks=Sum("value", filter=Q(task__isnull=False))).order_by():
        key = (row["kind"], row["label"], row["unit"])
        all_sums[key] += row["total"]
        group_sums[row["round__party_group"]][key] += row["total"]
        if categories and row["of_tasks"] is not None:
            category_sums[row["top_category"]][key] += row["of_tasks"]
    total.figures = figures_of(_rows(all_sums))
    group_figures = {pk: _rows(sums) for pk, sums in group_sums.items()}
    category_figures = {pk: _rows(sums) for pk, sums in category_sums.items()}

    groups = PartyGroup.objects.filter(pk__in=set(per_group) | set(group_figures)).order_by(
        "name")
    by_party_group = []
    for group in groups:
        counts = per_group[group.pk] if group.pk in per_group else Counts()
        counts.figures = figures_of(group_figures.get(group.pk, []))
        by_party_group.append(Group(group.pk, str(group), counts))

    by_category = _by_top_category(per_category, category_figures,
                                   tasks.order_by().values("round")) if categories else []
    return Statistics(total, by_party_group, by_category, today)


def _rows(sums: dict[tuple, Decimal]) -> list[dict]:
    return [{"kind": kind, "label": label, "unit": unit, "total": value}
            for (kind, label, unit), value in sums.items()]


def _fold(into: list[int], values: list[int]) -> None:
    for index, value in enumerate(values):
        into[index] += value


def top_category_expression(category: str) -> Coalesce:
    """The top-level category of ``category`` (a path to a category) in SQL: the furthest
    ancestor, the tree being at most ``MAX_CATEGORY_DEPTH`` deep."""
    paths = [category + "__parent" * up + "_id" for up in range(MAX_CATEGORY_DEPTH)]
    return Coalesce(*reversed(paths))


def _by_top_category(per_category: dict, category_figures: dict, rounds: QuerySet
                     ) -> list[Group]:
    """The rows by top-level category (the counts come grouped by it: ``top_category``), with
    their titles (one query for the top-level categories of ``rounds``, the rounds of the
    selected tasks)."""
    categories = {row["pk"]: row for row in ProblemCategory.objects.filter(
        round__in=rounds, parent__isnull=True).values(
        "pk", "parent", "title", "round", "position")}

    def top(pk):
        seen = set()
        while categories.get(pk, {}).get("parent") is not None and pk not in seen:
            seen.add(pk)
            pk = categories[pk]["parent"]
        return pk

    tops: dict[int | None, Group] = {}
    top_sums: dict[int | None, list[int]] = {}
    figure_rows: dict[int | None, list] = defaultdict(list)
    for pk in set(per_category) | set(category_figures):
        root = top(pk) if pk is not None else None
        if root not in tops:
            row = categories.get(root)
            tops[root] = Group(root, row["title"] if row else "", Counts(),
                               row["round"] if row else None)
        if pk in per_category:
            _fold(top_sums.setdefault(root, [0] * len(_COUNTS)), per_category[pk])
        figure_rows[root].extend(category_figures.get(pk, []))
    for root, group in tops.items():
        if root in top_sums:
            group.counts = Counts(*top_sums[root])
        merged: dict[tuple, Decimal] = defaultdict(Decimal)
        for row in figure_rows[root]:
            merged[row["kind"], row["label"], row["unit"]] += row["total"]
        group.counts.figures = figures_of(
            [{"kind": k, "label": label, "unit": unit, "total": value}
             for (k, label, unit), value in merged.items()])

    def order(group: Group):
        row = categories.get(group.id)
        return (group.id is None, row["round"] if row else 0, row["position"] if row else 0,
                group.id or 0)

    return sorted(tops.values(), key=order)


def for_user(user, data=None, *, request=None, today: datetime.date | None = None
             ) -> Statistics:
    """The statistics of the tasks ``user`` may see, selected by ``data`` (the task
    FilterSet's parameters: round, party group, region, year, inspecting body, category,
    status …). A parameter that is not valid — a round or party group the user may not see
    included — is refused (``ValidationError`` naming the field); nothing is computed."""
    tasks = permissions.visible(RectificationTask, user)
    if request is None:
        request = _Request(user)
    filterset = TaskFilterSet(data or {}, queryset=tasks, request=request)
    if not filterset.is_valid():
        raise ValidationError({name: [str(error) for error in errors]
                               for name, errors in filterset.errors.items()})
    return compute(filterset.qs, today)


class _Request:
    """What the FilterSet reads of a request (the user), for callers without one."""

    def __init__(self, user):
        self.user = user
        self.GET = {}


#: Queries of :func:`by_round`: the counts per round and the figures per round.
ROUND_QUERIES = 2


def by_round(tasks: QuerySet, today: datetime.date | None = None) -> dict[int, Counts]:
    """The counts of ``tasks`` for each of their rounds (with the figures: each round's own and
    its selected tasks'), in :data:`ROUND_QUERIES` queries whatever the number of rounds — what
    the daily trend snapshots store."""
    today = today or timezone.localdate()
    reopened = Review.objects.filter(task=OuterRef("pk"), decision=ReviewDecision.REOPENED)
    annotated = due_dates.with_due_dates(tasks.order_by(), today).annotate(
        was_reopened=Exists(reopened))
    rounds = {row["round"]: _counts(row) for row in
              annotated.values("round").annotate(**_aggregates())}
    figures = OutcomeFigure.objects.filter(
        Q(task__in=tasks.order_by().values("pk"))
        | Q(task__isnull=True, round__in=tasks.order_by().values("round")))
    per_round: dict[int, list] = defaultdict(list)
    for row in figures.values("round", "kind", "label", "unit").annotate(
            total=Sum("value")).order_by():
        per_round[row["round"]].append(row)
    for round_id, rows in per_round.items():
        rounds.setdefault(round_id, Counts()).figures = figures_of(rows)
    return rounds


def compute_by_round(tasks: QuerySet, today: datetime.date | None = None) -> list[Group]:
    """:func:`by_round` as rows in the order of the rounds' feedback dates (one more query,
    the rounds): ``Group.id`` and ``Group.round_id`` are the round's id, ``Group.name`` its
    title."""
    counts = by_round(tasks, today)
    rounds = InspectionRound.objects.filter(pk__in=counts).select_related(
        "party_group").order_by("feedback_date", "pk")
    return [Group(round_.pk, str(round_), counts[round_.pk], round_.pk) for round_ in rounds]
