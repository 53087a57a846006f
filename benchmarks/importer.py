"""Importer speed: parse time and throughput for growing inputs and pathological texts.

Run: ``.venv/bin/python benchmarks/importer.py``. Prints figures; asserts nothing. The goal is
time linear in the input (the per-MB time stays flat as the size grows).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rectify.settings")

import django  # noqa: E402

django.setup()

from rectify.notice_import import parse_notice  # noqa: E402

XUCHANG = ROOT / "fixtures" / "notices" / "001_eae98d11af12162c.txt"

PATHOLOGICAL = {
    "one line of 1,000,000 measure ordinals": "一是" * 1_000_000,
    "3,000,000 spaces": " " * 3_000_000 + "1.",
    "300,000 unterminated bookmarks": "[bookmark: " * 300_000,
    "marks without line breaks": "(一)1.1)①" * 300_000,
    "150,000 empty headings": "1.\n" * 150_000,
    "labels and ordinals on one line": "整改情况：一是" * 300_000,
}


def big_notice(megabytes: float) -> str:
    lines = XUCHANG.read_text(encoding="utf-8").split("\n")
    head, body, tail = lines[:16], "\n".join(lines[16:380]), lines[380:]
    copies = int(megabytes * 1024 * 1024 / len(body.encode())) + 1
    return "\n".join([*head, *([body] * copies), *tail])


def timed(text: str) -> tuple[float, int]:
    start = time.perf_counter()
    parsed = parse_notice(text)
    return time.perf_counter() - start, parsed.task_count


def main() -> None:
    timed(big_notice(0.2))  # warm up
    print(f"{'input':42} {'MB':>6} {'tasks':>7} {'seconds':>8} {'s/MB':>6}")
    for megabytes in (1, 2, 4, 10):
        text = big_notice(megabytes)
        size = len(text.encode()) / 1024 / 1024
        seconds, tasks = timed(text)
        print(f"{'Xuchang tree repeated':42} {size:6.1f} {tasks:7d} {seconds:8.2f} "
              f"{seconds / size:6.2f}")
    for name, text in PATHOLOGICAL.items():
        size = len(text.encode()) / 1024 / 1024
        seconds, tasks = timed(text)
        print(f"{name:42} {size:6.1f} {tasks:7d} {seconds:8.2f} {seconds / size:6.2f}")


if __name__ == "__main__":
    main()
