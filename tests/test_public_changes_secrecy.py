"""The changes view tells no secret: between two versions, a task withheld from the public is
neither numbered nor titled for a public reader, only counted; staff and auditors still see
everything, the withholding marked (issue 12, point 7)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from rectify.models import Measure
from rectify.models.choices import Status, WithholdGround
from rectify.services.records import save_record
from rectify.services.workflow import change_status
from tests.public_helpers import page_text

pytestmark = pytest.mark.django_db

SECRET = "在办案件涉及的问题甲"
SECRET_MEASURE = "约谈涉案人员乙。"
NOTE = "案件尚在审查调查中"
PUBLISHED_TITLE = "综合改革推进缓慢"
NUMBER = "(一)1.2)"
VISIBLE = "三年攻坚存在短板"


@pytest.fixture
def clerk_client(clerk_user):
    logged_in = Client()
    logged_in.force_login(clerk_user)
    return logged_in


@pytest.fixture
def task(small_round):
    """(一)1.2), with a measure of its own."""
    task = small_round.tasks.get(title="综合改革成效不明显")
    task.title = SECRET
    save_record(task, None)
    Measure.objects.create(task=task, position=1, text=SECRET_MEASURE)
    return task


def withhold(task, user, on: bool = True):
    task.refresh_from_db()
    task.withhold_ground = WithholdGround.OPEN_CASE if on else ""
    task.withhold_note = NOTE if on else ""
    save_record(task, user)


def move_visible_task(small_round, user):
    """Something every reader may see changes between the versions."""
    change_status([small_round.tasks.get(title=VISIBLE)], Status.COMPLETED_LONGTERM, user)


@pytest.fixture
def withheld_then_published(small_round, small_notice, task, publish, staff_user):
    """Withheld in version 1; renamed and published in version 2."""
    withhold(task, staff_user)
    first = publish(small_notice)
    withhold(task, staff_user, on=False)
    task.refresh_from_db()
    task.title = PUBLISHED_TITLE
    save_record(task, staff_user)
    move_visible_task(small_round, staff_user)
    return first, publish(small_notice)


@pytest.fixture
def published_then_withheld(small_round, small_notice, task, publish, staff_user):
    first = publish(small_notice)
    withhold(task, staff_user)
    move_visible_task(small_round, staff_user)
    return first, publish(small_notice)


@pytest.fixture
def withheld_in_both(small_round, small_notice, task, publish, staff_user):
    """Withheld in both versions; its status changes between them."""
    withhold(task, staff_user)
    first = publish(small_notice)
    change_status([task], Status.COMPLETED, staff_user)
    move_visible_task(small_round, staff_user)
    return first, publish(small_notice)


def changes_page(reader, publication, since=None, **extra):
    query = {"since": since.pk} if since else {}
    query.update(extra.pop("query", {}))
    response = reader.get(reverse("public:notice_changes", args=[publication.pk]), query,
                          **extra)
    assert response.status_code == 200
    return response


def assert_tells_no_secret(html: str, *, number_published: bool = False) -> None:
    """Nothing of the withheld task: title, measure, ground, note, nor its number (unless a
    version compared publishes that task, under its published title)."""
    text = page_text(html)
    secrets = [SECRET, SECRET_MEASURE, NOTE, "在办案件", "open_case", "不向社会公开",
               "是否向社会公开"]
    if not number_published:
        secrets.append(NUMBER)
    for secret in secrets:
        assert secret not in html, secret
        assert secret not in text, secret


def public_readers(client, clerk_client):
    return {"anonymous": client, "clerk": clerk_client}


def party_readers(staff_client, auditor_client):
    return {"staff": staff_client, "auditor": auditor_client}


def test_withheld_in_the_older_version_published_in_the_newer(
        client, clerk_client, staff_client, auditor_client, withheld_then_published):
    first, second = withheld_then_published
    for name, reader in public_readers(client, clerk_client).items():
        for response in (changes_page(reader, second), changes_page(reader, first, second)):
            html = response.content.decode()
            assert_tells_no_secret(html, number_published=True)
            assert f"{NUMBER} {PUBLISHED_TITLE}" in page_text(html)
            # Listed now, so shown as listed now: by its published title, never as withheld.
            assert PUBLISHED_TITLE in html and VISIBLE in html, name
            added = [c for c in response.context["changes"] if c.kind == "added"]
            assert [c.task["title"] for c in added] == [PUBLISHED_TITLE]
            assert "本版新列出" in html and "新增" not in html
            assert response.context["comparison"].unlisted == 0
        text = page_text(changes_page(reader, second).content)
        assert "第1版另有1项未公开。" in text and "本版另有" not in text, name
        back = page_text(changes_page(reader, first, second).content)
        assert "本版另有1项未公开。" in back and "第2版另有" not in back, name
    for name, reader in party_readers(staff_client, auditor_client).items():
        response = changes_page(reader, second)
        html = response.content.decode()
        changes = {c.task["id"]: c for c in response.context["changes"]}
        change = changes[withheld_then_published[0].snapshot["withheld"][0]["id"]]
        assert change.kind == "changed", name
        assert ("问题", SECRET, PUBLISHED_TITLE) in change.fields
        withheld = f"不向社会公开：在办案件（{NOTE}）"
        assert ("是否向社会公开", withheld, "向社会公开") in change.fields
        assert SECRET in html and NOTE in html and NUMBER in html
        assert "未公开。" not in html


def test_published_in_the_older_version_withheld_in_the_newer(
        client, clerk_client, staff_client, auditor_client, published_then_withheld):
    first, second = published_then_withheld
    for name, reader in public_readers(client, clerk_client).items():
        response = changes_page(reader, second)
        html = response.content.decode()
        assert_tells_no_secret(html)
        assert "本版未列出" not in html, name
        assert [c.task["title"] for c in response.context["changes"]] == [VISIBLE]
        text = page_text(html)
        assert "本版另有1项未公开。" in text, name
        assert "第1版另有" not in text
        assert "第1版列出的1项任务，第2版未列出。" in text
        back = page_text(changes_page(reader, first, second).content)
        assert_tells_no_secret(back)
        assert "第2版另有1项未公开。" in back and "本版另有" not in back
    for name, reader in party_readers(staff_client, auditor_client).items():
        response = changes_page(reader, second)
        html = response.content.decode()
        changes = {c.task["title"]: c for c in response.context["changes"]}
        assert set(changes) == {VISIBLE, SECRET}, name
        assert ("是否向社会公开", "向社会公开", f"不向社会公开：在办案件（{NOTE}）") in \
            changes[SECRET].fields
        assert NUMBER in html and SECRET in html and NOTE in html
        assert "不向社会公开：在办案件" in page_text(html)
        assert "未公开。" not in html and "未列出" not in html


def test_withheld_in_both_versions(client, clerk_client, staff_client, auditor_client,
                                   withheld_in_both):
    first, second = withheld_in_both
    for name, reader in public_readers(client, clerk_client).items():
        for response in (changes_page(reader, second), changes_page(reader, first, second)):
            html = response.content.decode()
            assert_tells_no_secret(html)
            assert [c.task["title"] for c in response.context["changes"]] == [VISIBLE], name
            text = page_text(html)
            assert "本版另有1项未公开。" in text
            assert "未列出" not in text
        assert "第1版另有1项未公开。" in page_text(changes_page(reader, second).content)
        assert "第2版另有1项未公开。" in page_text(changes_page(reader, first, second).content)
    for name, reader in party_readers(staff_client, auditor_client).items():
        response = changes_page(reader, second)
        html = response.content.decode()
        changes = {c.task["title"]: c for c in response.context["changes"]}
        assert set(changes) == {VISIBLE, SECRET}, name
        assert changes[SECRET].status_changed
        assert NUMBER in html and NOTE in html
        assert "不向社会公开：在办案件" in page_text(html)
        assert "未公开。" not in html


def test_staff_asking_for_the_public_versions_get_the_public_comparison(
        staff_client, auditor_client, published_then_withheld):
    _first, second = published_then_withheld
    for reader in (staff_client, auditor_client):
        response = changes_page(reader, second, query={"audience": "public"})
        assert response.context["audience"] == "public"
        assert_tells_no_secret(response.content.decode())
        assert "本版另有1项未公开。" in page_text(response.content)


def test_a_public_comparison_reads_public_snapshots_only(published_then_withheld):
    from rectify.public.notice_changes import compare_versions

    first, second = published_then_withheld
    with pytest.raises(PermissionError):
        compare_versions(first.snapshot, second.public_snapshot, "public")
    comparison = compare_versions(first.public_snapshot, second.public_snapshot, "public")
    assert (comparison.withheld_before, comparison.withheld_after, comparison.unlisted) == (0, 1, 1)
    assert all(c.kind != "removed" for c in comparison.changes)


def test_the_count_sentence_with_an_english_browser(client, published_then_withheld):
    _first, second = published_then_withheld
    response = changes_page(client, second, HTTP_ACCEPT_LANGUAGE="en")
    # The public pages are Chinese whatever the browser asks for (the notices are Chinese).
    assert response["Content-Language"] == "zh-CN"
    assert_tells_no_secret(response.content.decode())
    assert "本版另有1项未公开。" in page_text(response.content)
    with translation.override("en"):
        one = translation.ngettext("本版另有%(counter)s项未公开。", "本版另有%(counter)s项未公开。",
                                   1) % {"counter": 1}
        two = translation.ngettext("第%(version)s版另有%(counter)s项未公开。",
                                   "第%(version)s版另有%(counter)s项未公开。",
                                   2) % {"counter": 2, "version": 3}
    assert one == "This version has 1 more task that is not made public."
    assert two == "Version 3 has 2 more tasks that are not made public."
