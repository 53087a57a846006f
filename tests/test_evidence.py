"""Evidence files (佐证材料): checked by content, stored under a generated name, removed with
their row; nothing is left behind when a file is refused."""

from __future__ import annotations

import hashlib
import io
import struct
import zipfile
import zlib

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile
from django.utils import timezone
from docx import Document

from rectify.models import Evidence, RectificationTask
from rectify.rules.file_checks import check_upload
from rectify.services.evidence_files import add_evidence, delete_evidence
from tests.evidence_helpers import EXE, make_pdf, stored_files

pytestmark = pytest.mark.usefixtures("evidence_root")

# -- real files, built here ---------------------------------------------------------------------


def make_png() -> bytes:
    """A 1×1 red pixel."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels)
            + chunk(b"IEND", b""))


def make_docx() -> bytes:
    document = Document()
    document.add_paragraph("关于整改落实情况的报告")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def make_xlsx() -> bytes:
    workbook = openpyxl.Workbook()
    workbook.active["A1"] = "整改台账"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def make_ole() -> bytes:
    """A compound-file (legacy Office) header: magic, version 3, byte order FFFE, 512-byte
    sectors; padded to one header and one sector."""
    header = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 16
              + struct.pack("<HHHH", 0x3E, 3, 0xFFFE, 9))
    return header.ljust(1024, b"\x00")


def make_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "not a document")
    return out.getvalue()


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


# -- fixtures -----------------------------------------------------------------------------------


@pytest.fixture
def task(small_round):
    return RectificationTask.objects.filter(round=small_round).order_by("pk").first()


def sign_off(task, staff_user) -> None:
    """Signed off in the database only: the caller's copy of the task is stale on purpose."""
    RectificationTask.objects.filter(pk=task.pk).update(
        signed_off_at=timezone.now(), signed_off_by=staff_user)


# -- accepted files -----------------------------------------------------------------------------


@pytest.mark.parametrize("name, maker, extension, content_type, kind", [
    ("整改报告.pdf", make_pdf, "pdf", "application/pdf", "PDF 文档"),
    ("现场照片.PNG", make_png, "png", "image/png", "PNG 图片"),
    ("整改方案.docx", make_docx, "docx",
     "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "Word 文档"),
    ("整改台账.xlsx", make_xlsx, "xlsx",
     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Excel 表格"),
    ("会议纪要.doc", make_ole, "doc", "application/msword", "Word 97-2003 文档"),
    ("统计表.xls", make_ole, "xls", "application/vnd.ms-excel", "Excel 97-2003 表格"),
])
def test_accepted_file_is_stored_under_a_generated_name(
        task, clerk_user, evidence_root, name, maker, extension, content_type, kind):
    content = maker()
    evidence = add_evidence(task, upload(name, content), clerk_user, "  第一批材料 ")

    evidence.refresh_from_db()
    assert evidence.original_name == name
    assert (evidence.extension, evidence.content_type) == (extension, content_type)
    assert evidence.size == len(content)
    assert evidence.sha256 == hashlib.sha256(content).hexdigest()
    assert evidence.description == "第一批材料"
    assert evidence.uploaded_by == clerk_user

    [path] = stored_files(evidence_root)
    assert path.read_bytes() == content  # byte-identical round trip
    assert path.suffix == f".{extension}"
    assert name.rsplit(".", 1)[0] not in str(path)  # the user's name is never on disk
    assert path == evidence_root / evidence.file.name
    with evidence.file.open("rb") as stored:
        assert stored.read() == content

    [row] = evidence.history.all()
    assert row.history_type == "+"
    assert row.history_user == clerk_user
    assert row.history_change_reason == f"上传佐证材料“{name}”"
    assert check_upload(upload(name, content)).kind == kind


def test_check_reports_the_content_and_rewinds():
    content = make_png()
    file = upload("photo.png", content)
    file.read(5)  # wherever the caller left it
    checked = check_upload(file)
    assert checked.extension == "png"
    assert checked.kind == "PNG 图片"
    assert checked.size == len(content)
    assert checked.sha256 == hashlib.sha256(content).hexdigest()
    assert file.tell() == 0


def test_user_alias_of_an_extension_is_kept():
    jpeg = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 100
    assert check_upload(upload("photo.jpeg", jpeg)).extension == "jpeg"
    assert check_upload(upload("photo.JPG", jpeg)).extension == "jpg"
    assert check_upload(upload("photo.jpg", jpeg)).content_type == "image/jpeg"


def test_a_large_temporary_upload_round_trips(task, clerk_user, evidence_root):
    """Uploads over the in-memory limit come as temporary files that the storage moves."""
    content = make_pdf() + b"%" + b"x" * 300_000 + b"\n"
    file = TemporaryUploadedFile("大文件.pdf", "application/pdf", len(content), None)
    file.write(content)
    file.seek(0)
    evidence = add_evidence(task, file, clerk_user)
    file.close()  # as the request does when it ends
    [path] = stored_files(evidence_root)
    assert path.read_bytes() == content
    assert evidence.sha256 == hashlib.sha256(content).hexdigest()


def test_client_side_path_is_dropped_from_the_name(task, clerk_user):
    file = upload("report.pdf", make_pdf())
    file.name = "C:\\fakepath\\..\\整改报告.pdf"  # as old browsers send it
    evidence = add_evidence(task, file, clerk_user)
    assert evidence.original_name == "整改报告.pdf"


def test_a_very_long_name_keeps_its_extension(task, clerk_user):
    evidence = add_evidence(task, upload("长" * 300 + ".pdf", make_pdf()), clerk_user)
    assert len(evidence.original_name) == 255
    assert evidence.original_name.endswith("长.pdf")


# -- refused files ------------------------------------------------------------------------------


@pytest.mark.parametrize("name, content, message", [
    ("setup.pdf", EXE, "文件“setup.pdf”的内容不是 PDF 文档（实际是可执行程序），未保存。"),
    ("photo.pdf", make_png(),
     "文件“photo.pdf”的内容不是 PDF 文档（实际是 PNG 图片），未保存。"
     "如内容无误，请把扩展名改为“.png”后重新上传。"),
    ("方案.docx", make_zip(), "文件“方案.docx”的内容不是 Word 文档（实际是 ZIP 压缩包），未保存。"),
    ("台账.xlsx", make_docx(), "文件“台账.xlsx”的内容不是 Excel 表格（实际是 Word 文档）"),
    ("报告.pdf", b"just some text\n",
     "文件“报告.pdf”的内容不是 PDF 文档（无法识别的格式），未保存。"),
    ("报告.pdf", make_ole(),
     "文件“报告.pdf”的内容不是 PDF 文档（实际是 Office 97-2003 等复合文档）"),
    ("报告.doc", make_pdf(), "文件“报告.doc”的内容不是 Word 97-2003 文档（实际是 PDF 文档）"),
    ("page.png", b"<!DOCTYPE html><script>alert(1)</script>", "（实际是网页或 XML 文件）"),
    ("空白.pdf", b"", "文件“空白.pdf”是空文件，未保存。"),
    ("方案.docx", make_docx()[:-200], "文件“方案.docx”已损坏，无法作为 Word 文档 打开，未保存。"),
    ("tool.exe", EXE, "文件“tool.exe”的类型不受支持，只能上传以下格式：pdf、png、jpg、jpeg"),
    ("README", make_pdf(), "文件“README”的类型不受支持"),
    ("archive.zip", make_zip(), "docx、xlsx、pptx、doc、xls、ppt"),
])
def test_refused_file_leaves_nothing_behind(task, clerk_user, evidence_root, name, content,
                                            message):
    with pytest.raises(ValidationError) as refused:
        add_evidence(task, upload(name, content), clerk_user)
    assert message in refused.value.messages[0]
    assert not Evidence.objects.exists()
    assert not Evidence.history.exists()
    assert stored_files(evidence_root) == []


def test_macro_enabled_office_file_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(make_docx())) as source, zipfile.ZipFile(out, "w") as dest:
        for item in source.infolist():
            dest.writestr(item, source.read(item))
        dest.writestr("word/vbaProject.bin", b"\x00" * 16)
    with pytest.raises(ValidationError, match="含有宏代码"):
        check_upload(upload("方案.docx", out.getvalue()))


def test_oversize_file_is_refused_by_its_declared_size(settings, task, clerk_user,
                                                       evidence_root):
    settings.EVIDENCE_MAX_BYTES = 1024 * 1024
    content = make_pdf().ljust(1024 * 1024 + 1, b"\n")
    with pytest.raises(ValidationError) as refused:
        add_evidence(task, upload("大文件.pdf", content), clerk_user)
    assert refused.value.messages == ["文件“大文件.pdf”超过 1 MB 的上限，未保存。"]
    assert not Evidence.objects.exists()
    assert stored_files(evidence_root) == []


def test_oversize_file_without_a_size_is_read_only_up_to_the_limit(settings):
    settings.EVIDENCE_MAX_BYTES = 512 * 1024

    class Stream(io.BytesIO):
        name = "长报告.pdf"
        read_bytes = 0

        def read(self, n=-1):
            data = super().read(n)
            self.read_bytes += len(data)
            return data

    stream = Stream(make_pdf().ljust(5 * 1024 * 1024, b"\n"))
    with pytest.raises(ValidationError, match="超过 0.5 MB 的上限"):
        check_upload(stream)
    assert stream.read_bytes == 512 * 1024 + 1
    assert stream.tell() == 0


def test_file_is_removed_when_saving_the_row_fails(task, clerk_user, evidence_root,
                                                   monkeypatch):
    from rectify.services import evidence_files as service

    def save_then_fail(obj, *args, **kwargs):
        real_save_record(obj, *args, **kwargs)
        assert stored_files(evidence_root)  # the file was written ...
        raise RuntimeError("database went away")

    real_save_record = service.save_record
    monkeypatch.setattr(service, "save_record", save_then_fail)
    with pytest.raises(RuntimeError):
        add_evidence(task, upload("报告.pdf", make_pdf()), clerk_user)
    assert not Evidence.objects.exists()  # ... and both are gone
    assert stored_files(evidence_root) == []


# -- signed-off tasks and deleting --------------------------------------------------------------


def test_no_upload_to_a_signed_off_task(task, clerk_user, staff_user, evidence_root):
    sign_off(task, staff_user)
    with pytest.raises(ValidationError) as refused:
        add_evidence(task, upload("报告.pdf", make_pdf()), clerk_user)
    [message] = refused.value.messages
    assert "由 staff 销号，已锁定" in message and "重新打开" in message
    assert not Evidence.objects.exists()
    assert stored_files(evidence_root) == []


def test_delete_removes_the_row_and_after_commit_the_file(
        task, clerk_user, evidence_root, django_capture_on_commit_callbacks):
    evidence = add_evidence(task, upload("报告.pdf", make_pdf()), clerk_user)
    keep = add_evidence(task, upload("照片.png", make_png()), clerk_user)
    pk = evidence.pk
    [path] = [p for p in stored_files(evidence_root) if p.suffix == ".pdf"]

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        delete_evidence(evidence, clerk_user, "传错了")
    assert not Evidence.objects.filter(pk=pk).exists()
    assert path.exists()  # not before the commit
    assert len(callbacks) == 1
    callbacks[0]()
    assert not path.exists()
    assert [p.name for p in stored_files(evidence_root)] == [keep.file.name.rsplit("/")[-1]]

    row = Evidence.history.filter(id=pk).latest("history_date")
    assert row.history_type == "-"
    assert row.history_user == clerk_user
    assert row.history_change_reason == "删除佐证材料“报告.pdf”：传错了"


def test_delete_runs_file_removal_on_commit(task, clerk_user, evidence_root,
                                            django_capture_on_commit_callbacks):
    evidence = add_evidence(task, upload("报告.pdf", make_pdf()), clerk_user)
    with django_capture_on_commit_callbacks(execute=True):
        delete_evidence(evidence, clerk_user)
    assert stored_files(evidence_root) == []
    assert Evidence.history.filter(history_type="-").get().history_change_reason == (
        "删除佐证材料“报告.pdf”")


def test_no_delete_on_a_signed_off_task(task, clerk_user, staff_user, evidence_root,
                                        django_capture_on_commit_callbacks):
    evidence = add_evidence(task, upload("报告.pdf", make_pdf()), clerk_user)
    sign_off(task, staff_user)
    with django_capture_on_commit_callbacks(execute=True), \
            pytest.raises(ValidationError) as refused:
        delete_evidence(Evidence.objects.get(pk=evidence.pk), clerk_user)
    assert "销号，已锁定" in refused.value.messages[0]
    assert Evidence.objects.filter(pk=evidence.pk).exists()
    assert len(stored_files(evidence_root)) == 1
