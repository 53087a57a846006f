"""The list of published notices: filters, search, pagination, bad input, escaping."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from bureaus.models import PartyGroup
from rectify.models import InspectionRound, Notice, RectificationTask
from rectify.public.public_views import PAGE_SIZE
from tests.public_helpers import XINYE, XUCHANG, match_in_order, page_text, squash

pytestmark = pytest.mark.django_db

LIST = reverse("public:notice_list")


def titles(response) -> list[str]:
    return [pub.title for pub in response.context["page"].object_list]


def many_notices(publish, count: int) -> list:
    """``count`` published notices of one new party group, one per day of 2022."""
    group = PartyGroup.objects.create(name="中共批量县测试局党组", short_name="批量县测试局")
    publications = []
    for i in range(count):
        rnd = InspectionRound.objects.create(party_group=group,
                                             feedback_date=datetime.date(2022, 1, 1))
        RectificationTask.objects.create(round=rnd, title=f"批量问题{i}")
        notice = Notice.objects.create(round=rnd, title=f"批量通报{i:03d}",
                                       date=datetime.date(2022, 1, 1) + datetime.timedelta(i))
        publications.append(publish(notice))
    return publications


def test_site_root_redirects_to_the_notices(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == LIST


def test_list_shows_issuer_title_date_newest_first(client, seeded):
    response = client.get(LIST)
    assert response.status_code == 200
    assert titles(response) == [seeded["xinye"].title, seeded["xuchang"].title]
    text = page_text(response.content)
    assert XINYE in text and XUCHANG in text and "2024年10月10日" in text
    assert response["Content-Language"] == "zh-CN"


def test_list_is_chinese_whatever_the_browser_asks(client, seeded):
    response = client.get(LIST, HTTP_ACCEPT_LANGUAGE="en")
    assert "被巡察党组织" in response.content.decode()
    assert "整改进展情况通报" in response.content.decode()


def test_filter_by_party_group(client, seeded):
    group = seeded["xuchang"].round.party_group
    response = client.get(LIST, {"party_group": group.pk})
    assert titles(response) == [seeded["xuchang"].title]


def test_filter_by_year(client, seeded):
    assert titles(client.get(LIST, {"year": 2024})) == [seeded["xinye"].title]
    assert titles(client.get(LIST, {"year": 2023})) == [seeded["xuchang"].title]
    assert titles(client.get(LIST, {"year": 2020})) == []


def test_search_titles_and_problems(client, seeded):
    assert titles(client.get(LIST, {"q": "上下联动"})) == [seeded["xinye"].title]
    # A problem (task) of the Xuchang notice, and a category heading of it.
    assert titles(client.get(LIST, {"q": "挤占学生餐费"})) == [seeded["xuchang"].title]
    assert titles(client.get(LIST, {"q": "党建工作边缘化"})) == [seeded["xuchang"].title]
    # Every word must match.
    assert titles(client.get(LIST, {"q": "挤占学生餐费 上下联动"})) == []
    assert titles(client.get(LIST, {"q": "许昌 新野"})) == []


def test_filters_combine(client, seeded):
    group = seeded["xinye"].round.party_group
    assert titles(client.get(LIST, {"party_group": group.pk, "q": "挤占"})) == []
    assert titles(client.get(LIST, {"party_group": group.pk, "year": 2024, "q": "财务"})) == [
        seeded["xinye"].title]


def test_pagination(client, publish, db):
    many_notices(publish, PAGE_SIZE + 5)
    first = client.get(LIST)
    assert len(titles(first)) == PAGE_SIZE
    assert titles(first)[0] == f"批量通报{PAGE_SIZE + 4:03d}"  # newest first
    second = client.get(LIST, {"page": 2})
    assert len(titles(second)) == 5
    assert titles(second)[-1] == "批量通报000"
    assert 'rel="next"' in first.content.decode()
    # Filters survive paging.
    html = client.get(LIST, {"q": "批量", "page": 1}).content.decode()
    assert "?q=%E6%89%B9%E9%87%8F&amp;page=2" in html


def test_list_shows_only_the_newest_version_of_each_notice(client, small_notice, publish):
    publish(small_notice)
    second = publish(small_notice)
    response = client.get(LIST)
    assert [pub.pk for pub in response.context["page"].object_list] == [second.pk]


@pytest.mark.parametrize("query", [
    {"page": "abc"}, {"page": "99999999999"}, {"page": "-1"}, {"page": "0"},
    {"page": "9" * 40}, {"year": "x"}, {"year": "99999"}, {"year": "2023.5"},
    {"party_group": "9999"}, {"party_group": "abc"}, {"party_group": "9" * 40},
    {"q": "x" * 500}, {"q": "%00"}, {"q": "\x00"}, {"party_group": "\x00"}, {"unknown": "1"},
])
def test_bad_query_strings_give_a_clean_page(client, small_notice, publish, query):
    publish(small_notice)
    response = client.get(LIST, query)
    assert response.status_code == 200
    assert response.context["page"] is not None


@pytest.mark.parametrize("query", [{"year": "x"}, {"party_group": "9999"}, {"q": "x" * 500}])
def test_invalid_filters_list_nothing_and_say_why(client, small_notice, publish, query):
    publish(small_notice)
    response = client.get(LIST, query)
    assert titles(response) == []
    assert 'role="alert"' in response.content.decode()


def test_staff_text_is_escaped_everywhere(client, staff_client, small_round, small_notice,
                                          publish):
    evil = "<script>alert(1)</script>"
    task = small_round.tasks.first()
    task.title = evil
    task.outcome = evil
    task.result_text = evil
    task.save()
    task.measures.update(text=evil)
    small_notice.title = f"通报{evil}"
    small_notice.opening = evil
    small_notice.closing = evil
    small_notice.save()
    small_round.party_group.name = f"党组{evil}"
    small_round.party_group.save()
    publication = publish(small_notice, approved_by=evil)
    pages = [
        reverse("public:notice_list"),
        reverse("public:notice_list") + "?q=" + evil,
        publication.get_absolute_url(),
        reverse("public:notice_changes", args=[publication.pk]),
        reverse("public:feed"),
    ]
    for url in pages:
        body = client.get(url).content.decode()
        assert evil not in body, url
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in client.get(pages[2]).content.decode()
    # The JSON carries the text as data; the CSV as a cell; neither is HTML.
    assert client.get(reverse("public:notice_json", args=[publication.pk]))["Content-Type"] == (
        "application/json")
    # And the admin's confirmation page escapes it too.
    body = staff_client.get(reverse("admin:rectify_notice_publish",
                                    args=[small_notice.pk])).content.decode()
    assert evil not in body


def test_match_in_order_is_strict():
    lines = [squash("一、问题"), squash("1.任务"), squash("整改结果：已完成")]
    match_in_order("一、问题1.任务整改结果：已完成已完成", lines, {"", "已完成"})
    with pytest.raises(AssertionError):
        match_in_order("一、问题整改结果：已完成", lines, {""})  # a line missing
    with pytest.raises(AssertionError):
        match_in_order("一、问题多余1.任务整改结果：已完成", lines, {""})  # something added
    with pytest.raises(AssertionError):
        match_in_order("1.任务一、问题整改结果：已完成", lines, {""})  # out of order
