"""Numbers of some nodes only (a page of a list: ``problem_tree.numbers_for``): the same numbers
and depths as the whole rounds' trees, in four queries at most, reading only the tasks they
depend on."""

from __future__ import annotations

import random

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rectify.models import ProblemCategory, RectificationTask
from rectify.models.choices import NumberingStyle
from rectify.rules.problem_tree import numbers_for, numbers_for_rounds

pytestmark = pytest.mark.django_db


def facts(node):
    return (node.number, node.number_path, node.depth, node.label_flagged, node.category_path)


def assert_same_as_whole_rounds(tasks, categories):
    with CaptureQueriesContext(connection) as queries:
        found = numbers_for(tasks, categories)
    # rounds, categories, the tasks beside (nested rounds), the ranks (continuous rounds)
    assert len(queries) <= 4
    whole = numbers_for_rounds({row.round_id for row in [*tasks, *categories]})
    asked = [("task", task.pk) for task in tasks] + [("category", cat.pk) for cat in categories]
    assert set(asked) <= set(found)
    for key in found:  # the asked nodes and the categories above them, none misnumbered
        assert facts(found[key]) == facts(whole[key]), key
    return queries


def test_the_seed_rounds_continuous_and_nested(seeded):
    """Xinye numbers its tasks straight through, Xuchang in a tree with a printed label that
    disagrees (④ after ②): random pages of either give the whole trees' numbers."""
    tasks = list(RectificationTask.objects.all())
    categories = list(ProblemCategory.objects.all())
    chance = random.Random(16)
    for _ in range(20):
        assert_same_as_whole_rounds(chance.sample(tasks, 10), chance.sample(categories, 3))
    assert_same_as_whole_rounds(tasks, categories)


def test_a_nested_page_reads_only_the_tasks_its_numbers_depend_on(make_round):
    """Tasks under (一)1. and (二)1.: a page of one of the first reads the tasks beside it
    and those straight under the top, not the other category's."""
    rnd = make_round(numbering_style=NumberingStyle.NESTED)
    first, second = (ProblemCategory.objects.create(round=rnd, title=t, position=p)
                     for p, t in ((1, "一"), (2, "二")))
    subs = [ProblemCategory.objects.create(round=rnd, parent=top, title="子", position=1)
            for top in (first, second)]
    RectificationTask.objects.create(round=rnd, title="顶层任务", position=3)
    beside = [RectificationTask.objects.create(round=rnd, category=subs[0], title=f"甲{i}",
                                               position=i) for i in (1, 2, 3)]
    for i in range(1, 30):
        RectificationTask.objects.create(round=rnd, category=subs[1], title=f"乙{i}", position=i)
    RectificationTask.objects.create(round=rnd, category=first, title="类下任务", position=2)
    queries = assert_same_as_whole_rounds([beside[2]], [subs[1]])
    assert numbers_for([beside[2]])[("task", beside[2].pk)].number_path == "一、（一）3."
    with connection.cursor() as cursor:
        cursor.execute(queries[-1]["sql"])
        read = cursor.fetchall()
    # 甲1–3, the top-level task and the one under (一): not the 29 tasks under (二)1.
    assert len(read) == 5


def test_a_continuous_round_reads_all_its_tasks(make_round):
    rnd = make_round(numbering_style=NumberingStyle.CONTINUOUS)
    tops = [ProblemCategory.objects.create(round=rnd, title=t, position=p)
            for p, t in ((1, "一"), (2, "二"))]
    tasks = [RectificationTask.objects.create(round=rnd, category=tops[i % 2], title=str(i),
                                              position=i) for i in range(1, 9)]
    assert_same_as_whole_rounds([tasks[-1]], [tops[1]])
    # 一、 holds tasks 2, 4, 6, 8 (1.–4.), 二、 tasks 1, 3, 5, 7 (5.–8.).
    assert numbers_for([tasks[-2]])[("task", tasks[-2].pk)].number_path == "二、8."


def test_nothing_asked(db, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert numbers_for() == {}
