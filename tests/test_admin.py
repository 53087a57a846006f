"""The Django admin: pages, permissions, bad input, actions, lost updates and history."""

from __future__ import annotations

import datetime
import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from bureaus.models import PartyGroup
from rectify.models import InspectionRound, Measure, Notice, ProblemCategory, RectificationTask
from rectify.models.choices import Status
from rectify.rules import roles
from rectify.rules.problem_tree import build_tree, walk
from rectify.services.records import save_record
from rectify.services.workflow import change_status, sign_off
from tests.conftest import make_user

#: Every admin page of this project loads in at most this many queries, whatever the rows.
MAX_QUERIES = 20

MODELS = {
    "partygroup": "bureaus_partygroup",
    "round": "rectify_inspectionround",
    "category": "rectify_problemcategory",
    "task": "rectify_rectificationtask",
    "notice": "rectify_notice",
}


def url(model: str, view: str, *args) -> str:
    return reverse(f"admin:{MODELS[model]}_{view}", args=args)


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def history_count() -> int:
    return sum(model.history.count() for model in (
        PartyGroup, InspectionRound, ProblemCategory, RectificationTask, Measure, Notice))


def task_state(task: RectificationTask) -> dict:
    task.refresh_from_db()
    return {f.attname: getattr(task, f.attname) for f in task._meta.concrete_fields}


def category_state(cat: ProblemCategory) -> dict:
    cat.refresh_from_db()
    return {f.attname: getattr(cat, f.attname) for f in cat._meta.concrete_fields}


def populate(bureau: PartyGroup, n: int) -> dict:
    """``n`` of everything: party groups, rounds, categories, tasks, measures, notices."""
    feedback = datetime.date(2023, 2, 28)
    main = InspectionRound.objects.create(
        party_group=bureau, inspecting_body="市委第三巡察组", kind="常规巡察",
        feedback_date=feedback,
    )
    top = ProblemCategory.objects.create(round=main, title="政治责任扛得不牢")
    categories = [top]
    for i in range(n - 1):
        categories.append(ProblemCategory.objects.create(
            round=main, parent=top if i % 2 else None, title=f"类别{i}"))
    tasks = [
        RectificationTask.objects.create(
            round=main, category=categories[i % len(categories)], title=f"问题{i}",
            deadline=datetime.date(2023, 5, 31),
            status=Status.COMPLETED if i % 3 == 0 else Status.IN_PROGRESS,
        )
        for i in range(n)
    ]
    for i in range(n):
        Measure.objects.create(task=tasks[0], position=i + 1, text=f"措施{i}")
        Notice.objects.create(round=main, title=f"整改进展情况的通报{i}",
                              date=datetime.date(2023, 7, 18))
    for i in range(n - 1):
        group = PartyGroup.objects.create(name=f"中共测试市第{i}局党组", short_name=f"第{i}局")
        other = InspectionRound.objects.create(party_group=group, feedback_date=feedback)
        RectificationTask.objects.create(round=other, title=f"其他问题{i}")
    return {
        "partygroup": bureau,
        "round": main,
        "category": top,
        "task": tasks[0],
        "notice": Notice.objects.filter(round=main).first(),
    }


# -- pages and query counts -----------------------------------------------------------------


@pytest.mark.parametrize("rows", [1, 50])
@pytest.mark.parametrize("model", list(MODELS))
def test_pages_load_for_staff_in_bounded_queries(
    client, staff_user, bureau, django_assert_max_num_queries, model, rows
):
    objects = populate(bureau, rows)
    obj = objects[model]
    client.force_login(staff_user)
    pages = [
        url(model, "changelist"),
        url(model, "add"),
        url(model, "change", obj.pk),
        url(model, "history", obj.pk),
    ]
    for page in pages:
        with django_assert_max_num_queries(MAX_QUERIES):
            response = client.get(page)
        assert response.status_code == 200, page
    changelist = client.get(url(model, "changelist")).context["cl"]
    assert changelist.result_count >= rows


def test_admin_index_in_chinese(client, staff_user):
    client.force_login(staff_user)
    response = client.get(reverse("admin:index"))
    content = response.content.decode()
    for label in ("巡察轮次", "问题类别", "整改任务", "通报", "党组织"):
        assert label in content


def tree_fragment(response) -> str:
    content = response.content.decode()
    start = content.index('<ul class="rectify-tree"')
    return content[start:content.index("</div>", start)]


def test_round_change_page_shows_the_numbered_tree(client, staff_user, small_round):
    expected = [(n.number, n.obj.title) for n in walk(build_tree(small_round))]
    assert [number for number, _ in expected] == ["(一)", "1.", "1)", "2)", "2."]
    client.force_login(staff_user)
    response = client.get(url("round", "change", small_round.pk))
    assert response.status_code == 200
    tree = tree_fragment(response)
    numbers = re.findall(r'<span class="rectify-number"[^>]*>([^<]*)</span>', tree)
    assert numbers == ["(一)", "1.", "1)", "2)", "2."]
    titles = [title for _, title in expected]
    positions = [tree.index(title) for title in titles]
    assert positions == sorted(positions)
    assert "（共3项整改任务）" in tree and "（共2项整改任务）" in tree
    assert "正在推进" in tree
    for task in RectificationTask.objects.filter(round=small_round):
        assert url("task", "change", task.pk) in tree
    content = response.content.decode()
    assert f'{url("category", "add")}?round={small_round.pk}' in content
    assert f'{url("task", "add")}?round={small_round.pk}' in content
    assert "添加类别" in content and "添加任务" in content
    assert "⚠" not in tree


def test_round_tree_flags_a_printed_label_that_disagrees(client, staff_user, small_round):
    task = RectificationTask.objects.get(title="综合改革成效不明显")
    task.printed_label = "3)"  # printed ③-style gap: derived is 2)
    task.result_text = "正在推进，2023年底前完成"
    task.save()
    client.force_login(staff_user)
    tree = tree_fragment(client.get(url("round", "change", small_round.pk)))
    assert tree.count("⚠") == 1
    assert "原文编号“3)”与推算编号“2)”不一致" in tree
    assert "正在推进，2023年底前完成" in tree


def test_round_title_is_escaped_in_the_tree(client, staff_user, small_round):
    task = RectificationTask.objects.get(title="党建工作边缘化")
    task.title = "<script>alert(1)</script>"
    task.save()
    client.force_login(staff_user)
    tree = tree_fragment(client.get(url("round", "change", small_round.pk)))
    assert "<script>" not in tree
    assert "&lt;script&gt;" in tree


def test_round_list_counts_tasks(client, staff_user, small_round):
    task = RectificationTask.objects.get(title="党建工作边缘化")
    change_status([task], Status.COMPLETED, staff_user)
    client.force_login(staff_user)
    response = client.get(url("round", "changelist"))
    row = response.context["cl"].result_list[0]
    assert (row.task_count, row.completed_count) == (3, 1)


def test_add_links_prefill_the_round(client, staff_user, small_round):
    client.force_login(staff_user)
    response = client.get(url("task", "add") + f"?round={small_round.pk}")
    form = response.context["adminform"].form
    assert str(form.initial["round"]) == str(small_round.pk)
    choices = [label for value, label in form.fields["category"].widget.choices if value]
    assert [label.strip() for label in choices] == ["(一) 政治责任扛得不牢", "(一)1. 要求不到位"]


def test_category_parent_choices_exclude_own_subtree(client, staff_user, small_round, make_round):
    ProblemCategory.objects.create(round=make_round(), title="另一轮的类别")
    top = ProblemCategory.objects.get(title="政治责任扛得不牢")
    sub = ProblemCategory.objects.get(title="要求不到位")
    client.force_login(staff_user)
    form = client.get(url("category", "change", sub.pk)).context["adminform"].form
    values = [value for value, _ in form.fields["parent"].widget.choices if value]
    assert values == [top.pk]
    form = client.get(url("category", "change", top.pk)).context["adminform"].form
    assert [value for value, _ in form.fields["parent"].widget.choices if value] == []


def test_task_list_shows_derived_numbers_and_filters(client, staff_user, small_round):
    t1 = RectificationTask.objects.get(title="三年攻坚存在短板")
    t1.deadline = datetime.date(2023, 3, 31)  # past and in progress: overdue
    t1.save()
    done = RectificationTask.objects.get(title="党建工作边缘化")
    done.deadline = datetime.date(2023, 3, 31)
    done.status = Status.COMPLETED
    done.save()
    client.force_login(staff_user)
    response = client.get(url("task", "changelist"))
    content = response.content.decode()
    for number in ("(一)1.1)", "(一)1.2)", "(一)2."):
        assert number in content
    overdue = client.get(url("task", "changelist") + "?overdue=yes").context["cl"].result_list
    assert [t.pk for t in overdue] == [t1.pk]
    not_overdue = client.get(url("task", "changelist") + "?overdue=no").context["cl"]
    assert t1.pk not in {t.pk for t in not_overdue.result_list}
    assert not_overdue.result_count == 2
    found = client.get(url("task", "changelist") + "?q=建立工作台账").context["cl"].result_list
    assert [t.pk for t in found] == [t1.pk]
    by_status = client.get(url("task", "changelist") + "?status__exact=completed")
    assert [t.pk for t in by_status.context["cl"].result_list] == [done.pk]
    by_group = client.get(
        url("task", "changelist") + f"?round__party_group__id__exact={small_round.party_group_id}")
    assert by_group.context["cl"].result_count == 3


def test_overdue_column_says_overdue_in_words_never_a_green_tick(client, staff_user,
                                                                  small_round):
    """The 逾期 column: "已逾期" on the overdue task's row only, and no yes/no icon that would
    show an overdue task as a green tick."""
    late = RectificationTask.objects.get(title="三年攻坚存在短板")
    late.deadline = datetime.date(2023, 3, 31)  # past and in progress: overdue
    late.save()
    client.force_login(staff_user)
    page = client.get(url("task", "changelist")).content.decode()
    rows = re.findall(r"<tr>.*?</tr>", page, re.S)
    flagged = [row for row in rows if "已逾期" in row]
    assert len(flagged) == 1 and "三年攻坚存在短板" in flagged[0]
    assert "overdue-flag" in flagged[0]
    cells = re.findall(r'<td class="field-overdue">(.*?)</td>', page, re.S)
    assert len(cells) == 3 and not any("icon-" in cell for cell in cells)


def test_category_list_shows_derived_numbers(client, staff_user, small_round):
    client.force_login(staff_user)
    content = client.get(url("category", "changelist")).content.decode()
    assert "(一)1." in content


# -- permissions -------------------------------------------------------------------------


def test_auditor_reads_but_cannot_change(client, auditor_user, small_round):
    task = RectificationTask.objects.get(title="三年攻坚存在短板")
    category = ProblemCategory.objects.get(title="要求不到位")
    notice = Notice.objects.create(round=small_round, title="通报", date=datetime.date(2023, 7, 1))
    client.force_login(auditor_user)
    objects = {"partygroup": small_round.party_group, "round": small_round,
               "category": category, "task": task, "notice": notice}
    before = history_count()
    for model, obj in objects.items():
        listing = client.get(url(model, "changelist"))
        assert listing.status_code == 200
        assert listing.context["action_form"] is None, model  # no actions offered
        assert client.get(url(model, "change", obj.pk)).status_code == 200
        assert client.get(url(model, "history", obj.pk)).status_code == 200
        assert client.post(url(model, "change", obj.pk), {"title": "改"}).status_code == 403
        assert client.get(url(model, "add")).status_code == 403
    # A forged action is not carried out either.
    state = task_state(task)
    client.post(url("task", "changelist"), {
        "action": "mark_completed", "_selected_action": [task.pk], "index": 0})
    client.post(url("task", "changelist"), {
        "action": "delete_selected", "_selected_action": [task.pk], "index": 0, "post": "yes"})
    assert task_state(task) == state
    assert history_count() == before


def test_staff_is_offered_status_and_signoff_actions(client, staff_user, small_round):
    client.force_login(staff_user)
    action_form = client.get(url("task", "changelist")).context["action_form"]
    actions = {value for value, _ in action_form.fields["action"].choices}
    assert {"mark_in_progress", "mark_completed", "mark_completed_longterm",
            "sign_off_selected"} <= actions


def test_model_permissions_without_the_staff_role_give_nothing(client, django_user_model,
                                                              small_round):
    # is_staff with every model permission but not in the staff group: the one rule
    # (rectify.rules.permissions) decides, not Django's model permissions: no status, no 销号.
    editor = make_user(django_user_model, "editor", None, is_staff=True)
    editor.user_permissions.set(roles.ensure_roles()[roles.STAFF].permissions.all())
    client.force_login(editor)
    assert client.get(url("task", "changelist")).status_code == 403
    task = small_round.tasks.first()
    assert client.post(url("task", "change", task.pk), {"title": "改"}).status_code == 403


def test_clerk_is_sent_to_the_login_page(client, clerk_user, small_round):
    client.force_login(clerk_user)
    for page in (reverse("admin:index"), url("task", "changelist"),
                 url("round", "change", small_round.pk)):
        response = client.get(page)
        assert response.status_code == 302
        assert response.url.startswith(reverse("admin:login"))


def test_anonymous_is_sent_to_the_login_page(client, small_round):
    response = client.get(url("task", "changelist"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


# -- bad input, refused with the message and nothing saved ----------------------------------


def category_post(cat: ProblemCategory, **changes) -> dict:
    data = {"parent": cat.parent_id or "", "position": cat.position,
            "printed_label": cat.printed_label, "title": cat.title}
    data.update(changes)
    return data


def task_post(task: RectificationTask, version: int | None = None, **changes) -> dict:
    data = {
        "version": task.version if version is None else version,
        "category": task.category_id or "",
        "position": task.position,
        "printed_label": task.printed_label,
        "title": task.title,
        "detail": task.detail,
        "responsible_leader": task.responsible_leader,
        "responsible_department": task.responsible_department,
        "deadline": task.deadline.isoformat() if task.deadline else "",
        "result_text": task.result_text,
        "progress": task.progress,
        "outcome": task.outcome,
        "completion_date": task.completion_date.isoformat() if task.completion_date else "",
    }
    measures = list(task.measures.order_by("position", "pk"))
    data.update({
        "measures-TOTAL_FORMS": len(measures),
        "measures-INITIAL_FORMS": len(measures),
        "measures-MIN_NUM_FORMS": 0,
        "measures-MAX_NUM_FORMS": 1000,
        "figures-TOTAL_FORMS": 0,  # the task's outcome figures (none here)
        "figures-INITIAL_FORMS": 0,
    })
    for i, measure in enumerate(measures):
        data.update({
            f"measures-{i}-id": measure.pk,
            f"measures-{i}-task": task.pk,
            f"measures-{i}-version": measure.version,
            f"measures-{i}-position": measure.position,
            f"measures-{i}-text": measure.text,
            f"measures-{i}-responsible_unit": measure.responsible_unit,
            f"measures-{i}-due_date": "",
        })
    data.update(changes)
    return data


def field_errors(response, field: str) -> list[str]:
    assert response.status_code == 200, "the form should be shown again, not saved"
    return response.context["adminform"].form.errors.get(field, [])


def test_category_cannot_move_under_its_own_descendant(client, staff_user, small_round):
    top = ProblemCategory.objects.get(title="政治责任扛得不牢")
    sub = ProblemCategory.objects.get(title="要求不到位")
    before, history = category_state(top), history_count()
    client.force_login(staff_user)
    response = client.post(url("category", "change", top.pk), category_post(top, parent=sub.pk))
    message = "不能把类别移到它自身或它的下级类别之下。"
    assert field_errors(response, "parent") == [message]
    assert message in response.content.decode()
    assert category_state(top) == before
    assert history_count() == history


def test_category_cannot_move_under_another_rounds_category(
    client, staff_user, small_round, make_round
):
    foreign = ProblemCategory.objects.create(round=make_round(), title="另一轮的类别")
    sub = ProblemCategory.objects.get(title="要求不到位")
    before, history = category_state(sub), history_count()
    client.force_login(staff_user)
    response = client.post(url("category", "change", sub.pk),
                           category_post(sub, parent=foreign.pk))
    assert field_errors(response, "parent") == ["上级类别“另一轮的类别”属于另一巡察轮次。"]
    assert "属于另一巡察轮次" in response.content.decode()
    assert category_state(sub) == before
    assert history_count() == history


def test_task_cannot_take_another_rounds_category(client, staff_user, small_round, make_round):
    foreign = ProblemCategory.objects.create(round=make_round(), title="另一轮的类别")
    task = RectificationTask.objects.get(title="三年攻坚存在短板")
    before, history, count = task_state(task), history_count(), RectificationTask.objects.count()
    client.force_login(staff_user)
    message = "问题类别“另一轮的类别”属于另一巡察轮次。"
    response = client.post(url("task", "change", task.pk), task_post(task, category=foreign.pk))
    assert field_errors(response, "category") == [message]
    assert message in response.content.decode()
    response = client.post(url("task", "add"), {
        "round": small_round.pk, "category": foreign.pk, "title": "新问题",
        "status": Status.IN_PROGRESS, "measures-TOTAL_FORMS": 0, "measures-INITIAL_FORMS": 0,
        "figures-TOTAL_FORMS": 0, "figures-INITIAL_FORMS": 0})
    assert field_errors(response, "category") == [message]
    assert task_state(task) == before
    assert RectificationTask.objects.count() == count
    assert history_count() == history


def test_task_deadline_cannot_precede_feedback(client, staff_user, small_round):
    task = RectificationTask.objects.get(title="三年攻坚存在短板")
    before, history = task_state(task), history_count()
    client.force_login(staff_user)
    response = client.post(url("task", "change", task.pk),
                           task_post(task, deadline="2023-01-31"))
    message = "整改时限不能早于反馈日期（2023-02-28）。"
    assert field_errors(response, "deadline") == [message]
    assert message in response.content.decode()
    assert task_state(task) == before
    assert history_count() == history


def test_task_problem_statement_cannot_be_blank(client, staff_user, small_round):
    task = RectificationTask.objects.get(title="三年攻坚存在短板")
    before, history = task_state(task), history_count()
    client.force_login(staff_user)
    response = client.post(url("task", "change", task.pk), task_post(task, title="  \u3000 "))
    errors = field_errors(response, "title")
    assert errors and all(re.search(r"[\u4e00-\u9fff]", error) for error in errors)
    assert errors[0] in response.content.decode()
    assert task_state(task) == before
    assert history_count() == history


def test_blank_measure_is_refused_and_nothing_saved(client, staff_user, small_round):
    task = RectificationTask.objects.get(title="三年攻坚存在短板")
    before, history = task_state(task), history_count()
    client.force_login(staff_user)
    response = client.post(url("task", "change", task.pk),
                           task_post(task, progress="已排查", **{"measures-0-text": "  "}))
    assert response.status_code == 200
    assert any(response.context["inline_admin_formsets"][0].formset.errors)
    assert task_state(task) == before
    assert history_count() == history


# -- saving through the services -------------------------------------------------------------


def test_admin_save_writes_history_with_the_user(client, staff_user, small_round):
    task = RectificationTask.objects.get(title="三年攻坚存在短板")
    version = task.version
    client.force_login(staff_user)
    response = client.post(url("task", "change", task.pk), task_post(
        task, deadline="2023-06-30", responsible_department="办公室",
        **{"measures-1-text": "建立问题台账。"}))
    assert response.status_code == 302, response.context and response.context["errors"]
    task.refresh_from_db()
    assert task.deadline == datetime.date(2023, 6, 30)
    assert task.version == version + 1
    last = task.history.order_by("-history_date", "-history_id").first()
    assert last.history_user == staff_user
    measure = task.measures.get(position=2)
    assert measure.text == "建立问题台账。"
    assert measure.history.order_by("-history_date").first().history_user == staff_user


def test_task_added_through_the_admin_goes_to_the_end(client, staff_user, small_round):
    sub = ProblemCategory.objects.get(title="要求不到位")
    client.force_login(staff_user)
    response = client.post(url("task", "add"), {
        "round": small_round.pk, "category": sub.pk, "title": "  新发现的问题 ",
        "status": Status.IN_PROGRESS,
        "measures-TOTAL_FORMS": 1, "measures-INITIAL_FORMS": 0,
        "measures-0-position": 1, "measures-0-text": "立行立改。",
        "figures-TOTAL_FORMS": 0, "figures-INITIAL_FORMS": 0})
    assert response.status_code == 302
    task = RectificationTask.objects.get(title="新发现的问题")
    assert task.position == 3
    assert task.history.get().history_user == staff_user
    assert task.measures.get().text == "立行立改。"


def test_delete_through_the_admin_is_attributed(client, staff_user, small_round):
    notice = Notice.objects.create(round=small_round, title="通报", date=datetime.date(2023, 7, 1))
    client.force_login(staff_user)
    response = client.post(url("notice", "delete", notice.pk), {"post": "yes"})
    assert response.status_code == 302
    assert not Notice.objects.filter(pk=notice.pk).exists()
    deleted = Notice.history.filter(id=notice.pk, history_type="-").get()
    assert deleted.history_user == staff_user


# -- bulk status change and sign-off --------------------------------------------------------


def run_action(client, action: str, tasks) -> list[str]:
    response = client.post(url("task", "changelist"), {
        "action": action, "_selected_action": [t.pk for t in tasks], "index": 0,
    }, follow=True)
    assert response.status_code == 200
    return messages_of(response)


def test_bulk_status_change(client, staff_user, small_round):
    tasks = list(RectificationTask.objects.filter(round=small_round).order_by("pk"))
    counts = {t.pk: t.history.count() for t in tasks}
    client.force_login(staff_user)
    messages = run_action(client, "mark_completed_longterm", tasks[:2])
    assert messages == ["已将 2 项任务的整改状态改为“已完成，长期坚持”。"]
    for task in tasks:
        task.refresh_from_db()
    assert [t.status for t in tasks] == [
        Status.COMPLETED_LONGTERM, Status.COMPLETED_LONGTERM, Status.IN_PROGRESS]
    assert tasks[0].completion_date is not None
    for task in tasks[:2]:
        assert task.history.count() == counts[task.pk] + 1
        assert task.history.order_by("-history_date").first().history_user == staff_user
    assert tasks[2].history.count() == counts[tasks[2].pk]


def test_bulk_status_change_is_all_or_nothing(client, staff_user, small_round):
    signed, done, _ = RectificationTask.objects.filter(round=small_round).order_by("pk")
    change_status([signed, done], Status.COMPLETED, staff_user)
    sign_off(signed, staff_user)
    states = {t.pk: task_state(t) for t in (signed, done)}
    history = history_count()
    client.force_login(staff_user)
    messages = run_action(client, "mark_in_progress", [done, signed])
    assert len(messages) == 1
    assert messages[0].startswith("整改状态未修改")
    assert "已锁定" in messages[0] and "重新打开" in messages[0]
    assert {t.pk: task_state(t) for t in (signed, done)} == states
    assert history_count() == history


def test_sign_off_action(client, staff_user, small_round):
    done, open_, _ = RectificationTask.objects.filter(round=small_round).order_by("pk")
    change_status([done], Status.COMPLETED, staff_user)
    client.force_login(staff_user)
    assert run_action(client, "sign_off_selected", [done]) == ["已销号 1 项任务。"]
    done.refresh_from_db()
    assert done.signed_off_by == staff_user and done.signed_off_at is not None
    last = done.history.order_by("-history_date", "-history_id").first()
    assert (last.history_user, last.history_change_reason) == (staff_user, "销号")


def test_sign_off_action_refuses_unfinished_tasks_all_or_nothing(client, staff_user, small_round):
    done, open_, _ = RectificationTask.objects.filter(round=small_round).order_by("pk")
    change_status([done], Status.COMPLETED, staff_user)
    states, history = {t.pk: task_state(t) for t in (done, open_)}, history_count()
    client.force_login(staff_user)
    messages = run_action(client, "sign_off_selected", [done, open_])
    assert len(messages) == 1
    assert messages[0].startswith("未销号任何任务")
    assert "只有已完成的任务才能销号" in messages[0]
    assert {t.pk: task_state(t) for t in (done, open_)} == states
    assert history_count() == history


# -- lost updates -----------------------------------------------------------------------------


def test_stale_version_is_refused_with_the_current_values(client, staff_user, small_round):
    other = make_user(get_user_model(), "colleague", roles.STAFF, is_staff=True)
    task = RectificationTask.objects.get(title="三年攻坚存在短板")
    client.force_login(staff_user)
    loaded = client.get(url("task", "change", task.pk)).context["adminform"].form
    stale_version = loaded["version"].value()
    assert stale_version == task.version
    # Meanwhile a colleague saves the task.
    task.responsible_department = "组织人事科"
    save_record(task, other)
    saved, history = task_state(task), history_count()
    response = client.post(url("task", "change", task.pk), task_post(
        task, version=stale_version, responsible_department="办公室", progress="已排查"))
    assert response.status_code == 200
    errors = response.context["adminform"].form.non_field_errors()
    assert len(errors) == 1
    assert "colleague" in errors[0] and "先保存了这条记录" in errors[0]
    assert "责任科室：组织人事科" in errors[0]
    assert "您的修改没有保存" in response.content.decode()
    assert task_state(task) == saved
    assert history_count() == history


def test_missing_version_is_refused(client, staff_user, small_round):
    task = RectificationTask.objects.get(title="三年攻坚存在短板")
    saved, history = task_state(task), history_count()
    client.force_login(staff_user)
    data = task_post(task, progress="已排查")
    del data["version"]
    response = client.post(url("task", "change", task.pk), data)
    assert response.status_code == 200
    assert task_state(task) == saved
    assert history_count() == history


# -- history -------------------------------------------------------------------------------


def test_task_history_page_shows_the_change_and_the_user(client, staff_user, auditor_user,
                                                        small_round):
    task = RectificationTask.objects.get(title="三年攻坚存在短板")
    client.force_login(staff_user)
    client.post(url("task", "change", task.pk), task_post(task, deadline="2023-06-30"))
    run_action(client, "mark_completed", [task])
    for user in (staff_user, auditor_user):
        client.force_login(user)
        response = client.get(url("task", "history", task.pk))
        assert response.status_code == 200
        content = response.content.decode()
        assert "整改时限：" in content and "2023-06-30" in content
        assert "整改状态：" in content and "正在推进 &rarr; 已完成" in content
        assert "批量修改整改状态为“已完成”" in content
        assert "<td>staff</td>" in content
    # The change page carries the same record for auditors.
    content = client.get(url("task", "change", task.pk)).content.decode()
    assert "rectify-change-log" in content and "staff" in content


def test_historical_version_page_is_read_only(client, staff_user, auditor_user, small_round):
    task = RectificationTask.objects.get(title="三年攻坚存在短板")
    client.force_login(staff_user)
    client.post(url("task", "change", task.pk), task_post(task, deadline="2023-06-30"))
    first = task.history.order_by("history_date", "history_id").first()
    version_url = reverse("admin:rectify_rectificationtask_simple_history",
                          args=[task.pk, first.history_id])
    saved, history = task_state(task), history_count()
    for user in (staff_user, auditor_user):
        client.force_login(user)
        response = client.get(version_url)
        assert response.status_code == 200
        content = response.content.decode()
        assert 'name="_save"' not in content
        assert 'name="deadline"' not in content  # shown, not editable
        response = client.post(version_url, task_post(task, deadline="2023-12-31"))
        assert response.status_code == 403
    assert task_state(task) == saved
    assert history_count() == history


@pytest.mark.parametrize("model", ["partygroup", "round", "category", "notice"])
def test_other_historical_version_pages_refuse_post(client, staff_user, small_round, model):
    notice = Notice.objects.create(round=small_round, title="通报", date=datetime.date(2023, 7, 1))
    obj = {"partygroup": small_round.party_group, "round": small_round,
           "category": ProblemCategory.objects.first(), "notice": notice}[model]
    record = obj.history.first()
    version_url = reverse(f"admin:{MODELS[model]}_simple_history",
                          args=[obj.pk, record.history_id])
    client.force_login(staff_user)
    assert client.get(version_url).status_code == 200
    history = history_count()
    assert client.post(version_url, {"title": "改", "name": "改"}).status_code == 403
    assert history_count() == history


def test_party_group_admin_edits_members(client, staff_user, clerk_user, bureau):
    client.force_login(staff_user)
    content = client.get(url("partygroup", "change", bureau.pk)).content.decode()
    assert "selectfilter" in content  # filter_horizontal
    response = client.post(url("partygroup", "change", bureau.pk), {
        "name": bureau.name, "short_name": bureau.short_name, "region": "许昌市",
        "phone": "", "postal_address": "", "email": "", "members": [clerk_user.pk]})
    assert response.status_code == 302
    bureau.refresh_from_db()
    assert bureau.region == "许昌市"
    assert bureau.history.order_by("-history_date").first().history_user == staff_user


def test_a_stale_measure_row_is_refused_with_the_current_text(client, staff_user, small_round):
    other = make_user(get_user_model(), "colleague", roles.STAFF, is_staff=True)
    task = RectificationTask.objects.get(title="三年攻坚存在短板")
    data = task_post(task)  # the page as loaded, measure versions included
    measure = task.measures.order_by("position", "pk").first()
    # Meanwhile a colleague edits the first measure.
    measure.text = "全面开展排查，建立问题清单。"
    save_record(measure, other)
    saved, history = task_state(task), history_count()
    client.force_login(staff_user)
    response = client.post(url("task", "change", task.pk),
                           {**data, "measures-0-text": "全面开展排查并整改。"})
    assert response.status_code == 200
    errors = " ".join(str(e) for form in response.context["inline_admin_formsets"][0].formset
                      for e in form.non_field_errors())
    assert "colleague" in errors and "全面开展排查，建立问题清单。" in errors
    measure.refresh_from_db()
    assert measure.text == "全面开展排查，建立问题清单。"
    assert task_state(task) == saved and history_count() == history


def test_task_list_due_column_shows_the_date_every_surface_uses(client, staff_user,
                                                                 small_round):
    """The list's 到期日: the task's own deadline where it has one, else the round's end of
    concentrated rectification — the date the 逾期 column judges by, never a bare "-"."""
    small_round.rectification_end = datetime.date(2023, 6, 30)
    small_round.save()
    own = RectificationTask.objects.get(title="三年攻坚存在短板")
    own.deadline = datetime.date(2023, 3, 31)
    own.save()
    client.force_login(staff_user)
    page = client.get(url("task", "changelist")).content.decode()
    cells = re.findall(r'<td class="field-due_on_display">(.*?)</td>', page, re.S)
    assert sorted(cells) == ["2023-03-31", "2023-06-30", "2023-06-30"]
