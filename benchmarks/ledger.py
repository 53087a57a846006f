"""Ledger export speed and memory at 50,000 tasks with 4 measures each (half of them with an
outcome paragraph and two evidence files, a third with two outcome figures).

Run: ``.venv/bin/python benchmarks/ledger.py [--tasks N]``. Builds a throwaway SQLite database
of its own (a temporary file, migrated, filled with ``bulk_create``), then prints:

* the export time (``write_ledger``: queries, numbering, cells, summary sheet, saving);
* the time of writing the same rows with bare openpyxl write-only mode (the same values,
  no styles, no borders, no print setup, no database), and the ratio of the two: exports
  and bare writes alternate ``--runs`` times, each pair gives a ratio, the median is shown;
* the export's peak memory (tracemalloc, a separate run) and the process's peak RSS;
* the number of queries of the export.

Goals: ratio ≤ 1.2 (the export styled and set up for print), peak memory under 300 MB, a
query count independent of the rows.
Asserts nothing.
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
import tracemalloc
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TASKS_PER_ROUND = 100
MEASURES_PER_TASK = 4
PARTY_GROUPS = 20

TITLE = "关于“{n}号问题：落实全面从严治党主体责任不到位，制度执行不严格，监督检查流于形式”的问题"
MEASURE = ("第{k}项措施：组织专题学习，建立问题清单、任务清单、责任清单，明确责任领导和完成时限，"
           "定期调度整改进展，确保整改到位、取得实效。")
PROGRESS = ("已召开专题会议研究部署，制定整改方案，明确责任分工；"
            "目前正在逐项推进，按期完成整改任务。")
OUTCOME = "经过整改，建立完善了相关制度，规范了工作流程，追缴资金已全部上缴财政。"
EVIDENCE = ["整改方案.pdf", "专题会议纪要.docx"]


def setup_django(database: Path) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rectify.settings")
    os.environ.setdefault("DEBUG", "1")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def fill(tasks: int) -> None:
    """``tasks`` tasks in rounds of 100, two category levels, 4 measures each; every second
    task with an outcome paragraph and two evidence files, every third with two outcome
    figures."""
    from django.db import transaction

    from bureaus.models import PartyGroup
    from rectify.models import (
        Evidence,
        FigureKind,
        InspectionRound,
        Measure,
        OutcomeFigure,
        ProblemCategory,
        RectificationTask,
    )
    from rectify.models.choices import Status

    statuses = [Status.IN_PROGRESS, Status.COMPLETED, Status.COMPLETED_LONGTERM]
    groups = PartyGroup.objects.bulk_create(
        PartyGroup(name=f"中共示例市第{i}局党组", short_name=f"示例市第{i}局")
        for i in range(1, PARTY_GROUPS + 1)
    )
    feedback = datetime.date(2023, 2, 28)
    made = 0
    round_no = 0
    while made < tasks:
        round_no += 1
        with transaction.atomic():
            rnd = InspectionRound.objects.create(
                party_group=groups[round_no % PARTY_GROUPS], inspecting_body="市委第三巡察组",
                kind="常规巡察", feedback_date=feedback,
                level_formats=["({cn})", "{n}.", "{n})", "{circled}"],
            )
            tops = ProblemCategory.objects.bulk_create(
                ProblemCategory(round=rnd, position=i, title=f"第{i}方面问题")
                for i in range(1, 6)
            )
            subs = ProblemCategory.objects.bulk_create(
                ProblemCategory(round=rnd, parent=top, position=j, title=f"第{j}类具体问题")
                for top in tops for j in range(1, 3)
            )
            count = min(TASKS_PER_ROUND, tasks - made)
            new_tasks = RectificationTask.objects.bulk_create(
                RectificationTask(
                    round=rnd, category=subs[i % len(subs)], position=3 + i // len(subs),
                    title=TITLE.format(n=made + i + 1), responsible_leader="张某某",
                    responsible_department="办公室、组织人事科",
                    deadline=feedback + datetime.timedelta(days=90 + i),
                    status=statuses[i % 3], progress=PROGRESS,
                    completion_date=feedback + datetime.timedelta(days=60) if i % 3 else None,
                    outcome=OUTCOME if i % 2 else "",
                )
                for i in range(count)
            )
            Measure.objects.bulk_create(
                Measure(task=task, position=k, text=MEASURE.format(k=k))
                for task in new_tasks for k in range(1, MEASURES_PER_TASK + 1)
            )
            OutcomeFigure.objects.bulk_create(
                OutcomeFigure(round=rnd, task=task, kind=kind, value=value, unit=unit)
                for task in new_tasks[::3] for kind, value, unit in (
                    (FigureKind.SYSTEMS, 2, "项"), (FigureKind.FUNDS, Decimal("12.5"), "万元"))
            )
            Evidence.objects.bulk_create(
                Evidence(task=task, file=f"2023/06/{task.pk:032x}.pdf", original_name=name,
                         extension="pdf", content_type="application/pdf", size=1024,
                         sha256="0" * 64)
                for task in new_tasks[1::2] for name in EVIDENCE
            )
        made += count


def time_export(path: Path) -> tuple[float, int, int, float]:
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    from rectify.ledger.ledger_export import write_ledger
    from rectify.models import RectificationTask

    reset_queries()  # the log keeps 9,000 queries: filling the database took more
    with CaptureQueriesContext(connection) as queries:
        start, cpu = time.perf_counter(), time.process_time()
        rows = write_ledger(str(path), RectificationTask.objects.all())
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    return seconds, rows, len(queries), cpu


def bare_rows() -> list[list]:
    """The ledger rows' values, as the export writes them (made outside any timing)."""
    from rectify.ledger import ledger_columns as cols
    from rectify.ledger.ledger_export import iter_rows
    from rectify.models import RectificationTask
    from rectify.rules import cell_text

    rows = []
    getters = cols.row_getters(cols.COLUMNS)
    for row in iter_rows(RectificationTask.objects.all()):
        values = []
        for column, getter in zip(cols.COLUMNS, getters, strict=True):
            value = getter(row)
            if column.kind in cols.TEXT_KINDS and value:
                value = cell_text.neutralise(str(value))
            values.append(value)
        rows.append(values)
    return rows


def time_bare(rows: list[list], path: Path) -> tuple[float, float]:
    """Seconds and CPU seconds of writing ``rows`` with bare openpyxl write-only mode."""
    from openpyxl import Workbook

    start, cpu = time.perf_counter(), time.process_time()
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("台账")
    for values in rows:
        sheet.append(values)
    workbook.save(str(path))
    return time.perf_counter() - start, time.process_time() - cpu


def time_import_check(path: Path) -> tuple[float, int, int]:
    """Plan the import of the unchanged ledger (every row compared; nothing to write)."""
    from django.conf import settings
    from django.contrib.auth import get_user_model

    from rectify.ledger.ledger_plan import read_ledger
    from rectify.rules import roles

    user = get_user_model().objects.create_user("bench-staff")
    user.groups.add(roles.ensure_roles()[roles.STAFF])
    # The upload limits (20 MB, 100 MB uncompressed) are for the web; the check is the same.
    settings.LEDGER_MAX_UPLOAD_BYTES = settings.LEDGER_MAX_UNCOMPRESSED_BYTES = 10 ** 10
    start = time.perf_counter()
    plan = read_ledger(path, user)
    return time.perf_counter() - start, len(plan.rows), len(plan.errors)


def unpacked(path: Path) -> tuple[float, float]:
    """The workbook's uncompressed size (MB) and overall compression ratio."""
    import zipfile

    with zipfile.ZipFile(path) as archive:
        infos = archive.infolist()
    total = sum(info.file_size for info in infos)
    return total / 1024 / 1024, total / max(sum(info.compress_size for info in infos), 1)


def ratios(exports, bares) -> list[float]:
    return [export / bare for export, bare in zip(exports, bares, strict=True)]


def spread(numbers) -> str:
    """``1.23 (median; 1.10–1.40)``."""
    return (f"{statistics.median(numbers):.2f} "
            f"(median; {min(numbers):.2f}–{max(numbers):.2f})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=3,
                        help="exports and bare writes, alternating (default 3 each)")
    parser.add_argument("--import-check", action="store_true",
                        help="also time reading the exported ledger back (import preview)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ledger-bench-") as tmp:
        tmp = Path(tmp)
        start = time.perf_counter()
        setup_django(tmp / "bench.sqlite3")
        fill(args.tasks)
        print(f"database: {args.tasks} tasks, {args.tasks * MEASURES_PER_TASK} measures "
              f"({time.perf_counter() - start:.1f} s to build)")

        # The first export warms up (and gives the rows, the queries, the file); then exports
        # and bare writes alternate, so that a busy machine slows both alike.
        _seconds, rows, queries, _cpu = time_export(tmp / "ledger.xlsx")
        rss_after_export = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        size = (tmp / "ledger.xlsx").stat().st_size / 1024 / 1024

        tracemalloc.start()
        time_export(tmp / "traced.xlsx")
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()

        values = bare_rows()
        exports, bares = [], []
        for _ in range(args.runs):
            seconds, _rows, _queries, cpu = time_export(tmp / "ledger.xlsx")
            exports.append((seconds, cpu))
            bares.append(time_bare(values, tmp / "bare.xlsx"))
        export_times, export_cpu = zip(*exports, strict=True)
        bare_times, bare_cpu = zip(*bares, strict=True)

        print(f"export_ledger: {rows} rows in {spread(export_times)} s, CPU {spread(export_cpu)} s "
              f"({size:.1f} MB file)")
        print(f"bare openpyxl write-only, same rows: {spread(bare_times)} s, "
              f"CPU {spread(bare_cpu)} s")
        print(f"ratio of {args.runs} interleaved pairs: {spread(ratios(export_times, bare_times))}"
              f"; of their CPU times (what a busy machine disturbs least): "
              f"{spread(ratios(export_cpu, bare_cpu))}")
        print(f"peak memory of the export (tracemalloc): {peak / 1024 / 1024:.0f} MB")
        print(f"peak RSS of the process after the export: {rss_after_export:.0f} MB")
        print(f"queries of the export: {queries}")
        megabytes, ratio = unpacked(tmp / "ledger.xlsx")
        print(f"workbook: {megabytes:.0f} MB uncompressed, compression ratio {ratio:.0f}")
        if args.import_check:
            seconds, changed, errors = time_import_check(tmp / "ledger.xlsx")
            print(f"import check of the unchanged ledger: {seconds:.1f} s "
                  f"({changed} rows to change, {errors} errors)")


if __name__ == "__main__":
    main()
