"""Headers (issue 13): a Content-Security-Policy on every page, with no inline script, style or
``on*`` handler left to need ``'unsafe-inline'``; ``Cache-Control: private, no-store`` on what
signed-in users are shown and on downloads, the anonymous public pages cacheable as before."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from rectify.models import Evidence, InspectionRound, Measure, RectificationTask
from rectify.services.evidence_files import add_evidence
from tests.evidence_helpers import add_pdf_evidence
from tests.seed_helpers import demo_client, demo_user
from tests.test_evidence import make_png

pytestmark = pytest.mark.usefixtures("evidence_root")


def directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    parts = [part.split() for part in header.split(";") if part.strip()]
    return {part[0]: part[1:] for part in parts}


def assert_strict_policy(response) -> None:
    policy = directives(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"] and policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"] and policy["base-uri"] == ["'self'"]
    assert policy["form-action"] == ["'self'"] and policy["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]


class InlineFinder(HTMLParser):
    """What a strict policy would block: inline scripts (data blocks such as
    ``type="application/json"`` are not run and stay allowed), ``<style>`` elements,
    ``style`` attributes and ``on*`` event handler attributes."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "script" and not attributes.get("src") and \
                attributes.get("type") not in ("application/json", "application/ld+json"):
            self.found.append(f"<script> at line {self.getpos()[0]}")
        if tag == "style":
            self.found.append(f"<style> at line {self.getpos()[0]}")
        for name, _value in attrs:
            if name == "style" or name.startswith("on"):
                self.found.append(f"<{tag} {name}=…> at line {self.getpos()[0]}")


def inline_code(response) -> list[str]:
    finder = InlineFinder()
    finder.feed(response.content.decode())
    return finder.found


# -- Content-Security-Policy ---------------------------------------------------------------------


@pytest.fixture
def xinye_task(seeded):
    """A Xinye task with a measure, an image and a PDF (the previews), as on a busy page."""
    task = RectificationTask.objects.filter(
        round__party_group__name="中共新野县教育体育局党组").order_by("pk").first()
    clerk = demo_user("clerk_xinye")
    if not Measure.objects.filter(task=task).exists():
        Measure.objects.create(task=task, position=1, text="全面开展排查。")
    add_pdf_evidence(task, clerk, "会议纪要.pdf")
    add_evidence(task, SimpleUploadedFile("现场照片.png", make_png(), content_type="image/png"),
                 clerk, "现场照片")
    return task


def main_pages(task) -> list[tuple[str, str]]:
    """(user, address) of the pages of every surface."""
    round_ = InspectionRound.objects.get(pk=task.round_id)
    pages = [
        ("", "/accounts/login/"),
        ("", "/notices/"),
        ("clerk_xinye", "/work/"),
        ("clerk_xinye", f"/work/tasks/{task.pk}/"),
        ("clerk_xinye", f"/work/measures/{Measure.objects.filter(task=task).first().pk}/"),
        ("clerk_xinye", "/work/notifications/"),
        ("staff", f"/work/tasks/{task.pk}/"),
        ("staff", "/work/review/"),
        ("staff", "/work/overview/"),
        ("staff", "/dashboard/"),
        ("clerk_xinye", "/dashboard/"),
        ("staff", "/ledger/"),
        ("staff", "/admin/"),
        ("staff", "/admin/rectify/rectificationtask/"),
        ("staff", f"/admin/rectify/rectificationtask/{task.pk}/change/"),
        ("staff", f"/admin/rectify/rectificationtask/{task.pk}/history/"),
        ("staff", "/admin/rectify/inspectionround/"),
        ("staff", f"/admin/rectify/inspectionround/{round_.pk}/change/"),
        ("staff", "/admin/rectify/notice/"),
        ("staff", "/admin/rectify/publication/"),
        ("staff", "/api/docs/"),
        ("clerk_xinye", "/work/no-such-page/"),
        ("", "/notices/no-such-page/"),
    ]
    return pages


@pytest.mark.django_db
def test_every_main_page_has_the_policy_and_no_inline_code(seeded, xinye_task, settings):
    settings.DEBUG = False  # the error pages as in production (``seeded`` turns DEBUG on)
    clients = {"": Client()}
    problems = {}
    for username, address in main_pages(xinye_task):
        if username not in clients:
            clients[username] = demo_client(username)
        response = clients[username].get(address)
        assert response.status_code in (200, 404), (address, response.status_code)
        assert_strict_policy(response)
        found = inline_code(response)
        if found:
            problems[address] = found
    assert problems == {}


@pytest.mark.django_db
def test_the_public_notice_pages_have_the_policy(seeded, client):
    publication = seeded["xinye"]
    for address in (publication.get_absolute_url(), "/notices/feed/"):
        response = client.get(address)
        assert response.status_code == 200
        assert_strict_policy(response)
    page = client.get(publication.get_absolute_url())
    assert inline_code(page) == []


@pytest.mark.django_db
def test_swagger_ui_loads_its_start_script_from_a_file(staff_client):
    page = staff_client.get(reverse("api:docs"))
    assert page.status_code == 200 and inline_code(page) == []
    assert_strict_policy(page)
    script = staff_client.get(reverse("api:docs") + "?script=")
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in script.content.decode()


@pytest.mark.django_db
def test_the_delete_forms_ask_through_a_static_script(seeded, xinye_task):
    page = demo_client("clerk_xinye").get(f"/work/tasks/{xinye_task.pk}/").content.decode()
    assert 'data-confirm="确定删除这条整改措施？"' in page
    assert 'data-confirm="确定删除这份佐证材料？"' in page
    assert "rectify/confirm.js" in page


@pytest.mark.django_db
def test_an_image_preview_keeps_its_own_sandboxed_policy(seeded, xinye_task):
    image = Evidence.objects.get(task=xinye_task, original_name="现场照片.png")
    response = demo_client("clerk_xinye").get(
        reverse("work:evidence", kwargs={"pk": image.pk}) + "?inline=1")
    assert response.status_code == 200
    policy = directives(response)
    assert "sandbox" in policy and policy["frame-ancestors"] == ["'self'"]


# -- Cache-Control ------------------------------------------------------------------------------


def private(response) -> bool:
    values = {part.strip() for part in response.get("Cache-Control", "").split(",")}
    return {"private", "no-store"} <= values


@pytest.mark.django_db
def test_signed_in_pages_and_downloads_are_private(seeded, xinye_task, api_client):
    clerk = demo_client("clerk_xinye")
    for address in ("/work/", f"/work/tasks/{xinye_task.pk}/", "/work/overview/",
                    "/ledger/", "/ledger/?export=1", "/notices/"):
        response = clerk.get(address)
        assert response.status_code == 200, address
        assert private(response), (address, response.get("Cache-Control"))
    evidence = Evidence.objects.filter(task=xinye_task).first()
    download = clerk.get(reverse("work:evidence", kwargs={"pk": evidence.pk}))
    assert download.status_code == 200 and private(download)
    api = api_client(demo_user("clerk_xinye"))
    for address in (reverse("api:evidence-download", args=[evidence.pk]),
                    reverse("api:task-detail", args=[xinye_task.pk])):
        response = api.get(address)
        assert response.status_code == 200 and private(response), address


@pytest.mark.django_db
def test_anonymous_public_pages_stay_cacheable(seeded, client):
    publication = seeded["xinye"]
    for address in ("/notices/", publication.get_absolute_url()):
        response = client.get(address)
        assert response.status_code == 200
        assert "no-store" not in response.get("Cache-Control", ""), address
    page = client.get(publication.get_absolute_url())
    assert page.has_header("ETag") and page.has_header("Last-Modified")
    again = client.get(publication.get_absolute_url(), HTTP_IF_NONE_MATCH=page["ETag"])
    assert again.status_code == 304


@pytest.mark.django_db
def test_a_view_that_sets_its_own_cache_control_keeps_it(seeded):
    response = demo_client("staff").get("/admin/")  # the admin's never_cache
    assert "no-cache" in response["Cache-Control"] and "private" in response["Cache-Control"]


@pytest.mark.django_db
def test_no_admin_list_or_form_has_inline_code(seeded, xinye_task):
    from django.contrib import admin

    staff = demo_client("staff")
    problems, seen = {}, 0
    for model in admin.site._registry:
        name = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        for address in (reverse(f"{name}_changelist"), reverse(f"{name}_add")):
            response = staff.get(address)
            if response.status_code != 200:
                continue
            seen += 1
            assert_strict_policy(response)
            if inline_code(response):
                problems[address] = inline_code(response)
    assert seen >= 10 and problems == {}


@pytest.mark.django_db
def test_the_import_preview_indents_the_tree_without_inline_style(staff_client):
    from pathlib import Path

    seed = Path(__file__).resolve().parent.parent / "fixtures" / "notices" / \
        "001_eae98d11af12162c.txt"
    upload = SimpleUploadedFile("notice.txt", seed.read_bytes(), content_type="text/plain")
    response = staff_client.post(reverse("admin:rectify_inspectionround_import"),
                                 {"step": "preview", "file": upload})
    assert response.status_code == 200 and "整改任务 53 项" in response.content.decode()
    assert inline_code(response) == []
    assert 'class="indent-4"' in response.content.decode()  # ① under 1) under 1. under (一)
