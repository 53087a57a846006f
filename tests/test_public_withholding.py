"""Two audiences: a withheld task is in the party version only, and nowhere public."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from rectify.models import RectificationTask
from rectify.models.choices import WithholdGround
from rectify.services.records import save_record
from tests.public_helpers import page_text

pytestmark = pytest.mark.django_db

SECRET = "在办案件涉及的问题甲"
NOTE = "案件尚在审查调查中"


@pytest.fixture
def withheld(small_round, staff_user):
    """The small round with one task withheld from the public (在办案件)."""
    task = small_round.tasks.get(title="综合改革成效不明显")
    task.title = SECRET
    task.withhold_ground = WithholdGround.OPEN_CASE
    task.withhold_note = NOTE
    save_record(task, staff_user)
    return task


@pytest.fixture
def published(withheld, small_notice, publish):
    return publish(small_notice)


def public_surfaces(client, publication) -> dict[str, str]:
    pk = publication.pk
    return {
        "page": client.get(publication.get_absolute_url()).content.decode(),
        "json": client.get(reverse("public:notice_json", args=[pk])).content.decode(),
        "csv": client.get(reverse("public:notice_csv", args=[pk])).content.decode("utf-8-sig"),
        "feed": client.get(reverse("public:feed")).content.decode(),
        "changes": client.get(reverse("public:notice_changes", args=[pk])).content.decode(),
        "list": client.get(reverse("public:notice_list")).content.decode(),
        # The search form echoes the words searched for; nothing else may carry them.
        "search": client.get(reverse("public:notice_list"), {"q": SECRET}).content.decode()
        .replace(f'value="{SECRET}"', "", 1),
    }


def test_withhold_ground_other_needs_a_note(small_round):
    task = small_round.tasks.first()
    task.withhold_ground = WithholdGround.OTHER
    with pytest.raises(ValidationError) as exc:
        task.full_clean()
    assert "withhold_note" in exc.value.message_dict
    task.withhold_ground = ""
    task.withhold_note = "没有理由的说明"
    with pytest.raises(ValidationError) as exc:
        task.full_clean()
    assert "withhold_ground" in exc.value.message_dict


def test_withhold_grounds_are_the_usual_ones():
    assert [str(label) for label in WithholdGround.labels] == [
        "党和国家秘密", "在办案件", "重大敏感事项", "个人隐私", "其他"]


def test_public_surfaces_never_show_a_withheld_task(client, published):
    for name, body in public_surfaces(client, published).items():
        assert SECRET not in body, name
        assert NOTE not in body, name
        assert "在办案件：" not in body and "open_case" not in body, name
    assert published.search_text and SECRET not in published.search_text
    public = json.loads(client.get(reverse("public:notice_json", args=[published.pk])).content)
    assert public["withheld"] == [] and public["counts"]["withheld"] == 1
    assert all("withhold" not in task for task in _tasks(public["tree"]))


def test_search_for_a_withheld_task_finds_nothing_for_the_public(client, published):
    response = client.get(reverse("public:notice_list"), {"q": SECRET})
    assert list(response.context["page"].object_list) == []


def test_public_page_omits_without_renumbering_and_says_so(client, published):
    html = client.get(published.get_absolute_url()).content.decode()
    tree = page_text(html, within_class="tree")
    # 1) stays 1), the withheld 2) leaves a gap, 党建工作边缘化 keeps its number 2.
    assert "1)三年攻坚存在短板" in tree
    assert "2)" not in tree
    assert "2.党建工作边缘化" in tree
    note = page_text(html, within_class="footnote")
    assert "略去 1 项整改任务" in note and "未重新编号" in note


def test_party_version_shows_the_withheld_task_and_its_ground(staff_client, auditor_client,
                                                              published):
    for reader in (staff_client, auditor_client):
        html = reader.get(published.get_absolute_url()).content.decode()
        assert SECRET in html
        assert "不向社会公开" in html and "在办案件" in html and NOTE in html
        assert "?audience=public" in html
        public = reader.get(published.get_absolute_url(), {"audience": "public"})
        assert SECRET not in public.content.decode()
        data = json.loads(reader.get(reverse("public:notice_json", args=[published.pk]),
                                     {"audience": "party"}).content)
        assert data["withheld"][0]["ground_label"] == "在办案件"
        rows = list(csv.reader(io.StringIO(reader.get(
            reverse("public:notice_csv", args=[published.pk])).content.decode("utf-8-sig"))))
        assert rows[0][-2:] == ["不予公开理由", "不予公开说明"]
        assert [row[-2] for row in rows[1:]] == ["", "在办案件", ""]


def test_party_search_finds_a_withheld_task(staff_client, published):
    response = staff_client.get(reverse("public:notice_list"), {"q": SECRET})
    assert [pub.pk for pub in response.context["page"].object_list] == [published.pk]


def test_preview_shows_staff_what_is_withheld_and_why(staff_client, withheld, small_notice):
    html = staff_client.get(reverse("admin:rectify_notice_publish",
                                    args=[small_notice.pk])).content.decode()
    table = html[html.index('class="rectify-withheld"'):]
    assert SECRET in table and "在办案件" in table and NOTE in table
    assert "(一)1.2)" in table
    assert "整改任务 3 项，其中向社会公开 2 项" in html


def test_withhold_fields_are_editable_in_the_task_admin(staff_client, small_round):
    task = small_round.tasks.first()
    url = reverse("admin:rectify_rectificationtask_change", args=[task.pk])
    html = staff_client.get(url).content.decode()
    assert 'name="withhold_ground"' in html and 'name="withhold_note"' in html
    data = {
        "version": task.version, "category": task.category_id, "position": task.position,
        "printed_label": "", "title": task.title, "detail": "", "responsible_leader": "",
        "responsible_department": "", "deadline": "", "result_text": "", "progress": "",
        "outcome": "", "completion_date": "", "withhold_ground": WithholdGround.PRIVACY,
        "withhold_note": "涉及个人信息",
        "measures-TOTAL_FORMS": "0", "measures-INITIAL_FORMS": "0",
        "measures-MIN_NUM_FORMS": "0", "measures-MAX_NUM_FORMS": "1000",
        "figures-TOTAL_FORMS": "0", "figures-INITIAL_FORMS": "0",
    }
    response = staff_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    task.refresh_from_db()
    assert (task.withhold_ground, task.withhold_note) == (WithholdGround.PRIVACY, "涉及个人信息")


def test_a_category_left_empty_by_withholding_is_left_out(client, small_round, small_notice,
                                                          publish, staff_user):
    for task in RectificationTask.objects.filter(category__title="要求不到位"):
        task.withhold_ground = WithholdGround.STATE_SECRET
        save_record(task, staff_user)
    publication = publish(small_notice)
    tree = page_text(client.get(publication.get_absolute_url()).content, within_class="tree")
    assert "要求不到位" not in tree
    assert "党建工作边缘化" in tree


def test_a_party_only_publication_needs_no_public_snapshot(small_notice, publish):
    publication = publish(small_notice, public=False)
    assert publication.public_snapshot is None and publication.search_text == ""


def _tasks(nodes):
    for node in nodes:
        if node["kind"] == "task":
            yield node
        else:
            yield from _tasks(node["children"])
