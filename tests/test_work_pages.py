"""The work pages (/work/): what a bureau clerk and the reviewing staff see and do.

Every write goes through the form a user would submit (CSRF included where it matters);
the assertions are what the user would check on the page and in the records.
"""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from rectify.models import Evidence, Measure, ProgressEntry, RectificationTask, Review
from rectify.models.choices import ReviewDecision, ReviewLevel, Status
from tests.evidence_helpers import EXE, make_pdf, pdf_upload, stored_files

PDF = make_pdf()

pytestmark = pytest.mark.usefixtures("evidence_root")


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def clerk(clerk_user):
    return login(clerk_user)


@pytest.fixture
def outsider(other_clerk):
    return login(other_clerk)


@pytest.fixture
def task(small_round):
    return RectificationTask.objects.filter(round=small_round).order_by("pk").first()


def url(name: str, obj) -> str:
    return reverse(f"work:{name}", kwargs={"pk": obj.pk})


def page_text(response) -> str:
    return response.content.decode()


def upload(client, task, file=None, description=""):
    return client.post(url("evidence_add", task),
                       {"file": file or pdf_upload("验收报告.pdf"),
                                              "description": description})


def propose(client, task, **overrides):
    data = {"version": RectificationTask.objects.get(pk=task.pk).version,
            "status": Status.COMPLETED, "completion_date": "2023-06-30",
            "note": "已建立台账并完成排查。", **overrides}
    return client.post(url("proposal", task), data)


# -- the list ---------------------------------------------------------------------------------


def test_anonymous_users_are_sent_to_the_login_page(client, task):
    for address in (reverse("work:index"), url("task", task), reverse("work:review")):
        response = client.get(address)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_clerk_lists_only_its_own_bureaus_tasks(clerk, outsider, task, make_round,
                                                other_bureau):
    other_round = make_round(party_group=other_bureau)
    RectificationTask.objects.create(round=other_round, title="卫健委的问题")
    mine = page_text(clerk.get(reverse("work:index")))
    assert "三年攻坚存在短板" in mine and "卫健委的问题" not in mine
    assert "共 3 项整改任务" in mine
    theirs = page_text(outsider.get(reverse("work:index")))
    assert "卫健委的问题" in theirs and "三年攻坚存在短板" not in theirs


def test_list_shows_deadline_countdown_warning_and_milestones(clerk, task, small_round):
    today = timezone.localdate()
    task.deadline = today + datetime.timedelta(days=5)
    task.save()
    small_round.feedback_date = today - datetime.timedelta(days=30)
    small_round.rectification_months = 6
    small_round.save()
    text = page_text(clerk.get(reverse("work:index")))
    assert "还剩 5 天" in text and "warning-red" in text
    assert "报送整改情况报告" in text and "集中整改结束" in text
    # Filtered by colour: only the red task is listed.
    red = page_text(clerk.get(reverse("work:index"), {"warning": "red"}))
    assert "共 1 项整改任务" in red and "三年攻坚存在短板" in red


def test_list_filters_reject_bad_values_with_a_message(clerk, task):
    response = clerk.get(reverse("work:index"), {"status": "nonsense", "warning": "purple"})
    assert response.status_code == 200
    assert "筛选条件有误" in page_text(response)


def test_a_user_without_a_bureau_is_told_so(client, django_user_model):
    user = django_user_model.objects.create_user("nobody", password="x")
    response = login(user).get(reverse("work:index"))
    assert "尚未分配到任何单位" in page_text(response)


@pytest.mark.parametrize(("added", "pages"), [(0, 1), (60, 2)])
def test_task_list_queries_do_not_grow_with_the_number_of_tasks(
        clerk, small_round, django_assert_max_num_queries, added, pages):
    for i in range(added):
        RectificationTask.objects.create(round=small_round, title=f"新增问题{i}")
    # Paged in SQL: a COUNT and one page of rows, whatever the number of tasks (and the
    # header's unread notifications, one COUNT).
    with django_assert_max_num_queries(16):
        response = clerk.get(reverse("work:index"))
    assert response.status_code == 200
    text = page_text(response)
    assert all(task.title in text for task in small_round.tasks.all()[:3])
    assert (f"第 1 页，共 {pages} 页" in text) is (pages > 1)


@pytest.mark.parametrize(("waiting", "pages"), [(1, 1), (60, 2)])
def test_review_queue_is_paged_in_a_fixed_number_of_queries(
        staff_client, small_round, clerk_user, django_assert_max_num_queries, waiting, pages):
    now = timezone.now()
    for i in range(waiting):
        RectificationTask.objects.create(
            round=small_round, title=f"待审核问题{i:02d}", proposed_status=Status.COMPLETED,
            proposed_by=clerk_user, proposed_at=now + datetime.timedelta(seconds=i),
            proposal_level=ReviewLevel.OFFICE)
    # A COUNT and one page of rows (their evidence counted in a subquery), the page's trees
    # numbered, whatever the number of proposals waiting.
    with django_assert_max_num_queries(16):
        response = staff_client.get(reverse("work:review"))
    text = page_text(response)
    assert f"待审核 {waiting} 项" in text
    assert "待审核问题00" in text  # oldest first
    assert (f"第 1 页，共 {pages} 页" in text) is (pages > 1)
    if pages > 1:
        last = page_text(staff_client.get(reverse("work:review"), {"page": 2}))
        assert f"待审核问题{waiting - 1:02d}" in last and "待审核问题00" not in last


# -- who may open what ------------------------------------------------------------------------


def test_another_bureaus_clerk_gets_404_everywhere(clerk, outsider, task):
    upload(clerk, task)
    evidence = Evidence.objects.get()
    measure = Measure.objects.filter(task=task).first()
    for address in (url("task", task), url("evidence", evidence), url("measure_edit", measure)):
        assert outsider.get(address).status_code == 404, address
    for name in ("progress", "entry_add", "measure_add", "evidence_add", "proposal", "withdraw"):
        assert outsider.post(url(name, task), {"version": 1}).status_code == 404, name
    assert outsider.post(url("evidence_delete", evidence)).status_code == 404
    assert outsider.post(url("measure_delete", measure), {"version": 1}).status_code == 404
    assert Evidence.objects.count() == 1 and Measure.objects.filter(task=task).count() == 2


def test_forged_ids_are_404(clerk):
    assert clerk.get(reverse("work:task", kwargs={"pk": 999999})).status_code == 404
    assert clerk.post(reverse("work:progress", kwargs={"pk": 999999}),
                      {"version": 1}).status_code == 404


def test_clerk_cannot_review_or_reopen(clerk, task):
    assert clerk.post(url("review_task", task), {"version": task.version,
                                                 "decision": "approve"}).status_code == 403
    assert clerk.post(url("reopen", task), {"version": task.version,
                                            "reason": "x"}).status_code == 403
    assert clerk.get(reverse("work:review")).status_code == 403


def test_auditor_reads_the_queue_but_cannot_decide(auditor_client, clerk, task):
    upload(clerk, task)
    propose(clerk, task)
    page = page_text(auditor_client.get(reverse("work:review")))
    assert "三年攻坚存在短板" in page
    response = auditor_client.post(url("review_task", task),
                                   {"version": task.version + 2, "decision": "approve"})
    assert response.status_code == 403
    assert auditor_client.post(url("progress", task), {"version": 1}).status_code == 403


def test_forms_require_a_csrf_token(clerk_user, task):
    client = Client(enforce_csrf_checks=True)
    client.force_login(clerk_user)
    response = client.post(url("progress", task), {"version": task.version, "progress": "x"})
    assert response.status_code == 403
    assert RectificationTask.objects.get(pk=task.pk).progress == ""


# -- progress, entries, measures --------------------------------------------------------------


def test_clerk_updates_progress_with_history(clerk, task):
    response = clerk.post(url("progress", task), {"version": task.version,
                                                  "progress": "已完成排查。"})
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.progress == "已完成排查。" and task.version == 2
    page = page_text(clerk.get(url("task", task)))
    assert "整改进展已保存" in page and "更新整改进展" in page and "clerk_a" in page


def test_a_stale_form_is_refused_with_the_other_change_and_keeps_the_input(
        clerk, staff_client, task):
    version = task.version
    staff_client.post(url("progress", task), {"version": version, "progress": "工作人员先写的"})
    response = clerk.post(url("progress", task), {"version": version, "progress": "联络员的内容"})
    assert response.status_code == 409
    page = page_text(response)
    assert "staff" in page and "工作人员先写的" in page  # who saved first, and what
    assert "联络员的内容" in page  # the clerk's text is still in the form
    assert RectificationTask.objects.get(pk=task.pk).progress == "工作人员先写的"


def test_progress_entry_in_the_future_or_empty_is_refused(clerk, task):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = clerk.post(url("entry_add", task), {"date": tomorrow.isoformat(),
                                                   "text": "明天的进展"})
    assert response.status_code == 400 and "进展日期不能晚于今天" in page_text(response)
    assert "明天的进展" in page_text(response)
    response = clerk.post(url("entry_add", task), {"date": "2023-05-01", "text": "  "})
    assert response.status_code == 400 and "该字段是必填项" in page_text(response)
    assert not ProgressEntry.objects.exists()
    response = clerk.post(url("entry_add", task), {"date": "2023-05-01", "text": "召开推进会"})
    assert response.status_code == 302
    assert "召开推进会" in page_text(clerk.get(url("task", task)))


def test_clerk_adds_edits_reorders_and_deletes_measures(clerk, task):
    first, second = Measure.objects.filter(task=task).order_by("position")
    assert clerk.post(url("measure_add", task), {"text": "开展回头看。"}).status_code == 302
    texts = list(Measure.objects.filter(task=task).order_by("position")
                 .values_list("text", flat=True))
    assert texts == ["全面开展排查。", "建立工作台账。", "开展回头看。"]

    response = clerk.post(url("measure_edit", first), {"version": first.version,
                                                       "text": "全面开展拉网式排查。"})
    assert response.status_code == 302

    ids = ",".join(str(pk) for pk in Measure.objects.filter(task=task)
                   .order_by("position").values_list("pk", flat=True))
    clerk.post(url("measure_reorder", task), {"measure": second.pk, "direction": "up",
                                              "order": ids})
    texts = list(Measure.objects.filter(task=task).order_by("position")
                 .values_list("text", flat=True))
    assert texts == ["建立工作台账。", "全面开展拉网式排查。", "开展回头看。"]

    second.refresh_from_db()
    assert clerk.post(url("measure_delete", second),
                      {"version": second.version}).status_code == 302
    assert Measure.objects.filter(task=task).count() == 2
    history = page_text(clerk.get(url("task", task)))
    assert "删除整改措施" in history and "调整整改措施顺序" in history


def test_measure_edit_refuses_empty_text_and_stale_versions(clerk, staff_client, task):
    measure = Measure.objects.filter(task=task).first()
    response = clerk.post(url("measure_edit", measure), {"version": measure.version,
                                                         "text": ""})
    assert response.status_code == 400
    staff_client.post(url("measure_edit", measure), {"version": measure.version,
                                                     "text": "工作人员改的措施"})
    response = clerk.post(url("measure_edit", measure), {"version": measure.version,
                                                         "text": "联络员改的措施"})
    assert response.status_code == 409
    assert "工作人员改的措施" in page_text(response) and "联络员改的措施" in page_text(response)
    assert Measure.objects.get(pk=measure.pk).text == "工作人员改的措施"


def test_reorder_after_someone_added_a_measure_is_refused(clerk, staff_client, task):
    first, second = Measure.objects.filter(task=task).order_by("position")
    shown = f"{first.pk},{second.pk}"
    staff_client.post(url("measure_add", task), {"text": "新措施"})
    response = clerk.post(url("measure_reorder", task), {"measure": second.pk,
                                                         "direction": "up", "order": shown},
                          follow=True)
    assert "已被他人增删" in page_text(response)
    assert list(Measure.objects.filter(task=task).order_by("position")
                .values_list("pk", flat=True))[:2] == [first.pk, second.pk]


# -- evidence ---------------------------------------------------------------------------------


def test_evidence_upload_and_download(clerk, staff_client, outsider, task, evidence_root):
    response = upload(clerk, task, description="验收报告")
    assert response.status_code == 302
    evidence = Evidence.objects.get()
    stored = evidence_root / evidence.file.name
    assert stored.read_bytes() == PDF and "验收报告" not in evidence.file.name
    for client in (clerk, staff_client):
        response = client.get(url("evidence", evidence))
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF
        assert "attachment" in response["Content-Disposition"]
        assert response["Content-Type"] == "application/pdf"
    assert outsider.get(url("evidence", evidence)).status_code == 404


def test_a_disguised_or_oversize_file_is_refused_and_nothing_stored(clerk, task, settings,
                                                                    evidence_root):
    response = upload(clerk, task, SimpleUploadedFile("setup.pdf", EXE))
    assert response.status_code == 400
    assert "文件“setup.pdf”的内容不是 PDF 文档（实际是可执行程序）" in page_text(response)
    settings.EVIDENCE_MAX_BYTES = 50
    response = upload(clerk, task)
    assert response.status_code == 400 and "上限" in page_text(response)
    assert not Evidence.objects.exists()
    assert stored_files(evidence_root) == []


def test_clerk_deletes_evidence_with_history(clerk, task, evidence_root):
    upload(clerk, task)
    evidence = Evidence.objects.get()
    response = clerk.post(url("evidence_delete", evidence))
    assert response.status_code == 302 and not Evidence.objects.exists()


# -- proposal, review, reopen -----------------------------------------------------------------


@pytest.mark.parametrize("overrides, message", [
    ({"note": " "}, "该字段是必填项"),
    ({"completion_date": "2999-01-01"}, "完成时间不能晚于今天"),
    ({"completion_date": "2020-01-01"}, "完成时间不能早于反馈日期"),
    ({"status": Status.IN_PROGRESS}, "选择一个有效的选项"),
])
def test_bad_proposals_are_refused_and_nothing_stored(clerk, task, overrides, message):
    upload(clerk, task)
    response = propose(clerk, task, **overrides)
    assert response.status_code == 400 and message in page_text(response)
    assert RectificationTask.objects.get(pk=task.pk).proposed_status == ""


def test_completion_needs_evidence(clerk, task):
    response = propose(clerk, task)
    assert response.status_code == 400 and "须附佐证材料" in page_text(response)
    assert RectificationTask.objects.get(pk=task.pk).proposed_status == ""


def test_a_refused_proposal_does_not_keep_its_file(clerk, task, evidence_root):
    response = propose(clerk, task, note="", file=pdf_upload())
    assert response.status_code == 400
    response = propose(clerk, task, completion_date="2999-01-01", file=pdf_upload())
    assert response.status_code == 400
    assert not Evidence.objects.exists()
    assert stored_files(evidence_root) == []


def test_proposal_approved_is_signed_off_and_the_clerk_sees_it(clerk, staff_client, task,
                                                                staff_user):
    response = propose(clerk, task, file=pdf_upload())
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.proposed_status == Status.COMPLETED and task.status == Status.IN_PROGRESS
    assert Evidence.objects.filter(task=task).count() == 1

    queue = page_text(staff_client.get(reverse("work:review")))
    assert "三年攻坚存在短板" in queue and "已建立台账并完成排查" in queue

    response = staff_client.post(url("review_task", task), {
        "version": task.version, "decision": "approve", "comment": "材料齐全"})
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.status == Status.COMPLETED and task.is_signed_off
    assert task.signed_off_by == staff_user
    assert task.completion_date == datetime.date(2023, 6, 30)
    assert Review.objects.get(task=task).decision == ReviewDecision.APPROVED

    page = page_text(clerk.get(url("task", task)))
    assert "审核通过" in page and "材料齐全" in page and "销号" in page
    assert "三年攻坚存在短板" not in page_text(staff_client.get(reverse("work:review")))


def test_returned_proposal_needs_a_comment_and_keeps_the_status(clerk, staff_client, task):
    propose(clerk, task, file=pdf_upload())
    task.refresh_from_db()
    response = staff_client.post(url("review_task", task), {
        "version": task.version, "decision": "return", "comment": ""})
    assert response.status_code == 400 and "退回时须填写审核意见" in page_text(response)
    response = staff_client.post(url("review_task", task), {
        "version": task.version, "decision": "return", "comment": "请补充验收材料"})
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.status == Status.IN_PROGRESS and task.proposed_status == ""
    page = page_text(clerk.get(url("task", task)))
    assert "退回" in page and "请补充验收材料" in page


def test_clerk_withdraws_a_proposal(clerk, task):
    propose(clerk, task, file=pdf_upload())
    task.refresh_from_db()
    response = clerk.post(url("withdraw", task), {"version": task.version})
    assert response.status_code == 302
    assert RectificationTask.objects.get(pk=task.pk).proposed_status == ""


def test_staff_reopen_a_signed_off_task_after_a_recheck(clerk, staff_client, task):
    propose(clerk, task, file=pdf_upload())
    task.refresh_from_db()
    staff_client.post(url("review_task", task), {"version": task.version,
                                                 "decision": "approve"})
    task.refresh_from_db()
    response = staff_client.post(url("reopen", task), {"version": task.version, "reason": ""})
    assert response.status_code == 400
    response = staff_client.post(url("reopen", task), {
        "version": task.version, "reason": "回头看发现台账未更新"})
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.status == Status.IN_PROGRESS and not task.is_signed_off
    assert task.completion_date is None
    page = page_text(clerk.get(url("task", task)))
    assert "回头看重新打开" in page and "回头看发现台账未更新" in page
    # Once reopened, a signed-off task's evidence can be added to again.
    assert upload(clerk, task).status_code == 302


def test_evidence_of_a_signed_off_task_is_frozen(clerk, staff_client, task):
    propose(clerk, task, file=pdf_upload())
    task.refresh_from_db()
    staff_client.post(url("review_task", task), {"version": task.version,
                                                 "decision": "approve"})
    response = upload(clerk, task, pdf_upload("补充.pdf"))
    assert response.status_code == 400 and "销号，已锁定" in page_text(response)
    assert Evidence.objects.count() == 1


def test_double_approval_by_two_staff_is_refused(clerk, staff_client, task, django_user_model):
    from rectify.rules import roles
    from tests.conftest import make_user

    colleague = login(make_user(django_user_model, "staff2", roles.STAFF, is_staff=True))
    propose(clerk, task, file=pdf_upload())
    task.refresh_from_db()
    form = {"version": task.version, "decision": "approve"}
    assert staff_client.post(url("review_task", task), form).status_code == 302
    response = colleague.post(url("review_task", task), {**form, "decision": "return",
                                                         "comment": "退回"})
    assert response.status_code == 409
    assert Review.objects.filter(task=task).count() == 1


# -- published stays published ----------------------------------------------------------------


def test_a_clerks_changes_do_not_alter_the_published_notice(clerk, staff_client, task,
                                                            small_notice, publish, client):
    publication = publish(small_notice)
    public_url = reverse("public:notice_detail", kwargs={"pk": publication.pk})
    before = page_text(client.get(public_url))
    clerk.post(url("progress", task), {"version": task.version, "progress": "新进展内容"})
    clerk.post(url("measure_add", task), {"text": "新增加的措施"})
    propose(clerk, task, file=pdf_upload())
    task.refresh_from_db()
    staff_client.post(url("review_task", task), {"version": task.version,
                                                 "decision": "approve"})
    after = page_text(client.get(public_url))
    assert "新增加的措施" not in after and "新进展内容" not in after
    assert after == before


def test_deleting_a_measure_someone_changed_meanwhile_is_refused(clerk, staff_client, task):
    measure = Measure.objects.filter(task=task).first()
    staff_client.post(url("measure_edit", measure), {"version": measure.version,
                                                     "text": "工作人员改过的措施"})
    response = clerk.post(url("measure_delete", measure), {"version": measure.version})
    assert response.status_code == 409 and "工作人员改过的措施" in page_text(response)
    assert Measure.objects.filter(pk=measure.pk).exists()
    response = clerk.post(url("measure_delete", measure), {})
    assert response.status_code == 400 and Measure.objects.filter(pk=measure.pk).exists()
