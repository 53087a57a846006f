"""The expected trees of the synthetic notices (``tests/data/notices/*.expected.json``) and a
score of a parsed notice against one.

An expected file holds ``tree``: categories ``{"category": KEY, "label", "children": [...]}``
and tasks ``{"task": KEY, "label", "measures", "status"}``, where KEY is a phrase the title
must contain (spacing ignored) and the other fields are checked only when given; optionally
``stated`` (counts the notice states about itself, a subset of ``stated_counts``),
``problems_heading`` and ``doubt_lines`` (lines that must carry a doubt).

A parsed task *matches* the first expected task, in document order, whose KEY its title
contains; expected tasks without a match are *missed*, parsed tasks without one *invented*.
A matched task is *misplaced* when its nearest category differs from the expected one (or
it should stand at the top and does not), or its label, measures or status differ.

Used by ``tests/test_importer_accuracy.py`` (which asserts) and
``benchmarks/importer_accuracy.py`` (which prints the table).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from rectify.notice_import import ParsedNode, ParsedNotice

DATA = Path(__file__).resolve().parent / "data" / "notices"


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text or "")


def _label(text: str) -> str:
    return squash(text).rstrip("：:")


@dataclass
class Expected:
    key: str
    parent: str | None  # the key of the nearest category, None at the top
    fields: dict


@dataclass
class Score:
    name: str
    expected: int = 0
    found: int = 0
    invented: list[str] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)
    misplaced: list[str] = field(default_factory=list)
    doubts: int = 0
    missing_doubts: list[int] = field(default_factory=list)
    other: list[str] = field(default_factory=list)

    @property
    def exact(self) -> bool:
        return not (self.invented or self.missed or self.misplaced or self.missing_doubts
                    or self.other)


def expected_files() -> list[Path]:
    return sorted(DATA.glob("*.expected.json"))


def notice_path(expected_path: Path) -> Path:
    return expected_path.with_name(expected_path.name.replace(".expected.json", ".txt"))


def _flatten_expected(nodes: list[dict], parent: str | None, out: list[Expected]) -> None:
    for node in nodes:
        if "category" in node:
            _flatten_expected(node.get("children", []), node["category"], out)
        else:
            out.append(Expected(node["task"], parent, node))


def _parsed_tasks(notice: ParsedNotice) -> list[tuple[ParsedNode, ParsedNode | None]]:
    out: list[tuple[ParsedNode, ParsedNode | None]] = []

    def walk(nodes: list[ParsedNode], parent: ParsedNode | None) -> None:
        for node in nodes:
            if node.is_task:
                out.append((node, parent))
            else:
                walk(node.children, node)

    walk(notice.nodes, None)
    return out


def score(name: str, notice: ParsedNotice, spec: dict) -> Score:
    """The parsed ``notice`` against its expected tree ``spec``."""
    result = Score(name=name, doubts=len(notice.doubts))
    wanted: list[Expected] = []
    _flatten_expected(spec.get("tree", []), None, wanted)
    result.expected = len(wanted)
    parsed = _parsed_tasks(notice)
    used: set[int] = set()
    for want in wanted:
        key = squash(want.key)
        match = next(
            (i for i, (node, _) in enumerate(parsed)
             if i not in used and key in squash(node.title)),
            None,
        )
        if match is None:
            result.missed.append(want.key)
            continue
        used.add(match)
        result.found += 1
        node, parent = parsed[match]
        problems = []
        if want.parent is None and parent is not None:
            problems.append(f"under “{parent.title}”, expected at the top")
        elif want.parent is not None and (
            parent is None or squash(want.parent) not in squash(parent.title)
        ):
            where = f"“{parent.title}”" if parent is not None else "the top"
            problems.append(f"under {where}, expected under “{want.parent}”")
        if "label" in want.fields and _label(node.label) != _label(want.fields["label"]):
            problems.append(f"label “{node.label}”, expected “{want.fields['label']}”")
        if "measures" in want.fields and len(node.measures) != want.fields["measures"]:
            problems.append(f"{len(node.measures)} measures, expected {want.fields['measures']}")
        if "status" in want.fields and node.status != want.fields["status"]:
            problems.append(f"status {node.status}, expected {want.fields['status']}")
        if problems:
            result.misplaced.append(f"{want.key}: " + "; ".join(problems))
    result.invented = [
        f"line {node.line}: {node.label}{node.title[:30]}"
        for i, (node, _) in enumerate(parsed) if i not in used
    ]
    lines = {doubt.line for doubt in notice.doubts}
    result.missing_doubts = [line for line in spec.get("doubt_lines", []) if line not in lines]
    for key, value in spec.get("stated", {}).items():
        if notice.stated_counts.get(key) != value:
            result.other.append(
                f"stated {key}: {notice.stated_counts.get(key)}, expected {value}")
    if "problems_heading" in spec and notice.problems_heading != spec["problems_heading"]:
        result.other.append(
            f"problems heading “{notice.problems_heading}”, expected “{spec['problems_heading']}”")
    return result


def load_spec(expected_path: Path) -> dict:
    return json.loads(expected_path.read_text(encoding="utf-8"))
