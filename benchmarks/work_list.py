"""The work list (/work/) and the overview (/work/overview/) as staff at many tasks.

Run: ``.venv/bin/python benchmarks/work_list.py [--tasks N] [--runs K]``. Builds a throwaway
SQLite database of its own (the ledger benchmark's data: rounds of 100 tasks, two category
levels, 4 measures each; every round gets an end of concentrated rectification so that tasks
have due dates and colours), then times, as the staff user who sees every task:

* ``/work/`` (page 1), ``/work/?page=20`` and ``/work/?warning=red`` — the list pages in
  SQL, in print order, with due dates and colours from the database;
* ``/work/overview/``;
* the floor: the same 50 rows of the same fields read with ``values()`` and returned as
  JSON, through the same test client and middleware (what any page of 50 rows costs).

Prints the median of ``--runs`` interleaved runs of each, its ratio to the floor, the
response size, the query count and the process's peak RSS. Asserts nothing.
"""

from __future__ import annotations

import argparse
import datetime
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.ledger import fill, setup_django  # noqa: E402

FIELDS = ("id", "title", "status", "deadline", "round_id", "category_id", "position",
          "printed_label")


def floor_view(request):
    from django.http import JsonResponse

    from rectify.models import RectificationTask

    rows = list(RectificationTask.objects.order_by("round_id", "pk").values(*FIELDS)[:50])
    return JsonResponse({"results": rows}, json_dumps_params={"default": str})


urlpatterns: list = []


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        setup_django(Path(tmp) / "bench.sqlite3")
        from django.conf import settings
        from django.contrib.auth import get_user_model
        from django.db import connection
        from django.test import Client
        from django.test.utils import CaptureQueriesContext
        from django.urls import include, path

        from rectify.models import InspectionRound

        try:
            from rectify.rules import roles
        except ImportError:  # the layout before the rules moved (for before/after runs)
            from rectify import roles

        settings.ALLOWED_HOSTS = ["*"]
        start = time.perf_counter()
        fill(args.tasks)
        for rnd in InspectionRound.objects.all():  # saved: the round stores its end date
            rnd.rectification_months = 3 + rnd.pk % 12
            rnd.save()
        print(f"{args.tasks} tasks built in {time.perf_counter() - start:.1f} s")

        global urlpatterns
        urlpatterns = [path("floor/", floor_view), path("", include(settings.ROOT_URLCONF))]
        settings.ROOT_URLCONF = __name__
        user = get_user_model().objects.create_user("bench_staff", password="x",
                                                    is_staff=True)
        user.groups.add(roles.ensure_roles()[roles.STAFF])
        client = Client()
        client.force_login(user)

        pages = {"floor (values + JSON, 50 rows)": "/floor/", "/work/": "/work/",
                 "/work/?page=20": "/work/?page=20",
                 "/work/?warning=red": "/work/?warning=red",
                 "/work/overview/": "/work/overview/"}
        times: dict[str, list[float]] = {name: [] for name in pages}
        facts: dict[str, tuple[int, int]] = {}
        for name, address in pages.items():  # warm up, count queries and bytes
            with CaptureQueriesContext(connection) as queries:
                response = client.get(address)
            assert response.status_code == 200, (address, response.status_code)
            facts[name] = (len(response.content), len(queries))
        for _ in range(args.runs):  # interleaved
            for name, address in pages.items():
                begin = time.perf_counter()
                client.get(address)
                times[name].append(time.perf_counter() - begin)
        floor = statistics.median(times["floor (values + JSON, 50 rows)"])
        print(f"{'page':34} {'median ms':>10} {'× floor':>8} {'KB':>7} {'queries':>8}")
        for name in pages:
            median = statistics.median(times[name])
            size, count = facts[name]
            print(f"{name:34} {median * 1000:10.1f} {median / floor:8.1f} "
                  f"{size / 1024:7.0f} {count:8d}")
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"peak RSS {rss:.0f} MB; {datetime.date.today()}")


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rectify.settings")
    main()
