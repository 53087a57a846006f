"""One look for the working pages (issue 18), without a browser: the filter forms say 全部
("All") for no condition, never Django's "---------" or 未知 ("Unknown"); every date is the
browser's date picker and its value comes back as it was sent; the ledger's and the
dashboard's filters fold like the task list's; the 500 page of the working pages has their
header. The layout itself is checked in a browser (``test_site_look_browser.py``).
"""

from __future__ import annotations

import datetime
import re

import pytest
from django.test import Client
from django.utils import translation

from rectify.background.job_forms import PeriodicRunForm
from rectify.models import RectificationTask
from rectify.services.filtersets import TaskFilterSet
from rectify.workpages.work_forms import EntryForm, FigureForm

pytestmark = pytest.mark.django_db


def _page(user, path: str, **headers) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(path, **headers)
    assert response.status_code == 200, path
    return response.content.decode()


def _filter_form(html: str) -> str:
    return html[html.index('<form class="filters'):html.index("</form>", html.index(
        '<form class="filters'))]


@pytest.mark.parametrize("path", ["/work/", "/ledger/", "/dashboard/"])
def test_no_condition_reads_all(staff_user, path):
    form = _filter_form(_page(staff_user, path))
    selects = re.findall(r"<select[^>]*>\s*<option value=\"\"[^>]*>([^<]*)</option>", form)
    assert selects and set(selects) <= {"全部", "先选择巡察轮次"}, selects
    assert "---------" not in form and "未知" not in form and 'value="unknown"' not in form


def test_no_condition_reads_all_in_english(staff_user):
    form = _filter_form(_page(staff_user, "/work/", HTTP_ACCEPT_LANGUAGE="en"))
    assert '<option value="" selected>All</option>' in form
    assert "Unknown" not in form and "---------" not in form
    assert 'data-any-category="All"' in _page(staff_user, "/work/", HTTP_ACCEPT_LANGUAGE="en")


def test_dates_are_pickers_and_the_filters_come_back_as_sent(staff_user):
    query = "deadline_after=2024-01-01&deadline_before=2024-12-31&overdue=false&signed_off=true"
    form = _filter_form(_page(staff_user, f"/work/?{query}"))
    assert re.search(r'<input type="date" name="deadline_after" value="2024-01-01"', form)
    assert re.search(r'<input type="date" name="deadline_before" value="2024-12-31"', form)
    assert re.search(r'<select name="overdue"[^>]*>\s*<option value="">全部</option>\s*'
                     r'<option value="true">是</option>\s*<option value="false" selected>否', form)
    assert re.search(r'<select name="signed_off"[^>]*>\s*<option value="">全部</option>\s*'
                     r'<option value="true" selected>是</option>', form)
    # What the form shows is what it reads: sent again, the same filters.
    sent = {"deadline_after": "2024-01-01", "deadline_before": "2024-12-31", "overdue": "false"}
    tasks = RectificationTask.objects.all()
    first = TaskFilterSet(sent, queryset=tasks).form
    assert first.is_valid()
    shown = dict(re.findall(r'name="(deadline_after|deadline_before)" value="([^"]*)"', form))
    again = TaskFilterSet(shown | {"overdue": "false"}, queryset=tasks).form
    assert again.is_valid() and again.cleaned_data == first.cleaned_data
    # No choice is no condition (and is not counted as one).
    empty = TaskFilterSet({"overdue": "", "signed_off": ""}, queryset=tasks).form
    assert empty.is_valid() and empty.cleaned_data["overdue"] is None


def test_dates_are_iso_in_chinese_too():
    """The Chinese locale writes a date 2024/01/05, which the picker cannot read: an edit
    form's date (the periodic job's day, a progress entry's) is written 2024-01-05."""
    day = datetime.date(2024, 1, 5)
    with translation.override("zh-hans"):
        job_day = str(PeriodicRunForm(initial={"date": day})["date"])
        entry_day = str(EntryForm(initial={"date": day})["date"])
    assert 'type="date"' in job_day and 'value="2024-01-05"' in job_day
    assert 'type="date"' in entry_day and 'value="2024-01-05"' in entry_day


@pytest.mark.parametrize("path, active", [("/ledger/", "/ledger/?overdue=true"),
                                          ("/dashboard/", "/dashboard/?year=2024")])
def test_ledger_and_dashboard_filters_fold_like_the_task_list(staff_user, path, active):
    assert '<details class="filter-fold">' in _page(staff_user, path)
    chosen = _page(staff_user, active)
    assert '<details class="filter-fold" open>' in chosen and "已选 1 项" in chosen
    assert "filter-fold.js" in chosen


def test_the_figure_form_asks_for_a_kind(db):
    kind = str(FigureForm()["kind"])
    assert '<option value="" selected>请选择类别</option>' in kind and "---------" not in kind


@pytest.mark.urls("tests.test_error_pages")
def test_the_500_page_has_the_working_pages_header(staff_user):
    client = Client(raise_request_exception=False)
    client.force_login(staff_user)
    page = client.get("/ledger/boom/").content.decode()
    assert "服务器出错" in page and 'class="site-header"' in page
    assert "rectify/site.css" in page and 'class="language-switch"' in page
    assert 'name="csrfmiddlewaretoken"' in page  # the language switch can be used
