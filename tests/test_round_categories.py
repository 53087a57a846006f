"""The filter forms' round and category selects (the work list, the ledger): the category
select offers only the chosen round's categories, none until a round is chosen; the rounds
are grouped by party group; a clerk is offered only its own bureau's rounds and categories,
and any category it may see is still accepted by the filter."""

from __future__ import annotations

import re

import pytest
from django import forms
from django.test import Client
from django.urls import reverse

from rectify.models import ProblemCategory, RectificationTask
from rectify.services.filtersets import QuickSelect

LIST_PAGES = ["work:index", "ledger:index"]


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def select(html: str, name: str) -> str:
    match = re.search(rf'<select name="{name}"[^>]*>.*?</select>', html, re.S)
    assert match, name
    return match.group(0)


def options(html: str, name: str) -> list[tuple[str, str]]:
    """``(value, label)`` of a select's options, as the page has them."""
    return re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select(html, name))


def page(client, name: str, **query) -> str:
    response = client.get(reverse(name), query)
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def two_rounds(small_round, make_round, other_bureau):
    """``small_round`` (教育局: 政治责任扛得不牢 › 要求不到位) and a round of 卫健委 with a
    category tree of its own."""
    theirs = make_round(party_group=other_bureau, inspecting_body="市委第五巡察组")
    top = ProblemCategory.objects.create(round=theirs, title="医疗服务存在短板")
    ProblemCategory.objects.create(round=theirs, parent=top, title="药品采购不规范")
    RectificationTask.objects.create(round=theirs, category=top, title="卫健委的问题")
    return small_round, theirs


@pytest.mark.parametrize("name", LIST_PAGES)
def test_no_category_is_offered_until_a_round_is_chosen(staff_user, two_rounds, name):
    html = page(login(staff_user), name)
    category = select(html, "category")
    assert " disabled" in category
    assert options(html, "category") == [("", "先选择巡察轮次")]


@pytest.mark.parametrize("name", LIST_PAGES)
def test_a_chosen_round_offers_its_categories_only_in_tree_order(staff_user, two_rounds, name):
    mine, theirs = two_rounds
    top = ProblemCategory.objects.get(round=mine, parent=None)
    sub = ProblemCategory.objects.get(round=mine, parent=top)
    html = page(login(staff_user), name, round=mine.pk)
    assert f'<option value="{mine.pk}" selected>' in select(html, "round")
    assert " disabled" not in select(html, "category")
    # The sub-category indented below its parent; nothing of the other round.
    assert options(html, "category") == [("", "全部"), (str(top.pk), "政治责任扛得不牢"),
                                         (str(sub.pk), "\u3000要求不到位")]


def test_a_category_chosen_without_a_round_brings_its_rounds_categories(staff_user,
                                                                       two_rounds):
    _mine, theirs = two_rounds
    sub = ProblemCategory.objects.get(round=theirs, parent__isnull=False)
    response = login(staff_user).get(reverse("work:index"), {"category": sub.pk})
    html = response.content.decode()
    assert response.context["count"] == 0  # the sub-category has no task of its own
    assert f'<option value="{sub.pk}" selected>' in select(html, "category")
    assert [label.strip("\u3000") for _value, label in options(html, "category")] == [
        "全部", "医疗服务存在短板", "药品采购不规范"]


def test_a_category_of_another_round_stays_chosen_and_the_filter_is_unchanged(staff_user,
                                                                             two_rounds):
    """Narrowing the list changes nothing of the filter: the round and a category of another
    round together select no task, as before, and the chosen category stays on the form."""
    mine, theirs = two_rounds
    foreign = ProblemCategory.objects.get(round=theirs, parent=None)
    response = login(staff_user).get(reverse("work:index"),
                                     {"round": mine.pk, "category": foreign.pk})
    assert response.context["valid"] and response.context["count"] == 0
    html = response.content.decode()
    assert f'<option value="{foreign.pk}" selected>医疗服务存在短板</option>' in html
    assert "药品采购不规范" not in select(html, "category")
    # Alone, the category selects its subtree's tasks, whatever round is shown.
    alone = login(staff_user).get(reverse("work:index"), {"category": foreign.pk})
    assert alone.context["count"] == 1


def test_rounds_are_grouped_by_party_group(staff_user, two_rounds):
    mine, theirs = two_rounds
    html = select(page(login(staff_user), "work:index"), "round")
    groups = re.findall(r'<optgroup label="([^"]+)">(.*?)</optgroup>', html, re.S)
    assert [label for label, _options in groups] == ["中共测试市卫健委党组", "中共测试市教育局党组"]
    label = "市委第五巡察组常规巡察 · 2023-02-28"
    assert f'<option value="{theirs.pk}">{label}</option>' in groups[0][1]
    assert f'<option value="{mine.pk}">' in groups[1][1]


@pytest.mark.parametrize("name", LIST_PAGES)
def test_a_clerk_is_offered_only_its_own_bureaus_rounds_and_categories(clerk_user, two_rounds,
                                                                       name):
    mine, theirs = two_rounds
    clerk = login(clerk_user)
    html = page(clerk, name)
    assert [value for value, _label in options(html, "round")] == ["", str(mine.pk)]
    assert "卫健委" not in select(html, "round")
    # Naming the other bureau's round or category is refused, and nothing of it is offered.
    foreign = ProblemCategory.objects.get(round=theirs, parent=None)
    for query in ({"round": theirs.pk}, {"category": foreign.pk},
                  {"round": mine.pk, "category": foreign.pk}):
        html = page(clerk, name, **query)
        assert "筛选条件有误" in html
        assert "医疗服务存在短板" not in html and "药品采购不规范" not in html


def test_the_script_asks_the_rounds_categories_as_the_form_offers_them(staff_user,
                                                                      clerk_user, two_rounds):
    mine, theirs = two_rounds
    address = reverse("work:round_categories")
    answer = login(staff_user).get(address, {"round": theirs.pk}).json()
    assert [item["label"] for item in answer["options"]] == ["医疗服务存在短板",
                                                              "\u3000药品采购不规范"]
    # A clerk gets nothing of another bureau's round, and its own round's categories.
    clerk = login(clerk_user)
    assert clerk.get(address, {"round": theirs.pk}).json() == {"options": []}
    assert len(clerk.get(address, {"round": mine.pk}).json()["options"]) == 2
    bad = clerk.get(address, {"round": "x"})
    assert bad.status_code == 400 and bad.json()["error"] == "巡察轮次无效。"
    assert Client().get(address, {"round": mine.pk}).status_code == 302  # to the login


@pytest.mark.parametrize("name", LIST_PAGES)
def test_the_forms_carry_the_script_and_its_address(staff_user, two_rounds, name):
    html = page(login(staff_user), name)
    assert 'src="/static/rectify/round-categories.js"' in html
    assert f'data-round-categories="{reverse("work:round_categories")}"' in html
    assert 'data-choose-round="先选择巡察轮次"' in html


def test_the_api_still_filters_by_any_category_the_user_may_see(api_client, staff_user,
                                                               clerk_user, two_rounds):
    _mine, theirs = two_rounds
    foreign = ProblemCategory.objects.get(round=theirs, parent=None)
    listed = api_client(staff_user).get("/api/tasks/", {"category": foreign.pk})
    assert [task["title"] for task in listed.json()["results"]] == ["卫健委的问题"]
    assert api_client(clerk_user).get("/api/tasks/", {"category": foreign.pk}).status_code == 400


def test_quick_select_writes_what_django_writes():
    choices = [("", "---------"), ("分组<甲>", [(1, "一 & 二"), (2, '"引号"')]), (3, "三")]
    attrs = {"id": "id_x", "disabled": True, "data-x": "<y>"}
    for value in (None, "2", 3):
        ours = QuickSelect(attrs=attrs, choices=choices).render("x", value)
        django = forms.Select(attrs=attrs, choices=choices).render("x", value)
        assert re.sub(r">\s+<", "><", ours) == re.sub(r">\s+<", "><", django)
