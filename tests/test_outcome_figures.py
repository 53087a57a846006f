"""Outcome figures (整改成效数据) on every surface: a bureau's clerk enters them on its own tasks
(the task page and the API), staff everywhere (the admin's list and inlines, the round's own
figures too); bad input is refused naming the field, with nothing written; a signed-off task's
figures are locked; every change leaves a history row; the importer proposes the figures a
notice prints in a task's outcome."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from rectify.models import OutcomeFigure, RectificationTask
from rectify.models.choices import Status
from rectify.models.outcomes import UNITS, FigureKind
from rectify.notice_import import parse_notice
from rectify.notice_import.figure_phrases import KIND_NAMES, chinese_number, find_figures
from rectify.notice_import.notice_loader import load_notice
from rectify.services import outcome_figures, workflow

pytestmark = pytest.mark.django_db

DAY = datetime.date(2023, 5, 20)


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def task(small_round):
    return RectificationTask.objects.get(round=small_round, title="三年攻坚存在短板")


@pytest.fixture
def other_task(make_round, other_bureau):
    rnd = make_round(party_group=other_bureau, inspecting_body="市委第五巡察组")
    return RectificationTask.objects.create(round=rnd, title="乙单位的问题")


@pytest.fixture
def figure(task, clerk_user):
    return outcome_figures.add_figure(
        OutcomeFigure(task=task, kind=FigureKind.SYSTEMS, value=Decimal("12")), clerk_user)


def sign_off(task, staff_user):
    workflow.set_status(task, Status.COMPLETED, staff_user, completion_date=DAY)
    task.refresh_from_db()
    workflow.sign_off(task, staff_user)
    task.refresh_from_db()


def stored() -> list[dict]:
    return list(OutcomeFigure.objects.order_by("pk").values())


def history_rows() -> int:
    return OutcomeFigure.history.count()


# -- the work pages ---------------------------------------------------------------------------


def test_a_clerk_adds_edits_and_deletes_a_figure_on_its_task_page(clerk_user, task):
    client = login(clerk_user)
    page = client.get(reverse("work:task", args=[task.pk])).content.decode()
    assert "整改成效数据" in page and "建立完善制度（项）" in page  # the unit in the kind's label

    response = client.post(reverse("work:figure_add", args=[task.pk]),
                           {"kind": "funds", "value": "0.63", "note": "追缴违规发放的补贴"})
    assert response.status_code == 302
    assert response["Location"].endswith("#figures")
    figure = OutcomeFigure.objects.get()
    assert (figure.task, figure.round, figure.kind, figure.value, figure.unit, figure.author) == (
        task, task.round, "funds", Decimal("0.63"), "万元", clerk_user)
    page = client.get(reverse("work:task", args=[task.pk])).content.decode()
    assert "整改成效数据已添加。" in page and "追缴/退缴/清退资金" in page and "0.63" in page

    edit_url = reverse("work:figure_edit", args=[figure.pk])
    assert client.get(edit_url).status_code == 200
    response = client.post(edit_url, {"kind": "funds", "value": "0.7", "unit": "",
                                      "label": "", "note": "", "version": figure.version})
    assert response.status_code == 302
    figure.refresh_from_db()
    assert figure.value == Decimal("0.7") and figure.version == 2

    response = client.post(reverse("work:figure_delete", args=[figure.pk]),
                           {"version": figure.version})
    assert response.status_code == 302
    assert not OutcomeFigure.objects.exists()
    assert [row.history_type for row in OutcomeFigure.history.order_by("history_id")] == [
        "+", "~", "-"]
    page = client.get(reverse("work:task", args=[task.pk])).content.decode()
    assert "整改成效数据已删除。" in page
    assert page.count("整改成效数据</") >= 1  # the history names the figures' changes


def test_the_work_page_refuses_bad_input_naming_the_field(clerk_user, task):
    client = login(clerk_user)
    add = reverse("work:figure_add", args=[task.pk])
    cases = [
        ({"kind": "systems", "value": "-3"}, "数值"),
        ({"kind": "systems", "value": "十二"}, "数值"),
        ({"kind": "systems", "value": "2.5"}, "须为整数"),
        ({"kind": "funds", "value": "3", "unit": "元"}, "“追缴/退缴/清退资金”的单位是“万元”"),
        ({"kind": "other", "value": "3"}, "类别为“其他”时须填写名称"),
        ({"kind": "nonsense", "value": "3"}, "成效类别"),
    ]
    for data, words in cases:
        response = client.post(add, data)
        assert response.status_code == 400, data
        assert words in response.content.decode(), data
    assert stored() == [] and history_rows() == 0


def test_another_bureaus_task_is_a_404_and_nothing_is_written(other_clerk, task, figure):
    client = login(other_clerk)
    assert client.post(reverse("work:figure_add", args=[task.pk]),
                       {"kind": "systems", "value": "3"}).status_code == 404
    assert client.get(reverse("work:figure_edit", args=[figure.pk])).status_code == 404
    assert client.post(reverse("work:figure_delete", args=[figure.pk]),
                       {"version": figure.version}).status_code == 404
    assert [row["value"] for row in stored()] == [Decimal("12")]


def test_a_signed_off_tasks_figures_are_locked_on_the_work_pages(clerk_user, staff_user, task,
                                                                 figure):
    sign_off(task, staff_user)
    before, rows = stored(), history_rows()
    for user in (clerk_user, staff_user):
        client = login(user)
        page = client.get(reverse("work:task", args=[task.pk])).content.decode()
        assert "建立完善制度" in page  # still listed
        assert reverse("work:figure_add", args=[task.pk]) not in page  # no form
        assert reverse("work:figure_edit", args=[figure.pk]) not in page
        response = client.post(reverse("work:figure_add", args=[task.pk]),
                               {"kind": "systems", "value": "3"})
        assert response.status_code in (400, 403)
        response = client.post(reverse("work:figure_delete", args=[figure.pk]),
                               {"version": figure.version})
        assert response.status_code in (400, 403)
        assert "已于" in client.get(reverse("work:figure_edit", args=[figure.pk])).content.decode()
    assert stored() == before and history_rows() == rows


def test_an_auditor_reads_the_figures_but_gets_no_form(auditor_user, task, figure):
    client = login(auditor_user)
    page = client.get(reverse("work:task", args=[task.pk])).content.decode()
    assert "建立完善制度" in page
    assert reverse("work:figure_add", args=[task.pk]) not in page
    assert client.post(reverse("work:figure_add", args=[task.pk]),
                       {"kind": "systems", "value": "3"}).status_code == 403
    assert client.get(reverse("work:figure_edit", args=[figure.pk])).status_code == 403


# -- the API ----------------------------------------------------------------------------------


def test_the_api_creates_updates_lists_and_deletes_a_clerks_figure(api_client, clerk_user, task):
    client = api_client(clerk_user)
    response = client.post(reverse("api:figure-list"),
                           {"task": task.pk, "kind": "leads", "value": 147}, format="json")
    assert response.status_code == 201, response.data
    assert response.data["round"] == task.round_id and response.data["unit"] == "件"
    assert response.data["value"] == "147" and response.data["author"] == clerk_user.username
    pk = response.data["id"]
    detail = reverse("api:figure-detail", args=[pk])
    etag = client.get(detail)["ETag"]

    response = client.patch(detail, {"kind": "other", "label": "收回土地", "unit": "亩",
                                     "value": "35.5"}, format="json", HTTP_IF_MATCH=etag)
    assert response.status_code == 200, response.data
    assert (response.data["display_label"], response.data["unit"]) == ("收回土地", "亩")
    response = client.patch(detail, {"value": 36, "version": 1}, format="json")
    assert response.status_code == 409 and response.data["code"] == "stale"

    listed = client.get(reverse("api:figure-list"), {"task": task.pk, "kind": "other"})
    assert [row["id"] for row in listed.data["results"]] == [pk]
    task_row = client.get(reverse("api:task-detail", args=[task.pk])).data
    assert [row["value"] for row in task_row["figures"]] == ["35.5"]

    history = client.get(reverse("api:figure-history", args=[pk])).data
    assert [entry["action"] for entry in history] == ["修改", "创建"]
    assert {change["field"] for change in history[0]["changes"]} >= {"kind", "value", "unit"}

    assert client.delete(detail).status_code == 204
    assert not OutcomeFigure.objects.exists() and history_rows() == 3


@pytest.mark.parametrize(("body", "field"), [
    ({"kind": "systems", "value": -3}, "value"),
    ({"kind": "systems", "value": "十二"}, "value"),
    ({"kind": "systems", "value": "abc"}, "value"),
    ({"kind": "funds", "value": 1, "unit": "元"}, "unit"),
    ({"kind": "education", "value": 1.5}, "value"),
    ({"kind": "other", "value": 1, "unit": "亩"}, "label"),
    ({"kind": "bogus", "value": 1}, "kind"),
    ({"kind": "systems", "value": 1, "colour": "red"}, "colour"),
])
def test_the_api_refuses_bad_input_naming_the_field(api_client, clerk_user, task, body, field):
    response = api_client(clerk_user).post(reverse("api:figure-list"), {"task": task.pk, **body},
                                           format="json")
    assert response.status_code == 400
    assert list(response.data) == [field], response.data
    assert all(isinstance(message, str) and message for message in response.data[field])
    assert stored() == [] and history_rows() == 0


def test_the_api_refuses_a_figure_on_another_bureaus_task(api_client, clerk_user, other_task):
    response = api_client(clerk_user).post(
        reverse("api:figure-list"), {"task": other_task.pk, "kind": "systems", "value": 3},
        format="json")
    assert response.status_code == 400 and list(response.data) == ["task"]
    assert stored() == []


def test_a_clerk_may_not_create_a_round_level_figure(api_client, clerk_user, small_round):
    response = api_client(clerk_user).post(
        reverse("api:figure-list"), {"round": small_round.pk, "kind": "systems", "value": 3},
        format="json")
    assert response.status_code == 400 and list(response.data) == ["task"]
    assert "巡察办" in response.data["task"][0]
    assert stored() == []


def test_staff_create_a_round_level_figure_which_a_clerk_reads_but_cannot_change(
        api_client, staff_user, clerk_user, small_round):
    response = api_client(staff_user).post(
        reverse("api:figure-list"), {"round": small_round.pk, "kind": "losses",
                                     "value": "1369.5"}, format="json")
    assert response.status_code == 201, response.data
    assert response.data["task"] is None
    clerk = api_client(clerk_user)
    detail = reverse("api:figure-detail", args=[response.data["id"]])
    assert clerk.get(detail).status_code == 200
    assert clerk.patch(detail, {"value": 1, "version": 1}, format="json").status_code == 403
    assert clerk.delete(detail).status_code == 403
    assert OutcomeFigure.objects.get().value == Decimal("1369.5")


def test_another_bureaus_figure_is_a_404(api_client, other_clerk, figure):
    client = api_client(other_clerk)
    detail = reverse("api:figure-detail", args=[figure.pk])
    assert client.get(detail).status_code == 404
    assert client.delete(detail).status_code == 404
    assert client.get(reverse("api:figure-list")).data["results"] == []


def test_the_api_refuses_changes_under_a_signed_off_task(api_client, clerk_user, staff_user,
                                                         task, figure):
    sign_off(task, staff_user)
    before, rows = stored(), history_rows()
    client = api_client(clerk_user)
    response = client.post(reverse("api:figure-list"),
                           {"task": task.pk, "kind": "systems", "value": 3}, format="json")
    assert response.status_code == 400 and "销号" in str(response.data)
    detail = reverse("api:figure-detail", args=[figure.pk])
    assert client.patch(detail, {"value": 13, "version": figure.version},
                        format="json").status_code == 400
    assert client.delete(detail).status_code == 400
    assert stored() == before and history_rows() == rows


# -- the admin --------------------------------------------------------------------------------


def test_the_admin_shows_the_figures_inline_and_in_their_list(staff_user, auditor_user, task,
                                                              figure, small_round):
    OutcomeFigure.objects.create(round=small_round, kind=FigureKind.FUNDS, value=Decimal("7.132"))
    client = login(staff_user)
    page = client.get(reverse("admin:rectify_rectificationtask_change", args=[task.pk]))
    assert page.status_code == 200
    assert "整改成效数据" in page.content.decode() and 'name="figures-0-value"' in \
        page.content.decode()
    page = client.get(reverse("admin:rectify_inspectionround_change", args=[small_round.pk]))
    text = page.content.decode()
    assert "整轮整改成效数据" in text and "7.132" in text
    listing = client.get(reverse("admin:rectify_outcomefigure_changelist")).content.decode()
    assert "建立完善制度" in listing and "（整轮）" in listing
    assert login(auditor_user).get(
        reverse("admin:rectify_outcomefigure_changelist")).status_code == 200


def test_the_admin_adds_a_figure_on_the_task_page_inline(staff_user, task):
    client = login(staff_user)
    url = reverse("admin:rectify_rectificationtask_change", args=[task.pk])
    form = client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update({
        "version": task.version, "round": task.round_id, "category": task.category_id,
        "title": task.title, "position": task.position,
        "measures-TOTAL_FORMS": 0, "measures-INITIAL_FORMS": 0,
        "figures-TOTAL_FORMS": 1, "figures-INITIAL_FORMS": 0,
        "figures-0-kind": "education", "figures-0-value": "6", "figures-0-unit": "",
        "figures-0-label": "", "figures-0-note": "",
    })
    data = {key: value for key, value in data.items() if not isinstance(value, list | dict)}
    response = client.post(url, data)
    assert response.status_code == 302, response.context and [
        f.errors for f in response.context["inline_admin_formsets"][1].formset.forms]
    figure = OutcomeFigure.objects.get()
    assert (figure.task, figure.round, figure.kind, figure.value, figure.unit) == (
        task, task.round, "education", Decimal("6"), "人")
    assert OutcomeFigure.history.get().history_user == staff_user


def test_a_clerk_is_kept_out_of_the_admin(clerk_user, figure):
    response = login(clerk_user).get(reverse("admin:rectify_outcomefigure_changelist"))
    assert response.status_code == 302


# -- the importer -----------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "kind", "value"), [
    ("经过整改，建立完善制度12项。", "systems", "12"),
    ("制定及修改完善制度十二项", "systems", "12"),
    ("修订了15个规章制度", "systems", "15"),
    ("追缴资金6300元", "funds", "0.63"),
    ("清退违规列支经费36.8万元", "funds", "36.8"),
    ("退缴1.2亿元", "funds", "12000"),
    ("挽回经济损失1,369.5万元", "losses", "1369.5"),
    ("移交问题线索147件", "leads", "147"),
    ("向纪委监委移送5条问题线索", "leads", "5"),
    ("给予党纪政务处分两人", "discipline", "2"),
    ("2人受到政务处分", "discipline", "2"),
    ("组织处理0人", "organisational", "0"),
    ("诫勉谈话1人", "admonition", "1"),
    ("对3名责任人进行诫勉谈话", "admonition", "3"),
    ("批评教育6人", "education", "6"),
    ("提醒谈话二十一人", "education", "21"),
    ("立行立改问题5个", "immediate", "5"),
])
def test_each_printed_form_is_recognised(text, kind, value):
    figures, doubts = find_figures(text)
    assert doubts == []
    assert [(f.kind, f.value, f.unit) for f in figures] == [(kind, value, UNITS[kind])]


def test_a_summary_sentence_gives_one_figure_per_kind():
    figures, doubts = find_figures(
        "通过整改，制定及修改完善制度12项，追缴资金7.132万元，政务处分0人，组织处理0人，"
        "诫勉0人，批评教育6人。")
    assert doubts == []
    assert [(f.kind, f.value) for f in figures] == [
        ("systems", "12"), ("funds", "7.132"), ("discipline", "0"), ("organisational", "0"),
        ("admonition", "0"), ("education", "6")]


@pytest.mark.parametrize(("text", "words"), [
    ("收回资金200余万元", "约数"),
    ("追缴资金约30万元", "约数"),
    ("近百人受到批评教育", "约数"),
    ("建立完善制度10项以上", "约数"),
    ("挽回经济损失十多万元", "约数"),
    ("追缴资金12345.67元", "超过4位小数"),
    ("给予党纪处分3人、政务处分2人", "印有多处"),
])
def test_unsure_figures_are_doubts_and_not_proposed(text, words):
    figures, doubts = find_figures(text)
    assert figures == []
    assert len(doubts) == 1 and words in doubts[0]


def test_words_without_a_figure_propose_nothing():
    for text in ("收回自查自评表42份", "建立健全长效机制", "立行立改，已经完成整改任务",
                 "2023年修订完善制度", "移交问题线索若干"):
        assert find_figures(text) == ([], []), text


def test_chinese_numerals():
    assert [chinese_number(text) for text in ("两", "十", "十二", "二十一", "一百零五",
                                              "三千五百", "零", "十二三")] == [
        2, 10, 12, 21, 105, 3500, 0, None]


def test_the_kind_names_are_the_models_labels():
    assert {kind: str(label) for kind, label in FigureKind.choices if kind in KIND_NAMES} == \
        KIND_NAMES


NOTICE = """中共某某县审计局党组关于巡察整改进展情况的通报

根据县委统一部署，2023年3月1日至4月30日，县委第一巡察组对县审计局党组进行了巡察。2023年6月1日，县委第一巡察组向县审计局党组反馈了巡察意见。现将整改进展情况予以通报。

一、关于财务管理方面的问题
1.违规发放津补贴问题。
整改情况：一是全面清理津补贴发放情况。二是建立财务审批制度。
经过整改，追缴违规发放资金6300元，建立完善制度3项，批评教育2人。
2.项目资金监管不严问题。
整改情况：一是开展专项检查。
经过整改，收回资金200余万元，移交问题线索4件。

中共某某县审计局党组
2023年8月1日
"""


def test_the_parser_proposes_the_figures_and_the_doubts():
    parsed = parse_notice(NOTICE)
    first, second = parsed.tasks
    assert [(f.kind, f.value) for f in first.figures] == [
        ("funds", "0.63"), ("systems", "3"), ("education", "2")]
    assert [(f.kind, f.value) for f in second.figures] == [("leads", "4")]
    doubts = [d.message for d in parsed.doubts if "整改成效" in d.message]
    assert len(doubts) == 1 and "200余万元" in doubts[0] and doubts[0].startswith(
        f"第{second.line}行")
    assert parsed.to_dict()["nodes"][0]["children"][0]["figures"][0] == {
        "kind": "funds", "value": "0.63", "unit": "万元", "printed": "追缴违规发放资金6300元"}


def test_the_loader_writes_the_figures_of_each_task(staff_user):
    with transaction.atomic():
        notice = load_notice(parse_notice(NOTICE), user=staff_user)
    rows = list(OutcomeFigure.objects.filter(round=notice.round)
                .order_by("task__position", "pk")
                .values_list("task__title", "kind", "value", "unit", "author", "note"))
    assert rows == [
        ("违规发放津补贴问题。", "funds", Decimal("0.63"), "万元", None,
         "通报原文：追缴违规发放资金6300元"),
        ("违规发放津补贴问题。", "systems", Decimal("3"), "项", None, "通报原文：建立完善制度3项"),
        ("违规发放津补贴问题。", "education", Decimal("2"), "人", None, "通报原文：批评教育2人"),
        ("项目资金监管不严问题。", "leads", Decimal("4"), "件", None, "通报原文：移交问题线索4件"),
    ]
    reasons = set(OutcomeFigure.history.values_list("history_change_reason", flat=True))
    assert reasons == {"导入通报"}


def test_the_import_preview_lists_the_figures_and_the_doubts(staff_user):
    client = login(staff_user)
    response = client.post(reverse("admin:rectify_inspectionround_import"),
                           {"step": "preview", "text": NOTICE})
    assert response.status_code == 200
    text = response.content.decode()
    assert ("成效数据：追缴/退缴/清退资金 0.63 万元；建立完善制度 3 项；"
            "批评教育/提醒谈话 2 人") in text
    assert "识别出成效数据 4 项" in text
    assert "200余万元" in text


# -- the schema tells the truth ---------------------------------------------------------------


def test_the_figures_answers_conform_to_the_schema(client, api_client, staff_user, clerk_user,
                                                   task, small_round):
    from tests.test_api_schema_truth import assert_conforms

    openapi = client.get(reverse("api:schema"), {"format": "json"}).json()
    staff, clerk = api_client(staff_user), api_client(clerk_user)
    created = staff.post(reverse("api:figure-list"), {"round": small_round.pk, "kind": "other",
                                                      "label": "收回土地", "unit": "亩",
                                                      "value": 35}, format="json")
    assert_conforms(openapi, "/api/figures/", "post", created)
    own = clerk.post(reverse("api:figure-list"), {"task": task.pk, "kind": "systems",
                                                  "value": 12}, format="json")
    assert_conforms(openapi, "/api/figures/", "post", own)
    refused = clerk.post(reverse("api:figure-list"), {"kind": "systems", "value": -1},
                         format="json")
    assert_conforms(openapi, "/api/figures/", "post", refused)
    detail = "/api/figures/{id}/"
    assert_conforms(openapi, detail, "get",
                    clerk.get(reverse("api:figure-detail", args=[created.data["id"]])))
    assert_conforms(openapi, detail, "patch", clerk.patch(
        reverse("api:figure-detail", args=[created.data["id"]]), {"value": 1, "version": 1},
        format="json"))  # 403: the round's own
    assert_conforms(openapi, detail, "patch", clerk.patch(
        reverse("api:figure-detail", args=[own.data["id"]]), {"value": 13, "version": 9},
        format="json"))  # 409: stale
    assert_conforms(openapi, "/api/figures/", "get", clerk.get(reverse("api:figure-list")))
    assert_conforms(openapi, "/api/figures/{id}/history/", "get",
                    clerk.get(reverse("api:figure-history", args=[own.data["id"]])))
    assert_conforms(openapi, "/api/tasks/{id}/", "get",
                    clerk.get(reverse("api:task-detail", args=[task.pk])))
