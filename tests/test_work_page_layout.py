"""The task page respects a clerk's time: the outcome paragraph is shown and editable, the
saved message appears in the section the user was working in, and the proposal panel comes
after the task's own content."""

from __future__ import annotations

from django.urls import reverse

from rectify.models import RectificationTask
from tests.seed_helpers import demo_client, demo_user


def xinye_task() -> RectificationTask:
    return RectificationTask.objects.filter(
        round__party_group__name="中共新野县教育体育局党组").order_by("position").first()


def test_the_clerk_edits_the_outcome_paragraph(seeded):
    task = xinye_task()
    client = demo_client("clerk_xinye")
    page = client.get(reverse("work:task", args=[task.pk])).content.decode()
    assert 'name="outcome"' in page and task.outcome[:20] in page
    response = client.post(reverse("work:progress", args=[task.pk]), {
        "version": task.version, "progress": task.progress, "outcome": "经过整改，制度更完善。"},
        follow=True)
    task.refresh_from_db()
    assert task.outcome == "经过整改，制度更完善。"
    assert task.history.first().history_user.username == "clerk_xinye"
    # The message is in the progress section, where the redirect puts the user, not on top.
    html = response.content.decode()
    section = html.split('<section id="progress"', 1)[1].split("</section>", 1)[0]
    assert "整改进展已保存。" in section
    top = html.split('<main id="main">', 1)[1].split("<section", 1)[0]
    assert "整改进展已保存。" not in top


def test_the_api_lets_a_clerk_write_the_outcome_and_nothing_else(seeded):
    from rest_framework.test import APIClient

    task = xinye_task()
    client = APIClient()
    client.force_authenticate(demo_user("clerk_xinye"))
    url = reverse("api:task-detail", args=[task.pk])
    response = client.patch(url, {"outcome": "经过整改，成效明显。", "version": task.version},
                            format="json")
    assert response.status_code == 200, response.data
    response = client.patch(url, {"title": "改写", "version": task.version + 1}, format="json")
    assert response.status_code == 400 and "title" in response.data


def test_the_proposal_panel_comes_after_the_task(seeded):
    task = xinye_task()
    html = demo_client("clerk_xinye").get(reverse("work:task", args=[task.pk])).content.decode()
    order = [html.index(f'<section id="{name}"') for name in
             ("measures", "progress", "entries", "evidence", "proposal", "history")]
    assert order == sorted(order)
