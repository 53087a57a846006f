"""The API's lists against a floor: ``values()`` of the same fields returned by ``JsonResponse``.

Run: ``.venv/bin/python benchmarks/api.py [--tasks 20000] [--runs 15] [--sqlite PATH]
[--database NAME [--server postgres://postgres@127.0.0.1:5432]] [--reuse] [--keep]
[--only TEXT]``.

The data set is built with the project's own models by ``benchmarks/scale.py``'s ``build``
(a party group per 200 tasks, rounds of 100 tasks in a 3 × 3 category tree, 4 measures a
task, a clerk and a leader per party group, staff ``bench_staff``):

* by default in a SQLite scratch file (a temporary one, or ``--sqlite PATH``: kept, and reused
  when it already holds tasks);
* with ``--database NAME``, in that PostgreSQL database on ``--server``: recreated and built,
  or with ``--reuse`` migrated and measured as it is (e.g. a copy of the 60,000-task template
  ``rectify_bench_scale60k``; never point it at the template itself); dropped afterwards unless
  ``--keep`` or ``--reuse``.

Then, as staff (who sees every record), each list — ``/api/tasks/?page_size=200`` (tasks with
their measures and outcome figures), ``/api/measures/``, ``/api/rounds/``,
``/api/party-groups/``, ``/api/categories/``, ``/api/notices/``, each with ``page_size=200`` —
and its floor are requested through Django's test client (the same middleware, session and
URL resolution), ``--runs`` times, interleaved: each run times the endpoint and its floor
back to back and gives one ratio. The floor is a view of this script only, routed by this
script's URLconf: the same 200 rows in the same order, the same stored fields (and for tasks
the database's due-date annotations, their measures and figures, one ``values()`` query
each), as ``values()`` and ``JsonResponse``: no authentication, permission rule, filters,
count, serializer or derived numbers.

Prints per list: its query count, response size, median ms and the floor's, and the ratios'
min, median and max. Asserts nothing; writes no file (but ``--sqlite PATH``).
"""

from __future__ import annotations

import argparse
import os
import statistics as stats
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks import scratch_database  # noqa: E402

PAGE = 200
TASK_FIELDS = (
    "id", "round_id", "round__party_group_id", "category_id", "position", "printed_label",
    "title", "detail", "responsible_leader", "responsible_department", "deadline",
    "extended_deadline", "status", "result_text", "progress", "outcome", "completion_date",
    "signed_off_by__username", "signed_off_at", "proposed_status", "proposal_note",
    "proposed_completion_date", "proposed_by__username", "proposed_at", "proposal_level",
    "withhold_ground", "withhold_note", "version", "created_at", "updated_at")
TASK_ANNOTATIONS = ("due_on", "original_due_on", "is_overdue", "warning", "extension_count",
                    "pending_extension_deadline")
MEASURE_FIELDS = ("id", "task_id", "position", "text", "responsible_unit", "due_date",
                  "version", "created_at", "updated_at")
FIGURE_FIELDS = ("id", "task_id", "kind", "label", "value", "unit", "note", "version")
ROUND_FIELDS = (
    "id", "party_group_id", "title", "inspecting_body", "kind", "superior_body",
    "superior_round_id", "inspection_start", "inspection_end", "feedback_date",
    "rectification_end", "rectification_months", "rectification_end_date", "review_levels",
    "numbering_style", "level_formats", "task_format", "show_task_counts", "measures_inline",
    "progress_label", "result_label", "show_results", "version", "created_at", "updated_at")
PARTY_GROUP_FIELDS = ("id", "name", "short_name", "region", "phone", "postal_address", "email",
                      "version", "created_at", "updated_at")
CATEGORY_FIELDS = ("id", "round_id", "parent_id", "position", "printed_label", "title",
                   "version", "created_at", "updated_at")
NOTICE_FIELDS = ("id", "round_id", "kind", "title", "opening", "overall_heading", "overall",
                 "problems_heading", "show_summary", "summary_template", "closing",
                 "signature", "date", "approved_by", "version", "created_at", "updated_at")


# -- the floors -------------------------------------------------------------------------------


def _json(rows):
    from django.http import JsonResponse

    return JsonResponse({"count": None, "results": rows}, json_dumps_params={"default": str})


def _children(model, fields, task_ids):
    """``model``'s rows of the tasks ``task_ids`` (one query), by task."""
    by_task: dict[int, list] = {}
    for row in model.objects.filter(task_id__in=task_ids).order_by(
            "task_id", *model._meta.ordering[1:]).values(*fields):
        by_task.setdefault(row["task_id"], []).append(row)
    return by_task


def floor_tasks(request):
    from rectify.models import Measure, OutcomeFigure, RectificationTask
    from rectify.rules import due_dates, extension_rules

    rows = list(extension_rules.with_extension_counts(due_dates.with_due_dates(
        RectificationTask.objects.all())).order_by("round_id", "category_id", "position", "pk")
        .values(*TASK_FIELDS, *TASK_ANNOTATIONS)[:PAGE])
    ids = [row["id"] for row in rows]
    measures = _children(Measure, MEASURE_FIELDS, ids)
    figures = _children(OutcomeFigure, FIGURE_FIELDS, ids)
    for row in rows:
        row["measures"] = measures.get(row["id"], [])
        row["figures"] = figures.get(row["id"], [])
    return _json(rows)


def _floor(model_path: str, fields, ordering):
    def view(request):
        from django.apps import apps

        model = apps.get_model(model_path)
        return _json(list(model.objects.order_by(*ordering).values(*fields)[:PAGE]))
    return view


def floor_rounds(request):
    from django.db.models import Count, Q

    from rectify.models import InspectionRound, RectificationTask
    from rectify.models.choices import Status

    rows = list(InspectionRound.objects.order_by("-feedback_date", "-pk")
                .values(*ROUND_FIELDS)[:PAGE])
    counts = {row["round_id"]: row for row in RectificationTask.objects.filter(
        round_id__in=[row["id"] for row in rows]).order_by().values("round_id").annotate(
        n=Count("pk"), done=Count("pk", filter=Q(status__in=Status.done())))}
    for row in rows:
        found = counts.get(row["id"], {})
        row["task_count"], row["completed_count"] = found.get("n", 0), found.get("done", 0)
    return _json(rows)


#: name -> (the endpoint, the floor's address, the floor)
LISTS = {
    "tasks": ("/api/tasks/?page_size=200", "/floor/tasks/", floor_tasks),
    "measures": ("/api/measures/?page_size=200", "/floor/measures/", _floor(
        "rectify.Measure", MEASURE_FIELDS, ("task_id", "position", "pk"))),
    "rounds": ("/api/rounds/?page_size=200", "/floor/rounds/", floor_rounds),
    "party-groups": ("/api/party-groups/?page_size=200", "/floor/party-groups/", _floor(
        "bureaus.PartyGroup", PARTY_GROUP_FIELDS, ("name",))),
    "categories": ("/api/categories/?page_size=200", "/floor/categories/", _floor(
        "rectify.ProblemCategory", CATEGORY_FIELDS, ("round_id", "parent_id", "position", "pk"))),
    "notices": ("/api/notices/?page_size=200", "/floor/notices/", _floor(
        "rectify.Notice", NOTICE_FIELDS, ("round_id", "pk"))),
}

urlpatterns: list = []


# -- the run ----------------------------------------------------------------------------------


def setup(args) -> bool:
    """Point Django at the data set, migrate; True when it must be built."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rectify.settings")
    os.environ.setdefault("DEBUG", "1")
    build = not args.reuse
    if args.database:
        os.environ["DATABASE_URL"] = f"{args.server}/{args.database}"
        if build:
            scratch_database.recreate(args.server, args.database)
    else:
        path = Path(args.sqlite)
        build = not path.exists() or path.stat().st_size == 0
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return build


def build(tasks: int) -> None:
    from django.conf import settings

    from benchmarks.scale import build as build_province

    # The users' passwords are never checked (force_login): hash them cheaply.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    begin = time.perf_counter()
    build_province(tasks)
    print(f"# built {tasks} tasks in {time.perf_counter() - begin:.0f} s", file=sys.stderr)


def measure(runs: int, only: str) -> None:
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import include, path

    from rectify.models import RectificationTask

    global urlpatterns
    chosen = {name: entry for name, entry in LISTS.items() if only in name}
    urlpatterns = [*(path(address.lstrip("/"), view)
                     for _endpoint, address, view in chosen.values()),
                   path("", include(settings.ROOT_URLCONF))]
    settings.ROOT_URLCONF = __name__
    settings.ALLOWED_HOSTS = ["*"]
    client = Client()
    client.force_login(get_user_model().objects.get(username="bench_staff"))

    def timed(address: str) -> float:
        begin = time.perf_counter()
        response = client.get(address)
        elapsed = time.perf_counter() - begin
        if response.status_code != 200:
            raise SystemExit(f"{address}: HTTP {response.status_code}")
        return elapsed

    facts = {}
    for endpoint, floor, _view in chosen.values():  # warm up: queries and sizes
        for address in (endpoint, floor):
            connection.queries_log.clear()
            with CaptureQueriesContext(connection) as queries:
                response = client.get(address)
            facts[address] = (len(queries), len(response.content))
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in chosen}
    for run in range(runs):  # interleaved; the order within a pair alternates
        for name, (endpoint, floor, _view) in chosen.items():
            if run % 2:
                floor_time = timed(floor)
                endpoint_time = timed(endpoint)
            else:
                endpoint_time = timed(endpoint)
                floor_time = timed(floor)
            times[name].append((endpoint_time, floor_time))
    print(f"{RectificationTask.objects.count()} tasks, {connection.vendor}, {runs} runs")
    print(f"{'list':14} {'queries':>7} {'KB':>6} {'ms':>8} {'floor ms':>9} "
          f"{'ratio min':>9} {'median':>7} {'max':>6}")
    for name, (endpoint, _floor, _view) in chosen.items():
        pairs = times[name]
        ratios = [endpoint_time / floor_time for endpoint_time, floor_time in pairs]
        count, size = facts[endpoint]
        print(f"{name:14} {count:7d} {size / 1024:6.0f} "
              f"{stats.median(t for t, _f in pairs) * 1000:8.1f} "
              f"{stats.median(f for _t, f in pairs) * 1000:9.1f} "
              f"{min(ratios):9.2f} {stats.median(ratios):7.2f} {max(ratios):6.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=20_000, help="tasks to build")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--sqlite", default="", help="a SQLite file to build or reuse")
    parser.add_argument("--database", default="", help="a PostgreSQL database instead")
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--reuse", action="store_true",
                        help="PostgreSQL: measure the database as it is, without building")
    parser.add_argument("--keep", action="store_true", help="keep a built PostgreSQL database")
    parser.add_argument("--only", default="", help="time only the lists naming this text")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if not args.database and not args.sqlite:
            args.sqlite = str(Path(tmp) / "api.sqlite3")
        must_build = setup(args)
        try:
            if must_build:
                build(args.tasks)
            measure(args.runs, args.only)
        finally:
            if args.database and not (args.keep or args.reuse):
                scratch_database.drop(args.server, args.database)


if __name__ == "__main__":
    main()
