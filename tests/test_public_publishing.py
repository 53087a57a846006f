"""Publishing freezes what readers see; a new publication is a new version of the round."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from rectify.models import Notice, Publication
from rectify.models.choices import NoticeKind, Status
from rectify.services.records import save_record
from rectify.services.workflow import change_status
from tests.public_helpers import page_text

pytestmark = pytest.mark.django_db


def admin_url(name: str, *args) -> str:
    return reverse(f"admin:rectify_{name}", args=args)


def test_publish_records_who_approved_published_and_when(small_notice, staff_user, publish):
    publication = publish(small_notice, staff_user, approved_by=" 李四 ")
    assert publication.version == 1
    assert publication.approved_by == "李四"
    assert publication.published_by == staff_user
    assert publication.published_by_name == "staff"
    assert publication.published_at is not None
    assert publication.title == small_notice.title and publication.date == small_notice.date
    assert publication.kind == small_notice.kind
    assert publication.issuer == "中共测试市教育局党组"
    small_notice.refresh_from_db()
    assert small_notice.approved_by == "李四"
    assert small_notice.history.first().history_change_reason == "发布通报（第1版）"


@pytest.mark.parametrize("kwargs", [
    {"approved_by": "  "},
    {"approved_by": "王五", "for_party": False, "for_public": False},
])
def test_publish_refuses_without_approver_or_audience(small_notice, kwargs):
    from rectify.services.publishing import publish_notice

    with pytest.raises(ValidationError):
        publish_notice(small_notice, None, **kwargs)
    assert not Publication.objects.exists()


def test_snapshot_holds_everything_the_page_shows(small_notice, publish):
    content = publish(small_notice).snapshot
    assert content["notice"]["title"] == small_notice.title
    assert content["notice"]["closing"] == ["联系方式：电话：0000-1234567。"]
    top = content["tree"][0]
    assert (top["kind"], top["number"], top["label"], top["task_count"]) == (
        "category", "(一)", "(一)", 3)
    task = top["children"][0]["children"][0]
    assert task["number_path"] == "(一)1.1)"
    assert [m["ordinal"] + m["text"] for m in task["measures"]] == [
        "一是全面开展排查。", "二是建立工作台账。"]
    assert task["status"] == Status.IN_PROGRESS and task["status_label"] == "正在推进"
    assert task["category_path"] == ["政治责任扛得不牢", "要求不到位"]


def test_publishing_freezes_the_page(client, small_round, small_notice, publish, staff_user):
    publication = publish(small_notice)
    url = publication.get_absolute_url()
    before = client.get(url)
    etag = before["ETag"]
    task = small_round.tasks.get(title="三年攻坚存在短板")
    task.title = "改过的问题表述"
    save_record(task, staff_user)
    change_status([task], Status.COMPLETED, staff_user)
    task.measures.all().delete()
    small_notice.title = "改过的标题"
    small_notice.save()
    after = client.get(url)
    assert after.content == before.content
    assert after["ETag"] == etag
    assert "三年攻坚存在短板" in page_text(after.content)
    assert "改过的" not in page_text(after.content)


def test_publishing_again_adds_a_version_and_both_stay_online(client, small_round, small_notice,
                                                             publish, staff_user):
    first = publish(small_notice)
    task = small_round.tasks.get(title="三年攻坚存在短板")
    change_status([task], Status.COMPLETED, staff_user)
    final = Notice.objects.create(round=small_round, kind=NoticeKind.FINAL,
                                  title="中共测试市教育局党组关于巡察整改情况的通报（完成）",
                                  date=datetime.date(2023, 12, 1))
    second = publish(final)
    assert (first.version, second.version) == (1, 2)
    assert second.kind == NoticeKind.FINAL
    page1 = client.get(first.get_absolute_url()).content.decode()
    page2 = client.get(second.get_absolute_url()).content.decode()
    # Each names its date and links to the other.
    assert "2023年7月18日" in page1 and "2023年12月1日" in page2
    assert f'href="{second.get_absolute_url()}"' in page1
    assert f'href="{first.get_absolute_url()}"' in page2
    assert "这是本轮通报的较早版本" in page1 and "这是本轮通报的较早版本" not in page2
    # The old version still shows the old status; the new one the new.
    old_task = page_text(page1, within_class="tree")
    new_task = page_text(page2, within_class="tree")
    assert "三年攻坚存在短板 正在推进" in old_task
    assert "三年攻坚存在短板 已完成" in new_task
    # The round's stable address leads to the newest version.
    response = client.get(reverse("public:round_latest", args=[small_round.pk]))
    assert response.status_code == 302 and response["Location"] == second.get_absolute_url()


def test_change_view_lists_the_tasks_that_changed(client, small_round, small_notice, publish,
                                                  staff_user):
    first = publish(small_notice)
    changed = small_round.tasks.get(title="三年攻坚存在短板")
    change_status([changed], Status.COMPLETED_LONGTERM, staff_user)
    reworded = small_round.tasks.get(title="党建工作边缘化")
    reworded.outcome = "经过整改，党建工作得到加强。"
    save_record(reworded, staff_user)
    second = publish(small_notice)
    url = reverse("public:notice_changes", args=[second.pk])
    response = client.get(url, {"since": first.pk})
    assert response.status_code == 200
    changes = {c.task["title"]: c for c in response.context["changes"]}
    assert set(changes) == {"三年攻坚存在短板", "党建工作边缘化"}
    assert changes["三年攻坚存在短板"].status_changed
    assert ("整改状态", "正在推进", "已完成，长期坚持") in changes["三年攻坚存在短板"].fields
    assert not changes["党建工作边缘化"].status_changed
    assert changes["党建工作边缘化"].fields == [("整改成效", "", "经过整改，党建工作得到加强。")]
    text = page_text(response.content)
    assert "三年攻坚存在短板" in text and "综合改革成效不明显" not in text
    # Without ?since the previous version is the default; either order works.
    assert client.get(url).context["changes"] == response.context["changes"]
    back = client.get(reverse("public:notice_changes", args=[first.pk]), {"since": second.pk})
    assert {c.task["title"] for c in back.context["changes"]} == set(changes)
    # The detail page links to the comparison.
    page = client.get(second.get_absolute_url()).content.decode()
    assert f'{url}?since={first.pk}' in page


def test_change_view_with_one_version_or_no_changes(client, small_notice, publish):
    first = publish(small_notice)
    response = client.get(reverse("public:notice_changes", args=[first.pk]))
    assert response.status_code == 200 and response.context["other"] is None
    second = publish(small_notice)
    response = client.get(reverse("public:notice_changes", args=[second.pk]))
    assert response.context["changes"] == []


def test_change_view_refuses_a_version_of_another_round(client, small_notice, publish, seeded):
    mine = publish(small_notice)
    url = reverse("public:notice_changes", args=[mine.pk])
    assert client.get(url, {"since": seeded["xinye"].pk}).status_code == 404
    assert client.get(url, {"since": mine.pk}).status_code == 404
    assert client.get(url, {"since": "abc"}).status_code == 404
    assert client.get(url, {"since": "9" * 30}).status_code == 404


def test_versions_number_per_round(small_notice, publish, seeded):
    assert publish(small_notice).version == 1
    assert publish(small_notice).version == 2
    assert seeded["xinye"].version == 1


# -- the admin ------------------------------------------------------------------------------


def test_admin_action_leads_to_the_confirmation_page(staff_client, small_notice):
    response = staff_client.post(admin_url("notice_changelist"), {
        "action": "publish_selected", "_selected_action": [small_notice.pk]})
    assert response.status_code == 302
    assert response["Location"] == admin_url("notice_publish", small_notice.pk)
    assert not Publication.objects.exists()


def test_admin_action_wants_exactly_one_notice(staff_client, small_notice):
    other = Notice.objects.create(round=small_notice.round, title="另一份",
                                  date=small_notice.date)
    response = staff_client.post(admin_url("notice_changelist"), {
        "action": "publish_selected", "_selected_action": [small_notice.pk, other.pk]},
        follow=True)
    assert "请一次只选择一份通报发布" in response.content.decode()
    assert not Publication.objects.exists()


def test_admin_confirmation_requires_the_approver(staff_client, small_notice):
    url = admin_url("notice_publish", small_notice.pk)
    page = staff_client.get(url)
    assert page.status_code == 200
    assert "审批人" in page.content.decode()
    response = staff_client.post(url, {"approved_by": "", "for_party": "on", "for_public": "on"})
    assert response.status_code == 200
    assert response.context["form"].errors["approved_by"]
    response = staff_client.post(url, {"approved_by": "赵六"})
    assert response.context["form"].non_field_errors()
    assert not Publication.objects.exists()


def test_admin_publishes_and_records_the_publisher(staff_client, staff_user, small_notice):
    url = admin_url("notice_publish", small_notice.pk)
    response = staff_client.post(url, {"approved_by": "赵六", "for_public": "on"}, follow=True)
    publication = Publication.objects.get()
    assert (publication.approved_by, publication.published_by) == ("赵六", staff_user)
    assert (publication.for_party, publication.for_public) == (False, True)
    assert publication.get_absolute_url() in response.content.decode()
    change = staff_client.get(admin_url("notice_change", small_notice.pk)).content.decode()
    assert url in change  # the 发布 button
    assert publication.get_absolute_url() in change  # the list of versions
    # Published versions can be read in the admin, not changed or deleted.
    assert staff_client.get(admin_url("publication_changelist")).status_code == 200
    view = staff_client.get(admin_url("publication_change", publication.pk))
    assert view.status_code == 200
    assert staff_client.post(admin_url("publication_delete", publication.pk)).status_code == 403
    assert staff_client.get(admin_url("publication_add")).status_code == 403


def test_auditors_cannot_publish(auditor_client, small_notice):
    assert auditor_client.get(admin_url("notice_publish", small_notice.pk)).status_code == 403
    assert auditor_client.post(admin_url("notice_publish", small_notice.pk),
                               {"approved_by": "x", "for_public": "on"}).status_code == 403
    change = auditor_client.get(admin_url("notice_change", small_notice.pk)).content.decode()
    assert admin_url("notice_publish", small_notice.pk) not in change
    assert not Publication.objects.exists()


def test_publish_page_of_an_unknown_notice_redirects(staff_client):
    response = staff_client.get(admin_url("notice_publish", 999999))
    assert response.status_code == 302
