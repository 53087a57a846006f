"""The statistics and the dashboard at province scale, on PostgreSQL.

Run: ``.venv/bin/python benchmarks/dashboard_stats.py [--tasks 6000 60000] [--runs K]
[--server postgres://postgres@127.0.0.1:5432]``. For each size it creates a scratch database on
that server (``rectify_bench_statistics``, dropped afterwards, whatever happens), migrates it,
fills it with the ledger benchmark's data (rounds of 100 tasks over 20 party groups, two
category levels, 4 measures a task — 60,000 tasks make 240,000 measures; every round gets an
end of concentrated rectification so that tasks are overdue), one outcome figure per ten tasks
and 30 days of trend snapshots, runs ANALYZE, then times as the staff user:

* the floor: a bare ``RectificationTask.objects.count()``;
* ``statistics.for_user`` (the API's and the dashboard's computation, 8 queries);
* ``trends.take_snapshot`` (the daily command's work);
* ``/dashboard/`` and ``/api/statistics/`` (when this build has it) through the test client,
  as staff and as a clerk of one bureau.

Prints the median of ``--runs`` interleaved runs, its ratio to the floor and the query count.
The goal: every page under 300 ms at 60,000 tasks. Asserts nothing; writes no file.
"""

from __future__ import annotations

import argparse
import datetime
import os
import statistics as stats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks import scratch_database  # noqa: E402

DATABASE = "rectify_bench_statistics"


def build(tasks: int) -> None:
    from decimal import Decimal

    from django.db import connection

    from benchmarks.ledger import fill
    from rectify.models import FigureKind, InspectionRound, OutcomeFigure, RectificationTask
    from rectify.services import trends

    fill(tasks)
    for rnd in InspectionRound.objects.all():  # saved: the round stores its end date
        rnd.rectification_months = 3 + rnd.pk % 12
        rnd.save()
    kinds = [FigureKind.SYSTEMS, FigureKind.FUNDS, FigureKind.EDUCATION]
    OutcomeFigure.objects.bulk_create(
        OutcomeFigure(round_id=round_id, task_id=pk, kind=kinds[pk % 3], unit="",
                      value=Decimal(pk % 7 + 1))
        for pk, round_id in RectificationTask.objects.values_list("pk", "round_id")
        if pk % 10 == 0)
    today = datetime.date.today()
    for days in range(30, 0, -1):
        trends.take_snapshot(today - datetime.timedelta(days=days))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def measure(runs: int) -> None:
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bureaus.models import PartyGroup
    from rectify.models import RectificationTask
    from rectify.rules import roles
    from rectify.services import statistics, trends

    settings.ALLOWED_HOSTS = ["*"]
    User = get_user_model()
    staff = User.objects.create_user("bench_staff", password="x", is_staff=True)
    staff.groups.add(roles.ensure_roles()[roles.STAFF])
    clerk = User.objects.create_user("bench_clerk", password="x")
    clerk.groups.add(roles.ensure_roles()[roles.CLERK])
    PartyGroup.objects.order_by("pk").first().members.add(clerk)
    staff_client, clerk_client = Client(), Client()
    staff_client.force_login(staff)
    clerk_client.force_login(clerk)

    def page(client, address):
        def run():
            response = client.get(address)
            assert response.status_code == 200, (address, response.status_code)
        return run

    cases = {
        "floor: RectificationTask.objects.count()": RectificationTask.objects.count,
        "statistics.for_user (staff)": lambda: statistics.for_user(staff),
        "trends.take_snapshot": trends.take_snapshot,
        "/dashboard/ (staff)": page(staff_client, "/dashboard/"),
        "/dashboard/?year=2023 (staff)": page(staff_client, "/dashboard/?year=2023"),
        "/dashboard/ (clerk, 1 of 20 bureaus)": page(clerk_client, "/dashboard/"),
    }
    if staff_client.get("/api/statistics/").status_code == 200:
        cases["/api/statistics/ (staff)"] = page(staff_client, "/api/statistics/")
    queries = {}
    for name, case in cases.items():  # warm up, count queries
        with CaptureQueriesContext(connection) as captured:
            case()
        queries[name] = len(captured)
    times: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(runs):  # interleaved
        for name, case in cases.items():
            begin = time.perf_counter()
            case()
            times[name].append(time.perf_counter() - begin)
    floor = stats.median(times[next(iter(cases))])
    print(f"{'':40} {'median ms':>10} {'× floor':>9} {'queries':>8}")
    for name in cases:
        median = stats.median(times[name])
        print(f"{name:40} {median * 1000:10.1f} {median / floor:9.1f} {queries[name]:8d}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, nargs="+", default=[6_000, 60_000])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432")
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = f"{args.server}/{DATABASE}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rectify.settings")
    os.environ.setdefault("DEBUG", "1")
    import django

    django.setup()
    from django.core.management import call_command

    for size in args.tasks:
        scratch_database.recreate(args.server, DATABASE)
        try:
            call_command("migrate", verbosity=0)
            start = time.perf_counter()
            build(size)
            print(f"\n{size} tasks, {size * 4} measures on PostgreSQL "
                  f"(built in {time.perf_counter() - start:.0f} s); {datetime.date.today()}")
            measure(args.runs)
        finally:
            scratch_database.drop(args.server, DATABASE)


if __name__ == "__main__":
    main()
