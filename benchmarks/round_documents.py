"""A round's documents at size: the rectification report and the plan of one round.

Run: ``.venv/bin/python benchmarks/round_documents.py [--tasks 500 5000]``. Builds a
throwaway SQLite database of its own per size (one round: five areas of ten sub-categories,
the tasks under them, 4 measures and one outcome figure each), then prints the median of
three runs of:

* the floor: the same rows read bare (tasks and measures as ``values_list``);
* ``build_report`` (records, statistics, the document model) and ``render_docx`` of it;
* ``write_plan_xlsx`` (to memory), ``build_plan`` and ``render_docx`` of it;
* the queries of each builder, the size of each file, and each time as a ratio of the floor.

Asserts nothing.
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ledger import MEASURE, PROGRESS, TITLE, setup_django  # noqa: E402

RUNS = 3


def fill(tasks: int) -> int:
    import datetime
    from decimal import Decimal

    from bureaus.models import PartyGroup
    from rectify.models import (
        InspectionRound,
        Measure,
        OutcomeFigure,
        ProblemCategory,
        RectificationTask,
    )
    from rectify.models.choices import Status
    from rectify.models.outcomes import FigureKind

    group = PartyGroup.objects.create(name="中共示例市教育局党组", short_name="示例市教育局")
    rnd = InspectionRound.objects.create(
        party_group=group, inspecting_body="市委第三巡察组", kind="常规巡察",
        feedback_date=datetime.date(2023, 2, 28), rectification_months=3,
        level_formats=["({cn})", "{n}.", "{n})", "{circled}"], next_steps="一是巩固成果。")
    tops = ProblemCategory.objects.bulk_create(
        ProblemCategory(round=rnd, position=i, title=f"第{i}方面问题") for i in range(1, 6))
    subs = ProblemCategory.objects.bulk_create(
        ProblemCategory(round=rnd, parent=top, position=j, title=f"第{j}类问题")
        for top in tops for j in range(1, 11))
    statuses = [Status.IN_PROGRESS, Status.COMPLETED, Status.COMPLETED_LONGTERM]
    made = RectificationTask.objects.bulk_create(
        RectificationTask(round=rnd, category=subs[n % len(subs)], position=n // len(subs) + 1,
                          title=TITLE.format(n=n), progress=PROGRESS,
                          responsible_leader="张副局长", responsible_department="办公室",
                          status=statuses[n % 3]) for n in range(tasks))
    Measure.objects.bulk_create(Measure(task=task, position=k, text=MEASURE.format(k=k))
                                for task in made for k in range(1, 5))
    OutcomeFigure.objects.bulk_create(
        OutcomeFigure(round=rnd, task=task, kind=FigureKind.SYSTEMS, value=Decimal(1), unit="项")
        for task in made)
    return rnd.pk


def timed(work) -> tuple[float, object]:
    times, result = [], None
    for _ in range(RUNS):
        start = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def queries(work) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        work()
    return len(captured)


def measure(tasks: int) -> None:
    from rectify.documents.gongwen_docx import render_docx
    from rectify.documents.round_plan import build_plan, write_plan_xlsx
    from rectify.documents.round_report import build_report
    from rectify.models import Measure, RectificationTask

    round_id = fill(tasks)

    def floor():
        rows = list(RectificationTask.objects.filter(round_id=round_id).values_list())
        rows += list(Measure.objects.filter(task__round_id=round_id).values_list())
        return rows

    def xlsx():
        out = io.BytesIO()
        write_plan_xlsx(round_id, out)
        return out.getvalue()

    base, _rows = timed(floor)
    cases = [
        ("build_report", lambda: build_report(round_id)),
        ("build_report + render_docx", lambda: render_docx(build_report(round_id))),
        ("write_plan_xlsx", xlsx),
        ("build_plan + render_docx", lambda: render_docx(build_plan(round_id))),
    ]
    print(f"\n{tasks} tasks, {tasks * 4} measures: floor (rows read bare) {base * 1000:.0f} ms")
    for name, work in cases:
        seconds, result = timed(work)
        size = f", {len(result) / 1024:.0f} KB" if isinstance(result, bytes) else ""
        print(f"  {name:28} {seconds * 1000:7.0f} ms  {seconds / base:6.1f} × floor  "
              f"{queries(work)} queries{size}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, nargs="+", default=[500, 5000])
    args = parser.parse_args()
    for tasks in args.tasks:
        with tempfile.TemporaryDirectory() as directory:
            database = Path(directory) / "bench.sqlite3"
            if tasks == args.tasks[0]:
                setup_django(database)
            else:  # a fresh database for each size, in the same process
                from django.db import connection

                connection.close()
                connection.settings_dict["NAME"] = str(database)
                from django.core.management import call_command

                call_command("migrate", verbosity=0)
            measure(tasks)


if __name__ == "__main__":
    main()
