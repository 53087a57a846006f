"""A task's status is shown once, and never against the printed words (issue 18).

The printed result is shown as printed; the canonical status only as a small "统计口径" note
where the printed words do not say it — on the public notice, the work pages, the admin, and
in the ledger's header notes.
"""

from __future__ import annotations

import openpyxl
import pytest
from django.urls import reverse
from django.utils import translation
from lxml import html

from rectify.models import RectificationTask
from rectify.models.choices import Status
from rectify.rules.status_wording import status_wording
from tests.ledger_helpers import HEADER_ROW, export
from tests.seed_helpers import demo_client

pytestmark = pytest.mark.django_db

PARTIAL = "已完成部分整改,长期坚持"  # printed, counted as 正在推进
REWORDED = "已完成整改,长期推进"  # printed, counted as 已完成，长期坚持


@pytest.mark.parametrize("status, printed, basis", [
    (Status.IN_PROGRESS, "正在推进", ""),
    (Status.IN_PROGRESS, "正在推进,2023年底前完成", ""),
    (Status.COMPLETED_LONGTERM, "已完成,长期坚持", ""),
    (Status.COMPLETED_LONGTERM, "已完成，长期坚持。", ""),
    (Status.IN_PROGRESS, PARTIAL, "统计口径：正在推进"),
    (Status.COMPLETED_LONGTERM, REWORDED, "统计口径：已完成，长期坚持"),
    (Status.COMPLETED, "正在推进", "统计口径：已完成"),
])
def test_the_printed_words_are_shown_and_the_basis_only_where_they_differ(status, printed,
                                                                          basis):
    shown = status_wording(status, printed)
    assert (shown.text, shown.printed, shown.basis) == (printed, True, basis)


def test_without_printed_words_the_status_is_shown_alone():
    shown = status_wording(Status.COMPLETED_LONGTERM, "")
    assert (shown.text, shown.printed, shown.basis) == ("已完成，长期坚持", False, "")


def test_in_english_the_basis_translates_the_chinese_printed_words():
    with translation.override("en"):
        shown = status_wording(Status.IN_PROGRESS, "正在推进")
        assert shown.text == "正在推进"
        assert shown.basis == "Counted as: In progress"
        assert status_wording(Status.COMPLETED, "").text == "Completed"


def _task(result_text: str) -> RectificationTask:
    return RectificationTask.objects.filter(result_text=result_text).order_by("pk").first()


def _text(element) -> str:
    return "".join(element.itertext())


def test_public_page_prints_the_result_once_with_the_basis_note(client, seeded):
    partial, plain = _task(PARTIAL), _task("正在推进")
    for task in (partial, plain):
        publication = seeded["xinye"] if task.round == seeded["xinye"].round else seeded["xuchang"]
        page = html.fromstring(client.get(publication.get_absolute_url()).content.decode())
        section = page.get_element_by_id(f"task-{task.pk}")
        result = section.find_class("result")[0]
        text = _text(section)
        assert task.result_text in _text(result)
        if task is partial:
            # Not "已完成部分整改，长期坚持 [正在推进]": the status is the statistics' basis.
            assert [_text(n) for n in section.find_class("status-basis")] == ["统计口径：正在推进"]
            assert text.count("正在推进") == 1
        else:
            # Not "整改结果：正在推进 [正在推进]".
            assert text.count("正在推进") == 1 and not section.find_class("status-basis")
        assert not section.find_class("badge")


def test_work_page_shows_the_status_once(seeded):
    client = demo_client("staff")
    for task, basis in ((_task("正在推进"), None), (_task(PARTIAL), "统计口径：正在推进"),
                        (_task(REWORDED), "统计口径：已完成，长期坚持")):
        page = html.fromstring(client.get(reverse("work:task", args=[task.pk])).content.decode())
        cell = page.xpath('//dt[normalize-space()="整改状态"]/following-sibling::dd[1]')[0]
        notes = [_text(n) for n in cell.find_class("status-basis")]
        assert _text(cell.find_class("task-status")[0]) == task.result_text
        assert notes == ([basis] if basis else [])
        assert "（正在推进）" not in _text(cell)


def test_work_list_and_admin_list_show_the_same_words(seeded):
    client = demo_client("staff")
    task = _task(PARTIAL)
    admin_list = reverse("admin:rectify_rectificationtask_changelist")
    for url in (reverse("work:index") + f"?round={task.round_id}&status=in_progress",
                admin_list + f"?round__id__exact={task.round_id}&status__exact=in_progress"):
        page = html.fromstring(client.get(url).content.decode())
        shown = [_text(n) for n in page.find_class("task-status")]
        notes = [_text(n) for n in page.find_class("status-basis")]
        assert PARTIAL in shown, url
        assert "统计口径：正在推进" in notes, url
        assert len(notes) < len(shown), url  # the note only where the words differ


def test_ledger_headers_say_which_column_the_statistics_count(seeded, tmp_path):
    path = export(tmp_path, RectificationTask.objects.filter(round=seeded["xinye"].round))
    sheet = openpyxl.load_workbook(path)["台账"]
    headers = {cell.value: cell for cell in sheet[HEADER_ROW]}
    assert "统计口径" in headers["整改状态"].comment.text
    assert "照录" in headers["整改结果"].comment.text
