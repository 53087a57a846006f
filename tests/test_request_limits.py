"""Limits before parsing: a body declared larger than its route allows is answered 413 before
anything reads it, on every surface; a body without a length is not read past the limit; a
.docx whose XML unpacks beyond NOTICE_MAX_XML_BYTES is refused without unpacking it."""

from __future__ import annotations

import io
import struct
import tracemalloc
import zipfile

import pytest
from django.urls import reverse

from rectify.notice_import import NoticeReadError, read_notice_file

pytestmark = pytest.mark.django_db

MB = 1024 * 1024
W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


class UnreadableBody:
    """A ``wsgi.input`` that fails the test if anything reads it."""

    def read(self, *args):
        raise AssertionError("the body was read")

    readline = read


class EndlessBody:
    """A ``wsgi.input`` with no end (a chunked upload that never stops); counts what is read."""

    def __init__(self):
        self.read_bytes = 0

    def read(self, size=-1):
        size = 64 * 1024 if size is None or size < 0 else size
        self.read_bytes += size
        return b"a" * size

    def readline(self, size=-1):
        return self.read(size)


def declare(client, url, length, body=None, **extra):
    """POST declaring ``length`` bytes of multipart body, with ``body`` as the input."""
    return client.post(url, CONTENT_TYPE="multipart/form-data; boundary=xyz",
                       CONTENT_LENGTH=str(length),
                       **{"wsgi.input": body or UnreadableBody()}, **extra)


def evidence_limit(settings):
    return settings.EVIDENCE_MAX_BYTES + settings.DATA_UPLOAD_MAX_MEMORY_SIZE


@pytest.mark.parametrize("url", ["/work/tasks/8/evidence/", "/work/tasks/8/proposal/"])
def test_oversize_evidence_upload_is_413_before_the_body_is_read(client, settings, url):
    response = declare(client, url, 300 * MB)
    assert response.status_code == 413
    assert "请求体过大" in response.content.decode()
    assert response["Content-Type"].startswith("text/html")
    # Just over the route's own limit: still refused, before reading.
    assert declare(client, url, evidence_limit(settings) + 1).status_code == 413


def test_oversize_evidence_upload_of_a_signed_in_clerk_is_413(client, clerk_user, settings):
    client.force_login(clerk_user)
    assert declare(client, "/work/tasks/8/evidence/", 300 * MB).status_code == 413


def test_evidence_route_takes_more_than_an_ordinary_form(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    settings.EVIDENCE_MAX_BYTES = 500_000
    # 200 KB: too much for the login form, fine for an evidence upload (which then sends an
    # anonymous visitor to the login page, still without reading the body).
    assert declare(client, reverse("login"), 200_000).status_code == 413
    response = declare(client, "/work/tasks/8/evidence/", 200_000)
    assert response.status_code == 302 and reverse("login") in response["Location"]


@pytest.mark.parametrize("url", ["/accounts/login/", "/ledger/import/", "/admin/login/",
                                 "/work/tasks/8/progress/", "/notices/"])
def test_oversize_bodies_elsewhere_are_413(client, url):
    assert declare(client, url, 300 * MB).status_code == 413


def test_ledger_import_limit_is_its_own(client, auditor_user, settings):
    settings.LEDGER_MAX_UPLOAD_BYTES = 1_000
    client.force_login(auditor_user)
    limit = settings.LEDGER_MAX_UPLOAD_BYTES + settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    assert declare(client, "/ledger/import/", limit + 1).status_code == 413


def test_notice_import_in_the_admin_is_413(client, staff_user, settings):
    client.force_login(staff_user)
    url = reverse("admin:rectify_inspectionround_import")
    limit = settings.NOTICE_MAX_UPLOAD_BYTES + settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    assert declare(client, url, limit + 1).status_code == 413


def test_api_upload_is_a_json_413(client, settings):
    response = declare(client, "/api/tasks/8/evidence/", 300 * MB)
    assert response.status_code == 413
    body = response.json()
    assert body["code"] == "too_large" and "请求体过大" in body["detail"]


def test_the_413_speaks_the_readers_language(client):
    response = declare(client, "/accounts/login/", 300 * MB, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 413
    assert "too large" in response.content.decode().lower()


def test_a_body_within_the_limit_is_read(client, clerk_user):
    response = client.post(reverse("login"), {"username": "clerk_a", "password": "wrong"})
    assert response.status_code == 200  # the form again, with its message: not refused


def test_a_body_without_a_length_is_not_read_past_the_limit(client, settings):
    """Chunked (no Content-Length): Django reads nothing of it, so nothing past any limit."""
    body = EndlessBody()
    response = client.post(reverse("login"), CONTENT_TYPE="application/x-www-form-urlencoded",
                           HTTP_TRANSFER_ENCODING="chunked", **{"wsgi.input": body})
    assert response.status_code == 200  # an empty form
    assert body.read_bytes <= settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    body = EndlessBody()
    response = client.post("/work/tasks/8/evidence/", HTTP_TRANSFER_ENCODING="chunked",
                           CONTENT_TYPE="multipart/form-data; boundary=xyz",
                           **{"wsgi.input": body})
    assert response.status_code == 302
    assert body.read_bytes <= settings.EVIDENCE_MAX_BYTES


# -- the notice reader: .docx bombs ------------------------------------------------------------


def docx_bomb(xml_bytes: int) -> bytes:
    """A real .docx (python-docx's template) whose document.xml is ``xml_bytes`` of short
    paragraphs, compressed to very little."""
    import docx

    template = io.BytesIO()
    docx.Document().save(template)
    buffer = io.BytesIO()
    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    with zipfile.ZipFile(template) as source, \
            zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            if info.filename != "word/document.xml":
                archive.writestr(info, source.read(info))
        with archive.open("word/document.xml", "w", force_zip64=True) as part:
            part.write(f"<w:document {w}><w:body>".encode())
            chunk = "<w:p><w:r><w:t>整改</w:t></w:r></w:p>".encode() * 2000
            written = 0
            while written < xml_bytes:
                part.write(chunk)
                written += len(chunk)
            part.write(b"</w:body></w:document>")
    return buffer.getvalue()


def test_a_docx_bomb_is_refused_without_unpacking_it():
    data = docx_bomb(190 * MB)
    assert len(data) < MB
    tracemalloc.start()
    try:
        with pytest.raises(NoticeReadError, match="解压后过大"):
            read_notice_file(data, "bomb.docx")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 5 * MB


def lying_about_sizes(data: bytes, claimed: int) -> bytes:
    """The zip with every size of document.xml in its directory replaced by ``claimed``."""
    data = bytearray(data)
    name = b"word/document.xml"
    start = 0
    while (at := data.find(name, start)) != -1:
        header = at - 46 if data[at - 46:at - 42] == b"PK\x01\x02" else at - 30
        if data[header:header + 4] == b"PK\x01\x02":  # central directory: sizes at 20, 24
            struct.pack_into("<I", data, header + 24, claimed)
        elif data[header:header + 4] == b"PK\x03\x04":  # local header: sizes at 18, 22
            struct.pack_into("<I", data, header + 22, claimed)
        start = at + len(name)
    return bytes(data)


def test_a_docx_lying_about_its_sizes_is_refused_while_unpacking(settings):
    settings.NOTICE_MAX_XML_BYTES = MB
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml",
                         f"<w:document {W}><w:body>" + "<w:p><w:r><w:t>整改</w:t></w:r></w:p>"
                         * 200_000 + "</w:body></w:document>")
    data = lying_about_sizes(buffer.getvalue(), 1000)
    assert zipfile.ZipFile(io.BytesIO(data)).getinfo("word/document.xml").file_size == 1000
    tracemalloc.start()
    try:
        with pytest.raises(NoticeReadError):
            read_notice_file(data, "liar.docx")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 5 * MB


def test_a_docx_within_the_xml_limit_is_read(settings):
    settings.NOTICE_MAX_XML_BYTES = MB
    data = docx_bomb(MB // 2)
    assert read_notice_file(data, "fine.docx").startswith("整改\n整改\n")


def test_the_admin_import_says_why_a_bomb_is_refused(client, staff_user):
    client.force_login(staff_user)
    url = reverse("admin:rectify_inspectionround_import")
    upload = io.BytesIO(docx_bomb(190 * MB))
    upload.name = "bomb.docx"
    response = client.post(url, {"step": "preview", "file": upload})
    assert response.status_code == 200
    assert "解压后过大" in response.content.decode()
