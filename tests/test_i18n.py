"""The interface speaks Simplified Chinese by default and English on request.

English comes from rectify/locale/en/LC_MESSAGES/django.mo (kept in the repository, so no
msgfmt is needed to run the app): by the browser's Accept-Language, or by the language the
user picks through /i18n/setlang/.
"""

from __future__ import annotations

import datetime
import re

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from bureaus.models import PartyGroup
from rectify.models import InspectionRound, Measure, Notice, ProblemCategory, RectificationTask
from rectify.models.choices import Status

INDEX = "/admin/"
TASKS = "/admin/rectify/rectificationtask/"


@pytest.fixture(autouse=True)
def default_language_afterwards():
    """A request leaves its language active in the thread: do not leak English to others."""
    yield
    translation.deactivate()


@pytest.fixture
def staff_client(client, staff_user):
    # force_login: django-axes needs the request that Client.login() does not pass.
    client.force_login(staff_user)
    return client


def page(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def nav_sidebar(html: str) -> str:
    """The admin's navigation sidebar (the app list beside every page but the index)."""
    match = re.search(r'<nav[^>]*id="nav-sidebar".*?</nav>', html, re.S)
    assert match, "no navigation sidebar on the page"
    return match.group(0)


def test_english_catalogue_is_compiled_in_the_tree():
    """A fresh machine may lack msgfmt: the compiled catalogue ships with the source."""
    locale = settings.BASE_DIR / "rectify" / "locale" / "en" / "LC_MESSAGES"
    assert (locale / "django.po").is_file()
    assert (locale / "django.mo").is_file()


# -- pages ------------------------------------------------------------------------------------


def test_admin_index_is_chinese_by_default(staff_client):
    html = page(staff_client.get(INDEX))
    assert '<html lang="zh-hans"' in html
    assert "整改任务" in html
    assert "巡察轮次" in html
    assert "巡察整改" in html
    assert "Rectification tasks" not in html


def test_admin_index_in_english_by_accept_language(staff_client):
    html = page(staff_client.get(INDEX, HTTP_ACCEPT_LANGUAGE="en"))
    assert '<html lang="en"' in html
    for text in ("Rectification tasks", "Inspection rounds", "Problem categories",
                 "Notices", "Party groups", "Inspection rectification", "Inspected bureaus",
                 "Inspection Rectification Management"):
        assert text in html, text
    for text in ("整改任务", "巡察轮次", "问题类别", "党组织", "巡察整改"):
        assert text not in html, text


def test_task_changelist_is_chinese_by_default(staff_client, small_round):
    html = page(staff_client.get(TASKS))
    assert "整改任务" in nav_sidebar(html)
    assert "推算编号" in html
    assert "正在推进" in html
    assert "Rectification status" not in html


def test_task_changelist_in_english(staff_client, small_round):
    html = page(staff_client.get(TASKS, HTTP_ACCEPT_LANGUAGE="en"))
    nav = nav_sidebar(html)
    assert "Rectification tasks" in nav
    assert "Inspection rounds" in nav
    assert "整改任务" not in nav
    assert "巡察轮次" not in nav
    assert "Select rectification task to change" in html
    for text in ("Derived number", "Rectification status", "Inspected party group",
                 "By overdue status", "By sign-off status", "In progress",
                 "Set rectification status of selected tasks to “Completed”",
                 "Sign off selected tasks"):
        assert text in html, text
    # The records themselves stay as they were written.
    assert "三年攻坚存在短板" in html


def test_task_change_page_in_english(staff_client, small_round):
    task = RectificationTask.objects.get(title="三年攻坚存在短板")
    html = page(staff_client.get(reverse("admin:rectify_rectificationtask_change",
                                         args=[task.pk]), HTTP_ACCEPT_LANGUAGE="en"))
    for text in ("Change rectification task", "Responsibility and deadline",
                 "Responsible leader", "Responsible department", "Deadline",
                 "Rectification progress", "Sign-off", "Change history", "Measures",
                 "Measure text", "Due date"):
        assert text in html, text
    assert "责任领导" not in html


def test_action_message_in_english(staff_client, small_round):
    task = RectificationTask.objects.get(title="三年攻坚存在短板")
    response = staff_client.post(
        TASKS, {"action": "mark_completed", "_selected_action": [task.pk]},
        HTTP_ACCEPT_LANGUAGE="en", follow=True)
    messages = [str(m) for m in response.context["messages"]]
    assert "Rectification status set to “Completed” for 1 task(s)." in messages
    task.refresh_from_db()
    assert task.status == Status.COMPLETED


# -- models and validation ------------------------------------------------------------------


def test_model_names_in_english():
    expected = {
        RectificationTask: ("rectification task", "rectification tasks"),
        InspectionRound: ("inspection round", "inspection rounds"),
        ProblemCategory: ("problem category", "problem categories"),
        Measure: ("measure", "measures"),
        Notice: ("notice", "notices"),
        PartyGroup: ("party group", "party groups"),
    }
    with translation.override("en"):
        for model, (singular, plural) in expected.items():
            assert str(model._meta.verbose_name) == singular
            assert str(model._meta.verbose_name_plural) == plural
        fields = RectificationTask._meta
        assert str(fields.get_field("deadline").verbose_name) == "Deadline"
        assert str(fields.get_field("responsible_leader").verbose_name) == "Responsible leader"
        assert str(Status.COMPLETED_LONGTERM.label) == "Completed, sustained long-term"


def test_model_names_stay_chinese_by_default():
    with translation.override(settings.LANGUAGE_CODE):
        assert str(RectificationTask._meta.verbose_name) == "整改任务"
        assert str(RectificationTask._meta.verbose_name_plural) == "整改任务"
        assert str(Status.IN_PROGRESS.label) == "正在推进"


def test_validation_messages_in_english(small_round):
    task = RectificationTask(round=small_round, title="  ",
                             deadline=datetime.date(2023, 1, 1))
    with translation.override("en"):
        with pytest.raises(ValidationError) as info:
            task.full_clean()
        # Messages may be lazy: read them while English is active.
        errors = {field: [str(m) for m in messages]
                  for field, messages in info.value.message_dict.items()}
    assert errors["title"] == ["The problem statement may not be empty."]
    assert errors["deadline"] == [
        "The deadline cannot be earlier than the feedback date (2023-02-28)."]


def test_validation_messages_in_chinese_by_default(small_round):
    with pytest.raises(ValidationError) as info:
        RectificationTask(round=small_round, title="  ").full_clean()
    assert [str(m) for m in info.value.message_dict["title"]] == ["问题表述不能为空。"]


# -- switching language -----------------------------------------------------------------------


def test_switch_language_with_setlang(staff_client):
    response = staff_client.post("/i18n/setlang/", {"language": "en", "next": INDEX})
    assert response.status_code == 302
    assert response.url == INDEX
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"

    html = page(staff_client.get(INDEX))
    assert "Rectification tasks" in html
    assert "整改任务" not in html

    staff_client.post("/i18n/setlang/", {"language": "zh-hans", "next": INDEX})
    html = page(staff_client.get(INDEX))
    assert "整改任务" in html
    assert "Rectification tasks" not in html


def test_setlang_ignores_unknown_language(staff_client):
    staff_client.post("/i18n/setlang/", {"language": "xx", "next": INDEX})
    assert "整改任务" in page(staff_client.get(INDEX))


def test_measure_buttons_say_edit_and_delete_and_history_says_changed(staff_client,
                                                                      small_round):
    """The measures' buttons are verbs (Edit, Delete), the history's actions past tense
    (Changed): one Chinese word, two English ones."""
    from rectify.services.records import save_record

    task = RectificationTask.objects.get(title="三年攻坚存在短板")
    task.progress = "已开展排查。"
    save_record(task, None)
    html = page(staff_client.get(reverse("work:task", args=[task.pk]),
                                 HTTP_ACCEPT_LANGUAGE="en"))
    actions = re.findall(r'<div class="row-actions">(.*?)</div>', html, re.S)
    assert actions and all(">Edit</a>" in block and ">Delete</button>" in block
                           for block in actions)
    assert ">Changed</a>" not in html and ">Deleted</button>" not in html
    with translation.override("en"):
        from rectify.rules.history import task_history_entries

        assert "Changed" in {entry.action for entry in task_history_entries(task)}
