"""Helpers of the public-page tests: page text, seed lines, big generated rounds."""

from __future__ import annotations

import datetime
import re
from html.parser import HTMLParser
from pathlib import Path

from rectify.models import InspectionRound, Measure, Notice, ProblemCategory, RectificationTask
from rectify.models.choices import NumberingStyle, Status

SEEDS = Path(__file__).resolve().parent.parent / "fixtures" / "notices"
XINYE_FILE = "000_d41cc051d79ffcc9.txt"
XUCHANG_FILE = "001_eae98d11af12162c.txt"
XINYE = "中共新野县教育体育局党组"
XUCHANG = "中共许昌市教育局党组"

_WIDTH = str.maketrans({",": "，", ":": "：", ";": "；", "(": "（", ")": "）"})


def squash(text: str) -> str:
    """Whitespace out, Word leftovers out, ASCII punctuation folded to its full-width twin."""
    text = text.replace("[bookmark: _GoBack]", "")
    return re.sub(r"\s+", "", text).translate(_WIDTH)


class _TextCollector(HTMLParser):
    """Visible text of a page, or of the first element with a given class."""

    SKIP = {"script", "style", "head", "title"}

    def __init__(self, within_class: str | None = None):
        super().__init__(convert_charrefs=True)
        self.within_class = within_class
        self.depth = 0 if within_class else 1  # >0: inside the wanted element
        self.skip = 0
        self.parts: list[str] = []
        self.stack: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("br", "meta", "link", "input", "img"):
            return
        classes = (dict(attrs).get("class") or "").split()
        if self.depth:
            self.depth += 1
        elif self.within_class in classes:
            self.depth = 1
        if tag in self.SKIP:
            self.skip += 1
        self.stack.append(tag)

    def handle_endtag(self, tag):
        if tag in ("br", "meta", "link", "input", "img"):
            return
        if self.stack:
            self.stack.pop()
        if tag in self.SKIP and self.skip:
            self.skip -= 1
        if self.depth and self.within_class:
            self.depth -= 1
            if self.depth == 0:
                self.within_class = "\0done"  # only the first such element

    def handle_data(self, data):
        if self.depth and not self.skip:
            self.parts.append(data)


def page_text(html: str | bytes, within_class: str | None = None) -> str:
    if isinstance(html, bytes):
        html = html.decode("utf-8")
    collector = _TextCollector(within_class)
    collector.feed(html)
    return "".join(collector.parts)


def seed_lines(name: str, start: str | None = None) -> list[str]:
    """The seed file's non-empty lines, squashed, from the first one starting with ``start``."""
    lines = [squash(line) for line in (SEEDS / name).read_text(encoding="utf-8").splitlines()]
    lines = [line for line in lines if line]
    if start is not None:
        lines = lines[next(i for i, line in enumerate(lines) if line.startswith(start)):]
    return lines


def match_in_order(text: str, lines: list[str], allowed_gaps: set[str]) -> None:
    """Every line appears in ``text`` in order; between two lines only an allowed gap
    (e.g. a status badge) may stand, and nothing may stand before the first or after the last.
    """
    cursor = 0
    for number, line in enumerate(lines):
        found = text.find(line, cursor)
        assert found >= 0, f"line {number} not found after position {cursor}: {line[:60]}"
        gap = text[cursor:found]
        assert gap in allowed_gaps, (
            f"unexpected text before line {number} ({line[:40]}): {gap[:120]!r}")
        cursor = found + len(line)
    assert text[cursor:] in allowed_gaps, f"unexpected trailing text: {text[cursor:][:120]!r}"


def status_gaps() -> set[str]:
    """What may stand between two printed lines: nothing, a status badge (a task printed
    without a result), or the 统计口径 note beside a result worded otherwise."""
    labels = {squash(str(label)) for label in Status.labels}
    return {""} | labels | {squash(f"统计口径：{label}") for label in labels}


def make_big_round(party_group, tasks: int, *, measures_per_task: int = 3) -> Notice:
    """A nested round with ``tasks`` tasks under 10 categories of 2 levels, and its notice.

    Written with bulk_create: positions are given, as ``save()`` would have set them.
    """
    rnd = InspectionRound.objects.create(
        party_group=party_group, inspecting_body="市委第一巡察组", kind="常规巡察",
        feedback_date=datetime.date(2023, 3, 1), numbering_style=NumberingStyle.NESTED,
        level_formats=["({cn})", "{n}.", "{n})", "{circled}"], show_task_counts=True,
        show_results=True,
    )
    tops = ProblemCategory.objects.bulk_create(
        ProblemCategory(round=rnd, position=i + 1, title=f"第{i + 1}类问题") for i in range(5))
    subs = ProblemCategory.objects.bulk_create(
        ProblemCategory(round=rnd, parent=top, position=j + 1, title=f"第{i + 1}.{j + 1}类问题")
        for i, top in enumerate(tops) for j in range(2))
    per_sub: dict[int, int] = {}
    rows = []
    statuses = list(Status)
    for n in range(tasks):
        sub = subs[n % len(subs)]
        per_sub[sub.pk] = per_sub.get(sub.pk, 0) + 1
        rows.append(RectificationTask(
            round=rnd, category=sub, position=per_sub[sub.pk], title=f"生成的问题第{n + 1}项。",
            status=statuses[n % len(statuses)], outcome=f"经过整改，第{n + 1}项问题得到解决。",
        ))
    created = RectificationTask.objects.bulk_create(rows)
    Measure.objects.bulk_create(
        Measure(task=task, position=k + 1, text=f"措施{k + 1}：第{task.title}。")
        for task in created for k in range(measures_per_task))
    return Notice.objects.create(
        round=rnd, title=f"{party_group.name}关于巡察整改情况的通报（{tasks}项）",
        opening="开头一段。", overall_heading="一、整体推进情况", overall="整体情况一段。",
        problems_heading="二、问题整改情况", closing="欢迎监督。", date=datetime.date(2023, 7, 1),
    )
