"""How long the imports take that a request holds, to choose the sizes above which they are
background jobs (``LEDGER_IMPORT_BACKGROUND_ROWS``, ``NOTICE_BACKGROUND_TASKS``).

Run: ``.venv/bin/python benchmarks/import_jobs.py [--ledger 500 2000 5000] [--notice 0.2 1]``.
Builds a throwaway SQLite database of its own (as ``benchmarks/ledger.py`` does), then for
each ledger size: exports the ledger, edits one cell of every row (责任科室), and times
counting the rows (``count_rows``: what the upload does to choose), the preview
(``read_ledger``) and the apply (``apply_plan``: every row written, with history), with their
queries; and, for each notice size (MB of the Xuchang notice's tree repeated), the parse and
the load (``load_notice``). Asserts nothing; prints medians of ``--runs`` (the apply and the
load once per size: they write).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.ledger import fill, setup_django  # noqa: E402


def staff_user():
    from django.contrib.auth import get_user_model

    from rectify.rules import roles

    user, _created = get_user_model().objects.get_or_create(username="bench-staff")
    user.groups.add(roles.ensure_roles()[roles.STAFF])
    return user


def edited_ledger(path: Path, tasks) -> Path:
    """The ledger of ``tasks``, with every row's 责任科室 edited."""
    import openpyxl

    from rectify.ledger.ledger_export import write_ledger

    with path.open("wb") as out:
        write_ledger(out, tasks)
    workbook = openpyxl.load_workbook(path)
    sheet = workbook["台账"]
    column = next(cell.column for cell in sheet[2] if cell.value == "责任科室")
    for row in range(3, sheet.max_row + 1):
        sheet.cell(row=row, column=column).value = f"科室{row}"
    workbook.save(path)
    return path


def timed(function, runs: int = 1):
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    seconds, result, queries = [], None, 0
    for _ in range(runs):
        reset_queries()
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            result = function()
            seconds.append(time.perf_counter() - start)
        queries = len(captured)
    return statistics.median(seconds), result, queries


def ledger(sizes: list[int], runs: int, tmp: Path) -> None:
    from django.conf import settings

    from rectify.ledger.ledger_apply import apply_plan
    from rectify.ledger.ledger_plan import read_ledger
    from rectify.ledger.ledger_sheet import count_rows
    from rectify.models import RectificationTask

    settings.LEDGER_MAX_UPLOAD_BYTES = settings.LEDGER_MAX_UNCOMPRESSED_BYTES = 10 ** 10
    user = staff_user()
    fill(max(sizes))
    print(f"{'ledger rows':>11} {'count_rows':>10} {'preview':>8} {'queries':>7} "
          f"{'apply':>7} {'queries':>7} {'ms/row':>6}")
    for size in sizes:
        tasks = RectificationTask.objects.order_by("pk")[:size]
        path = edited_ledger(tmp / f"ledger-{size}.xlsx", RectificationTask.objects.filter(
            pk__in=list(tasks.values_list("pk", flat=True))))
        counting, rows, _q = timed(lambda path=path: count_rows(path), runs)
        preview, plan, preview_queries = timed(
            lambda path=path: read_ledger(path, user), runs)
        assert not plan.errors, plan.errors[:3]
        apply, changed, apply_queries = timed(lambda plan=plan: apply_plan(plan, user))
        print(f"{size:>11} {counting:>9.3f}s {preview:>7.2f}s {preview_queries:>7} "
              f"{apply:>6.2f}s {apply_queries:>7} {1000 * (preview + apply) / size:>6.2f}"
              f"   ({rows} sheet rows, {changed} tasks written)")


def notices(sizes: list[float]) -> None:
    from benchmarks.importer import big_notice  # imports the importer: after setup_django
    from rectify.notice_import import parse_notice
    from rectify.notice_import.notice_loader import load_notice

    user = staff_user()
    print(f"{'notice MB':>9} {'tasks':>6} {'parse':>7} {'load':>7} {'queries':>7} {'ms/task':>7}")
    for number, megabytes in enumerate(sizes):
        text = big_notice(megabytes).replace("中共许昌市教育局党组", f"中共基准{number}局党组")
        parsing, parsed, _q = timed(lambda text=text: parse_notice(text))
        loading, _notice, queries = timed(
            lambda parsed=parsed: load_notice(parsed, user=user))
        print(f"{megabytes:>9} {parsed.task_count:>6} {parsing:>6.2f}s {loading:>6.2f}s "
              f"{queries:>7} {1000 * loading / parsed.task_count:>7.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ledger", type=int, nargs="*", default=[500, 2000, 5000])
    parser.add_argument("--notice", type=float, nargs="*", default=[0.1, 0.5, 1.0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        tmp = Path(directory)
        setup_django(tmp / "bench.sqlite3")
        if args.ledger:
            ledger(sorted(args.ledger), args.runs, tmp)
        if args.notice:
            notices(args.notice)


if __name__ == "__main__":
    main()
