"""Trends (整改趋势): a daily snapshot of the statistics per round (and so per party group),
and the series a dashboard draws from them.

* :func:`take_snapshot` stores one day's counts of every round, computed by
  ``statistics.by_round`` in a fixed number of queries; run again the same day it replaces
  that day's rows (``manage.py snapshot_statistics``).
* :func:`backfill` derives past days from the records' own history: the history rows of each
  task (``RectificationTask.history``: its status, deadlines, proposal and sign-off as each
  save left them), the completion dates, the sign-off times and the reopening reviews. Before a
  task's first history row (a notice imported after the fact) the record as first imported
  stands, and its completion date — or, without one, the date of the round's notice that
  reported it completed — says from when it counts as completed; a task counts from its
  round's feedback date. Nothing is invented: a day's row is what the records said then.
* :func:`series` sums the rows of the rounds a user may see, selected like the statistics
  (round, party group, region, year, inspecting body), into one point per day.
"""

from __future__ import annotations

import bisect
import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Min, Sum
from django.utils import timezone

from rectify.models import (
    InspectionRound,
    Notice,
    OutcomeFigure,
    RectificationTask,
    Review,
    StatisticsSnapshot,
)
from rectify.models.choices import ReviewDecision, Status
from rectify.rules import permissions
from rectify.services import statistics
from rectify.services.filtersets import TaskFilterSet

#: The counts a snapshot stores (those of ``statistics.Counts``).
COUNTS = ("tasks", "completed", "on_time", "overdue", "awaiting_review", "signed_off",
          "reopened", "extended")
#: The statistics filters that select rounds (a snapshot is a round's).
ROUND_FILTERS = ("round", "party_group", "region", "year", "inspecting_body")


def _figure_sums(figures) -> dict[str, str]:
    sums: dict[str, Decimal] = defaultdict(Decimal)
    for figure in figures:
        sums[figure.kind] += figure.value
    return {kind: str(value.normalize()) for kind, value in sums.items()}


def take_snapshot(today: datetime.date | None = None) -> int:
    """Store ``today``'s statistics of every round with tasks (replacing that day's rows);
    returns the number of rows."""
    today = today or timezone.localdate()
    counts = statistics.by_round(RectificationTask.objects.all(), today)
    groups = dict(InspectionRound.objects.filter(pk__in=counts).values_list(
        "pk", "party_group"))
    rows = [StatisticsSnapshot(date=today, round_id=round_id, party_group_id=groups[round_id],
                               figures=_figure_sums(c.figures),
                               **{name: getattr(c, name) for name in COUNTS})
            for round_id, c in counts.items() if round_id in groups]
    with transaction.atomic():
        StatisticsSnapshot.objects.filter(date=today).delete()
        StatisticsSnapshot.objects.bulk_create(rows)
    return len(rows)


# -- the past, from the records' history ----------------------------------------------------


def _local_date(moment) -> datetime.date | None:
    return timezone.localtime(moment).date() if moment else None


@dataclass
class _State:
    """A task as one of its history rows left it."""

    since: datetime.date
    deleted: bool
    status: str
    completion_date: datetime.date | None
    deadline: datetime.date | None
    extended_deadline: datetime.date | None
    proposed: bool
    proposed_on: datetime.date | None
    signed_off_on: datetime.date | None


_HISTORY_FIELDS = ("id", "history_date", "history_type", "round_id", "status",
                   "completion_date", "deadline", "extended_deadline", "proposed_status",
                   "proposed_at", "signed_off_at")


def _timelines(rounds) -> tuple[dict[int, int], dict[int, list[_State]]]:
    """Each task's round and its states in history order (one query, streamed)."""
    task_round: dict[int, int] = {}
    states: dict[int, list[_State]] = defaultdict(list)
    rows = (RectificationTask.history.filter(round_id__in=rounds)
            .order_by("id", "history_date", "history_id").values_list(*_HISTORY_FIELDS))
    for (pk, when, kind, round_id, status, completion, deadline, extended, proposed,
         proposed_at, signed_off_at) in rows.iterator(chunk_size=5000):
        task_round[pk] = round_id
        states[pk].append(_State(_local_date(when), kind == "-", status, completion, deadline,
                                 extended, bool(proposed), _local_date(proposed_at),
                                 _local_date(signed_off_at)))
    return task_round, states


def _as_of(state: _State, recorded: bool, day: datetime.date, round_end, reopened_on,
           reported: datetime.date | None) -> dict[str, int]:
    """The counts one task adds to ``day``: ``state`` is its latest history row on or before
    that day (``recorded``), else its first (the record as imported later): then a completed
    task counts from its completion date, or without one from the date of the notice that
    reported it (``reported``), and not before."""
    known = state.completion_date or reported
    done = state.status in Status.done() and (recorded or (known is not None and known <= day))
    due = state.extended_deadline if recorded else None
    due = due or state.deadline or round_end
    completion = state.completion_date
    return {
        "tasks": 1,
        "completed": int(done),
        "on_time": int(done and (due is None or completion is None or completion <= due)),
        "overdue": int(not done and due is not None and due < day),
        "awaiting_review": int(state.proposed and (
            recorded or (state.proposed_on is not None and state.proposed_on <= day))),
        "signed_off": int(state.signed_off_on is not None and state.signed_off_on <= day),
        "reopened": int(reopened_on is not None and reopened_on <= day),
        "extended": int(recorded and state.extended_deadline is not None),
    }


def backfill(start: datetime.date, end: datetime.date, rounds=None) -> int:
    """Derive the rows of the days ``start``..``end`` (inclusive) of ``rounds`` (all by
    default) from the tasks' history, replacing those days' rows of those rounds; returns the
    number of rows. A round counts from its feedback date (or its tasks' first history row)."""
    if start > end:
        raise ValueError("start is after end")
    round_qs = InspectionRound.objects.all() if rounds is None else \
        InspectionRound.objects.filter(pk__in=[getattr(r, "pk", r) for r in rounds])
    info = {row["pk"]: row for row in round_qs.values(
        "pk", "party_group", "feedback_date", "rectification_end_date")}
    task_round, states = _timelines(list(info))
    reopened_on = {row["task"]: _local_date(row["first"]) for row in Review.objects.filter(
        task__round__in=list(info), decision=ReviewDecision.REOPENED).values("task").annotate(
        first=Min("created_at")).order_by()}
    reported = {row["round"]: row["last"] for row in Notice.objects.filter(
        round__in=list(info)).values("round").annotate(last=Max("date")).order_by()}
    figures: dict[int, list] = defaultdict(list)
    for figure in OutcomeFigure.objects.filter(round__in=list(info)).only(
            "round", "kind", "value", "created_at"):
        figures[figure.round_id].append(figure)

    totals: dict[tuple[datetime.date, int], dict[str, int]] = defaultdict(
        lambda: dict.fromkeys(COUNTS, 0))
    for pk, timeline in states.items():
        round_id = task_round[pk]
        meta = info[round_id]
        first_day = min(filter(None, (meta["feedback_date"], timeline[0].since)))
        starts = [state.since for state in timeline]
        day = max(start, first_day)
        while day <= end:
            index = bisect.bisect_right(starts, day) - 1
            recorded = index >= 0
            state = timeline[index] if recorded else timeline[0]
            if not state.deleted:
                counts = _as_of(state, recorded, day, meta["rectification_end_date"],
                                reopened_on.get(pk), reported.get(round_id))
                total = totals[day, round_id]
                for name, value in counts.items():
                    total[name] += value
            day += datetime.timedelta(days=1)

    rows = []
    for (day, round_id), counts in totals.items():
        present = [f for f in figures[round_id] if _local_date(f.created_at) <= day]
        rows.append(StatisticsSnapshot(date=day, round_id=round_id,
                                       party_group_id=info[round_id]["party_group"],
                                       figures=_figure_sums(present), backfilled=True,
                                       **counts))
    with transaction.atomic():
        StatisticsSnapshot.objects.filter(date__gte=start, date__lte=end,
                                          round__in=list(info)).delete()
        StatisticsSnapshot.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


# -- the series a dashboard draws -----------------------------------------------------------


@dataclass(frozen=True)
class Point:
    date: datetime.date
    tasks: int
    completed: int
    overdue: int
    awaiting_review: int
    signed_off: int

    @property
    def completion_rate(self) -> float | None:
        return self.completed / self.tasks if self.tasks else None


def rounds_for(user, data=None, *, request=None):
    """The rounds ``user`` may see, selected by the round-level statistics filters in
    ``data`` (round, party group, region, year, inspecting body); an invalid value — another
    bureau's round included — is a ``ValidationError`` naming the field."""
    data = {name: data[name] for name in ROUND_FILTERS if data and data.get(name)}
    tasks = permissions.visible(RectificationTask, user)
    filterset = TaskFilterSet(data, queryset=tasks, request=request or _Request(user))
    if not filterset.is_valid():
        raise ValidationError({name: [str(error) for error in errors]
                               for name, errors in filterset.errors.items()})
    rounds = permissions.visible(InspectionRound, user)
    cleaned = filterset.form.cleaned_data
    if cleaned.get("round"):
        rounds = rounds.filter(pk=cleaned["round"].pk)
    if cleaned.get("party_group"):
        rounds = rounds.filter(party_group=cleaned["party_group"])
    if cleaned.get("region"):
        rounds = rounds.filter(party_group__region=cleaned["region"])
    if cleaned.get("year"):
        rounds = rounds.filter(feedback_date__year=int(cleaned["year"]))
    if cleaned.get("inspecting_body"):
        rounds = rounds.filter(inspecting_body=cleaned["inspecting_body"])
    return rounds


def series(user, data=None, *, request=None) -> list[Point]:
    """One point per day: the snapshot rows of the rounds ``user`` may see and ``data``
    selects, summed (one query after the filters' own)."""
    rounds = rounds_for(user, data, request=request)
    rows = (permissions.visible(StatisticsSnapshot, user).filter(round__in=rounds)
            .values("date").annotate(**{name: Sum(name) for name in (
                "tasks", "completed", "overdue", "awaiting_review", "signed_off")})
            .order_by("date"))
    return [Point(**row) for row in rows]


class _Request:
    """What the FilterSet reads of a request (the user), for callers without one."""

    def __init__(self, user):
        self.user = user
        self.GET = {}
