"""The review panel's evidence previews (inline, sandboxed downloads) and the task list's
filter fold (issue 12 point 8)."""

from __future__ import annotations

import re

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse

from rectify.models import Evidence, RectificationTask
from rectify.models.choices import Status
from tests.evidence_helpers import add_pdf_evidence, make_pdf

pytestmark = pytest.mark.usefixtures("evidence_root")

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
       b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N"
       b"\x00\x00\x00\x00IEND\xaeB`\x82")


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def task(small_round):
    return RectificationTask.objects.filter(round=small_round).order_by("pk").first()


def stored(task, name: str, content: bytes, content_type: str, extension: str) -> Evidence:
    """Evidence as the upload service would have stored it (its content type checked)."""
    return Evidence.objects.create(task=task, file=ContentFile(content, name=name),
                                   original_name=name, extension=extension,
                                   content_type=content_type, size=len(content), sha256="0" * 64)


def evidence_url(evidence, inline: bool = False) -> str:
    address = reverse("work:evidence", kwargs={"pk": evidence.pk})
    return f"{address}?inline=1" if inline else address


# -- the inline download ----------------------------------------------------------------------


def test_inline_pdf_opens_in_its_own_tab_and_may_not_be_framed(staff_client, clerk_user, task):
    # The browser's PDF viewer does not run in a sandbox: the PDF is not sandboxed, and no
    # page may frame it.
    evidence = add_pdf_evidence(task, clerk_user, "验收报告.pdf")
    for client in (staff_client, login(clerk_user)):
        response = client.get(evidence_url(evidence, inline=True))
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == make_pdf()
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith("inline")
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "Content-Security-Policy" not in response
        assert response["X-Frame-Options"] == "DENY"


def test_inline_image(staff_client, task):
    evidence = stored(task, "现场照片.png", PNG, "image/png", "png")
    response = staff_client.get(evidence_url(evidence, inline=True))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("inline")
    assert response["Content-Type"] == "image/png"
    assert "sandbox" in response["Content-Security-Policy"]


def test_plain_download_stays_an_attachment(staff_client, clerk_user, task):
    evidence = add_pdf_evidence(task, clerk_user)
    response = staff_client.get(evidence_url(evidence))
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert "Content-Security-Policy" not in response


def test_inline_is_refused_for_a_type_that_is_not_previewable(staff_client, task):
    evidence = stored(task, "整改方案.docx", b"PK\x03\x04not really", DOCX, "docx")
    response = staff_client.get(evidence_url(evidence, inline=True))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Content-Type"] == DOCX
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "Content-Security-Policy" not in response
    assert response["X-Frame-Options"] == "DENY"


def test_inline_keeps_the_permission_rule(client, other_clerk, clerk_user, task):
    evidence = add_pdf_evidence(task, clerk_user)
    address = evidence_url(evidence, inline=True)
    assert login(other_clerk).get(address).status_code == 404
    response = client.get(address)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# -- the review panel -------------------------------------------------------------------------


def proposal_panel(client, task) -> str:
    page = client.get(reverse("work:task", kwargs={"pk": task.pk})).content.decode()
    start = page.index('<section id="proposal"')
    return page[start:page.index("</section>", start)]


def test_review_panel_previews_images_and_pdfs_and_links_office_files(staff_client, clerk_user,
                                                                      task):
    pdf = add_pdf_evidence(task, clerk_user, "验收报告.pdf")
    image = stored(task, "现场照片.png", PNG, "image/png", "png")
    word = stored(task, "整改方案.docx", b"PK\x03\x04not really", DOCX, "docx")
    task.proposed_status = Status.COMPLETED
    task.proposed_by = clerk_user
    task.save()
    panel = proposal_panel(staff_client, task)
    assert f'<a href="{evidence_url(pdf)}?inline=1" target="_blank" rel="noopener"' in panel
    assert f'<img src="{evidence_url(image)}?inline=1"' in panel
    assert f'<a href="{evidence_url(word)}">整改方案.docx</a>' in panel
    assert f"{evidence_url(word)}?inline=1" not in panel
    assert panel.count("?inline=1") == 3 and panel.count("<img") == 1  # img (in a link), PDF


def test_no_previews_without_a_pending_proposal(staff_client, clerk_user, task):
    add_pdf_evidence(task, clerk_user)
    assert "?inline=1" not in proposal_panel(staff_client, task)


# -- the filter fold --------------------------------------------------------------------------


def fold(client, query: str = "") -> str:
    page = client.get(reverse("work:index") + query).content.decode()
    return re.search(r"<details class=\"filter-fold\"[^>]*>\s*<summary>.*?</summary>", page,
                     re.S).group(0)


def test_filter_fold_is_closed_without_filters(staff_client, small_round):
    html = fold(staff_client)
    assert " open" not in html.split(">")[0]
    assert "已选" not in html
    # A page number alone is not a filter.
    assert " open" not in fold(staff_client, "?page=1").split(">")[0]


def test_filter_fold_is_open_and_counts_active_filters(staff_client, small_round):
    html = fold(staff_client, f"?status={Status.COMPLETED}&q=台账&signed_off=false")
    assert " open" in html.split(">")[0]
    assert "已选 3 项" in html


def test_filter_fold_counts_a_deadline_range_once(staff_client, small_round):
    html = fold(staff_client, "?deadline_after=2023-01-01&deadline_before=2023-12-31")
    assert " open" in html.split(">")[0] and "已选 1 项" in html


def test_filter_fold_is_open_when_filters_are_invalid(staff_client, small_round):
    html = fold(staff_client, "?deadline_after=not-a-date")
    assert " open" in html.split(">")[0]
    assert "条件有误" in html
