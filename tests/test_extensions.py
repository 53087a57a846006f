"""Deadline extensions (申请延期, issue 12 point 3): a bureau asks for a later due date with a
reason, staff approve or refuse; the original deadline is kept and shown, the due date,
overdue and colours follow the approved date, and the overview and the ledger count them."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from rectify.models import DeadlineExtension, RectificationTask
from rectify.models.choices import ExtensionStatus, Status
from rectify.rules import due_dates
from rectify.rules.due_dates import Warning
from rectify.services import deadline_extensions
from rectify.services.overview import bureau_overview
from tests.ledger_helpers import edit, export, sheet_rows

TODAY = timezone.localdate()


def days(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


@pytest.fixture
def round_(make_round):
    """A round in its concentrated rectification: it ends in 60 days."""
    return make_round(feedback_date=days(-60), rectification_end=days(60))


@pytest.fixture
def task(round_):
    return RectificationTask.objects.create(round=round_, title="食堂管理不规范",
                                            deadline=days(5))


@pytest.fixture
def other_task(other_bureau, make_round):
    rnd = make_round(party_group=other_bureau, feedback_date=days(-60),
                     rectification_end=days(60))
    return RectificationTask.objects.create(round=rnd, title="另一单位的问题", deadline=days(5))


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def annotated(task, today=TODAY):
    return due_dates.with_due_dates(RectificationTask.objects.filter(pk=task.pk), today).get()


def url(task, name: str) -> str:
    return reverse(f"api:task-{name}", kwargs={"pk": task.pk})


def ask(api, task, **body):
    return api.post(url(task, "request-extension"), body, format="json")


def decide(api, task, **body):
    return api.post(url(task, "decide-extension"), body, format="json")


# -- the API --------------------------------------------------------------------------------


def test_clerk_asks_and_staff_approve_through_the_api(api_client, clerk_user, staff_user, task):
    clerk, staff = api_client(clerk_user), api_client(staff_user)
    response = ask(clerk, task, new_deadline=days(40).isoformat(), reason="需协调财政资金")
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["pending_extension_deadline"] == days(40).isoformat()
    assert data["due_date"] == days(5).isoformat()  # nothing moves before approval
    assert data["extension_count"] == 0

    response = decide(staff, task, decision="approve", comment="同意")
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["deadline"] == days(5).isoformat()  # the original deadline is kept
    assert data["original_due_date"] == days(5).isoformat()
    assert data["extended_deadline"] == days(40).isoformat()
    assert data["due_date"] == days(40).isoformat()
    assert data["extension_count"] == 1
    assert data["pending_extension_deadline"] is None
    assert data["warning"] == "green"

    rows = clerk.get(url(task, "extensions")).json()
    assert [(row["status"], row["current_due"], row["new_deadline"], row["requested_by"],
             row["decided_by"], row["comment"]) for row in rows] == [
        ("approved", days(5).isoformat(), days(40).isoformat(), "clerk_a", "staff", "同意")]
    reasons = [row.history_change_reason for row in task.history.order_by("history_date")]
    assert f"申请延期至 {days(40).isoformat()}：需协调财政资金" in reasons
    assert f"批准延期至 {days(40).isoformat()}：同意" in reasons


def test_a_second_extension_extends_the_extended_date(api_client, clerk_user, staff_user, task):
    clerk, staff = api_client(clerk_user), api_client(staff_user)
    ask(clerk, task, new_deadline=days(20).isoformat(), reason="一")
    decide(staff, task, decision="approve")
    response = ask(clerk, task, new_deadline=days(15).isoformat(), reason="二")
    assert response.status_code == 400
    assert f"须晚于当前时限（{days(20).isoformat()}）" in response.json()["new_deadline"][0]
    assert ask(clerk, task, new_deadline=days(30).isoformat(), reason="二").status_code == 200
    data = decide(staff, task, decision="approve").json()
    assert (data["deadline"], data["due_date"], data["extension_count"]) == (
        days(5).isoformat(), days(30).isoformat(), 2)
    assert DeadlineExtension.objects.get(new_deadline=days(30)).current_due == days(20)


def test_refusal_needs_a_comment_and_changes_no_date(api_client, clerk_user, staff_user, task):
    clerk, staff = api_client(clerk_user), api_client(staff_user)
    ask(clerk, task, new_deadline=days(40).isoformat(), reason="需协调")
    version = RectificationTask.objects.get(pk=task.pk).version
    response = decide(staff, task, decision="refuse", comment=" ")
    assert response.status_code == 400
    assert "审批意见" in response.json()["comment"][0]
    assert RectificationTask.objects.get(pk=task.pk).version == version
    assert DeadlineExtension.objects.get().status == ExtensionStatus.PENDING

    data = decide(staff, task, decision="refuse", comment="理由不充分").json()
    assert (data["due_date"], data["extension_count"], data["pending_extension_deadline"]) == (
        days(5).isoformat(), 0, None)
    assert DeadlineExtension.objects.get().status == ExtensionStatus.REFUSED
    response = decide(staff, task, decision="approve")  # nothing is pending any more
    assert response.status_code == 400
    assert "没有待审批的延期申请" in str(response.json())


@pytest.mark.parametrize(("body", "field", "words"), [
    ({"new_deadline": "DAY-1", "reason": "需协调"}, "new_deadline", "须晚于当前时限"),
    ({"new_deadline": "DAY+0", "reason": "需协调"}, "new_deadline", "须晚于当前时限"),
    ({"reason": "需协调"}, "new_deadline", "请填写申请延期至的日期"),
    ({"new_deadline": "DAY+30"}, "reason", "请填写延期理由"),
    ({"new_deadline": "DAY+30", "reason": "  "}, "reason", "请填写延期理由"),
    ({"new_deadline": "DAY+90", "reason": ""}, "reason", "晚于本轮集中整改结束日期"),
    ({"new_deadline": "2026-02-30", "reason": "需协调"}, "new_deadline", "日期"),
])
def test_bad_requests_are_refused_naming_the_field(api_client, clerk_user, task, body, field,
                                                   words):
    if "new_deadline" in body and body["new_deadline"].startswith("DAY"):
        body["new_deadline"] = (task.deadline + datetime.timedelta(
            days=int(body["new_deadline"][3:]))).isoformat()
    response = ask(api_client(clerk_user), task, **body)
    assert response.status_code == 400
    assert words in " ".join(response.json()[field])
    assert not DeadlineExtension.objects.exists()
    assert RectificationTask.objects.get(pk=task.pk).version == task.version


def test_round_end_is_named_and_a_reason_lets_the_request_through(api_client, clerk_user,
                                                                   task):
    clerk = api_client(clerk_user)
    response = ask(clerk, task, new_deadline=days(90).isoformat())
    assert days(60).isoformat() in response.json()["reason"][0]
    response = ask(clerk, task, new_deadline=days(90).isoformat(), reason="需待明年预算")
    assert response.status_code == 200
    assert DeadlineExtension.objects.get().new_deadline == days(90)


def test_one_pending_request_at_a_time(api_client, clerk_user, task):
    clerk = api_client(clerk_user)
    assert ask(clerk, task, new_deadline=days(20).isoformat(), reason="一").status_code == 200
    response = ask(clerk, task, new_deadline=days(30).isoformat(), reason="二")
    assert response.status_code == 400
    assert "已有一项待审批的延期申请" in str(response.json())
    assert DeadlineExtension.objects.count() == 1


def test_no_request_on_a_completed_or_signed_off_task(api_client, clerk_user, staff_user,
                                                      task):
    RectificationTask.objects.filter(pk=task.pk).update(
        status=Status.COMPLETED, completion_date=TODAY)
    response = ask(api_client(clerk_user), task, new_deadline=days(20).isoformat(), reason="一")
    assert response.status_code == 400 and "任务已完成" in str(response.json())
    RectificationTask.objects.filter(pk=task.pk).update(signed_off_at=timezone.now(),
                                                        signed_off_by=staff_user)
    response = ask(api_client(clerk_user), task, new_deadline=days(20).isoformat(), reason="一")
    assert response.status_code == 400 and "销号" in str(response.json())
    assert not DeadlineExtension.objects.exists()


def test_only_staff_decide_and_other_bureaus_do_not_see(api_client, clerk_user, auditor_user,
                                                        task, other_task):
    clerk = api_client(clerk_user)
    ask(clerk, task, new_deadline=days(20).isoformat(), reason="一")
    assert decide(clerk, task, decision="approve").status_code == 403
    assert decide(api_client(auditor_user), task, decision="approve").status_code == 403
    assert ask(api_client(auditor_user), task, new_deadline=days(30).isoformat(),
               reason="一").status_code == 403
    assert ask(clerk, other_task, new_deadline=days(20).isoformat(),
               reason="一").status_code == 404
    assert clerk.get(url(other_task, "extensions")).status_code == 404
    assert DeadlineExtension.objects.get().status == ExtensionStatus.PENDING


def test_staff_do_not_approve_their_own_request(api_client, staff_user, task):
    staff = api_client(staff_user)
    assert ask(staff, task, new_deadline=days(20).isoformat(), reason="一").status_code == 200
    response = decide(staff, task, decision="approve")
    assert response.status_code == 400 and "自己提出" in str(response.json())


def test_a_stale_version_is_refused(api_client, clerk_user, task):
    response = ask(api_client(clerk_user), task, new_deadline=days(20).isoformat(),
                   reason="一", version=task.version + 5)
    assert response.status_code == 409
    assert not DeadlineExtension.objects.exists()


# -- due dates follow the approved date -----------------------------------------------------


def test_overdue_and_colours_follow_the_approved_date(clerk_user, staff_user, task):
    later = days(25)
    # At day 10 the original deadline (day 5) has passed: overdue, red.
    before = annotated(task, days(10))
    assert (before.is_overdue, before.warning) == (True, Warning.RED)
    deadline_extensions.request_extension(task, clerk_user, later, "需协调财政资金")
    deadline_extensions.decide_extension(task, staff_user, "approve", "同意")
    after = annotated(task, days(10))
    assert (after.due_on, after.original_due_on) == (later, days(5))
    assert (after.is_overdue, after.warning) == (False, Warning.YELLOW)
    assert annotated(task, days(26)).is_overdue is True
    assert list(due_dates.overdue(RectificationTask.objects.all(), days(10))) == []


def test_a_task_without_deadline_extends_the_round_end(clerk_user, staff_user, round_):
    task = RectificationTask.objects.create(round=round_, title="无时限的问题")
    response = deadline_extensions.request_extension
    with pytest.raises(Exception, match="须晚于当前时限"):
        response(task, clerk_user, days(50), "需协调")
    extension = response(task, clerk_user, days(80), "需待明年预算")
    assert extension.current_due == days(60)
    deadline_extensions.decide_extension(task, staff_user, "approve")
    assert annotated(task).due_on == days(80)
    assert annotated(task).original_due_on == days(60)


# -- the work pages -------------------------------------------------------------------------


def page_url(task, name: str = "task") -> str:
    return reverse(f"work:{name}", kwargs={"pk": task.pk})


def test_request_and_approval_on_the_task_page(clerk_user, staff_user, task):
    clerk, staff = login(clerk_user), login(staff_user)
    page = clerk.get(page_url(task)).content.decode()
    assert 'id="extension"' in page and "提交延期申请" in page
    assert days(60).isoformat() in page  # the round's end is named beside the form

    response = clerk.post(page_url(task, "extension"), {
        "version": task.version, "new_deadline": days(40).isoformat(), "reason": "需协调财政资金"})
    assert response.status_code == 302
    assert response["Location"].endswith("#extension")
    page = clerk.get(page_url(task)).content.decode()
    assert "延期申请已提交" in page and "待审批的延期申请" in page
    assert "提交延期申请" not in page  # one pending request at a time
    assert "提交审批结果" not in page  # the clerk does not decide

    page = staff.get(page_url(task)).content.decode()
    assert "提交审批结果" in page and "需协调财政资金" in page
    version = RectificationTask.objects.get(pk=task.pk).version
    response = staff.post(page_url(task, "extension_decision"),
                          {"version": version, "decision": "approve", "comment": ""})
    assert response.status_code == 302
    page = clerk.get(page_url(task)).content.decode()
    assert "原定时限" in page and days(5).isoformat() in page
    assert "延期后时限" in page and days(40).isoformat() in page
    assert "已延期 1 次" in page and "已批准" in page


def test_bad_request_on_the_page_keeps_the_input_and_names_the_field(clerk_user, task):
    clerk = login(clerk_user)
    response = clerk.post(page_url(task, "extension"), {
        "version": task.version, "new_deadline": days(90).isoformat(), "reason": ""})
    assert response.status_code == 400
    page = response.content.decode()
    assert "提交未成功，没有保存任何内容" in page
    assert "延期理由：申请延期至" in page and f"集中整改结束日期（{days(60).isoformat()}）" in page
    assert f'value="{days(90).isoformat()}"' in page  # the input is kept
    response = clerk.post(page_url(task, "extension"), {
        "version": task.version, "new_deadline": days(1).isoformat(), "reason": "需协调"})
    assert response.status_code == 400
    assert f"须晚于当前时限（{days(5).isoformat()}）" in response.content.decode()
    assert not DeadlineExtension.objects.exists()


def test_refusal_on_the_page_needs_a_comment(clerk_user, staff_user, task):
    deadline_extensions.request_extension(task, clerk_user, days(40), "需协调")
    staff = login(staff_user)
    version = RectificationTask.objects.get(pk=task.pk).version
    response = staff.post(page_url(task, "extension_decision"),
                          {"version": version, "decision": "refuse", "comment": ""})
    assert response.status_code == 400
    assert "不批准延期时须填写审批意见" in response.content.decode()
    response = staff.post(page_url(task, "extension_decision"),
                          {"version": version, "decision": "refuse", "comment": "理由不充分"})
    assert response.status_code == 302
    page = login(clerk_user).get(page_url(task)).content.decode()
    assert "未批准" in page and "理由不充分" in page and "原定时限" not in page


def test_pages_refuse_others(clerk_user, auditor_user, task, other_task):
    clerk = login(clerk_user)
    body = {"version": 1, "new_deadline": days(40).isoformat(), "reason": "需协调"}
    assert clerk.post(page_url(other_task, "extension"), body).status_code == 404
    assert login(auditor_user).post(page_url(task, "extension"), body).status_code == 403
    assert clerk.post(page_url(task, "extension_decision"),
                      {"version": 1, "decision": "approve"}).status_code == 403
    assert not DeadlineExtension.objects.exists()


def test_task_list_marks_an_extended_task(clerk_user, staff_user, task):
    deadline_extensions.request_extension(task, clerk_user, days(40), "需协调")
    deadline_extensions.decide_extension(task, staff_user, "approve")
    page = login(clerk_user).get(reverse("work:index")).content.decode()
    assert days(40).isoformat() in page and "（已延期）" in page


# -- counts: the overview, the ledger, the filter; the admin ----------------------------------


@pytest.fixture
def extended(clerk_user, staff_user, task, round_):
    """``task`` extended twice; a second task with a request waiting."""
    deadline_extensions.request_extension(task, clerk_user, days(20), "一")
    deadline_extensions.decide_extension(task, staff_user, "approve")
    deadline_extensions.request_extension(task, clerk_user, days(30), "二")
    deadline_extensions.decide_extension(task, staff_user, "approve")
    waiting = RectificationTask.objects.create(round=round_, title="等待审批的问题",
                                               deadline=days(5))
    deadline_extensions.request_extension(waiting, clerk_user, days(30), "三")
    refused = RectificationTask.objects.create(round=round_, title="未批准的问题")
    deadline_extensions.request_extension(refused, clerk_user, days(70), "四")
    deadline_extensions.decide_extension(refused, staff_user, "refuse", "不同意")
    task.refresh_from_db()
    return task


def test_overview_counts_approved_and_pending_extensions(clerk_user, staff_user, bureau,
                                                         extended):
    overview = bureau_overview(staff_user)
    row = next(row for row in overview.rows if row.pk == bureau.pk)
    assert (row.extensions, row.extensions_pending) == (2, 1)
    assert (overview.totals.extensions, overview.totals.extensions_pending) == (2, 1)
    page = login(clerk_user).get(reverse("work:overview")).content.decode()
    assert "延期" in page and f"party_group={bureau.pk}&amp;extended=true" in page


def test_extended_filter(api_client, clerk_user, extended):
    rows = api_client(clerk_user).get(reverse("api:task-list"), {"extended": "true"}).json()
    assert [row["id"] for row in rows["results"]] == [extended.pk]
    page = login(clerk_user).get(reverse("work:index"), {"extended": "true"}).content.decode()
    assert "食堂管理不规范" in page and "等待审批的问题" not in page


def test_ledger_shows_original_and_extended_deadline_and_count(tmp_path, extended):
    rows = {row["任务ID"]: row for row in sheet_rows(export(tmp_path))}
    row = rows[extended.pk]
    assert row["整改时限"].date() == days(5)
    assert row["原定整改时限"].date() == days(5)
    assert row["延期后时限"].date() == days(30)
    assert row["延期次数"] == 2
    untouched = next(r for r in rows.values() if r["问题"] == "未批准的问题")
    assert untouched["原定整改时限"].date() == days(60)  # the round's end
    assert (untouched["延期后时限"], untouched["延期次数"]) == (None, 0)
    summary = sheet_rows(export(tmp_path), "汇总")
    # The summary counts tasks with an approved extension (as notices print "申请延期18个").
    assert summary[-1]["已批准延期"] == 1


def test_ledger_import_refuses_an_edited_extension_column(tmp_path, staff_user, extended):
    from rectify.ledger.ledger_plan import read_ledger

    path = export(tmp_path)
    assert read_ledger(path, staff_user).errors == []  # a round trip changes nothing
    edit(path, {(extended.pk, "延期后时限"): days(90), (extended.pk, "延期次数"): 0})
    plan = read_ledger(path, staff_user)
    assert {error.column for error in plan.errors} == {"延期后时限", "延期次数"}
    assert all("只读" in str(error) for error in plan.errors)


def test_admin_task_page_shows_both_deadlines(staff_client, extended):
    page = staff_client.get(reverse("admin:rectify_rectificationtask_change",
                                    args=[extended.pk])).content.decode()
    assert "延期后时限" in page and days(30).isoformat() in page
    assert "已批准" in page and days(5).isoformat() in page


def test_an_approval_that_would_shorten_the_due_date_is_refused(clerk_user, staff_user, task):
    deadline_extensions.request_extension(task, clerk_user, days(20), "需协调财政资金")
    # Meanwhile staff move the deadline past the requested date.
    RectificationTask.objects.filter(pk=task.pk).update(deadline=days(30))
    task.refresh_from_db()
    with pytest.raises(Exception, match="批准将缩短时限"):
        deadline_extensions.decide_extension(task, staff_user, "approve")
    task.refresh_from_db()
    assert task.extended_deadline is None and annotated(task).due_on == days(30)
    assert DeadlineExtension.objects.get().status == ExtensionStatus.PENDING
    deadline_extensions.decide_extension(task, staff_user, "refuse", "时限已另行调整。")
    assert DeadlineExtension.objects.get().status == ExtensionStatus.REFUSED
