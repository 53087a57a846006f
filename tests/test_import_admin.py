"""Importing a notice through the admin: preview shows everything, confirm writes, cancel not."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from rectify.models import InspectionRound, Measure, RectificationTask

pytestmark = pytest.mark.django_db

SEEDS = Path(__file__).resolve().parent.parent / "fixtures" / "notices"
URL = reverse("admin:rectify_inspectionround_import")


def seed_bytes(name: str = "001_eae98d11af12162c.txt") -> bytes:
    return (SEEDS / name).read_bytes()


def test_upload_preview_lists_tree_and_doubts_and_writes_nothing(client, staff_user):
    client.force_login(staff_user)
    upload = SimpleUploadedFile("notice.txt", seed_bytes(), content_type="text/plain")
    response = client.post(URL, {"step": "preview", "file": upload})
    assert response.status_code == 200
    page = response.content.decode()
    assert "整改任务 53 项" in page
    assert "④" in page and "③" in page  # printed next to derived
    assert "不一致" in page  # the doubt about the gap, beside its line
    doubts = response.context["parsed"].doubts
    assert doubts and all(d.message.startswith(f"第{d.line}行：") for d in doubts)
    assert "行：第" not in page  # each doubt names its line once
    assert "重要事项监管不严" in page
    assert not InspectionRound.objects.exists()
    assert "确认导入" in page


def test_confirm_writes_everything_with_the_user_in_history(client, staff_user):
    client.force_login(staff_user)
    text = seed_bytes("000_d41cc051d79ffcc9.txt").decode()
    preview = client.post(URL, {"step": "preview", "text": text})
    confirm = preview.context["confirm_form"]
    response = client.post(URL, {"step": "confirm", "notice_text": confirm.initial["notice_text"],
                                 "party_group": ""})
    rnd = InspectionRound.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:rectify_inspectionround_change", args=[rnd.pk])
    assert rnd.tasks.count() == 12
    assert Measure.objects.filter(task__round=rnd).count() == 46
    assert rnd.tasks.first().history.first().history_user == staff_user
    # A second confirm of the same notice is refused and writes nothing.
    client.post(URL, {"step": "confirm", "notice_text": text, "party_group": ""})
    assert InspectionRound.objects.count() == 1


def test_cancel_is_a_link_that_writes_nothing(client, staff_user):
    client.force_login(staff_user)
    page = client.post(URL, {"step": "preview", "text": seed_bytes().decode()}).content.decode()
    assert f'href="{URL}"' in page and "取消" in page
    assert client.get(URL).status_code == 200
    assert not RectificationTask.objects.exists()


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"text": ""}, "请上传通报文件或粘贴通报全文"),
        ({"file": SimpleUploadedFile("x.exe", b"MZ\x90\x00\x03\x00\x00\x00" * 64)}, ""),
        ({"file": SimpleUploadedFile("empty.txt", b"")}, ""),
    ],
)
def test_bad_sources_are_refused_with_a_message(client, staff_user, payload, message):
    client.force_login(staff_user)
    response = client.post(URL, {"step": "preview", **payload})
    assert response.status_code == 200
    page = response.content.decode()
    assert "errorlist" in page
    assert message in page
    assert not InspectionRound.objects.exists()


def test_text_without_problems_cannot_be_confirmed(client, staff_user):
    client.force_login(staff_user)
    page = client.post(URL, {"step": "preview", "text": "今天天气很好。\n没有问题。"})
    assert "没有识别出任何整改任务" in page.content.decode()
    response = client.post(URL, {"step": "confirm", "notice_text": "今天天气很好。",
                                 "party_group": "中共某局党组"})
    assert response.status_code == 302
    assert not InspectionRound.objects.exists()


def test_only_staff_may_import(client, auditor_user, clerk_user):
    client.force_login(auditor_user)
    assert client.get(URL).status_code == 403
    client.force_login(clerk_user)
    assert client.get(URL).status_code == 302  # to the admin login


DATA = Path(__file__).resolve().parent / "data" / "notices"


def test_preview_shows_the_stated_totals_at_the_top(client, staff_user):
    client.force_login(staff_user)
    text = (DATA / "k17_supply_coop_declared_total_mismatch.txt").read_text(encoding="utf-8")
    page = client.post(URL, {"step": "preview", "text": text}).content.decode()
    start = page.index('class="import-totals"')
    totals = page[start:page.index("</table>", start)]
    assert "反馈问题（整改任务）" in totals
    assert "<td>8</td>" in totals and "7" in totals and "与通报所述不一致" in totals
    assert page.index("import-totals") < page.index("import-tree")


ORGANISED = "\n".join([
    "中共某县某局党组关于巡察整改情况的通报",
    "一、整改工作组织情况",
    "（一）强化组织领导。成立整改工作领导小组。",
    "（二）食堂管理不规范。对食堂开展专项检查。",
    "二、问题整改情况",
    "1.会议过多。",
    "整改措施：一是精简会议；二是合并发文。",
    "整改结果：已完成。",
    "2.文件过多。",
    "整改措施：控制发文。",
    "整改结果：已完成。",
    "中共某县某局党组",
    "2024年1月5日",
])


def test_a_heading_chosen_as_a_task_is_previewed_and_imported(client, staff_user):
    client.force_login(staff_user)
    preview = client.post(URL, {"step": "preview", "text": ORGANISED})
    page = preview.content.decode()
    assert "整改任务 2 项" in page
    assert 'name="kind_4"' in page and 'name="shown_4" value="overall"' in page
    form = {"notice_text": ORGANISED, "party_group": "", "kinds": "",
            "kind_4": "task", "shown_4": "overall", "kind_6": "task", "shown_6": "task"}
    again = client.post(URL, {**form, "step": "repreview"})
    page = again.content.decode()
    assert "整改任务 3 项" in page
    assert again.context["confirm_form"].initial["kinds"] == '{"4": "task"}'
    assert not InspectionRound.objects.exists()
    # Confirming carries the choice made earlier (kinds) and any select changed since.
    response = client.post(URL, {"step": "confirm", "notice_text": ORGANISED,
                                 "party_group": "", "kinds": '{"4": "task"}',
                                 "kind_9": "overall", "shown_9": "task"})
    assert response.status_code == 302
    titles = list(RectificationTask.objects.order_by("id").values_list("title", flat=True))
    assert titles == ["食堂管理不规范。对食堂开展专项检查。", "会议过多。"]


def test_broken_kinds_are_refused_and_write_nothing(client, staff_user):
    client.force_login(staff_user)
    response = client.post(URL, {"step": "confirm", "notice_text": ORGANISED,
                                 "party_group": "", "kinds": "{not json"})
    assert response.status_code == 302
    assert not InspectionRound.objects.exists()
