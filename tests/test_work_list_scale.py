"""The work list, the overview, the ledger page and the admin task list at scale: a page is
read round by round and only its tasks are numbered; the overview is counted by the database;
the number of queries does not grow with the number of tasks, rounds or bureaus."""

from __future__ import annotations

import datetime
import itertools

import pytest
from django.core.paginator import Paginator
from django.test import Client
from django.urls import reverse

from bureaus.models import PartyGroup
from rectify.models import InspectionRound, ProblemCategory, RectificationTask
from rectify.models.choices import NumberingStyle, Status
from rectify.rules.problem_tree import (
    PrintOrderPages,
    in_print_order,
    numbers_for,
    numbers_for_rounds,
)
from rectify.services.overview import bureau_overview

LEVELS = ["({cn})", "{n}.", "{n})", "{circled}"]


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def make_tree(rnd: InspectionRound, tasks: int, start: int = 0) -> None:
    """(一) with 1. and 2. below it and a task between them, a task at the top level, (二)
    with two sub-categories; ``tasks`` more spread over the sub-categories. Some printed
    labels disagree with the derived numbers."""
    first = ProblemCategory.objects.create(round=rnd, position=1, title="第一方面问题")
    second = ProblemCategory.objects.create(round=rnd, position=3, title="第二方面问题")
    subs = [
        ProblemCategory.objects.create(round=rnd, parent=first, position=1, title="具体问题甲"),
        ProblemCategory.objects.create(round=rnd, parent=first, position=3, title="具体问题乙"),
        ProblemCategory.objects.create(round=rnd, parent=second, position=1, title="具体问题甲"),
        ProblemCategory.objects.create(round=rnd, parent=second, position=2, title="具体问题乙"),
    ]
    RectificationTask.objects.create(round=rnd, category=first, position=2, title="夹在中间的问题")
    RectificationTask.objects.create(round=rnd, position=2, title="顶层的问题",
                                     printed_label="九、")
    RectificationTask.objects.bulk_create(
        RectificationTask(round=rnd, category=subs[i % len(subs)], position=10 + i,
                          title=f"问题{start + i}",
                          printed_label="⑨" if i % 7 == 3 else "",
                          status=Status.COMPLETED if i % 3 == 0 else Status.IN_PROGRESS)
        for i in range(tasks))


def province(bureaus: list[PartyGroup], rounds_each: int, tasks_each: int) -> list:
    """``rounds_each`` rounds per bureau, every third numbered straight through; feedback
    dates repeat and one round has none (print order falls back on the round's id)."""
    rounds = []
    counter = itertools.count()
    for bureau in bureaus:
        for _ in range(rounds_each):
            n = next(counter)
            rnd = InspectionRound.objects.create(
                party_group=bureau, inspecting_body=f"市委第{n + 1}巡察组", kind="常规巡察",
                feedback_date=None if n == 2 else datetime.date(2023, 1 + n % 3, 1),
                rectification_months=3,
                numbering_style=NumberingStyle.CONTINUOUS if n % 3 == 1
                else NumberingStyle.NESTED,
                level_formats=LEVELS)
            make_tree(rnd, tasks_each, start=n * 1000)
            rounds.append(rnd)
    return rounds


@pytest.fixture
def third_bureau(db, clerk_user):
    bureau = PartyGroup.objects.create(name="中共测试市交通局党组", short_name="测试市交通局")
    bureau.members.add(clerk_user)
    return bureau


# -- numbering a page of tasks ---------------------------------------------------------------


def test_numbering_only_some_tasks_gives_the_whole_trees_numbers(bureau, other_bureau):
    rounds = province([bureau, other_bureau], 2, 9)
    whole = numbers_for_rounds([rnd.pk for rnd in rounds])
    tasks = list(RectificationTask.objects.order_by("pk"))
    for chosen in (tasks, tasks[::5], tasks[3:4], [task for task in tasks if task.category_id
                                                      is None]):
        nodes = numbers_for(chosen)
        for task in chosen:
            expected, got = whole[("task", task.pk)], nodes[("task", task.pk)]
            assert got.number_path == expected.number_path, task.title
            assert got.label_flagged == expected.label_flagged, task.title
            assert [node.obj.pk for node in got.path] == [node.obj.pk for node in expected.path]
        # The categories it returns are numbered right too.
        for (kind, pk), node in nodes.items():
            if kind == "category":
                assert node.number_path == whole[(kind, pk)].number_path
    # Both styles are there: (一)3.2) in a nested round, (二)2.11. counting straight through.
    paths = {node.number_path for key, node in whole.items() if key[0] == "task"}
    assert {"(一)3.2)", "(三)2.2)", "(一)2.5.", "(二)2.11.", "7."} <= paths


def test_numbering_a_page_reads_a_fixed_number_of_rows_and_queries(
        bureau, django_assert_max_num_queries):
    [rnd] = province([bureau], 1, 200)
    page = list(in_print_order(RectificationTask.objects.filter(round=rnd))[:3])
    # The rounds, their categories, the tasks beside the page's (under the same parents),
    # the ranks of a continuous round's tasks.
    with django_assert_max_num_queries(4):
        nodes = numbers_for(page)
    assert [nodes[("task", task.pk)].number_path for task in page] == ["(一)1.1)", "(一)1.2)",
                                                                       "(一)1.3)"]


# -- paging round by round ------------------------------------------------------------------


@pytest.mark.parametrize("per_page", [1, 4, 7, 50])
def test_pages_read_round_by_round_are_the_print_order(bureau, other_bureau, per_page):
    province([bureau, other_bureau], 3, 5)
    for tasks in (RectificationTask.objects.all(),
                  RectificationTask.objects.filter(status=Status.IN_PROGRESS)):
        expected = list(in_print_order(tasks).values_list("pk", flat=True))
        paginator = Paginator(PrintOrderPages(tasks), per_page)
        assert paginator.count == len(expected)
        shown = [task.pk for number in paginator.page_range
                 for task in paginator.page(number).object_list]
        assert shown == expected


def test_an_empty_selection_has_one_empty_page(bureau):
    paginator = Paginator(PrintOrderPages(RectificationTask.objects.none()), 50)
    page = paginator.get_page(3)
    assert (paginator.count, page.number, list(page.object_list)) == (0, 1, [])


# -- the pages: queries bounded at one and at many rows ---------------------------------------


#: session, user, roles; the count per round; the page's rows; numbering (rounds,
#: categories, tasks beside, ranks); the milestones' rounds; the unread notifications; the
#: round and party group selects; the category select's (or the chosen category's round).
WORK_LIST_QUERIES = 16


@pytest.mark.parametrize(("rounds_each", "tasks_each"), [(1, 1), (4, 30)])
def test_work_list_queries_do_not_grow(staff_user, clerk_user, bureau, other_bureau,
                                       third_bureau, django_assert_max_num_queries,
                                       rounds_each, tasks_each):
    rounds = province([bureau, other_bureau, third_bureau], rounds_each, tasks_each)
    category = ProblemCategory.objects.filter(round=rounds[0], parent__isnull=False).first()
    addresses = [{}, {"page": "2"}, {"round": rounds[0].pk}, {"category": category.pk},
                 {"round": rounds[0].pk, "category": category.pk}, {"q": "问题"},
                 {"warning": "red", "status": Status.IN_PROGRESS}]
    for user in (staff_user, clerk_user):
        client = login(user)
        for query in addresses:
            with django_assert_max_num_queries(WORK_LIST_QUERIES):
                response = client.get(reverse("work:index"), query)
            assert response.status_code == 200, query


def test_the_work_list_numbers_and_pages_in_print_order(staff_user, bureau, other_bureau):
    province([bureau, other_bureau], 2, 40)
    client = login(staff_user)
    whole = numbers_for_rounds(InspectionRound.objects.values_list("pk", flat=True))
    expected = list(in_print_order(RectificationTask.objects.all()))
    listed = []
    for number in (1, 2, 3, 4):
        page = client.get(reverse("work:index"), {"page": number}).context["page"]
        listed.extend(page.object_list)
    assert [task.pk for task in listed] == [task.pk for task in expected]
    assert [task.number for task in listed] == [whole[("task", task.pk)].number_path
                                                for task in expected]


@pytest.mark.parametrize(("rounds_each", "tasks_each"), [(1, 1), (4, 30)])
def test_overview_ledger_and_admin_queries_do_not_grow(
        staff_user, clerk_user, bureau, other_bureau, third_bureau,
        django_assert_max_num_queries, rounds_each, tasks_each):
    rounds = province([bureau, other_bureau, third_bureau], rounds_each, tasks_each)
    mine = rounds[0]  # the clerk's bureau's
    staff, clerk = login(staff_user), login(clerk_user)
    pages = [
        # session, user, roles, the counts, the extensions' counts, the notifications, the
        # rounds' documents (and a clerk's bureaus)
        (staff, reverse("work:overview"), {}, 8),
        (clerk, reverse("work:overview"), {}, 8),
        # session, user, roles, the count, the notifications, the selects' choices (a
        # clerk: and its bureaus; a round chosen: the round, and its categories)
        (staff, reverse("ledger:index"), {}, 8),
        (clerk, reverse("ledger:index"), {"round": mine.pk}, 10),
        # The admin's own (session, user, roles, filters' choices, counts, notifications)
        # and the page: the count per round, the rows, the page's rounds numbered.
        (staff, reverse("admin:rectify_rectificationtask_changelist"), {}, 16),
        (staff, reverse("admin:rectify_rectificationtask_changelist"), {"p": "3"}, 16),
    ]
    for client, address, query, bound in pages:
        with django_assert_max_num_queries(bound):
            response = client.get(address, query)
        assert response.status_code == 200, address


def test_the_admin_task_list_pages_in_print_order(staff_user, bureau, other_bureau):
    province([bureau, other_bureau], 2, 70)
    client = login(staff_user)
    address = reverse("admin:rectify_rectificationtask_changelist")
    expected = list(in_print_order(RectificationTask.objects.all()).values_list("pk", flat=True))
    listed = []
    for page in itertools.count(1):
        changelist = client.get(address, {"p": page}).context["cl"]
        listed.extend(task.pk for task in changelist.result_list)
        if page == changelist.paginator.num_pages:
            break
    assert changelist.result_count == len(expected)
    assert listed == expected
    # Sorted by a column, the admin sorts as before.
    by_title = client.get(address, {"o": "2"}).context["cl"]
    titles = [task.title for task in by_title.result_list]
    assert titles == sorted(titles)


def test_overview_counts_every_bureau_in_sql(staff_user, clerk_user, bureau, other_bureau,
                                             third_bureau):
    province([bureau, other_bureau, third_bureau], 2, 6)
    overview = bureau_overview(staff_user)
    assert [row.pk for row in overview.rows] == sorted(
        (bureau.pk, other_bureau.pk, third_bureau.pk),
        key=lambda pk: PartyGroup.objects.get(pk=pk).name)
    for row in overview.rows:
        tasks = RectificationTask.objects.filter(round__party_group_id=row.pk)
        assert row.total == tasks.count() == 16
        assert row.by_status[Status.COMPLETED] == tasks.filter(status=Status.COMPLETED).count()
        assert row.done + row.open == row.total
    assert overview.totals.total == 48
    mine = bureau_overview(clerk_user)
    assert {row.pk for row in mine.rows} == {bureau.pk, third_bureau.pk}
    assert mine.totals.total == 32
