"""A measure typed the printed way (“四是……”) is stored without its ordinal and prints once.

Measures print 一是、二是… by their order, so an ordinal typed at the start of the text would
print twice (“四是四是……”). Whichever way a measure comes in — the work page, the API, the
admin, the ledger import — the ordinal is removed; the work page says so, and shows the ordinal
the next measure will print with. Text that merely starts with a number is kept.
"""

from __future__ import annotations

import re

import lxml.html
import pytest
from django.test import Client
from django.urls import reverse

from rectify.ledger.ledger_apply import apply_plan
from rectify.ledger.ledger_plan import read_ledger
from rectify.models import Measure, RectificationTask
from rectify.services.publishing import publish_notice
from tests.ledger_helpers import edit, export, sheet_rows
from tests.seed_helpers import demo_client, demo_user

pytestmark = pytest.mark.django_db

XINYE = "中共新野县教育体育局党组"
NEW = "每季度开展一次检查"
PRINTED = "四是" + NEW
#: An ordinal as a person types it at the start of a measure (for the checks below).
TYPED_ORDINAL = re.compile(
    r"^(?:[一二三四五六七八九十]{1,3}是|[（(][0-9一二三四五六七八九十]{1,2}[)）])")


@pytest.fixture
def task(seeded) -> RectificationTask:
    """Xinye's first problem, with its three measures (printed 一是、二是、三是)."""
    task = RectificationTask.objects.filter(round=seeded["xinye"].round).order_by(
        "category__position", "position").first()
    assert task.measures.count() == 3
    return task


def texts(task) -> list[str]:
    return list(task.measures.order_by("position", "pk").values_list("text", flat=True))


def task_page(client, task) -> str:
    response = client.get(reverse("work:task", kwargs={"pk": task.pk}))
    assert response.status_code == 200
    return response.content.decode()


def add_on_the_work_page(client, task, text: str):
    return client.post(reverse("work:measure_add", kwargs={"pk": task.pk}),
                       {"text": text, "responsible_unit": "", "due_date": ""}, follow=True)


def ledger_measures_cell(task, tmp_path) -> str:
    rows = sheet_rows(export(tmp_path, RectificationTask.objects.filter(pk=task.pk)))
    return rows[0]["整改措施"]


def public_page(task) -> str:
    """The notice of ``task``'s round published again, as the public reads it."""
    notice = task.round.notices.get()
    publication = publish_notice(notice, demo_user("staff"), approved_by="张三")
    response = Client().get(publication.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def assert_printed_once(task, tmp_path) -> None:
    """The fourth measure prints “四是每季度开展一次检查”, its ordinal once, in the ledger
    and on the public page."""
    cell = ledger_measures_cell(task, tmp_path)
    lines = cell.split("\n")
    assert [line[:2] for line in lines] == ["一是", "二是", "三是", "四是"]
    assert lines[3] == PRINTED
    assert cell.count("四是") == 1
    page = public_page(task)
    assert page.count(PRINTED) == 1
    assert "四是四是" not in page and "四是（" not in page


# -- the work page ----------------------------------------------------------------------------


def test_the_work_page_shows_the_ordinal_the_next_measure_prints_with(task):
    page = task_page(demo_client("clerk_xinye"), task)
    assert "（将印为“四是……”，序号自动生成，请勿输入）" in page


def test_a_clerk_typing_the_ordinal_on_the_work_page_is_told_it_was_removed(task, tmp_path):
    clerk = demo_client("clerk_xinye")
    response = add_on_the_work_page(clerk, task, PRINTED)
    assert response.status_code == 200
    page = response.content.decode()
    assert "整改措施已添加。" in page
    assert "已去掉措施开头的序号“四是”：序号按措施的顺序自动生成。" in page
    added = task.measures.order_by("position", "pk").last()
    assert added.text == NEW and added.position == 4
    # The page lists the measure as stored, and now offers 五是 for the next one.
    doc = lxml.html.fromstring(page)
    listed = [li.xpath("string(./p[1])").strip()
              for li in doc.xpath('//ol[@class="measures"]/li')]
    assert listed[-1] == NEW
    assert "（将印为“五是……”，序号自动生成，请勿输入）" in page
    assert_printed_once(task, tmp_path)


@pytest.mark.parametrize("typed", ["二是、" + NEW, "（4）" + NEW, "4." + NEW, "第四，" + NEW])
def test_other_typed_ordinals_are_removed_on_the_work_page(task, typed):
    page = add_on_the_work_page(demo_client("clerk_xinye"), task, typed).content.decode()
    assert task.measures.order_by("position", "pk").last().text == NEW
    assert "已去掉措施开头的序号" in page


@pytest.mark.parametrize("text", ["2023年底前完成全部整改", "4.5万元专项资金全部到位",
                                  "12月底前建立长效机制"])
def test_text_that_starts_with_a_number_is_kept(task, text):
    page = add_on_the_work_page(demo_client("clerk_xinye"), task, text).content.decode()
    assert "整改措施已添加。" in page
    assert task.measures.order_by("position", "pk").last().text == text
    assert "已去掉措施开头的序号" not in page


def test_editing_a_measure_to_add_an_ordinal_removes_it_and_says_so(task):
    clerk = demo_client("clerk_xinye")
    measure = task.measures.order_by("position").last()
    response = clerk.post(reverse("work:measure_edit", kwargs={"pk": measure.pk}), {
        "text": "三是" + measure.text, "responsible_unit": "", "due_date": "",
        "version": measure.version}, follow=True)
    assert "已去掉措施开头的序号“三是”" in response.content.decode()
    measure.refresh_from_db()
    assert not measure.text.startswith("三是")


# -- the API ----------------------------------------------------------------------------------


def test_a_measure_posted_to_the_api_loses_its_ordinal_and_goes_last(task, api_client,
                                                                      tmp_path):
    api = api_client(demo_user("clerk_xinye"))
    response = api.post("/api/measures/", {"task": task.pk, "text": PRINTED}, format="json")
    assert response.status_code == 201, response.content
    assert response.data["text"] == NEW
    assert response.data["position"] == 4
    assert texts(task)[-1] == NEW
    listed = api.get(f"/api/tasks/{task.pk}/measures/").data
    assert [row["text"] for row in listed][-1] == NEW
    assert_printed_once(task, tmp_path)


def test_a_number_at_the_start_is_kept_by_the_api(task, api_client):
    api = api_client(demo_user("clerk_xinye"))
    response = api.post("/api/measures/", {"task": task.pk, "text": "4.5万元专项资金全部到位"},
                        format="json")
    assert response.status_code == 201, response.content
    assert response.data["text"] == "4.5万元专项资金全部到位"


# -- the admin --------------------------------------------------------------------------------


def admin_change_form(client, task) -> dict:
    """The task's admin change form as the browser would submit it."""
    url = reverse("admin:rectify_rectificationtask_change", args=[task.pk])
    response = client.get(url)
    assert response.status_code == 200
    doc = lxml.html.fromstring(response.content.decode())
    form = doc.xpath('//form[@id="rectificationtask_form"]')[0]
    # A browser drops the newline Django writes after <textarea>; lxml keeps it.
    return {name: value.removeprefix("\n") for name, value in form.form_values()}


def test_a_measure_added_in_the_admin_inline_loses_its_ordinal(task, tmp_path):
    staff = demo_client("staff")
    data = admin_change_form(staff, task)
    new = int(data["measures-TOTAL_FORMS"]) - 1  # the blank extra row
    assert data[f"measures-{new}-text"] == ""
    assert data[f"measures-{new}-position"] == "4"  # offered: after the last one
    data[f"measures-{new}-text"] = PRINTED
    response = staff.post(reverse("admin:rectify_rectificationtask_change", args=[task.pk]),
                          data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert texts(task)[-1] == NEW
    assert_printed_once(task, tmp_path)


# -- the ledger import ------------------------------------------------------------------------


def test_a_measure_typed_in_the_ledger_cell_is_stored_without_its_ordinal(task, tmp_path):
    staff = demo_user("staff")
    path = export(tmp_path, RectificationTask.objects.filter(pk=task.pk), name="in.xlsx")
    cell = sheet_rows(path)[0]["整改措施"]
    edit(path, {(task.pk, "整改措施"): cell + "\n" + PRINTED})
    plan = read_ledger(path, staff)
    assert plan.errors == []
    apply_plan(plan, staff)
    assert texts(task)[-1] == NEW
    assert all(not text.startswith(("一是", "二是", "三是", "四是")) for text in texts(task))
    assert_printed_once(task, tmp_path)


def test_a_number_at_the_start_of_a_ledger_measure_is_kept(task, tmp_path):
    staff = demo_user("staff")
    path = export(tmp_path, RectificationTask.objects.filter(pk=task.pk), name="in.xlsx")
    cell = sheet_rows(path)[0]["整改措施"]
    edit(path, {(task.pk, "整改措施"): cell + "\n四是2023年底前完成全部整改"})
    plan = read_ledger(path, staff)
    assert plan.errors == []
    apply_plan(plan, staff)
    assert texts(task)[-1] == "2023年底前完成全部整改"


# -- positions --------------------------------------------------------------------------------


def test_a_measure_created_without_a_position_goes_last(task):
    last = task.measures.order_by("position").last()
    measure = Measure.objects.create(task=task, text=NEW)
    assert measure.position == last.position + 1
    assert texts(task)[-1] == NEW
    # So does one added on the work page, which has no position field.
    add_on_the_work_page(demo_client("clerk_xinye"), task, "建立长效机制")
    assert texts(task)[-2:] == [NEW, "建立长效机制"]


def test_no_seed_measure_prints_its_ordinal_twice(seeded, tmp_path):
    """Every measure of both seed notices is stored without an ordinal; each line of the
    ledger's measure cells starts with one ordinal only."""
    for text in Measure.objects.values_list("text", flat=True):
        assert not TYPED_ORDINAL.match(text), text
    for row in sheet_rows(export(tmp_path)):
        for line in (row["整改措施"] or "").split("\n"):
            assert not TYPED_ORDINAL.match(TYPED_ORDINAL.sub("", line, count=1)), line


def test_only_the_ordinal_typed_first_is_removed(small_round):
    """The form and then save_record clean a measure: the second pass removes nothing more."""
    from rectify.services.records import save_record

    task = small_round.tasks.get(title="三年攻坚存在短板")
    measure = Measure(task=task, text="四是（1）建立台账，（2）逐项销号。")
    measure.full_clean()  # the form's pass
    save_record(measure)  # and save_record's
    measure.refresh_from_db()
    assert measure.text == "（1）建立台账，（2）逐项销号。"
    assert measure.removed_ordinal == "四是"
