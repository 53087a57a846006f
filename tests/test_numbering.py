"""Derived numbers in both styles, with mixed siblings, deep leaves and printed-label flags."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from rectify.models import ProblemCategory, RectificationTask, mark_formats
from rectify.rules import numbering
from rectify.rules.problem_tree import build_tree, walk


@dataclass
class N:
    title: str
    is_task: bool = False
    children: list = field(default_factory=list)


def labels(nodes, **kwargs):
    found = numbering.number_tree(nodes, **kwargs)
    return {n.title: found[id(n)] for n in _all(nodes)}


def _all(nodes):
    for n in nodes:
        yield n
        yield from _all(n.children)


@pytest.mark.parametrize(
    ("n", "text"),
    [(1, "一"), (9, "九"), (10, "十"), (11, "十一"), (20, "二十"), (53, "五十三"), (100, "一百"),
     (105, "一百零五"), (110, "一百一十")],
)
def test_chinese_numerals_round_trip(n, text):
    assert mark_formats.chinese_numeral(n) == text
    assert mark_formats.parse_chinese_numeral(text) == n


def test_marks_of_each_level():
    fmts = ["{cn}、", "({cn})", "{n}.", "{n})", "{circled}"]
    assert [mark_formats.format_mark(f, 3) for f in fmts] == ["三、", "(三)", "3.", "3)", "③"]


def test_nested_style_restarts_under_each_parent_and_mixes_siblings():
    # Like Xuchang's "3.党的全面领导不充分": 1) category, 2) task, 3) category.
    tree = [
        N("top", children=[
            N("c1", children=[
                N("c1a", children=[N("t1", True), N("t2", True)]),
                N("t3", True),
                N("c1b", children=[N("t4", True)]),
            ]),
            N("c2", children=[N("c2a", children=[N("t5", True)])]),
        ]),
    ]
    got = labels(tree, style=mark_formats.NESTED,
                 level_formats=["({cn})", "{n}.", "{n})", "{circled}"])
    assert got == {
        "top": "(一)", "c1": "1.", "c1a": "1)", "t1": "①", "t2": "②", "t3": "2)",
        "c1b": "3)", "t4": "①", "c2": "2.", "c2a": "1)", "t5": "①",
    }


def test_continuous_style_numbers_tasks_straight_through():
    tree = [
        N("a", children=[N("t1", True)]),
        N("b", children=[N("t2", True), N("t3", True)]),
        N("c", children=[N("t4", True)]),
    ]
    got = labels(tree, style=mark_formats.CONTINUOUS, level_formats=["{cn}、"])
    assert got == {"a": "一、", "t1": "1.", "b": "二、", "t2": "2.", "t3": "3.",
                   "c": "三、", "t4": "4."}


def test_measures_print_ordinals_only_when_more_than_one():
    assert numbering.measure_label(1, 1) == ""
    assert [numbering.measure_label(i, 3) for i in (1, 2, 3)] == ["一是", "二是", "三是"]
    assert numbering.measure_label(11, 12) == "十一是"


def test_printed_labels_agree_across_widths_but_not_across_values():
    assert numbering.labels_agree("（一）", "(一)")
    assert numbering.labels_agree("１．", "1.")
    assert numbering.labels_agree("", "③")
    assert not numbering.labels_agree("④", "③")
    assert not numbering.labels_agree("(二)", "(一)")


def _chain(rnd, depth):
    """Categories nested ``depth - 1`` deep with one task at the bottom."""
    parent = None
    for level in range(1, depth):
        parent = ProblemCategory.objects.create(round=rnd, parent=parent, title=f"L{level}")
    return RectificationTask.objects.create(round=rnd, category=parent, title=f"leaf{depth}")


@pytest.mark.django_db
@pytest.mark.parametrize("depth", [1, 3, 4, 5])
def test_task_leaves_at_depth(make_round, depth):
    rnd = make_round(level_formats=["{cn}、", "({cn})", "{n}.", "{n})", "{circled}"])
    task = _chain(rnd, depth)
    nodes = list(walk(build_tree(rnd)))
    leaf = next(n for n in nodes if n.is_task)
    assert leaf.obj == task
    assert leaf.depth == depth == task.depth
    assert leaf.number == ["一、", "(一)", "1.", "1)", "①"][depth - 1]
    assert leaf.number_path == "".join(["一、", "(一)", "1.", "1)", "①"][:depth])


@pytest.mark.django_db
def test_gap_in_printed_labels_is_kept_and_flagged(make_round):
    rnd = make_round(level_formats=["{circled}"])
    for label in ["①", "②", "④", "⑤"]:
        RectificationTask.objects.create(round=rnd, title=f"问题{label}", printed_label=label)
    nodes = build_tree(rnd)
    assert [n.printed_label for n in nodes] == ["①", "②", "④", "⑤"]
    assert [n.number for n in nodes] == ["①", "②", "③", "④"]
    assert [n.label_flagged for n in nodes] == [False, False, True, True]
    # Nothing was renumbered in storage.
    assert list(rnd.tasks.order_by("position").values_list("printed_label", flat=True)) == [
        "①", "②", "④", "⑤"]


@pytest.mark.django_db
def test_category_counts_are_derived(small_round):
    top = build_tree(small_round)[0]
    assert top.task_count == 3
    assert top.children[0].task_count == 2
