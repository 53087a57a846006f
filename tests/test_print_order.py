"""The work list, the admin task list and the ledger list tasks as the notice prints them.

Each task comes with its full derived number ((一)1.1)①); where the notice printed another
label (Xuchang's ④⑤ after the missing ③), the work list and the admin show that label,
flagged. A task directly under a category comes where its position puts it among that
category's sub-categories.
"""

from __future__ import annotations

import io
import re

import lxml.html
import openpyxl
import pytest
from django.urls import reverse

from rectify.models import ProblemCategory, RectificationTask
from rectify.models.choices import NumberingStyle
from tests.seed_helpers import demo_client

pytestmark = pytest.mark.django_db

XUCHANG = "中共许昌市教育局党组"
CIRCLED = "①②③④⑤⑥"


def circled(prefix: str, count: int) -> list[str]:
    return [prefix + mark for mark in CIRCLED[:count]]


#: Xuchang's 53 problems in the order of the notice, numbered from the top down.
XUCHANG_NUMBERS = [
    *circled("(一)1.1)", 4), *circled("(一)1.2)", 5), *circled("(一)1.3)", 6),
    *circled("(一)2.1)", 3), *circled("(一)2.2)", 5), *circled("(一)2.3)", 2),
    *circled("(一)3.1)", 2),
    "(一)3.2)",  # a problem straight under 3., between its sub-categories 1) and 3)
    *circled("(一)3.3)", 3),
    *circled("(二)1.1)", 3), "(二)1.2)",
    "(二)2.1)", *circled("(二)2.2)", 2), "(二)2.3)",
    *circled("(二)3.1)", 4),  # printed ①②④⑤: the notice skips ③
    *circled("(二)3.2)", 2), "(二)3.3)",
    "(三)1.1)", "(三)1.2)", "(三)1.3)", "(三)1.4)",
    "(三)2.1)", "(三)2.2)", "(三)2.3)",
]
#: Derived number → the label the notice printed, where they differ.
XUCHANG_FLAGGED = {"(二)3.1)③": "④", "(二)3.1)④": "⑤"}

WORK_LINK = re.compile(r"/work/tasks/(\d+)/$")
ADMIN_LINK = re.compile(r"/rectificationtask/(\d+)/change/")


# -- what each surface lists ------------------------------------------------------------------


def work_list(client, **params) -> list[list[dict]]:
    """The work list's rows page by page: task id, number, flag text."""
    pages = []
    page = 1
    while True:
        response = client.get(reverse("work:index"), {**params, "page": page})
        assert response.status_code == 200
        doc = lxml.html.fromstring(response.content.decode())
        rows = []
        for tr in doc.xpath('//table[@class="tasks"]/tbody/tr'):
            cell = tr.xpath('.//td[@class="number"]')[0]
            flag = cell.xpath('string(.//span[@class="flag"])').strip()
            rows.append({
                "id": int(WORK_LINK.search(tr.xpath('.//td[@class="text"]/a/@href')[0])[1]),
                "number": (cell.text or "").strip(),
                "flag": flag,
            })
        pages.append(rows)
        if not doc.xpath('//nav[@class="pagination"]//a[text()="下一页"]'):
            return pages
        page += 1


def admin_list(client, round_) -> list[dict]:
    """The admin task list of one round, in its default order: id, number, flag text."""
    response = client.get(reverse("admin:rectify_rectificationtask_changelist"),
                          {"round__id__exact": round_.pk})
    assert response.status_code == 200
    assert response.context["cl"].result_count == round_.tasks.count()
    doc = lxml.html.fromstring(response.content.decode())
    rows = []
    for tr in doc.xpath('//table[@id="result_list"]/tbody/tr'):
        cell = tr.xpath('.//*[contains(@class, "field-number")]')[0]
        rows.append({
            "id": int(ADMIN_LINK.search(cell.xpath(".//a/@href")[0])[1]),
            "number": cell.xpath('string(.//span[@class="rectify-number"])').strip(),
            "flag": cell.xpath('string(.//span[@class="rectify-flag"])').strip(),
        })
    return rows


def ledger_list(client, round_) -> list[dict]:
    """The ledger exported for one round: its rows' task ids, 序号 and 编号, in sheet order."""
    response = client.get(reverse("ledger:index"), {"round": round_.pk, "export": "xlsx"})
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))["台账"]
    rows = list(sheet.iter_rows(values_only=True))
    headers = list(rows[1])
    return [{"id": row[headers.index("任务ID")], "serial": row[headers.index("序号")],
             "number": row[headers.index("编号")]} for row in rows[2:]]


# -- the Xuchang seed -------------------------------------------------------------------------


@pytest.fixture
def xuchang(seeded):
    return seeded["xuchang"].round


def test_xuchang_work_list_reads_in_the_notices_order(xuchang):
    pages = work_list(demo_client("clerk_xuchang"))
    assert [len(rows) for rows in pages] == [50, 3]
    assert [row["number"] for row in pages[0]] == XUCHANG_NUMBERS[:50]
    assert [row["number"] for row in pages[1]] == XUCHANG_NUMBERS[50:]
    # The same for staff, who see both bureaus, with the round chosen in the filters.
    staff_pages = work_list(demo_client("staff"), round=xuchang.pk)
    assert [row["number"] for rows in staff_pages for row in rows] == XUCHANG_NUMBERS


def test_xuchang_work_list_shows_the_printed_label_where_it_differs(xuchang):
    rows = [row for rows in work_list(demo_client("clerk_xuchang")) for row in rows]
    flagged = {row["number"]: row["flag"] for row in rows if row["flag"]}
    assert flagged == {number: f"⚠ 原文 {label}" for number, label in XUCHANG_FLAGGED.items()}
    # The tasks flagged are the ones printed ④ and ⑤ under “1）重要事项监管不严”.
    category = ProblemCategory.objects.get(round=xuchang, title__startswith="重要事项监管不严")
    by_number = {row["number"]: row["id"] for row in rows}
    printed = dict(RectificationTask.objects.filter(category=category)
                   .values_list("pk", "printed_label"))
    assert [printed[by_number[number]] for number in circled("(二)3.1)", 4)] == [
        "①", "②", "④", "⑤"]


def test_xuchang_admin_list_reads_in_the_notices_order(xuchang):
    rows = admin_list(demo_client("staff"), xuchang)
    assert [row["number"] for row in rows] == XUCHANG_NUMBERS
    flagged = {row["number"]: row["flag"] for row in rows if row["flag"]}
    assert flagged == {number: f"⚠ {label}" for number, label in XUCHANG_FLAGGED.items()}


def test_xuchang_ledger_reads_in_the_notices_order(xuchang):
    rows = ledger_list(demo_client("staff"), xuchang)
    assert [row["serial"] for row in rows] == list(range(1, len(XUCHANG_NUMBERS) + 1))
    # The 编号 column carries the printed label where it differs, flagged.
    assert [row["number"] for row in rows] == [
        f"{number} ⚠原文{XUCHANG_FLAGGED[number]}" if number in XUCHANG_FLAGGED else number
        for number in XUCHANG_NUMBERS]


def test_the_three_surfaces_list_the_same_tasks_in_the_same_order(xuchang):
    staff = demo_client("staff")
    work = [row["id"] for rows in work_list(staff, round=xuchang.pk) for row in rows]
    assert [row["id"] for row in admin_list(staff, xuchang)] == work
    assert [row["id"] for row in ledger_list(staff, xuchang)] == work
    assert sorted(work) == sorted(xuchang.tasks.values_list("pk", flat=True))


# -- a task among sub-categories --------------------------------------------------------------


@pytest.fixture
def mixed_round(make_round):
    """(一) holds, in order: a task, a sub-category with two tasks, another task; then (二).

    Created out of order (the last first), so that neither the ids nor the category ids
    follow the document: only the positions do.
    """
    rnd = make_round(numbering_style=NumberingStyle.NESTED,
                     level_formats=["({cn})", "{n}.", "{n})", "{circled}"])
    first = ProblemCategory.objects.create(round=rnd, position=1, title="政治责任扛得不牢")
    made = {}
    made["after"] = RectificationTask.objects.create(
        round=rnd, category=first, position=3, printed_label="4.", title="类别后的问题")
    second = ProblemCategory.objects.create(round=rnd, position=2, title="作风纪律松懈")
    made["second"] = RectificationTask.objects.create(round=rnd, category=second, position=1,
                                                      title="第二类的问题")
    sub = ProblemCategory.objects.create(round=rnd, parent=first, position=2,
                                         title="要求不到位")
    made["sub2"] = RectificationTask.objects.create(round=rnd, category=sub, position=2,
                                                    title="下级类别的第二个问题")
    made["sub1"] = RectificationTask.objects.create(round=rnd, category=sub, position=1,
                                                    title="下级类别的第一个问题")
    made["before"] = RectificationTask.objects.create(round=rnd, category=first, position=1,
                                                      title="类别前的问题")
    rnd.made = made
    return rnd


MIXED_ORDER = [("before", "(一)1."), ("sub1", "(一)2.1)"), ("sub2", "(一)2.2)"),
               ("after", "(一)3."), ("second", "(二)1.")]


def expected_mixed(rnd) -> list[dict]:
    return [{"id": rnd.made[key].pk, "number": number} for key, number in MIXED_ORDER]


def test_a_task_beside_sub_categories_keeps_its_place_on_the_work_list(mixed_round,
                                                                       staff_client):
    rows = [row for rows in work_list(staff_client, round=mixed_round.pk) for row in rows]
    assert [{"id": row["id"], "number": row["number"]} for row in rows] == expected_mixed(
        mixed_round)
    # (一)3. was printed “4.”: shown beside the derived number.
    assert [row["flag"] for row in rows] == ["", "", "", "⚠ 原文 4.", ""]


def test_a_task_beside_sub_categories_keeps_its_place_in_the_admin(mixed_round, staff_client):
    rows = admin_list(staff_client, mixed_round)
    assert [{"id": row["id"], "number": row["number"]} for row in rows] == expected_mixed(
        mixed_round)
    assert [row["flag"] for row in rows] == ["", "", "", "⚠ 4.", ""]


def test_a_task_beside_sub_categories_keeps_its_place_in_the_ledger(mixed_round, staff_client):
    expected = expected_mixed(mixed_round)
    expected[3]["number"] = "(一)3. ⚠原文4."  # printed “4.”: flagged in the 编号 column
    assert ledger_list(staff_client, mixed_round) == [
        {**row, "serial": serial} for serial, row in enumerate(expected, 1)]
