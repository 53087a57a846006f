"""A notice's summary paragraph (统计概要): the staff's words around numbers computed from the
round's records, printed after the opening when the notice carries it, and frozen with the
rest of a published version."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from rectify.models import FigureKind, OutcomeFigure, RectificationTask
from rectify.models.choices import Status, WithholdGround
from rectify.models.notices import DEFAULT_SUMMARY
from rectify.services import notice_summary, workflow
from tests.test_public_performance import PAGE_QUERIES, SNAPSHOT_QUERIES

pytestmark = pytest.mark.django_db

EXPECTED = ("本轮巡察反馈问题3个，已完成1个，正在推进2个，完成率33.3%。"
            "建立完善制度12项，追缴/退缴/清退资金7.132万元。")


@pytest.fixture
def notice(small_notice, small_round, staff_user):
    """The small round's notice, carrying the default summary: one of three tasks completed,
    a figure on a task and one of the round's own."""
    first = RectificationTask.objects.filter(round=small_round).order_by("pk").first()
    workflow.set_status(first, Status.COMPLETED, staff_user,
                        completion_date=datetime.date(2023, 6, 30))
    OutcomeFigure.objects.create(round=small_round, task=first, kind=FigureKind.SYSTEMS,
                                 value=Decimal(12))
    OutcomeFigure.objects.create(round=small_round, kind=FigureKind.FUNDS,
                                 value=Decimal("7.1320"))
    small_notice.show_summary = True
    small_notice.save()
    return small_notice


def summary_on(page) -> str | None:
    html = page.content.decode()
    if 'class="notice-summary"' not in html:
        return None
    return html.split('<p class="notice-summary">', 1)[1].split("</p>", 1)[0]


def test_a_new_notice_has_the_default_template_and_prints_no_summary(small_notice):
    assert small_notice.summary_template == DEFAULT_SUMMARY
    assert small_notice.show_summary is False
    assert notice_summary.summary(small_notice) == ""


def test_the_numbers_come_from_the_records(notice):
    assert notice_summary.summary(notice) == EXPECTED


def test_published_pages_print_it_after_the_opening(notice, publish, client, staff_client):
    publication = publish(notice)
    assert publication.snapshot["notice"]["summary"] == EXPECTED
    page = client.get(publication.get_absolute_url())
    assert summary_on(page) == EXPECTED
    html = page.content.decode()
    assert html.index("<p>开头。</p>") < html.index("notice-summary") < html.index(
        "二、问题整改情况")
    party = staff_client.get(publication.get_absolute_url(), {"audience": "party"})
    assert party.context["audience"] == "party" and summary_on(party) == EXPECTED


def test_both_versions_count_every_task_as_the_other_counts_do(notice, publish, client,
                                                               small_round):
    task = RectificationTask.objects.filter(round=small_round).order_by("pk").last()
    RectificationTask.objects.filter(pk=task.pk).update(
        withhold_ground=WithholdGround.OPEN_CASE, withhold_note="在办。")
    publication = publish(notice)
    assert publication.public_snapshot["counts"]["withheld"] == 1
    assert publication.public_snapshot["notice"]["summary"] == EXPECTED
    assert summary_on(client.get(publication.get_absolute_url())) == EXPECTED


def test_a_published_summary_is_frozen(notice, publish, client, staff_user, small_round):
    first = publish(notice)
    task = RectificationTask.objects.filter(round=small_round).order_by("pk")[1]
    workflow.set_status(task, Status.COMPLETED, staff_user,
                        completion_date=datetime.date(2023, 7, 1))
    OutcomeFigure.objects.create(round=small_round, kind=FigureKind.LEADS, value=Decimal(3))
    notice.summary_template = "截至目前，已完成{completed}个，完成率{completion_rate}。"
    notice.save()

    assert summary_on(client.get(first.get_absolute_url())) == EXPECTED
    second = publish(notice)
    assert summary_on(client.get(second.get_absolute_url())) == "截至目前，已完成2个，完成率66.7%。"
    assert summary_on(client.get(first.get_absolute_url())) == EXPECTED


def test_without_show_summary_nothing_is_printed(notice, publish, client):
    notice.show_summary = False
    notice.save()
    publication = publish(notice)
    assert publication.snapshot["notice"]["summary"] == ""
    assert summary_on(client.get(publication.get_absolute_url())) is None


def test_staff_edit_the_words_not_the_numbers(notice):
    notice.summary_template = "共{tasks}项，其中制度{systems}项、线索{leads}件；{figures}"
    notice.full_clean()
    assert notice_summary.summary(notice) == (
        "共3项，其中制度12项、线索0件；建立完善制度12项，追缴/退缴/清退资金7.132万元。")
    for template, words in (("反馈问题{tasks}个，完成率{rate}。", "{rate}"),
                            ("反馈问题53个，已完成{completed}个。", "53个"),
                            ("完成率83.0%。", "83.0%"),
                            ("反馈问题{tasks个。", "花括号"),
                            ("{tasks.__class__}", "{tasks.__class__}")):
        notice.summary_template = template
        with pytest.raises(ValidationError) as refused:
            notice.full_clean()
        assert list(refused.value.message_dict) == ["summary_template"], template
        assert words in " ".join(refused.value.message_dict["summary_template"]), template
    notice.summary_template = ""
    with pytest.raises(ValidationError) as refused:
        notice.full_clean()
    assert "summary_template" in refused.value.message_dict
    notice.show_summary = False
    notice.full_clean()  # an empty template is fine when the notice prints no summary


def test_a_round_without_tasks_prints_a_dash_for_its_rates(notice, small_round):
    RectificationTask.objects.filter(round=small_round).delete()
    OutcomeFigure.objects.all().delete()
    assert notice_summary.summary(notice) == (
        "本轮巡察反馈问题0个，已完成0个，正在推进0个，完成率—。")


def test_the_admin_previews_the_paragraph(notice, staff_client):
    page = staff_client.get(reverse("admin:rectify_notice_change", args=[notice.pk]))
    html = page.content.decode()
    assert EXPECTED in html and "summary-preview.js" in html
    assert 'data-values="' in html and "id_summary_template" in html
    page = staff_client.get(reverse("admin:rectify_notice_publish", args=[notice.pk]))
    assert EXPECTED in page.content.decode()


def test_the_admin_refuses_an_unknown_placeholder_saving_nothing(notice, staff_client):
    url = reverse("admin:rectify_notice_change", args=[notice.pk])
    page = staff_client.get(url)
    form = page.context["adminform"].form
    data = {name: form[name].value() for name in form.fields}
    data = {key: ("" if value is None else value) for key, value in data.items()}
    data["date"] = notice.date.isoformat()
    data["summary_template"] = "完成{done}个"
    data["show_summary"] = "on"
    response = staff_client.post(url, data)
    assert response.status_code == 200
    assert "summary_template" in response.context["adminform"].form.errors
    notice.refresh_from_db()
    assert notice.summary_template == DEFAULT_SUMMARY


def test_pages_and_snapshot_queries(notice, publish, client, django_assert_max_num_queries):
    from rectify.services import statistics
    from rectify.services.snapshot import build_snapshot

    with django_assert_max_num_queries(SNAPSHOT_QUERIES + statistics.QUERIES):
        build_snapshot(notice)
    publication = publish(notice)
    with django_assert_max_num_queries(PAGE_QUERIES):
        assert client.get(publication.get_absolute_url()).status_code == 200


def test_the_api_sets_the_summary_and_refuses_an_unknown_placeholder(notice, api_client,
                                                                     staff_user):
    client = api_client(staff_user)
    url = reverse("api:notice-detail", args=[notice.pk])
    body = client.get(url).json()
    assert body["show_summary"] is True and body["summary_template"] == DEFAULT_SUMMARY
    response = client.patch(url, {"summary_template": "已完成{done}个。",
                                  "version": body["version"]}, format="json")
    assert response.status_code == 400
    assert "{done}" in response.json()["summary_template"][0]
    response = client.patch(url, {"summary_template": "已完成{completed}个。",
                                  "version": body["version"]}, format="json")
    assert response.status_code == 200
    notice.refresh_from_db()
    assert notice_summary.summary(notice) == "已完成1个。"
