"""Content check of an uploaded evidence file (佐证材料).

Policy: only PDF, common images and Office documents are accepted, and the type is decided
by the file's CONTENT (its leading magic bytes, or the member list of an Office Open XML
zip), never by the browser's content type. The name's extension must be an allowed one and
must agree with the content: ``setup.exe`` renamed ``setup.pdf`` is refused, and so is a
PNG named ``.pdf`` or a plain zip named ``.docx``. Legacy Office files (doc/xls/ppt and
WPS's wps/et/dps) share one compound-file header that cannot tell them apart, so there the
extension decides among them. Office Open XML files carrying macros (``vbaProject.bin``)
are refused.

Not checked: whether an image or PDF renders (no decoder is run) and macros inside legacy
compound files. The check reads the file once in chunks, computes its SHA-256 on the way,
reads at most ``EVIDENCE_MAX_BYTES + 1`` bytes, and leaves the file positioned at 0.
"""

from __future__ import annotations

import hashlib
import posixpath
import struct
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

CHUNK_SIZE = 64 * 1024
HEAD_SIZE = 64  # enough leading bytes for every signature below


@dataclass(frozen=True)
class FileType:
    label: str
    content_type: str
    extensions: tuple[str, ...]


_WORD = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_EXCEL = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_POWERPOINT = "application/vnd.openxmlformats-officedocument.presentationml.presentation"

#: The accepted types by key. Labels are marked for translation where they are shown.
TYPES: dict[str, FileType] = {
    "pdf": FileType(gettext_noop("PDF 文档"), "application/pdf", ("pdf",)),
    "png": FileType(gettext_noop("PNG 图片"), "image/png", ("png",)),
    "jpeg": FileType(gettext_noop("JPEG 图片"), "image/jpeg", ("jpg", "jpeg")),
    "gif": FileType(gettext_noop("GIF 图片"), "image/gif", ("gif",)),
    "webp": FileType(gettext_noop("WebP 图片"), "image/webp", ("webp",)),
    "bmp": FileType(gettext_noop("BMP 图片"), "image/bmp", ("bmp",)),
    "docx": FileType(gettext_noop("Word 文档"), _WORD, ("docx",)),
    "xlsx": FileType(gettext_noop("Excel 表格"), _EXCEL, ("xlsx",)),
    "pptx": FileType(gettext_noop("PowerPoint 演示文稿"), _POWERPOINT, ("pptx",)),
    # One compound-file (OLE) header for all of these: the extension picks the type.
    "doc": FileType(gettext_noop("Word 97-2003 文档"), "application/msword", ("doc",)),
    "xls": FileType(gettext_noop("Excel 97-2003 表格"), "application/vnd.ms-excel", ("xls",)),
    "ppt": FileType(gettext_noop("PowerPoint 97-2003 演示文稿"),
                    "application/vnd.ms-powerpoint", ("ppt",)),
    "wps": FileType(gettext_noop("WPS 文字文档"), "application/octet-stream", ("wps",)),
    "et": FileType(gettext_noop("WPS 表格"), "application/octet-stream", ("et",)),
    "dps": FileType(gettext_noop("WPS 演示文稿"), "application/octet-stream", ("dps",)),
}
OLE_TYPES = frozenset({"doc", "xls", "ppt", "wps", "et", "dps"})
#: Office Open XML: the part whose presence tells the three apart.
OOXML_MAIN_PARTS = {
    "word/document.xml": "docx",
    "xl/workbook.xml": "xlsx",
    "ppt/presentation.xml": "pptx",
}
BY_EXTENSION = {ext: key for key, ftype in TYPES.items() for ext in ftype.extensions}
ALLOWED_EXTENSIONS = tuple(BY_EXTENSION)

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
_EXECUTABLE = (b"MZ", b"\x7fELF", b"\xfe\xed\xfa\xce", b"\xfe\xed\xfa\xcf",
               b"\xce\xfa\xed\xfe", b"\xcf\xfa\xed\xfe", b"\xca\xfe\xba\xbe")
_ARCHIVE = (b"Rar!\x1a\x07", b"7z\xbc\xaf\x27\x1c", b"\x1f\x8b")


@dataclass(frozen=True)
class CheckedFile:
    """What the check found: the (user's, allowed) extension and what the content is."""

    extension: str
    content_type: str
    kind: str
    size: int
    sha256: str


def display_name(name: str) -> str:
    """The base name the user gave (any client-side path dropped), at most 255 characters,
    shortened in the stem so that the extension survives."""
    base = posixpath.basename((name or "").replace("\\", "/"))
    base = "".join(ch for ch in base if ch >= " ").strip()
    if len(base) > 255:
        stem, dot, ext = base.rpartition(".")
        base = stem[: 254 - len(ext)] + dot + ext if dot and len(ext) < 20 else base[:255]
    return base


def extension_of(name: str) -> str:
    stem, dot, ext = display_name(name).rpartition(".")
    return ext.lower() if dot and stem else ""


def limit_text(max_bytes: int) -> str:
    """``max_bytes`` in MB for a message: ``20``, ``0.5``."""
    return f"{max_bytes / (1024 * 1024):.2f}".rstrip("0").rstrip(".")


def check_upload(upload) -> CheckedFile:
    """Check an uploaded file's type by its content and return what it is.

    Raises :class:`ValidationError` with a Chinese message naming the file when the file is
    empty, too large, of a type not allowed, not what its extension says, or corrupt.
    """
    name = display_name(upload.name)
    extension = extension_of(upload.name)
    max_bytes = settings.EVIDENCE_MAX_BYTES
    if extension not in BY_EXTENSION:
        raise ValidationError(
            _("文件“{name}”的类型不受支持，只能上传以下格式：{extensions}。").format(
                name=name, extensions="、".join(ALLOWED_EXTENSIONS)),
            code="file_type",
        )
    too_large = ValidationError(
        _("文件“{name}”超过 {limit} MB 的上限，未保存。").format(
            name=name, limit=limit_text(max_bytes)),
        code="too_large",
    )
    declared = getattr(upload, "size", None)
    if declared is not None and declared > max_bytes:
        raise too_large
    try:
        head, size, sha256 = _read(upload, max_bytes + 1)
        if size > max_bytes:
            raise too_large
        if size == 0:
            raise ValidationError(_("文件“{name}”是空文件，未保存。").format(name=name),
                                  code="empty")
        expected = BY_EXTENSION[extension]
        actual = _detect(upload, head, name, expected)
    finally:
        _rewind(upload)
    if actual == "ole" and expected in OLE_TYPES:
        actual = expected  # the header cannot tell them apart: the extension decides
    if actual != expected:
        raise _mismatch(name, expected, actual)
    ftype = TYPES[actual]
    return CheckedFile(extension=extension, content_type=ftype.content_type,
                       kind=_(ftype.label), size=size, sha256=sha256)


def _rewind(upload) -> None:
    if hasattr(upload, "seek"):
        upload.seek(0)


def _read(upload, limit: int) -> tuple[bytes, int, str]:
    """The leading bytes, the size and the SHA-256, reading at most ``limit`` bytes."""
    digest = hashlib.sha256()
    head = b""
    size = 0
    _rewind(upload)
    for chunk in _chunks(upload, limit):
        digest.update(chunk)
        if len(head) < HEAD_SIZE:
            head += chunk[: HEAD_SIZE - len(head)]
        size += len(chunk)
        if size >= limit:
            break
    return head, size, digest.hexdigest()


def _chunks(upload, limit: int):
    """The file's bytes in chunks; by ``read()`` when there is one, so as to stop at
    ``limit`` bytes (Django's in-memory upload yields its whole content as one chunk)."""
    if not hasattr(upload, "read"):
        yield from upload.chunks()
        return
    remaining = limit
    while remaining > 0:
        chunk = upload.read(min(CHUNK_SIZE, remaining))
        if not chunk:
            return
        remaining -= len(chunk)
        yield chunk


def _detect(upload, head: bytes, name: str, expected: str) -> str | None:
    """The key of an accepted type (``"ole"`` for any compound file), or a label of what
    else the content is (``"可执行程序"``), or None when it is not recognised."""
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head[:2] == b"BM" and len(head) >= 18 and struct.unpack("<I", head[14:18])[0] in (
            12, 40, 52, 56, 64, 108, 124):  # the size of a known BMP info header
        return "bmp"
    if head.startswith(OLE_MAGIC):
        if head[28:30] == b"\xfe\xff" and head[26:28] in (b"\x03\x00", b"\x04\x00"):
            return "ole"  # byte order mark and major version 3 or 4 as they should be
        if expected in OLE_TYPES:
            raise _corrupt(name, expected)
        return None
    if head.startswith(ZIP_MAGIC):
        return _detect_zip(upload, name, expected)
    if head.startswith(_EXECUTABLE):
        return _("可执行程序")
    if head.startswith(_ARCHIVE):
        return _("压缩包")
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if start.startswith((b"<!doctype html", b"<html", b"<script", b"<svg", b"<?xml")):
        return _("网页或 XML 文件")
    if start.startswith(b"#!"):
        return _("脚本")
    return None


def _detect_zip(upload, name: str, expected: str) -> str:
    """An Office Open XML type by the zip's member list, or "ZIP 压缩包"."""
    try:
        _rewind(upload)
        with zipfile.ZipFile(upload) as archive:
            members = set(archive.namelist())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError):
        if expected in OOXML_MAIN_PARTS.values():
            raise _corrupt(name, expected)
        return _("已损坏的 ZIP 压缩包")
    if "[Content_Types].xml" in members:
        for part, key in OOXML_MAIN_PARTS.items():
            if part in members:
                if any(m.lower().endswith("vbaproject.bin") for m in members):
                    raise ValidationError(
                        _("文件“{name}”含有宏代码，未保存；请另存为不含宏的文档后再上传。")
                        .format(name=name),
                        code="macros",
                    )
                return key
    return _("ZIP 压缩包")


def _corrupt(name: str, expected: str) -> ValidationError:
    return ValidationError(
        _("文件“{name}”已损坏，无法作为 {kind} 打开，未保存。").format(
            name=name, kind=_(TYPES[expected].label)),
        code="corrupt",
    )


def _mismatch(name: str, expected: str, actual: str | None) -> ValidationError:
    if actual == "ole":
        actual_text = _("实际是 Office 97-2003 等复合文档")
    elif actual:
        kind = _(TYPES[actual].label) if actual in TYPES else actual
        # A space between Chinese and a leading Latin word, as in "实际是 PNG 图片".
        actual_text = (_("实际是 {kind}") if kind[:1].isascii() else _("实际是{kind}")).format(
            kind=kind)
    else:
        actual_text = _("无法识别的格式")
    message = _("文件“{name}”的内容不是 {kind}（{actual}），未保存。").format(
        name=name, kind=_(TYPES[expected].label), actual=actual_text)
    if actual in TYPES:
        message += _("如内容无误，请把扩展名改为“.{extension}”后重新上传。").format(
            extension=TYPES[actual].extensions[0])
    return ValidationError(message, code="content_mismatch")
