"""In-app notifications (站内通知): written for each event to the right people, read by their
owner only (the work pages, the bell in the work and admin headers, the API), and the task
page's “since your last visit”."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from rectify.models import Notification, RectificationTask, TaskVisit
from rectify.models.choices import ReviewLevel, Status
from rectify.rules import roles
from rectify.services import notifications, workflow
from rectify.services import tasks as task_services
from rectify.services.reminders import send_reminders
from tests.conftest import make_user
from tests.evidence_helpers import add_pdf_evidence

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("evidence_root")]

NOTE = "已建立长效机制，整改台账已归档。"


@pytest.fixture
def leader(django_user_model, bureau):
    """The leader (单位负责人) of ``bureau``."""
    user = make_user(django_user_model, "leader_a", roles.LEADER)
    bureau.members.add(user)
    return user


@pytest.fixture
def clerk2(django_user_model, bureau):
    """A second clerk of ``bureau``."""
    user = make_user(django_user_model, "clerk_a2", roles.CLERK)
    bureau.members.add(user)
    return user


@pytest.fixture
def task(small_round):
    return RectificationTask.objects.get(round=small_round, title="三年攻坚存在短板")


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def received(user, kind=None) -> list[Notification]:
    rows = Notification.objects.filter(recipient=user)
    return list(rows.filter(kind=kind) if kind else rows)


def propose(task, clerk):
    add_pdf_evidence(task, clerk)
    Notification.objects.all().delete()  # the evidence is not an event; start clean
    return workflow.propose_status(task, Status.COMPLETED, clerk, NOTE,
                                   completion_date=timezone.localdate())


# -- who hears of what --------------------------------------------------------------------------


def test_proposal_waits_for_staff_in_a_one_level_round(task, clerk_user, clerk2, leader,
                                                       staff_user, other_clerk):
    propose(task, clerk_user)
    [note] = received(staff_user)
    assert (note.kind, note.task, note.actor, note.text) == (
        "proposal_waiting", task, clerk_user, NOTE)
    assert note.get_kind_display() == "待您审核"
    for nobody in (clerk_user, clerk2, leader, other_clerk):  # the actor never itself
        assert received(nobody) == []


def test_a_proposal_at_the_first_level_waits_for_the_bureau_leaders(task, clerk_user, leader,
                                                                    staff_user):
    """Where the round is reviewed in two levels the proposal waits at level 1 (the leader),
    then, passed on, at level 2 (the office), and the proposer hears it went through."""
    propose(task, clerk_user)
    Notification.objects.all().delete()
    task.proposal_level = ReviewLevel.BUREAU
    notifications.proposal_submitted(task, clerk_user)
    assert [n.kind for n in received(leader)] == ["proposal_waiting"]
    assert received(staff_user) == []
    task.proposal_level = ReviewLevel.OFFICE  # the leader approved: on to the office
    notifications.proposal_approved(task, leader, "同意，报巡察办")
    assert [n.kind for n in received(staff_user)] == ["proposal_waiting"]
    [told] = received(clerk_user)
    assert (told.kind, told.actor, told.text) == ("approved", leader, "同意，报巡察办")
    assert len(received(leader)) == 1  # not itself
    notifications.proposal_forwarded(task, leader)  # the integrator's name for the same
    assert len(received(staff_user, "proposal_waiting")) == 2


def test_returned_tells_the_proposer(task, clerk_user, clerk2, staff_user):
    propose(task, clerk_user)
    workflow.return_proposal(task, staff_user, "佐证材料不足，请补充会议纪要。")
    [note] = received(clerk_user)
    assert (note.kind, note.actor, note.text) == ("returned", staff_user,
                                                 "佐证材料不足，请补充会议纪要。")
    assert received(clerk2) == [] and received(staff_user, "returned") == []


def test_approved_completion_is_signed_off_for_the_bureau(task, clerk_user, clerk2, leader,
                                                          staff_user, other_clerk):
    propose(task, clerk_user)
    workflow.approve(task, staff_user, "材料齐全")
    for user in (clerk_user, clerk2, leader):
        [note] = received(user)
        assert (note.kind, note.text) == ("signed_off", "材料齐全")
    assert received(other_clerk) == [] and received(staff_user, "signed_off") == []


def test_reopened_tells_the_bureau(task, clerk_user, leader, staff_user):
    propose(task, clerk_user)
    workflow.approve(task, staff_user)
    workflow.reopen(task, staff_user, "回头看发现问题反弹")
    assert [(n.kind, n.text) for n in received(leader, "reopened")] == [
        ("reopened", "回头看发现问题反弹")]
    assert len(received(clerk_user, "reopened")) == 1


def test_a_progress_entry_tells_the_others(task, clerk_user, clerk2, leader, staff_user):
    task_services.add_progress_entry(task, clerk_user, "完成第一轮排查")
    assert [n.kind for n in received(clerk2)] == ["comment"]
    assert [n.text for n in received(leader)] == ["完成第一轮排查"]
    assert received(clerk_user) == []
    assert received(staff_user) == []  # no proposal waiting at the office
    propose(task, clerk_user)
    task_services.add_progress_entry(task, clerk2, "补充整改台账")
    assert [n.kind for n in received(staff_user, "comment")] == ["comment"]


def test_extension_decided_is_a_plain_call(task, clerk_user, clerk2, staff_user):
    request = SimpleNamespace(task=task, requested_by=clerk2)
    notifications.extension_decided(request, staff_user, True, "同意延期至年底")
    [note] = received(clerk2)
    assert (note.kind, note.text) == ("extension_decided", "延期申请已批准：同意延期至年底")
    assert received(clerk_user) == []
    notifications.extension_decided(task, staff_user, approved=False, comment="")
    assert [n.text for n in received(clerk_user)] == ["延期申请未获批准"]


def test_inactive_users_and_the_actor_are_skipped(task, clerk_user, clerk2, staff_user):
    clerk2.is_active = False
    clerk2.save()
    written = notifications.notify([clerk_user, clerk2, staff_user, clerk_user],
                                   "comment", task, staff_user, "x")
    assert [n.recipient for n in written] == [clerk_user]


# -- the daily run: yellow, red, overdue, once ---------------------------------------------------


def test_warnings_from_the_daily_run_once(make_round, clerk_user, leader, staff_user):
    today = datetime.date(2024, 6, 1)
    rnd = make_round(feedback_date=datetime.date(2024, 1, 1))
    yellow = RectificationTask.objects.create(round=rnd, deadline=today + datetime.timedelta(15),
                                              title="黄色任务")
    red = RectificationTask.objects.create(round=rnd, deadline=today + datetime.timedelta(5),
                                           title="红色任务")
    late = RectificationTask.objects.create(round=rnd, deadline=today - datetime.timedelta(2),
                                            title="逾期任务")
    send_reminders(today)

    def kinds(user):
        return {(n.task.title, n.kind) for n in received(user)}

    assert kinds(clerk_user) == {("黄色任务", "turned_yellow"), ("红色任务", "turned_red"),
                                 ("逾期任务", "overdue")}
    assert kinds(leader) == {("红色任务", "turned_red"), ("逾期任务", "overdue")}
    assert kinds(staff_user) == {("逾期任务", "overdue")}
    total = Notification.objects.count()
    send_reminders(today)  # the same day again
    send_reminders(today + datetime.timedelta(1))  # the next day: nothing turned
    assert Notification.objects.count() == total
    send_reminders(today + datetime.timedelta(6))  # the yellow one is red now
    assert ("黄色任务", "turned_red") in kinds(clerk_user) and ("黄色任务", "turned_red") in kinds(
        leader)
    # An extension moves the due date: warned again at the new date's thresholds.
    late.deadline = today + datetime.timedelta(12)
    late.save()
    assert notifications.warnings_for_day(today + datetime.timedelta(6))
    assert len(received(clerk_user, "turned_red")) == 3
    assert sorted(n.kind for n in received(clerk_user) if n.task_id == yellow.pk) == [
        "turned_red", "turned_yellow"]
    # The red task went overdue meanwhile (day 6): red once, overdue once.
    assert sorted(n.kind for n in received(clerk_user) if n.task_id == red.pk) == [
        "overdue", "turned_red"]


def test_a_dry_run_writes_no_notification(make_round, clerk_user):
    rnd = make_round(feedback_date=datetime.date(2024, 1, 1))
    RectificationTask.objects.create(round=rnd, deadline=datetime.date(2024, 6, 5), title="红")
    send_reminders(datetime.date(2024, 6, 1), dry_run=True)
    assert not Notification.objects.exists()


# -- reading them: the API ----------------------------------------------------------------------


@pytest.fixture
def notes(task, clerk_user, other_clerk, staff_user):
    """clerk_a: an older read one and a newer unread one; clerk_b: one of its own."""
    old = notifications.notify([clerk_user], "returned", task, staff_user, "旧")[0]
    Notification.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=1), read_at=timezone.now())
    new = notifications.notify([clerk_user], "signed_off", task, staff_user, "新")[0]
    theirs = notifications.notify([other_clerk], "comment", None, staff_user, "别人的")[0]
    return SimpleNamespace(old=old, new=new, theirs=theirs)


def test_api_lists_own_notifications_newest_first(notes, clerk_user, api_client):
    client = api_client(clerk_user)
    response = client.get(reverse("api:notification-list"))
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [row["id"] for row in rows] == [notes.new.pk, notes.old.pk]
    assert rows[0]["kind_label"] == "已销号" and rows[0]["actor"] == "staff"
    assert rows[0]["unread"] is True and rows[0]["task_title"] == "三年攻坚存在短板"
    assert rows[0]["url"].endswith(f"/work/notifications/{notes.new.pk}/")
    unread = client.get(reverse("api:notification-list"), {"unread": "true"}).json()
    assert [row["id"] for row in unread["results"]] == [notes.new.pk]


def test_api_marks_own_read_and_refuses_anothers(notes, clerk_user, api_client):
    client = api_client(clerk_user)
    response = client.post(reverse("api:notification-read", args=[notes.new.pk]))
    assert response.status_code == 200 and response.json()["unread"] is False
    notes.new.refresh_from_db()
    assert notes.new.read_at is not None
    response = client.post(reverse("api:notification-read", args=[notes.theirs.pk]))
    assert response.status_code == 404
    notes.theirs.refresh_from_db()
    assert notes.theirs.read_at is None


def test_api_read_all_and_anonymous(notes, clerk_user, other_clerk, api_client):
    response = api_client(clerk_user).post(reverse("api:notification-read-all"))
    assert response.json() == {"marked": 1}
    assert notifications.unread_count(clerk_user) == 0
    assert notifications.unread_count(other_clerk) == 1  # only its own were marked
    assert api_client().get(reverse("api:notification-list")).status_code == 401


def test_api_list_queries_are_bounded(task, clerk_user, staff_user, api_client,
                                      django_assert_max_num_queries):
    for _ in range(60):
        notifications.notify([clerk_user], "comment", task, staff_user, "进展")
    client = api_client(clerk_user)
    with django_assert_max_num_queries(3):  # token, count, page (with task and actor)
        response = client.get(reverse("api:notification-list"), {"page_size": 100})
    assert len(response.json()["results"]) == 60


# -- reading them: the work pages and the bell ----------------------------------------------


def test_work_list_shows_own_only(notes, clerk_user):
    text = login(clerk_user).get(reverse("work:notifications")).content.decode()
    assert "已销号" in text and "被退回" in text and "别人的" not in text
    assert 'class="notification unread"' in text
    unread = login(clerk_user).get(reverse("work:notifications"), {"show": "unread"})
    assert "已销号" in unread.content.decode() and "被退回" not in unread.content.decode()


def test_opening_a_notification_marks_it_read_and_shows_the_task(notes, clerk_user, task):
    response = login(clerk_user).get(reverse("work:notification", args=[notes.new.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("work:task", args=[task.pk])
    notes.new.refresh_from_db()
    assert notes.new.read_at is not None


def test_marking_anothers_notification_is_refused(notes, clerk_user):
    client = login(clerk_user)
    response = client.post(reverse("work:notification_read", args=[notes.theirs.pk]))
    assert response.status_code == 404
    assert client.get(reverse("work:notification", args=[notes.theirs.pk])).status_code == 404
    notes.theirs.refresh_from_db()
    assert notes.theirs.read_at is None


def test_work_mark_all_read(notes, clerk_user, other_clerk):
    response = login(clerk_user).post(reverse("work:notifications_read_all"), follow=True)
    assert "已将 1 条通知标为已读" in response.content.decode()
    assert notifications.unread_count(clerk_user) == 0
    assert notifications.unread_count(other_clerk) == 1


def test_the_bell_in_the_work_and_admin_headers(task, staff_user, clerk_user):
    notifications.notify([staff_user] * 1, "comment", task, clerk_user, "一")
    notifications.notify([staff_user], "comment", task, clerk_user, "二")
    client = login(staff_user)
    work = client.get(reverse("work:index")).content.decode()
    assert "通知" in work and '<span class="count">(2)</span>' in work
    assert f'href="{reverse("work:notifications")}"' in work
    admin = client.get(reverse("admin:index")).content.decode()
    assert "通知 (2)" in admin
    # The bell is an icon of our own (drawn in the text's colour), not an emoji that a
    # machine without an emoji font shows as a box.
    for page in (work, admin):
        assert '<svg class="bell-icon"' in page and "🔔" not in page
    mine = login(clerk_user).get(reverse("work:index")).content.decode()
    assert '<span class="count">' not in mine  # nothing unread for the clerk


def test_anonymous_users_have_no_bell(client):
    response = client.get(reverse("work:notifications"))
    assert response.status_code == 302  # to the login page


# -- the task page: since your last visit ----------------------------------------------------


def test_task_page_marks_what_changed_since_the_last_visit(task, clerk_user, leader,
                                                           staff_user):
    client = login(leader)
    first = client.get(reverse("work:task", args=[task.pk])).content.decode()
    assert "自您上次查看" not in first
    seen = TaskVisit.objects.get(user=leader, task=task).seen_at
    TaskVisit.objects.filter(user=leader, task=task).update(
        seen_at=seen - datetime.timedelta(minutes=5))
    task_services.add_progress_entry(task, clerk_user, "完成第一轮排查")
    assert notifications.unread_count(leader) == 1
    second = client.get(reverse("work:task", args=[task.pk])).content.decode()
    assert "自您上次查看（" in second and "处更新" in second
    assert '<span class="badge-new">新</span>' in second
    assert notifications.unread_count(leader) == 0  # seen with the page
    third = client.get(reverse("work:task", args=[task.pk])).content.decode()
    assert "自您上次查看" not in third and 'class="badge-new"' not in third
    # One's own changes are not news to oneself.
    task_services.add_progress_entry(task, leader, "负责人督办")
    assert "自您上次查看" not in client.get(reverse("work:task", args=[task.pk])).content.decode()
