"""The task's lifecycle (rectify.rules.lifecycle) through the workflow services, move by move,
state by state and role by role, against a table written out here; then the rules of single
moves: who may sign off and approve, the completion date's bounds, what approving and
reopening record, and the notice import's move."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.utils import timezone

from rectify.models import RectificationTask, Review
from rectify.models.choices import ReviewDecision, Status
from rectify.rules import lifecycle, roles
from rectify.services import workflow
from tests.conftest import make_user
from tests.evidence_helpers import add_pdf_evidence

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("evidence_root")]

NOTE = "已建立长效机制，整改台账已归档。"
DAY = datetime.date(2023, 6, 30)  # after the feedback (2023-02-28), before today

OPEN, DONE, PROPOSED, SIGNED_OFF = "open", "done", "proposed", "signed_off"
STATES = (OPEN, DONE, PROPOSED, SIGNED_OFF)
ROLES = ("staff", "auditor", "clerk", "other_clerk", "anonymous", "leader")

# What a refusal says (a fragment of the Chinese message), by reason.
WHO = "只能由"  # “{move}”只能由{who}办理。
LOCKED = "由 staff 销号，已锁定"  # the sign-off lock, naming the signer
NO_PROPOSAL = "该任务没有待审核的状态提议"
NOT_DONE = "只有已完成的任务才能销号。"
NOT_SIGNED_OFF = "只有已销号的任务才能重新打开。"

#: (move, state) -> the outcome for (staff, auditor, clerk, other clerk, anonymous, the
#: bureau's leader): the state the task is in after the move, or the reason of the refusal.
#: The round is reviewed in one level (the office): its leader works as a clerk (two levels:
#: tests/test_two_level_review.py).
TABLE = {
    ("propose", OPEN): (PROPOSED, WHO, PROPOSED, WHO, WHO, PROPOSED),
    ("propose", DONE): (PROPOSED, WHO, PROPOSED, WHO, WHO, PROPOSED),
    ("propose", PROPOSED): (PROPOSED, WHO, PROPOSED, WHO, WHO, PROPOSED),
    ("propose", SIGNED_OFF): (LOCKED, WHO, LOCKED, WHO, WHO, LOCKED),

    ("withdraw", OPEN): (NO_PROPOSAL, WHO, NO_PROPOSAL, WHO, WHO, NO_PROPOSAL),
    ("withdraw", DONE): (NO_PROPOSAL, WHO, NO_PROPOSAL, WHO, WHO, NO_PROPOSAL),
    ("withdraw", PROPOSED): (OPEN, WHO, OPEN, WHO, WHO, OPEN),
    ("withdraw", SIGNED_OFF): (LOCKED, WHO, LOCKED, WHO, WHO, LOCKED),

    ("approve", OPEN): (NO_PROPOSAL, WHO, WHO, WHO, WHO, WHO),
    ("approve", DONE): (NO_PROPOSAL, WHO, WHO, WHO, WHO, WHO),
    ("approve", PROPOSED): (SIGNED_OFF, WHO, WHO, WHO, WHO, WHO),
    ("approve", SIGNED_OFF): (LOCKED, WHO, WHO, WHO, WHO, WHO),

    ("return", OPEN): (NO_PROPOSAL, WHO, WHO, WHO, WHO, WHO),
    ("return", DONE): (NO_PROPOSAL, WHO, WHO, WHO, WHO, WHO),
    ("return", PROPOSED): (OPEN, WHO, WHO, WHO, WHO, WHO),
    ("return", SIGNED_OFF): (LOCKED, WHO, WHO, WHO, WHO, WHO),

    ("set_status", OPEN): (DONE, WHO, WHO, WHO, WHO, WHO),
    ("set_status", DONE): (DONE, WHO, WHO, WHO, WHO, WHO),
    ("set_status", PROPOSED): (DONE, WHO, WHO, WHO, WHO, WHO),
    ("set_status", SIGNED_OFF): (LOCKED, WHO, WHO, WHO, WHO, WHO),

    # Only a completed task can be signed off; whoever may not sign off learns only that.
    ("sign_off", OPEN): (NOT_DONE, WHO, WHO, WHO, WHO, WHO),
    ("sign_off", DONE): (SIGNED_OFF, WHO, WHO, WHO, WHO, WHO),
    ("sign_off", PROPOSED): (NOT_DONE, WHO, WHO, WHO, WHO, WHO),
    ("sign_off", SIGNED_OFF): (LOCKED, WHO, WHO, WHO, WHO, WHO),

    # Only a signed-off task can be reopened; whoever may not reopen learns only that.
    ("reopen", OPEN): (NOT_SIGNED_OFF, WHO, WHO, WHO, WHO, WHO),
    ("reopen", DONE): (NOT_SIGNED_OFF, WHO, WHO, WHO, WHO, WHO),
    ("reopen", PROPOSED): (NOT_SIGNED_OFF, WHO, WHO, WHO, WHO, WHO),
    ("reopen", SIGNED_OFF): (OPEN, WHO, WHO, WHO, WHO, WHO),
}
MOVES = ("propose", "withdraw", "approve", "return", "set_status", "sign_off", "reopen")
#: The moves that write a review record the bureau sees.
REVIEWED = {"approve", "return", "reopen"}

#: The who-column of the table, as the refusal names it.
WHO_TEXT = {
    "propose": "“提议整改状态”只能由本单位联络员、单位负责人或巡察办工作人员办理。",
    "withdraw": "“撤回状态提议”只能由本单位联络员、单位负责人或巡察办工作人员办理。",
    "approve": "“审核通过”只能由巡察办工作人员办理。",
    "return": "“退回状态提议”只能由巡察办工作人员办理。",
    "set_status": "“修改整改状态”只能由巡察办工作人员办理。",
    "sign_off": "“销号”只能由巡察办工作人员办理。",
    "reopen": "“回头看重新打开”只能由巡察办工作人员办理。",
}


def test_the_table_covers_every_move_state_and_the_lifecycles_moves():
    assert set(TABLE) == {(move, state) for move in MOVES for state in STATES}
    assert set(lifecycle.MOVES) == set(MOVES)
    assert all(len(outcomes) == len(ROLES) for outcomes in TABLE.values())


# -- the task in each state ------------------------------------------------------------------


@pytest.fixture
def users(staff_user, auditor_user, clerk_user, other_clerk, leader_user):
    return {"staff": staff_user, "auditor": auditor_user, "clerk": clerk_user,
            "other_clerk": other_clerk, "anonymous": AnonymousUser(), "leader": leader_user}


@pytest.fixture
def task(small_round, clerk_user):
    """The task, with evidence (so that a completion may be proposed)."""
    task = RectificationTask.objects.get(round=small_round, title="三年攻坚存在短板")
    add_pdf_evidence(task, clerk_user)
    return task


@pytest.fixture
def in_state(task, clerk_user, staff_user):
    def _in_state(state: str) -> RectificationTask:
        if state == PROPOSED:
            workflow.propose_status(task, Status.COMPLETED, clerk_user, NOTE,
                                    completion_date=DAY)
        if state in (DONE, SIGNED_OFF):
            workflow.set_status(task, Status.COMPLETED, staff_user, completion_date=DAY)
        if state == SIGNED_OFF:
            workflow.sign_off(task, staff_user)
        task.refresh_from_db()
        assert lifecycle.state_of(task) == state
        return task

    return _in_state


def make_move(move: str, task: RectificationTask, user) -> None:
    """Make ``move`` through its workflow service, with arguments the move accepts."""
    if move == "propose":
        workflow.propose_status(task, Status.COMPLETED_LONGTERM, user, NOTE,
                                completion_date=DAY)
    elif move == "withdraw":
        workflow.withdraw_proposal(task, user)
    elif move == "approve":
        workflow.approve(task, user, "同意。")
    elif move == "return":
        workflow.return_proposal(task, user, "请补充会议纪要。")
    elif move == "set_status":
        workflow.set_status(task, Status.COMPLETED_LONGTERM, user, completion_date=DAY)
    elif move == "sign_off":
        workflow.sign_off(task, user)
    elif move == "reopen":
        workflow.reopen(task, user, "回头看发现问题反弹。")
    else:
        raise AssertionError(move)


def stored(task: RectificationTask) -> dict:
    """Everything a move could change: the task's row, its reviews and its history rows."""
    row = RectificationTask.objects.filter(pk=task.pk).values().get()
    return {"task": row, "reviews": Review.objects.filter(task_id=task.pk).count(),
            "history": RectificationTask.history.filter(id=task.pk).count()}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("move", MOVES)
def test_the_lifecycle_table(move, state, role, in_state, users):
    task = in_state(state)
    expected = TABLE[move, state][ROLES.index(role)]
    before = stored(task)

    if expected in STATES:
        make_move(move, task, users[role])
        after = stored(task)
        task.refresh_from_db()
        assert lifecycle.state_of(task) == expected
        assert after["task"]["version"] == before["task"]["version"] + 1
        assert after["history"] == before["history"] + 1
        assert after["reviews"] == before["reviews"] + (move in REVIEWED)
        return

    with pytest.raises(ValidationError) as refused:
        make_move(move, task, users[role])
    messages = refused.value.messages
    assert len(messages) == 1
    if expected == WHO:
        assert messages == [WHO_TEXT[move]]
    else:
        assert expected in messages[0]
    if expected == LOCKED:
        assert "请巡察办工作人员先重新打开（回头看）" in messages[0]
    assert stored(task) == before


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("state", STATES)
def test_a_page_offers_exactly_the_moves_of_the_table(state, role, in_state, users):
    task = in_state(state)
    expected = {move for move in MOVES if TABLE[move, state][ROLES.index(role)] in STATES}
    assert lifecycle.allowed_moves(task, users[role]) == expected


# -- single moves -----------------------------------------------------------------------------


def test_a_clerk_cannot_sign_off(in_state, clerk_user):
    task = in_state(DONE)
    before = stored(task)
    with pytest.raises(ValidationError) as refused:
        workflow.sign_off(task, clerk_user)
    assert refused.value.messages == ["“销号”只能由巡察办工作人员办理。"]
    assert stored(task) == before
    task.refresh_from_db()
    assert task.signed_off_at is None and task.signed_off_by is None


def test_staff_cannot_approve_their_own_proposal(task, staff_user, django_user_model):
    colleague = make_user(django_user_model, "colleague", roles.STAFF, is_staff=True)
    workflow.propose_status(task, Status.COMPLETED, staff_user, NOTE, completion_date=DAY)
    task.refresh_from_db()
    before = stored(task)
    with pytest.raises(ValidationError) as refused:
        workflow.approve(task, staff_user, "自审。")
    assert refused.value.messages == ["不能审核自己提出的状态提议，请由其他工作人员审核。"]
    assert stored(task) == before
    assert lifecycle.allowed_moves(task, staff_user) >= {"return", "withdraw"}
    assert "approve" not in lifecycle.allowed_moves(task, staff_user)

    workflow.approve(task, colleague, "同意。")
    task.refresh_from_db()
    assert task.signed_off_by == colleague


@pytest.mark.parametrize("day, message", [
    (datetime.date(2023, 2, 27), "完成时间不能早于反馈日期（2023-02-28）。"),
    ("tomorrow", "完成时间不能晚于今天。"),
])
def test_a_completion_date_outside_feedback_and_today_is_refused(task, clerk_user,
                                                                 staff_user, day, message):
    if day == "tomorrow":
        day = timezone.localdate() + datetime.timedelta(days=1)
    before = stored(task)

    with pytest.raises(ValidationError) as refused:
        workflow.propose_status(task, Status.COMPLETED, clerk_user, NOTE, completion_date=day)
    assert refused.value.message_dict == {"completion_date": [message]}
    assert stored(task) == before

    with pytest.raises(ValidationError) as refused:
        workflow.set_status(task, Status.COMPLETED, staff_user, completion_date=day)
    assert refused.value.message_dict == {"completion_date": [message]}
    assert stored(task) == before

    # The feedback date itself and today are allowed.
    workflow.set_status(task, Status.COMPLETED, staff_user,
                        completion_date=datetime.date(2023, 2, 28))
    task.refresh_from_db()
    assert task.completion_date == datetime.date(2023, 2, 28)


def test_approving_a_completion_signs_off_at_once_and_records_a_review(in_state, staff_user,
                                                                      clerk_user):
    task = in_state(PROPOSED)
    assert (task.status, task.completion_date) == (Status.IN_PROGRESS, None)
    reviews = Review.objects.count()

    workflow.approve(task, staff_user, "材料齐全，同意销号。")

    task.refresh_from_db()
    assert task.status == Status.COMPLETED and task.completion_date == DAY
    assert task.signed_off_by == staff_user and task.signed_off_at is not None
    assert (task.proposed_status, task.proposal_note, task.proposed_by,
            task.proposed_completion_date, task.proposed_at) == ("", "", None, None, None)
    assert Review.objects.count() == reviews + 1
    review = Review.objects.get(task=task)
    assert (review.decision, review.proposed_status, review.proposal_note, review.proposed_by,
            review.reviewer, review.comment) == (
        ReviewDecision.APPROVED, Status.COMPLETED, NOTE, clerk_user, staff_user,
        "材料齐全，同意销号。")
    last = task.history.order_by("-history_date", "-history_id").first()
    assert last.history_change_reason == "审核通过并销号：材料齐全，同意销号。"
    assert last.history_user == staff_user


def test_approving_a_return_to_in_progress_does_not_sign_off(task, clerk_user, staff_user):
    workflow.set_status(task, Status.COMPLETED, staff_user, completion_date=DAY)
    workflow.propose_status(task, Status.IN_PROGRESS, clerk_user, "发现新问题，继续整改。")
    workflow.approve(task, staff_user)
    task.refresh_from_db()
    assert (task.status, task.completion_date, task.signed_off_at) == (
        Status.IN_PROGRESS, None, None)
    assert Review.objects.get(task=task).decision == ReviewDecision.APPROVED


@pytest.mark.parametrize("reason", ["", "   "])
def test_reopening_needs_a_reason(in_state, staff_user, reason):
    task = in_state(SIGNED_OFF)
    before = stored(task)
    with pytest.raises(ValidationError) as refused:
        workflow.reopen(task, staff_user, reason)
    assert refused.value.message_dict == {"reason": ["重新打开须填写理由（回头看发现的问题）。"]}
    assert stored(task) == before


def test_reopening_clears_the_sign_off_and_the_completion_date(in_state, staff_user):
    task = in_state(SIGNED_OFF)
    RectificationTask.objects.filter(pk=task.pk).update(result_text="已完成（印发）")
    task.refresh_from_db()
    assert task.completion_date == DAY and task.signed_off_by == staff_user

    workflow.reopen(task, staff_user, "  回头看发现问题反弹。  ")

    task.refresh_from_db()
    assert (task.status, task.completion_date, task.result_text) == (Status.IN_PROGRESS,
                                                                     None, "")
    assert (task.signed_off_by, task.signed_off_at) == (None, None)
    assert lifecycle.state_of(task) == OPEN
    review = Review.objects.get(task=task)
    assert (review.decision, review.reviewer, review.comment) == (
        ReviewDecision.REOPENED, staff_user, "回头看发现问题反弹。")
    last = task.history.order_by("-history_date", "-history_id").first()
    assert last.history_change_reason == "回头看重新打开：回头看发现问题反弹。"


def test_a_proposal_needs_evidence_for_a_completion(small_round, clerk_user):
    task = RectificationTask.objects.get(round=small_round, title="党建工作边缘化")
    before = stored(task)
    with pytest.raises(ValidationError) as refused:
        workflow.propose_status(task, Status.COMPLETED, clerk_user, NOTE, completion_date=DAY)
    assert refused.value.message_dict == {"evidence": ["提议已完成须附佐证材料，请先上传。"]}
    assert stored(task) == before


# -- the notice import's move -----------------------------------------------------------------


def test_the_import_move_keeps_the_printed_result_text(small_round):
    task = RectificationTask(round=small_round, title="印发的问题")
    lifecycle.imported(task, Status.COMPLETED_LONGTERM, "已完成，并将长期坚持", DAY)
    assert (task.status, task.result_text, task.completion_date) == (
        Status.COMPLETED_LONGTERM, "已完成，并将长期坚持", DAY)
    assert lifecycle.state_of(task) == DONE

    task = RectificationTask(round=small_round, title="仍在推进的问题")
    lifecycle.imported(task, Status.IN_PROGRESS, "正在推进，已完成阶段性目标", DAY)
    assert (task.status, task.result_text, task.completion_date) == (
        Status.IN_PROGRESS, "正在推进，已完成阶段性目标", None)

    with pytest.raises(ValidationError) as refused:
        lifecycle.imported(task, "finished", "完成")
    assert refused.value.message_dict == {"status": ["未知的整改状态：finished"]}


def test_a_later_status_change_drops_the_printed_result_text(small_round, staff_user):
    task = RectificationTask(round=small_round, title="印发的问题")
    lifecycle.imported(task, Status.IN_PROGRESS, "基本完成")
    task.save()
    workflow.set_status(task, Status.COMPLETED, staff_user, completion_date=DAY)
    task.refresh_from_db()
    assert (task.status, task.result_text, task.completion_date) == (Status.COMPLETED, "", DAY)
