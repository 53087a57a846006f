"""Importer accuracy on the synthetic notices: tasks found / expected, invented, doubts.

Run: ``.venv/bin/python benchmarks/importer_accuracy.py [-v] [NAME ...]``. Each notice in
``tests/data/notices/`` with an ``.expected.json`` beside it is parsed and scored against its
expected tree (``tests/notice_expectations.py`` says how); ``-v`` lists what differs.
Prints figures; asserts nothing (``tests/test_importer_accuracy.py`` asserts).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rectify.settings")

import django  # noqa: E402

django.setup()

from rectify.notice_import import parse_notice, read_notice_file  # noqa: E402
from tests.notice_expectations import (  # noqa: E402
    expected_files,
    load_spec,
    notice_path,
    score,
)


def main(argv: list[str]) -> None:
    verbose = "-v" in argv
    names = [arg for arg in argv if not arg.startswith("-")]
    print(f"{'notice':52} {'found':>9} {'invented':>8} {'misplaced':>9} {'doubts':>6}")
    totals = [0, 0, 0, 0, 0]
    for path in expected_files():
        name = notice_path(path).stem
        if names and not any(wanted in name for wanted in names):
            continue
        notice = parse_notice(read_notice_file(notice_path(path)))
        result = score(name, notice, load_spec(path))
        found = f"{result.found}/{result.expected}"
        mark = "" if result.exact else "  ✗"
        print(f"{name:52} {found:>9} {len(result.invented):>8} {len(result.misplaced):>9} "
              f"{result.doubts:>6}{mark}")
        for i, value in enumerate((result.found, result.expected, len(result.invented),
                                   len(result.misplaced), result.doubts)):
            totals[i] += value
        if verbose:
            for what in ("missed", "invented", "misplaced", "missing_doubts", "other"):
                for entry in getattr(result, what):
                    print(f"    {what}: {entry}")
            if result.doubts:
                for doubt in notice.doubts:
                    print(f"    doubt: {doubt.message}")
    found = f"{totals[0]}/{totals[1]}"
    print(f"{'total':52} {found:>9} {totals[2]:>8} {totals[3]:>9} {totals[4]:>6}")


if __name__ == "__main__":
    main(sys.argv[1:])
