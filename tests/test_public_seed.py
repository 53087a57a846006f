"""The public pages of both seed notices read like the printed 通报, line for line."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from rectify.models import Publication
from tests.public_helpers import (
    XINYE,
    XINYE_FILE,
    XUCHANG,
    XUCHANG_FILE,
    match_in_order,
    page_text,
    seed_lines,
    squash,
    status_gaps,
)

pytestmark = pytest.mark.django_db


def article(client, publication) -> str:
    response = client.get(publication.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def test_seed_demo_publishes_both_notices_to_the_public_and_the_party(seeded):
    assert Publication.objects.count() == 2
    for publication in seeded.values():
        assert publication.for_public and publication.for_party
        assert publication.version == 1
        assert publication.approved_by
        assert publication.published_by.username == "staff"


def test_seed_demo_publishes_once(seeded, settings):
    from io import StringIO

    from django.core.management import call_command

    call_command("seed_demo", stdout=StringIO())
    assert Publication.objects.count() == 2


def test_xinye_page_carries_every_line_of_the_seed_in_order(client, seeded):
    html = article(client, seeded["xinye"])
    text = squash(page_text(html, within_class="notice"))
    # From the title (printed on two lines) to the date: nothing left out, nothing added
    # but the status badges beside the problems.
    match_in_order(text, seed_lines(XINYE_FILE), status_gaps())


def test_xuchang_page_carries_every_line_of_the_seed_in_order(client, seeded):
    html = article(client, seeded["xuchang"])
    text = squash(page_text(html, within_class="notice"))
    title = "中共许昌市教育局党组关于巡察整改情况的通报"
    assert text.startswith(title)
    # The seed is a web page: its first lines are the site's breadcrumbs and the title with
    # the site's own decorations; the notice proper starts with its opening paragraph.
    lines = seed_lines(XUCHANG_FILE, start="2022年11月21日")
    match_in_order(text[len(title):], lines, status_gaps())


def test_xuchang_keeps_the_missing_circled_three_as_printed(client, seeded):
    text = squash(page_text(article(client, seeded["xuchang"]), within_class="notice"))
    section = text[text.index("1）重要事项监管不严"):text.index("2）纪律规矩意识不强")]
    marks = re.findall(r"[①②③④⑤⑥]", section)
    assert marks == ["①", "②", "④", "⑤"]


def test_xuchang_results_measures_inline_and_headings(client, seeded):
    html = article(client, seeded["xuchang"])
    assert html.count('class="result"') == 53
    assert html.count("整改结果：") == 53
    assert html.count('class="measures-inline"') == 53
    assert '<ol class="measures">' not in html
    # One measure prints without an ordinal.
    assert "整改情况：</span><span class=\"measure\">加大对普通高中的教育教学指导。" in html
    # h1 title, h2 sections, then the tree: (一) h3, 1. h4, 1) h5, ① h6.
    assert re.search(r"<h1[^>]*>中共许昌市教育局党组关于巡察整改情况的通报</h1>", html)
    assert re.search(r'<h2 class="section-heading">一、整体推进情况</h2>', html)
    assert re.search(r'<h3 class="node-heading"><span class="number">\(一\)</span>', html)
    assert re.search(r'<h6 class="node-heading"><span class="number">④</span>挤占学生餐费', html)
    assert "项整改任务" not in page_text(html, within_class="tree")


def test_xinye_counts_measures_per_paragraph_and_no_results(client, seeded):
    html = article(client, seeded["xinye"])
    assert html.count('<ol class="measures">') == 12
    assert html.count("整改进展情况：") == 12
    assert "整改结果" not in html
    assert re.search(r'<h2 class="node-heading"><span class="number">一、</span>关于“态度不坚决',
                     html)
    assert "，共4项整改任务</span></h2>" in html
    assert re.search(r'<h3 class="node-heading"><span class="number">12\.</span>', html)
    # Every task shows its status as a badge on screen.
    assert html.count('class="badge status-') == 12


def test_public_page_markup_is_accessible_and_printable(client, seeded):
    html = article(client, seeded["xinye"])
    assert '<html lang="zh-CN">' in html
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert 'href="/static/rectify/public.css"' in html
    assert "//cdn" not in html and "https://" not in html.split("<body>")[0]
    assert html.count("<h1") == 1
    assert '<time datetime="2024-10-10">2024年10月10日</time>' in html


def test_closing_with_contacts_signature_and_date(client, seeded):
    text = page_text(article(client, seeded["xuchang"]), within_class="notice")
    closing = text[text.index("欢迎广大干部群众"):]
    for part in ("0374-2699812", "许昌市创业中心B座20楼2015-2房间", "xcsjyjdb@126.com",
                 "2023年7月18日"):
        assert part in closing


def test_list_shows_both_seed_notices_newest_first(client, seeded):
    response = client.get(reverse("public:notice_list"))
    text = page_text(response.content)
    assert text.index(XINYE + "关于上下联动") < text.index(XUCHANG + "关于巡察整改情况")
    assert "2024年10月10日" in text and "2023年7月18日" in text
