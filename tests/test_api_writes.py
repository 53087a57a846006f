"""API writes: what clerks and staff may change, through the services, with history; lost
updates refused (two clients); bad input refused field by field, in Chinese or English, with
nothing written."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from bureaus.models import PartyGroup
from rectify.models import InspectionRound, Measure, Notice, ProblemCategory, RectificationTask
from rectify.models.choices import Status
from tests.api_helpers import make_world
from tests.evidence_helpers import add_pdf_evidence

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("evidence_root")]



def task_url(task, action: str = "detail") -> str:
    return reverse(f"api:task-{action}", args=[task.pk])


def history_count() -> int:
    return sum(model.history.count() for model in (
        PartyGroup, InspectionRound, ProblemCategory, RectificationTask, Measure, Notice))


@pytest.fixture
def world(bureau, other_bureau, staff_user):
    return make_world(bureau, other_bureau, staff_user)


@pytest.fixture
def task(small_round):
    return RectificationTask.objects.get(round=small_round, title="三年攻坚存在短板")


@pytest.fixture
def staff(api_client, staff_user):
    return api_client(staff_user)


@pytest.fixture
def clerk(api_client, clerk_user):
    return api_client(clerk_user)


# -- clerks --------------------------------------------------------------------------------------


def test_clerk_writes_progress_with_history(clerk, task):
    response = clerk.patch(task_url(task), {"progress": "已完成排查。", "version": 1},
                           format="json")
    assert response.status_code == 200, response.data
    assert response.data["progress"] == "已完成排查。" and response.data["version"] == 2
    assert response["ETag"] == f'"rectificationtask-{task.pk}-v2"'
    entry = clerk.get(task_url(task, "history")).data[0]
    assert entry["user"] == "clerk_a" and entry["action"] == "修改"
    assert entry["changes"] == [{"field": "progress", "label": "整改进展", "old": "",
                                 "new": "已完成排查。"}]


def test_clerk_cannot_set_the_status_or_sign_off(clerk, task):
    response = clerk.patch(task_url(task), {"status": "completed", "version": 1},
                           format="json")
    assert response.status_code == 400
    assert "status" in response.data and "状态提议" in str(response.data["status"][0])
    assert clerk.post(task_url(task, "sign-off"), {}, format="json").status_code == 403
    assert clerk.post(task_url(task, "change-status"), {"status": "completed"},
                      format="json").status_code == 403
    task.refresh_from_db()
    assert task.status == Status.IN_PROGRESS and task.version == 1


def test_clerk_proposes_and_staff_decides(clerk, staff, task, clerk_user):
    add_pdf_evidence(task, clerk_user)
    response = clerk.post(task_url(task, "proposal"),
                          {"status": "completed", "note": "已全部整改，附佐证材料。",
                           "completion_date": "2023-06-30"},
                          format="json")
    assert response.status_code == 200, response.data
    assert response.data["status"] == "in_progress"
    assert response.data["proposed_status"] == "completed"
    assert response.data["proposed_completion_date"] == "2023-06-30"
    assert response.data["proposed_by"] == "clerk_a"
    assert staff.get(reverse("api:task-list"), {"proposed": "true"}).data["count"] == 1
    response = staff.post(task_url(task, "change-status"),
                          {"status": "completed", "reason": "同意提议", "version": 2},
                          format="json")
    assert response.status_code == 200, response.data
    assert response.data["status"] == "completed"
    assert response.data["completion_date"] == datetime.date.today().isoformat() or \
        response.data["completion_date"]
    assert response.data["proposed_status"] == "" and response.data["proposed_by"] is None
    reasons = [entry["reason"] for entry in staff.get(task_url(task, "history")).data]
    assert reasons[:2] == ["同意提议", "提议整改状态为“已完成”：已全部整改，附佐证材料。"]


def test_proposal_of_the_current_status_is_refused(clerk, task):
    response = clerk.post(task_url(task, "proposal"),
                          {"status": "in_progress", "note": "仍在推进。"}, format="json")
    assert response.status_code == 400
    assert response.data == {"status": ["提议的整改状态与当前状态相同。"]}


@pytest.mark.parametrize("body", [{}, {"note": ""}, {"note": "   "}, {"note": None}])
def test_proposal_needs_a_note(clerk, task, clerk_user, body):
    add_pdf_evidence(task, clerk_user)
    response = clerk.post(task_url(task, "proposal"), {"status": "completed", **body},
                          format="json")
    assert response.status_code == 400
    assert response.data == {"note": ["请填写提议说明：做了哪些整改、取得什么成效。"]}
    task.refresh_from_db()
    assert task.proposed_status == "" and task.version == 1


def test_completion_proposal_needs_evidence_and_a_sensible_date(clerk, task, clerk_user):
    url = task_url(task, "proposal")
    body = {"status": "completed", "note": "已整改。"}
    response = clerk.post(url, body, format="json")
    assert response.status_code == 400
    assert response.data == {"evidence": ["提议已完成须附佐证材料，请先上传。"]}
    add_pdf_evidence(task, clerk_user)
    response = clerk.post(url, {**body, "completion_date": "2999-01-01"}, format="json")
    assert response.status_code == 400
    assert response.data == {"completion_date": ["完成时间不能晚于今天。"]}
    response = clerk.post(url, {**body, "completion_date": "2023-01-01"}, format="json")
    assert response.status_code == 400
    assert response.data == {"completion_date": ["完成时间不能早于反馈日期（2023-02-28）。"]}
    response = clerk.post(url, {**body, "completion_date": "明天"}, format="json")
    assert response.status_code == 400 and "completion_date" in response.data
    task.refresh_from_db()
    assert task.proposed_status == "" and task.version == 1
    response = clerk.post(url, body, format="json")  # completed today
    assert response.status_code == 200, response.data
    assert response.data["proposed_completion_date"] == timezone.localdate().isoformat()


def test_clerk_withdraws_a_proposal(clerk, task, clerk_user):
    add_pdf_evidence(task, clerk_user)
    response = clerk.post(task_url(task, "proposal"),
                          {"status": "completed", "note": "已整改。"}, format="json")
    assert response.status_code == 200, response.data
    response = clerk.delete(task_url(task, "proposal"), {"reason": "误报"}, format="json")
    assert response.status_code == 200 and response.data["proposed_status"] == ""
    response = clerk.delete(task_url(task, "proposal"), format="json")
    assert response.status_code == 400


def test_clerk_manages_measures(clerk, task, api_client, other_clerk):
    url = reverse("api:measure-list")
    response = clerk.post(url, {"task": task.pk, "text": "建立长效机制。"}, format="json")
    assert response.status_code == 201, response.data
    created = response.data
    assert created["position"] == 3  # after the two measures of small_round
    response = clerk.patch(reverse("api:measure-detail", args=[created["id"]]),
                           {"text": "建立健全长效机制。", "version": 1}, format="json")
    assert response.status_code == 200 and response.data["version"] == 2
    first, second = Measure.objects.filter(task=task).order_by("position")[:2]
    response = clerk.post(task_url(task, "reorder-measures"),
                          {"measures": [created["id"], second.pk, first.pk]}, format="json")
    assert response.status_code == 200, response.data
    assert [m["id"] for m in response.data] == [created["id"], second.pk, first.pk]
    assert [m["position"] for m in response.data] == [1, 2, 3]
    assert [m["id"] for m in clerk.get(task_url(task, "measures")).data] == [
        created["id"], second.pk, first.pk]
    response = clerk.delete(reverse("api:measure-detail", args=[first.pk]))
    assert response.status_code == 204
    # The other bureau's clerk: not found.
    response = api_client(other_clerk).patch(
        reverse("api:measure-detail", args=[second.pk]), {"text": "x", "version": 1},
        format="json")
    assert response.status_code == 404
    # The task's history holds its measures' changes, the deleted one's too.
    history = clerk.get(task_url(task, "history")).data
    measure_entries = [e for e in history if e["model"] == "measure"]
    assert {e["action"] for e in measure_entries} >= {"创建", "修改", "删除"}
    assert any(e["object_id"] == first.pk and e["action"] == "删除" for e in measure_entries)
    assert all(e["user"] == "clerk_a" for e in measure_entries[:5])
    moved = [e for e in measure_entries if e["reason"] == "调整整改措施顺序"]
    assert moved and all(c["field"] == "position" for e in moved for c in e["changes"])


def test_reorder_refused_when_measures_changed(clerk, task):
    ids = list(Measure.objects.filter(task=task).values_list("pk", flat=True))
    response = clerk.post(task_url(task, "reorder-measures"), {"measures": ids[:1]},
                          format="json")
    assert response.status_code == 409
    assert len(response.data["current"]["measures"]) == 2
    response = clerk.post(task_url(task, "reorder-measures"), {"measures": [ids[0], ids[0]]},
                          format="json")
    assert response.status_code == 400


# -- staff ---------------------------------------------------------------------------------------


def test_staff_creates_a_task_at_the_end_with_history(staff, small_round):
    response = staff.post(reverse("api:task-list"),
                          {"round": small_round.pk, "title": "新发现的问题",
                           "deadline": "2023-12-31"}, format="json")
    assert response.status_code == 201, response.data
    task = RectificationTask.objects.get(pk=response.data["id"])
    assert task.history.first().history_user.username == "staff"
    assert response.data["number"] == "(二)"  # after the category (一)
    assert response["ETag"] == f'"rectificationtask-{task.pk}-v1"'


def test_staff_signs_off_only_completed_tasks(staff, task, staff_user):
    response = staff.post(task_url(task, "sign-off"), {}, format="json")
    assert response.status_code == 400
    assert response.data == {"non_field_errors": ["只有已完成的任务才能销号。"]}
    staff.post(task_url(task, "change-status"), {"status": "completed"}, format="json")
    response = staff.post(task_url(task, "sign-off"), {"version": 2}, format="json")
    assert response.status_code == 200, response.data
    assert response.data["signed_off_by"] == "staff" and response.data["signed_off_at"]
    assert staff.post(task_url(task, "sign-off"), {}, format="json").status_code == 400


def test_signed_off_task_cannot_go_back_in_progress(staff, task):
    staff.post(task_url(task, "change-status"), {"status": "completed"}, format="json")
    staff.post(task_url(task, "sign-off"), {}, format="json")
    response = staff.post(task_url(task, "change-status"), {"status": "in_progress"},
                          format="json")
    assert response.status_code == 400
    assert "销号，已锁定" in response.data["non_field_errors"][0]


def test_invalid_status_is_a_field_error(staff, task):
    response = staff.post(task_url(task, "change-status"), {"status": "finished"},
                          format="json")
    assert response.status_code == 400 and "status" in response.data


def test_deleting_a_category_with_tasks_is_refused(staff, small_round):
    category = ProblemCategory.objects.get(round=small_round, parent=None)
    response = staff.delete(reverse("api:category-detail", args=[category.pk]))
    assert response.status_code == 409 and response.data["code"] == "protected"
    assert ProblemCategory.objects.filter(pk=category.pk).exists()


def test_admin_changes_show_in_the_api_history(client, staff_user, staff, task):
    client.force_login(staff_user)
    from rectify.services.records import save_record

    task.responsible_leader = "王五"
    save_record(task, staff_user, "管理后台修改")
    entry = staff.get(task_url(task, "history")).data[0]
    assert entry["reason"] == "管理后台修改"
    assert entry["changes"][0]["field"] == "responsible_leader"


# -- lost updates: two clients ----------------------------------------------------------------


def test_second_writer_with_a_stale_if_match_gets_412_and_the_current_state(
        api_client, staff_user, clerk_user, task):
    first, second = api_client(clerk_user), api_client(staff_user)
    tag_first = first.get(task_url(task))["ETag"]
    tag_second = second.get(task_url(task))["ETag"]
    assert tag_first == tag_second
    response = first.patch(task_url(task), {"progress": "第一位的进展"}, format="json",
                           HTTP_IF_MATCH=tag_first)
    assert response.status_code == 200
    response = second.patch(task_url(task), {"progress": "第二位的进展"}, format="json",
                            HTTP_IF_MATCH=tag_second)
    assert response.status_code == 412
    assert response.data["current"]["progress"] == "第一位的进展"
    assert response.data["current"]["version"] == 2
    assert response["ETag"] == f'"rectificationtask-{task.pk}-v2"'
    task.refresh_from_db()
    assert task.progress == "第一位的进展" and task.version == 2
    # Re-read, then write: accepted.
    fresh = second.get(task_url(task))["ETag"]
    response = second.patch(task_url(task), {"progress": "第二位的进展"}, format="json",
                            HTTP_IF_MATCH=fresh)
    assert response.status_code == 200 and response.data["version"] == 3


def test_second_writer_with_a_stale_body_version_gets_409(api_client, staff_user, clerk_user,
                                                          task):
    first, second = api_client(clerk_user), api_client(staff_user)
    version = second.get(task_url(task)).data["version"]
    assert first.patch(task_url(task), {"progress": "甲", "version": version},
                       format="json").status_code == 200
    before = history_count()
    response = second.patch(task_url(task), {"responsible_leader": "乙", "version": version},
                            format="json")
    assert response.status_code == 409
    assert response.data["code"] == "stale" and response.data["current"]["progress"] == "甲"
    assert "已被他人修改" in response.data["detail"]
    assert history_count() == before
    task.refresh_from_db()
    assert task.responsible_leader == ""


def test_stale_version_on_other_records_and_actions(staff, clerk, world):
    measure = world.a.measures[0]
    url = reverse("api:measure-detail", args=[measure.pk])
    assert clerk.patch(url, {"text": "一", "version": 1}, format="json").status_code == 200
    assert staff.patch(url, {"text": "二", "version": 1}, format="json").status_code == 409
    round_url = reverse("api:round-detail", args=[world.a.round.pk])
    tag = staff.get(round_url)["ETag"]
    assert staff.patch(round_url, {"kind": "专项巡察"}, format="json",
                       HTTP_IF_MATCH=tag).status_code == 200
    assert staff.patch(round_url, {"kind": "巡视"}, format="json",
                       HTTP_IF_MATCH=tag).status_code == 412
    task = world.a.task
    response = staff.post(task_url(task, "sign-off"), {"version": 99}, format="json")
    assert response.status_code == 409
    response = staff.delete(url, HTTP_IF_MATCH=f'"measure-{measure.pk}-v1"')
    assert response.status_code == 412 and Measure.objects.filter(pk=measure.pk).exists()


def test_write_without_a_version_is_refused(staff, task):
    response = staff.patch(task_url(task), {"progress": "x"}, format="json")
    assert response.status_code == 428
    response = staff.put(task_url(task), {"title": "x"}, format="json")
    assert response.status_code == 428
    task.refresh_from_db()
    assert task.progress == "" and task.version == 1


def test_if_match_of_another_record_or_star(staff, task, small_round):
    other = RectificationTask.objects.exclude(pk=task.pk).first()
    response = staff.patch(task_url(task), {"progress": "x"}, format="json",
                           HTTP_IF_MATCH=f'"rectificationtask-{other.pk}-v1"')
    assert response.status_code == 412
    response = staff.patch(task_url(task), {"progress": "x"}, format="json", HTTP_IF_MATCH="*")
    assert response.status_code == 200


def test_header_and_body_versions_must_agree(staff, task):
    response = staff.patch(task_url(task), {"progress": "x", "version": 2}, format="json",
                           HTTP_IF_MATCH=f'"rectificationtask-{task.pk}-v1"')
    assert response.status_code == 400 and "version" in response.data


def test_conditional_get(staff, task):
    tag = staff.get(task_url(task))["ETag"]
    assert staff.get(task_url(task), HTTP_IF_NONE_MATCH=tag).status_code == 304
    assert staff.get(task_url(task), HTTP_IF_NONE_MATCH='"other"').status_code == 200


# -- bad input ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("body", "field", "message"), [
    ({"deadline": "明天"}, "deadline", "日期格式错误"),
    ({"position": "第一"}, "position", "请填写合法的整数值。"),
    ({"position": 2**40}, "position", "2147483647"),
    ({"bogus": 1}, "bogus", "未知字段。"),
    ({"id": 5}, "id", "只读字段，不能修改。"),
    ({"round": 1}, "round", "只读字段，不能修改。"),
    ({"title": ""}, "title", "不能为空"),
    ({"title": "x\x00y"}, "title", ""),
    ({"withhold_ground": "secret"}, "withhold_ground", "不是合法选项"),
    ({"withhold_ground": "other"}, "withhold_note", "须填写不予公开说明"),
    ({"deadline": "2023-01-01"}, "deadline", "整改时限不能早于反馈日期（2023-02-28）。"),
    ({"completion_date": "2023-06-30"}, "completion_date", "请通过 status 操作修改"),
])
def test_bad_task_input_is_a_field_error_and_writes_nothing(staff, task, body, field, message):
    before = history_count()
    response = staff.patch(task_url(task), {**body, "version": 1}, format="json")
    assert response.status_code == 400, response.data
    assert field in response.data, response.data
    assert message in str(response.data[field][0])
    assert history_count() == before
    task.refresh_from_db()
    assert task.version == 1


def test_category_of_another_round_in_the_admins_words(staff, task, make_round):
    other = make_round(inspecting_body="另一巡察组")
    foreign = ProblemCategory.objects.create(round=other, title="别的类别")
    response = staff.patch(task_url(task), {"category": foreign.pk, "version": 1},
                           format="json")
    assert response.status_code == 400
    assert response.data == {"category": ["问题类别“别的类别”属于另一巡察轮次。"]}


def test_dates_in_the_wrong_order(staff, bureau):
    response = staff.post(reverse("api:round-list"), {
        "party_group": bureau.pk, "inspection_start": "2023-03-01",
        "inspection_end": "2023-02-01"}, format="json")
    assert response.status_code == 400
    assert response.data == {"inspection_end": ["巡察结束日期不能早于开始日期。"]}
    assert not InspectionRound.objects.exists()


def test_unique_name_in_the_models_words(staff, bureau):
    response = staff.post(reverse("api:partygroup-list"), {"name": bureau.name},
                          format="json")
    assert response.status_code == 400
    assert "已存在" in str(response.data["name"][0])


def test_messages_in_english_on_request(staff, task, bureau):
    response = staff.patch(task_url(task), {"deadline": "2023-01-01", "bogus": 1,
                                            "version": 1}, format="json",
                           HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert response.data == {"bogus": ["Unknown field."]}
    response = staff.patch(task_url(task), {"deadline": "2023-01-01", "version": 1},
                           format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.data["deadline"] == [
        "The deadline cannot be earlier than the feedback date (2023-02-28)."]
    response = staff.post(reverse("api:round-list"), {
        "party_group": bureau.pk, "inspection_start": "2023-03-01",
        "inspection_end": "2023-02-01"}, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert "earlier" in response.data["inspection_end"][0]
    response = staff.patch(task_url(task), {"progress": "x"}, format="json",
                           HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 428 and "If-Match" in response.data["detail"]


@pytest.mark.parametrize(("raw", "expected"), [
    (b"{not json", 400),
    (b"[1, 2]", 400),
    (b'"text"', 400),
    (b'{"progress": "\\ud800", "version": 1}', 400),
])
def test_malformed_bodies(staff, task, raw, expected):
    response = staff.generic("PATCH", task_url(task), raw, content_type="application/json")
    assert response.status_code == expected
    task.refresh_from_db()
    assert task.version == 1


def test_oversized_body_is_refused_with_a_message(staff, task, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    body = {"progress": "进" * 20_000, "version": 1}
    response = staff.patch(task_url(task), body, format="json")
    assert response.status_code == 413
    assert "请求体过大" in response.data["detail"]
    task.refresh_from_db()
    assert task.progress == ""


def test_wrong_media_type(staff, task):
    response = staff.generic("PATCH", task_url(task), "progress=x",
                             content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415


# -- filters ---------------------------------------------------------------------------------------


def ids(response) -> set[int]:
    assert response.status_code == 200, response.data
    return {row["id"] for row in response.data["results"]}


def test_task_filters(staff, small_round, make_round):
    top = ProblemCategory.objects.get(round=small_round, parent=None)
    sub = ProblemCategory.objects.get(round=small_round, parent=top)
    tasks = {t.title: t for t in RectificationTask.objects.filter(round=small_round)}
    other = make_round(inspecting_body="另一巡察组")
    elsewhere = RectificationTask.objects.create(round=other, title="别处的问题",
                                                 deadline=datetime.date(2023, 3, 31))
    url = reverse("api:task-list")
    every = {t.pk for t in tasks.values()}
    assert ids(staff.get(url, {"round": small_round.pk})) == every
    assert ids(staff.get(url, {"category": top.pk})) == every  # the whole subtree
    assert ids(staff.get(url, {"category": sub.pk})) == {
        tasks["三年攻坚存在短板"].pk, tasks["综合改革成效不明显"].pk}
    assert ids(staff.get(url, {"q": "台账"})) == {tasks["三年攻坚存在短板"].pk}  # a measure
    assert ids(staff.get(url, {"q": "党建 边缘化"})) == {tasks["党建工作边缘化"].pk}
    assert ids(staff.get(url, {"overdue": "true"})) == {elsewhere.pk}
    assert ids(staff.get(url, {"deadline_after": "2023-03-01",
                               "deadline_before": "2023-04-01"})) == {elsewhere.pk}
    assert ids(staff.get(url, {"status": "completed"})) == set()
    assert ids(staff.get(url, {"party_group": small_round.party_group_id})) == every | {
        elsewhere.pk}
    response = staff.get(url, {"deadline_after": "2023-05-01", "deadline_before": "2023-04-01"})
    assert response.status_code == 400 and "deadline" in response.data
    assert staff.get(url, {"status": "bogus"}).status_code == 400
    assert staff.get(url, {"round": "x"}).status_code == 400
    assert staff.get(url, {"round": 2**70}).status_code == 400
    ordered = staff.get(url, {"ordering": "-deadline"}).data["results"]
    assert ordered[0]["id"] == elsewhere.pk or ordered[-1]["id"] == elsewhere.pk


def test_pagination(staff, small_round):
    url = reverse("api:task-list")
    page = staff.get(url, {"page_size": 2}).data
    assert page["count"] == 3 and len(page["results"]) == 2 and page["next"]
    assert len(staff.get(url, {"page_size": 10_000}).data["results"]) == 3
    assert staff.get(url, {"page": 99}).status_code == 404


def test_measures_filtered_by_task(staff, task):
    response = staff.get(reverse("api:measure-list"), {"task": task.pk})
    assert [m["text"] for m in response.data["results"]] == ["全面开展排查。", "建立工作台账。"]
