"""Open data (JSON, CSV) and the Atom feed, built from the frozen snapshot."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET

import pytest
from django.conf import settings
from django.urls import reverse

from rectify.public.open_data import safe_cell
from rectify.services.records import save_record

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


def csv_rows(response) -> list[list[str]]:
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:])))


def test_page_links_its_open_data(client, seeded):
    publication = seeded["xuchang"]
    html = client.get(publication.get_absolute_url()).content.decode()
    assert f'href="/notices/{publication.pk}.json"' in html
    assert f'href="/notices/{publication.pk}.csv"' in html
    assert 'href="/notices/feed/"' in html


def test_json_is_the_public_snapshot_with_its_publication(client, seeded):
    publication = seeded["xuchang"]
    response = client.get(reverse("public:notice_json", args=[publication.pk]))
    data = json.loads(response.content)
    assert data["publication"]["version"] == 1
    assert data["publication"]["url"].endswith(publication.get_absolute_url())
    assert data["publication"]["audience"] == "public"
    assert "published_by" not in data["publication"]
    assert data["counts"]["tasks"] == 53
    assert data["notice"]["title"] == publication.title
    assert data["issuer"]["email"] == "xcsjyjdb@126.com"
    # The same content as the snapshot the page is rendered from.
    assert data["tree"] == publication.public_snapshot["tree"]
    assert "许昌" in response.content.decode()  # not \\u-escaped


def test_csv_has_one_row_per_task_in_order(client, seeded):
    publication = seeded["xuchang"]
    rows = csv_rows(client.get(reverse("public:notice_csv", args=[publication.pk])))
    header, body = rows[0], rows[1:]
    assert header[:8] == ["序号", "编号", "问题类别", "问题", "整改措施", "整改成效", "整改结果",
                          "整改状态"]
    assert "不予公开理由" not in header
    assert len(body) == 53
    assert [row[0] for row in body] == [str(i) for i in range(1, 54)]
    first = dict(zip(header, body[0], strict=True))
    assert first["编号"] == "(一)1.1)①"
    assert first["问题类别"].startswith("政治责任扛得不牢")
    assert first["问题"].startswith("老教育三年攻坚统筹推进不足")
    assert first["整改措施"].startswith("一是全面开展排查。\n二是建立工作台账。")
    assert first["整改结果"] == "正在推进" and first["状态代码"] == "in_progress"
    flagged = [dict(zip(header, row, strict=True)) for row in body if row[1].endswith("④")]
    eating = next(row for row in flagged if row["问题"].startswith("挤占学生餐费"))
    assert (eating["原文编号"], eating["推算编号"]) == ("④", "③")


def test_csv_neutralises_formulas(client, small_round, small_notice, publish, staff_user):
    task = small_round.tasks.first()
    task.title = "=HYPERLINK(\"http://example.com\")"
    save_record(task, staff_user)
    rows = csv_rows(client.get(reverse("public:notice_csv", args=[publish(small_notice).pk])))
    assert any(row[3] == "'=HYPERLINK(\"http://example.com\")" for row in rows)
    assert safe_cell("+1") == "'+1" and safe_cell("@a") == "'@a" and safe_cell("一") == "一"


def test_xinye_csv_has_no_results_but_outcomes(client, seeded):
    rows = csv_rows(client.get(reverse("public:notice_csv", args=[seeded["xinye"].pk])))
    header, body = rows[0], rows[1:]
    assert len(body) == 12
    first = dict(zip(header, body[0], strict=True))
    assert first["编号"] == "一、1."
    assert first["整改结果"] == ""
    assert first["整改成效"].startswith("经过整改，系统财务人员业务能力普遍得到提高")


def test_atom_feed_lists_public_publications(client, seeded, small_notice, publish):
    party_only = publish(small_notice, public=False)
    response = client.get(reverse("public:feed"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    entries = root.findall(f"{ATOM}entry")
    links = [entry.find(f"{ATOM}link").get("href") for entry in entries]
    assert len(entries) == 2
    assert all(link.startswith("http://testserver/notices/") for link in links)
    # Each entry's <id> is absolute and permanent: the site's own address, not the reader's.
    ids = [entry.find(f"{ATOM}id").text for entry in entries]
    assert ids == [settings.SITE_URL + link.removeprefix("http://testserver") for link in links]
    assert not any(link.endswith(party_only.get_absolute_url()) for link in links)
    titles = [entry.find(f"{ATOM}title").text for entry in entries]
    assert any("中共许昌市教育局党组" in title for title in titles)
    summary = entries[0].find(f"{ATOM}summary").text
    assert "整改" in summary
