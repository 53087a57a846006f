"""Every surface counts the same overdue tasks on the seed, and the count a person would make.

A task is overdue (已逾期) when it is still open (正在推进) and its own deadline (整改时限), or
without one its round's end of concentrated rectification (集中整改结束), is before today.
“Today” is fixed at ``TODAY`` by freezing ``django.utils.timezone.now``, which
``timezone.localdate()`` and ``timezone.localtime()`` read: the work pages, the API, the
admin, the ledger export and the services all take their today from there.
"""

from __future__ import annotations

import datetime
import io
import re
from unittest import mock
from zoneinfo import ZoneInfo

import lxml.html
import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from bureaus.models import PartyGroup
from rectify.models import RectificationTask
from rectify.models.choices import Status
from rectify.rules.due_dates import Warning
from rectify.services.overview import bureau_overview
from rectify.services.reminders import due_tasks

pytestmark = pytest.mark.django_db

#: After Xuchang's end of concentrated rectification (2023-05-28), before its one task with a
#: deadline of its own (2023-12-31). Xinye's round has no end date: its tasks have no due date.
TODAY = datetime.date(2023, 9, 15)
NOW = datetime.datetime(2023, 9, 15, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
#: Xuchang's open tasks without a deadline of their own: due by the round's end, now past.
SEED_OVERDUE = 10

TASK_LINK = re.compile(r"/work/tasks/(\d+)/$")


@pytest.fixture
def today(seeded):
    """``TODAY`` for every surface (the seed is built first, at the real time)."""
    with mock.patch("django.utils.timezone.now", return_value=NOW):
        yield TODAY


@pytest.fixture
def staff(today):
    return get_user_model().objects.get(username="staff")


@pytest.fixture
def staff_client(staff):
    client = Client()
    client.force_login(staff)
    return client


@pytest.fixture
def staff_api(staff, api_client):
    return api_client(staff)


# -- the count a person makes from the raw fields --------------------------------------------


def counted_by_hand(today: datetime.date) -> set[int]:
    """The open tasks whose deadline, else their round's end, is before ``today``."""
    found = set()
    for task in RectificationTask.objects.select_related("round"):
        due = task.deadline or task.round.rectification_end_date
        if task.status == Status.IN_PROGRESS and due is not None and due < today:
            found.add(task.pk)
    return found


# -- what each surface says -------------------------------------------------------------------


def work_pages(client, **params) -> list[lxml.html.HtmlElement]:
    """Every page of the work list (/work/) for ``params``, following its “下一页” links."""
    pages = []
    page = 1
    while True:
        response = client.get(reverse("work:index"), {**params, "page": page})
        assert response.status_code == 200
        doc = lxml.html.fromstring(response.content.decode())
        pages.append(doc)
        if not doc.xpath('//nav[@class="pagination"]//a[text()="下一页"]'):
            return pages
        page += 1


def work_rows(pages) -> list[dict]:
    """The task rows of the work list: id, number cell, countdown, warning badge."""
    rows = []
    for doc in pages:
        for tr in doc.xpath('//table[@class="tasks"]/tbody/tr'):
            link = tr.xpath('.//td[@class="text"]/a/@href')[0]
            badge = tr.xpath('.//span[contains(@class, "warning")]/@class')
            rows.append({
                "id": int(TASK_LINK.search(link).group(1)),
                "number": tr.xpath('string(.//td[@class="number"])').strip(),
                "countdown": " ".join(tr.xpath('.//span[@class="countdown"]/text()')),
                "warning": badge[0].split()[-1] if badge else "",
            })
    return rows


def work_list_count(pages) -> int:
    """The total the work list shows above its rows: “共 N 项整改任务”."""
    text = pages[0].xpath('string(//p[@class="count"])')
    return int(re.search(r"共 (\d+) 项整改任务", text).group(1))


def work_list_overdue(client) -> tuple[int, set[int]]:
    """/work/?overdue=true: the total shown and the tasks listed across its pages."""
    pages = work_pages(client, overdue="true")
    return work_list_count(pages), {row["id"] for row in work_rows(pages)}


def work_list_red_past_due(client) -> set[int]:
    """The tasks of the unfiltered work list whose countdown reads “已逾期 N 天” in red."""
    return {row["id"] for row in work_rows(work_pages(client))
            if row["countdown"].startswith("已逾期") and row["warning"] == "warning-red"}


def api_results(api, **params) -> tuple[int, list[dict]]:
    """/api/tasks/ for ``params``: the count it gives and every result across its pages."""
    response = api.get("/api/tasks/", {**params, "page_size": 200})
    assert response.status_code == 200, response.content
    count, results = response.data["count"], list(response.data["results"])
    while response.data["next"]:
        response = api.get(response.data["next"])
        results += response.data["results"]
    assert len(results) == count
    return count, results


def api_overdue(api) -> tuple[int, set[int]]:
    count, results = api_results(api, overdue="true")
    return count, {row["id"] for row in results}


def api_flagged_overdue(api) -> set[int]:
    """The tasks of the whole /api/tasks/ list whose ``overdue`` field is true."""
    _count, results = api_results(api)
    return {row["id"] for row in results if row["overdue"] is True}


def admin_overdue(client) -> tuple[int, set[int]]:
    """The admin task list filtered 逾期: 是 — its result count and its rows."""
    url = reverse("admin:rectify_rectificationtask_changelist")
    response = client.get(url, {"overdue": "yes"})
    assert response.status_code == 200
    changelist = response.context["cl"]
    assert f"{changelist.result_count} 条结果。" in response.content.decode()  # as shown
    return changelist.result_count, {task.pk for task in changelist.result_list}


def ledger_workbook(client, **params) -> openpyxl.Workbook:
    response = client.get(reverse("ledger:index"), {**params, "export": "xlsx"})
    assert response.status_code == 200
    return openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def ledger_summary_overdue(client) -> int:
    """The 逾期 column of the 合计 row of the ledger's 汇总 sheet."""
    sheet = ledger_workbook(client)["汇总"]
    rows = list(sheet.iter_rows(values_only=True))
    headers = list(rows[1])
    total = next(row for row in rows[2:] if row[0] == "合计")
    return total[headers.index("逾期")]


def ledger_overdue_rows(client) -> set[int]:
    """The task ids of the ledger exported with the 是否逾期 filter."""
    sheet = ledger_workbook(client, overdue="true")["台账"]
    rows = list(sheet.iter_rows(values_only=True))
    column = list(rows[1]).index("任务ID")
    return {row[column] for row in rows[2:]}


def overview_overdue(client, staff) -> int:
    """The overview's total of overdue tasks: the page's and the service's, which agree."""
    response = client.get(reverse("work:overview"))
    assert response.status_code == 200
    shown = response.context["overview"].totals.overdue
    assert bureau_overview(staff, TODAY).totals.overdue == shown
    return shown


def reminders_past_due() -> set[int]:
    """The tasks the reminders list in red as past due, over every bureau."""
    found = set()
    for party_group in PartyGroup.objects.all():
        for item in due_tasks(party_group, TODAY):
            if item.overdue:
                assert item.warning == Warning.RED
                assert item.countdown.startswith("已逾期")
                found.add(item.task.pk)
    return found


def every_surface(client, api, staff) -> dict[str, set[int] | int]:
    """What each surface gives: a set of task ids where it lists them, else its count."""
    work_total, work_ids = work_list_overdue(client)
    api_total, api_ids = api_overdue(api)
    admin_total, admin_ids = admin_overdue(client)
    return {
        "work list ?overdue=true (total shown)": work_total,
        "work list ?overdue=true (rows)": work_ids,
        "work list red 已逾期 countdowns": work_list_red_past_due(client),
        "API ?overdue=true (count)": api_total,
        "API ?overdue=true (results)": api_ids,
        "API overdue: true": api_flagged_overdue(api),
        "admin ?overdue=yes (result count)": admin_total,
        "admin ?overdue=yes (rows)": admin_ids,
        "ledger 汇总 逾期": ledger_summary_overdue(client),
        "ledger ?overdue=true (rows)": ledger_overdue_rows(client),
        "overview totals overdue": overview_overdue(client, staff),
        "reminders red past due": reminders_past_due(),
    }


def assert_all_agree(surfaces: dict, expected: set[int]) -> None:
    wrong = {}
    for name, value in surfaces.items():
        if isinstance(value, set):
            if value != expected:
                wrong[name] = (sorted(value - expected), sorted(expected - value))
        elif value != len(expected):
            wrong[name] = value
    assert not wrong, f"expected {len(expected)} overdue tasks; disagreeing: {wrong}"


# -- the tests --------------------------------------------------------------------------------


def test_every_surface_counts_the_seeds_overdue_tasks_alike(today, staff_client, staff_api,
                                                            staff):
    expected = counted_by_hand(today)
    assert len(expected) == SEED_OVERDUE
    # The seed's overdue tasks are Xuchang's, due by its round's end; Xinye's have no date.
    assert {task.round.party_group.name for task in
            RectificationTask.objects.filter(pk__in=expected)} == {"中共许昌市教育局党组"}
    assert_all_agree(every_surface(staff_client, staff_api, staff), expected)


def test_a_task_due_by_its_rounds_end_is_overdue_everywhere(today, staff_client, staff_api,
                                                           staff):
    # Xuchang's one task with its own deadline (2023-12-31) is not overdue yet ...
    task = RectificationTask.objects.get(round__party_group__name="中共许昌市教育局党组",
                                         deadline__isnull=False)
    assert task.status == Status.IN_PROGRESS
    assert task.pk not in counted_by_hand(today)
    # ... without it, the round's end of concentrated rectification (2023-05-28) is its due
    # date, which has passed.
    task.deadline = None
    task.save()
    assert task.round.rectification_end_date < today
    expected = counted_by_hand(today)
    assert task.pk in expected and len(expected) == SEED_OVERDUE + 1
    surfaces = every_surface(staff_client, staff_api, staff)
    assert_all_agree(surfaces, expected)
    # The task page says so too.
    text = staff_client.get(reverse("work:task", kwargs={"pk": task.pk})).content.decode()
    assert "已逾期 110 天" in text and "warning-red" in text


def test_a_completed_task_past_its_date_is_overdue_nowhere(today, staff_client, staff_api,
                                                          staff):
    open_one = RectificationTask.objects.filter(pk__in=counted_by_hand(today)).order_by("pk")[0]
    # One of the overdue tasks is completed; another completed task gets a deadline long past.
    open_one.status = Status.COMPLETED
    open_one.completion_date = datetime.date(2023, 9, 1)
    open_one.save()
    done = RectificationTask.objects.filter(
        round__party_group__name="中共许昌市教育局党组", status=Status.COMPLETED,
    ).exclude(pk=open_one.pk).order_by("pk")[0]
    done.deadline = datetime.date(2023, 3, 31)
    done.save()
    expected = counted_by_hand(today)
    assert len(expected) == SEED_OVERDUE - 1
    surfaces = every_surface(staff_client, staff_api, staff)
    assert_all_agree(surfaces, expected)
    for value in surfaces.values():
        if isinstance(value, set):
            assert open_one.pk not in value and done.pk not in value
    # Its row on the work list shows neither a countdown nor a warning.
    rows = {row["id"]: row for row in work_rows(work_pages(staff_client))}
    for task in (open_one, done):
        assert rows[task.pk]["countdown"] == "" and rows[task.pk]["warning"] == ""
    # The API says overdue: false for it.
    for task in (open_one, done):
        data = staff_api.get(f"/api/tasks/{task.pk}/").data
        assert data["overdue"] is False and data["warning"] is None
