"""The filter form's script in a real browser (headless Debian Chromium, Playwright): choosing
a round fills the category select with that round's categories, clearing it empties and
disables the select again, under the site's Content-Security-Policy (no violation)."""

from __future__ import annotations

import pytest

from rectify.models import InspectionRound, ProblemCategory, RectificationTask
from rectify.rules.problem_tree import category_subtree_ids
from rectify.services.filtersets import category_options

PASSWORD = "rectify-demo"  # seed_demo's demo accounts

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("address", ["/work/", "/ledger/"])
def test_choosing_a_round_offers_its_categories(seeded_site, browser, address):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    messages = []
    page.on("console", lambda message: messages.append(message.text))
    page.goto(seeded_site + "/accounts/login/")
    page.get_by_label("用户名").fill("staff")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()
    page.goto(seeded_site + address)

    category = page.locator("#id_category")
    assert category.is_disabled()
    assert category.locator("option").all_inner_texts() == ["先选择巡察轮次"]

    xuchang = InspectionRound.objects.get(party_group__name="中共许昌市教育局党组")
    expected = [label for _pk, label in category_options(
        ProblemCategory.objects.filter(round=xuchang))]
    page.locator("#id_round").select_option(str(xuchang.pk))
    page.wait_for_function("() => !document.querySelector('#id_category').disabled")
    labels = category.locator("option").evaluate_all("options => options.map(o => o.text)")
    assert labels == ["全部", *expected] and len(expected) > 1

    page.locator("#id_round").select_option("")
    page.wait_for_function("() => document.querySelector('#id_category').disabled")
    assert category.locator("option").all_inner_texts() == ["先选择巡察轮次"]
    assert not [text for text in messages if "Content Security Policy" in text]
    context.close()


def test_the_chosen_category_filters_the_list(seeded_site, browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.goto(seeded_site + "/accounts/login/")
    page.get_by_label("用户名").fill("staff")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()
    xinye = InspectionRound.objects.get(party_group__name="中共新野县教育体育局党组")
    top = ProblemCategory.objects.filter(round=xinye, parent=None).order_by("position").first()
    page.goto(seeded_site + "/work/")
    page.locator("#id_round").select_option(str(xinye.pk))
    page.wait_for_function("() => !document.querySelector('#id_category').disabled")
    page.locator("#id_category").select_option(str(top.pk))
    page.locator("form.filters button[type=submit]").first.click()
    page.wait_for_load_state()
    count = RectificationTask.objects.filter(category_id__in=category_subtree_ids(top)).count()
    assert page.get_by_text(f"共 {count} 项整改任务").is_visible()
    # The page comes back with the round's categories and the chosen one.
    assert page.locator("#id_category").input_value() == str(top.pk)
    context.close()
