"""Review in two levels (逐级审核): in a round set to two levels, a clerk's proposal goes to its
bureau's leader (单位负责人) first; the leader passes it on to the office or returns it; only
then may staff approve (销号) or return it. Through the lifecycle, the API (the one review
action serves both levels; a decision at the wrong level is a 409) and the work pages (the
task page's panel and each user's review queue)."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from rectify.models import Notification, NotificationKind, RectificationTask, Review
from rectify.models.choices import ReviewDecision, ReviewLevel, ReviewLevels, Status
from rectify.rules import lifecycle
from rectify.services import workflow
from tests.evidence_helpers import add_pdf_evidence

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("evidence_root")]

NOTE = "排查整改全部完成，已建立长效机制。"
DAY = datetime.date(2023, 6, 30)


@pytest.fixture
def task(small_round, clerk_user):
    small_round.review_levels = ReviewLevels.TWO
    small_round.save()
    task = RectificationTask.objects.get(round=small_round, title="三年攻坚存在短板")
    add_pdf_evidence(task, clerk_user)
    return task


@pytest.fixture
def proposed(task, clerk_user):
    workflow.propose_status(task, Status.COMPLETED, clerk_user, NOTE, completion_date=DAY)
    task.refresh_from_db()
    return task


def stored(task) -> dict:
    return {"task": RectificationTask.objects.filter(pk=task.pk).values().get(),
            "reviews": list(Review.objects.filter(task_id=task.pk).values())}


def review_url(task) -> str:
    return reverse("api:task-review", args=[task.pk])


# -- the lifecycle -----------------------------------------------------------------------------


def test_a_clerks_proposal_waits_for_its_leader(proposed):
    assert proposed.proposal_level == ReviewLevel.BUREAU
    assert lifecycle.state_of(proposed) == lifecycle.PROPOSED


def test_the_full_two_level_flow(proposed, leader_user, staff_user):
    workflow.approve(proposed, leader_user, "经核实，同意报巡察办。")
    proposed.refresh_from_db()
    assert proposed.proposal_level == ReviewLevel.OFFICE
    assert proposed.status == Status.IN_PROGRESS and proposed.signed_off_at is None
    assert proposed.proposed_status == Status.COMPLETED  # still pending, now at the office

    workflow.approve(proposed, staff_user, "材料齐全，同意销号。")
    proposed.refresh_from_db()
    assert proposed.status == Status.COMPLETED and proposed.signed_off_by == staff_user
    assert proposed.completion_date == DAY
    reviews = list(proposed.reviews.order_by("created_at", "pk").values_list(
        "level", "decision", "reviewer__username", "comment"))
    assert reviews == [
        (ReviewLevel.BUREAU, ReviewDecision.APPROVED, "leader_a", "经核实，同意报巡察办。"),
        (ReviewLevel.OFFICE, ReviewDecision.APPROVED, "staff", "材料齐全，同意销号。"),
    ]
    reasons = [row.history_change_reason for row in proposed.history.order_by("history_id")]
    assert "单位负责人审核通过，报巡察办审核：经核实，同意报巡察办。" in reasons


def test_staff_cannot_approve_before_the_leader(proposed, staff_user):
    before = stored(proposed)
    with pytest.raises(lifecycle.WrongLevel) as refused:
        workflow.approve(proposed, staff_user, "同意")
    assert "缺少第一级审核" in refused.value.messages[0]
    with pytest.raises(lifecycle.WrongLevel):
        workflow.return_proposal(proposed, staff_user, "请补充。")
    assert stored(proposed) == before


def test_the_leader_cannot_decide_again_at_the_office_level(proposed, leader_user):
    workflow.approve(proposed, leader_user)
    proposed.refresh_from_db()
    before = stored(proposed)
    with pytest.raises(lifecycle.WrongLevel) as refused:
        workflow.approve(proposed, leader_user)
    assert "正等待巡察办审核（第二级）" in refused.value.messages[0]
    assert stored(proposed) == before


def test_the_leader_returns_with_a_comment(proposed, leader_user):
    with pytest.raises(ValidationError) as refused:
        workflow.return_proposal(proposed, leader_user, "  ")
    assert "comment" in refused.value.message_dict
    workflow.return_proposal(proposed, leader_user, "请补充会议纪要。")
    proposed.refresh_from_db()
    assert proposed.proposed_status == "" and proposed.proposal_level is None
    review = proposed.reviews.get()
    assert (review.level, review.decision, review.comment) == (
        ReviewLevel.BUREAU, ReviewDecision.RETURNED, "请补充会议纪要。")


def test_a_clerk_and_another_bureaus_leader_cannot_decide(proposed, clerk_user, other_leader):
    before = stored(proposed)
    for user in (clerk_user, other_leader):
        with pytest.raises(ValidationError) as refused:
            workflow.approve(proposed, user)
        assert refused.value.messages == [
            "“审核通过”只能由本单位负责人（第一级）或巡察办工作人员（第二级）办理。"]
    assert stored(proposed) == before


def test_the_leaders_own_proposal_goes_to_the_office(task, leader_user, staff_user):
    workflow.propose_status(task, Status.COMPLETED, leader_user, NOTE, completion_date=DAY)
    task.refresh_from_db()
    assert task.proposal_level == ReviewLevel.OFFICE
    workflow.approve(task, staff_user)
    task.refresh_from_db()
    assert task.signed_off_at is not None


def test_a_one_level_round_goes_straight_to_the_office(small_round, clerk_user, staff_user,
                                                      leader_user):
    task = RectificationTask.objects.get(round=small_round, title="三年攻坚存在短板")
    add_pdf_evidence(task, clerk_user)
    workflow.propose_status(task, Status.COMPLETED, clerk_user, NOTE, completion_date=DAY)
    task.refresh_from_db()
    assert task.proposal_level == ReviewLevel.OFFICE
    with pytest.raises(ValidationError) as refused:
        workflow.approve(task, leader_user)
    assert refused.value.messages == ["“审核通过”只能由巡察办工作人员办理。"]
    workflow.approve(task, staff_user)
    task.refresh_from_db()
    assert task.signed_off_at is not None


def test_what_waits_for_whom(proposed, leader_user, other_leader, staff_user, clerk_user):
    tasks = RectificationTask.objects.all()
    assert list(lifecycle.waiting_for(tasks, leader_user)) == [proposed]
    assert not lifecycle.waiting_for(tasks, other_leader).exists()
    assert not lifecycle.waiting_for(tasks, staff_user).exists()
    assert not lifecycle.waiting_for(tasks, clerk_user).exists()
    workflow.approve(proposed, leader_user)
    assert not lifecycle.waiting_for(tasks, leader_user).exists()
    assert list(lifecycle.waiting_for(tasks, staff_user)) == [proposed]


# -- the API -----------------------------------------------------------------------------------


def test_api_two_levels_end_to_end(task, api_client, clerk_user, leader_user, staff_user):
    clerk, leader, staff = (api_client(user) for user in (clerk_user, leader_user, staff_user))
    response = clerk.post(reverse("api:task-proposal", args=[task.pk]), {
        "status": Status.COMPLETED, "note": NOTE, "completion_date": DAY.isoformat()},
        format="json")
    assert response.status_code == 200, response.data
    assert response.data["proposal_level"] == ReviewLevel.BUREAU

    # The leader's queue holds it; staff's does not.
    mine = leader.get(reverse("api:task-list"), {"waiting_for_me": "true"})
    assert [row["id"] for row in mine.data["results"]] == [task.pk]
    assert staff.get(reverse("api:task-list"), {"waiting_for_me": "true"}).data["count"] == 0
    assert [row["id"] for row in staff.get(reverse("api:task-list"), {
        "review_level": ReviewLevel.BUREAU}).data["results"]] == [task.pk]

    # Staff first: 409, naming the missing level; nothing changed.
    version = RectificationTask.objects.get(pk=task.pk).version
    response = staff.post(review_url(task), {"decision": "approve"}, format="json")
    assert response.status_code == 409
    assert "缺少第一级审核" in response.data["detail"]
    assert RectificationTask.objects.get(pk=task.pk).version == version
    assert not Review.objects.filter(task=task).exists()

    # The clerk may not decide at all (403); the leader passes it on.
    assert clerk.post(review_url(task), {"decision": "approve"},
                      format="json").status_code == 403
    response = leader.post(review_url(task), {"decision": "approve", "comment": "同意"},
                           format="json")
    assert response.status_code == 200, response.data
    assert response.data["proposal_level"] == ReviewLevel.OFFICE
    assert response.data["status"] == Status.IN_PROGRESS

    # The leader once more: 409; staff approve: signed off.
    response = leader.post(review_url(task), {"decision": "approve"}, format="json")
    assert response.status_code == 409
    response = staff.post(review_url(task), {"decision": "approve"}, format="json")
    assert response.status_code == 200, response.data
    assert response.data["status"] == Status.COMPLETED and response.data["signed_off_at"]

    reviews = clerk.get(reverse("api:task-reviews", args=[task.pk])).data
    assert [(row["level"], row["level_label"], row["decision"]) for row in reviews] == [
        (ReviewLevel.OFFICE, "巡察办审核", "approved"),
        (ReviewLevel.BUREAU, "单位负责人审核", "approved"),
    ]


def test_api_another_bureaus_leader_gets_404(proposed, api_client, other_leader):
    response = api_client(other_leader).post(review_url(proposed), {"decision": "approve"},
                                             format="json")
    assert response.status_code == 404
    assert Review.objects.filter(task=proposed).count() == 0


def test_api_leader_return_needs_a_comment(proposed, api_client, leader_user):
    leader = api_client(leader_user)
    response = leader.post(review_url(proposed), {"decision": "return"}, format="json")
    assert response.status_code == 400 and "comment" in response.data
    response = leader.post(review_url(proposed), {"decision": "return", "comment": "请补充。"},
                           format="json")
    assert response.status_code == 200
    assert response.data["proposed_status"] == "" and response.data["proposal_level"] is None


# -- the work pages ----------------------------------------------------------------------------


def _login(client, user):
    client.force_login(user)
    return client


def test_work_pages_two_levels(proposed, client, leader_user, staff_user):
    task_url = reverse("work:task", args=[proposed.pk])
    queue = reverse("work:review")

    # The leader: the proposal in its queue and a decision panel on the task.
    _login(client, leader_user)
    page = client.get(queue).content.decode()
    assert proposed.title in page and "待审核 1 项" in page
    page = client.get(task_url).content.decode()
    assert "通过，报巡察办审核" in page and "提交审核结果" in page
    response = client.post(reverse("work:review_task", args=[proposed.pk]), {
        "decision": "approve", "comment": "同意", "version":
        proposed.version}, follow=True)
    assert "已审核通过，报巡察办审核。" in response.content.decode()
    proposed.refresh_from_db()
    assert proposed.proposal_level == ReviewLevel.OFFICE
    assert "没有等待您审核的状态提议。" in client.get(queue).content.decode()
    client.logout()

    # Staff: now it is theirs.
    _login(client, staff_user)
    page = client.get(queue).content.decode()
    assert proposed.title in page and "待审核 1 项" in page
    page = client.get(task_url).content.decode()
    assert "通过（已完成的即销号）" in page


def test_work_pages_staff_see_what_waits_for_the_leader(proposed, client, staff_user):
    _login(client, staff_user)
    page = client.get(reverse("work:review")).content.decode()
    assert "没有等待您审核的状态提议。" in page
    assert "另有 1 项提议正等待单位负责人审核" in page
    page = client.get(reverse("work:task", args=[proposed.pk])).content.decode()
    assert "待审核层级：" in page and "提交审核结果" not in page
    # Posting anyway is refused with the level's message, and nothing changes.
    before = stored(proposed)
    response = client.post(reverse("work:review_task", args=[proposed.pk]), {
        "decision": "approve", "comment": "", "version":
        proposed.version})
    assert "缺少第一级审核" in response.content.decode()
    assert stored(proposed) == before


def test_a_clerk_has_no_review_queue(client, clerk_user):
    _login(client, clerk_user)
    assert client.get(reverse("work:review")).status_code == 403
    assert "审核队列" not in client.get(reverse("work:index")).content.decode()


# -- who hears of it ---------------------------------------------------------------------------


def _inbox(user) -> list[tuple[str, str]]:
    return list(Notification.objects.filter(recipient=user).order_by("pk").values_list(
        "kind", "task__title"))


def test_each_level_hears_when_the_proposal_waits_for_it(task, clerk_user, leader_user,
                                                         other_leader, staff_user):
    workflow.propose_status(task, Status.COMPLETED, clerk_user, NOTE, completion_date=DAY)
    title = task.title
    assert _inbox(leader_user) == [(NotificationKind.PROPOSAL_WAITING, title)]
    assert _inbox(staff_user) == [] and _inbox(other_leader) == []

    workflow.approve(task, leader_user, "同意")
    assert _inbox(staff_user) == [(NotificationKind.PROPOSAL_WAITING, title)]
    assert _inbox(clerk_user) == [(NotificationKind.APPROVED, title)]

    workflow.approve(task, staff_user)
    assert (NotificationKind.SIGNED_OFF, title) in _inbox(clerk_user)
    assert (NotificationKind.SIGNED_OFF, title) in _inbox(leader_user)
    assert _inbox(other_leader) == []


def test_the_clerk_hears_when_the_leader_returns_it(proposed, clerk_user, leader_user,
                                                    staff_user):
    workflow.return_proposal(proposed, leader_user, "请补充会议纪要。")
    assert _inbox(clerk_user) == [(NotificationKind.RETURNED, proposed.title)]
    assert Notification.objects.get(recipient=clerk_user).text == "请补充会议纪要。"
    assert _inbox(staff_user) == []
