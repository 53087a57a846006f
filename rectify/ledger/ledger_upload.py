"""The uploaded ledger file: store it, and refuse what is not a plain .xlsx workbook.

:func:`check_file` runs *before* openpyxl opens anything: wrong extension, renamed junk, old
.xls, macro-enabled or encrypted workbooks, oversize uploads, zip bombs (total uncompressed
size and compression ratio from the zip directory), XML with document type declarations.
:func:`save_upload` copies an upload to a private place, where it waits between the preview
and the confirmation (the views name it in the session).
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import IO

from django.conf import settings
from django.utils.translation import gettext as _

MB = 1024 * 1024


def max_upload_bytes() -> int:
    """Largest accepted upload (``LEDGER_MAX_UPLOAD_BYTES``, default 20 MB)."""
    return getattr(settings, "LEDGER_MAX_UPLOAD_BYTES", 20 * MB)


def max_uncompressed_bytes() -> int:
    """Largest total uncompressed size of the workbook's parts (default 100 MB)."""
    return getattr(settings, "LEDGER_MAX_UNCOMPRESSED_BYTES", 100 * MB)


def max_ratio() -> float:
    """Highest compression ratio accepted, overall and per large part (default 100)."""
    return getattr(settings, "LEDGER_MAX_COMPRESSION_RATIO", 100)


MAX_PARTS = 1000
#: Parts smaller than this are not held to the ratio (tiny XML compresses well anyway).
RATIO_FLOOR = 64 * 1024

_XLSX_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class LedgerFileError(Exception):
    """The upload is not a workbook this import reads; the message says why."""


def check_file(path: str | Path, name: str) -> None:
    """Refuse anything but a plain, reasonably sized .xlsx workbook (before parsing it)."""
    size_limit = max_upload_bytes()
    path = Path(path)
    size = path.stat().st_size
    if size > size_limit:
        raise LedgerFileError(_("文件过大（{size:.1f} MB）：台账文件不能超过 {limit} MB。").format(
            size=size / MB, limit=size_limit // MB))
    suffix = Path(name or "").suffix.lower()
    if suffix in (".xlsm", ".xltm", ".xlam"):
        raise LedgerFileError(_("不接受启用宏的工作簿（{suffix}）：请另存为 .xlsx 后上传。").format(
            suffix=suffix))
    if suffix == ".xls":
        raise LedgerFileError(_("不支持旧版 .xls 文件：请在 Excel 中另存为 .xlsx 后上传。"))
    if suffix != ".xlsx":
        raise LedgerFileError(_("只接受本系统导出的 .xlsx 台账文件（上传的是“{name}”）。").format(
            name=name or "?"))
    if size == 0:
        raise LedgerFileError(_("文件是空的。"))
    with path.open("rb") as handle:
        head = handle.read(8)
    if head == _OLE_MAGIC:
        raise LedgerFileError(_("文件实为旧版 .xls 或加密的工作簿（只是扩展名为 .xlsx）："
                                "请另存为普通 .xlsx 后上传。"))
    if not head.startswith(_XLSX_MAGIC) or not zipfile.is_zipfile(path):
        raise LedgerFileError(_("文件内容不是 .xlsx 工作簿（可能是改了扩展名的其他文件）。"))
    try:
        with zipfile.ZipFile(path) as archive:
            _check_archive(archive)
    except zipfile.BadZipFile:
        raise LedgerFileError(_("文件内容不是 .xlsx 工作簿（可能是改了扩展名的其他文件）。"))


def _check_archive(archive: zipfile.ZipFile) -> None:
    infos = archive.infolist()
    if len(infos) > MAX_PARTS:
        raise LedgerFileError(_("工作簿的组成部分过多（{count} 个），拒绝读取。").format(
            count=len(infos)))
    names = {info.filename for info in infos}
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise LedgerFileError(_("文件内容不是 .xlsx 工作簿（可能是改了扩展名的其他文件）。"))
    if any(info.flag_bits & 0x1 for info in infos):
        raise LedgerFileError(_("不接受加密的工作簿。"))
    total = sum(info.file_size for info in infos)
    packed = sum(info.compress_size for info in infos)
    if total > max_uncompressed_bytes():
        raise LedgerFileError(_("工作簿解压后过大（{size:.0f} MB，上限 {limit} MB），拒绝读取。"
                                ).format(size=total / MB, limit=max_uncompressed_bytes() // MB))
    ratio_limit = max_ratio()
    too_packed = total > RATIO_FLOOR and total / max(packed, 1) > ratio_limit
    for info in infos:
        if info.file_size > RATIO_FLOOR and info.file_size / max(info.compress_size, 1) > (
            ratio_limit
        ):
            too_packed = True
    if too_packed:
        raise LedgerFileError(_("工作簿的压缩比异常（超过 {limit}:1，疑似压缩炸弹），拒绝读取。"
                                ).format(limit=ratio_limit))
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        raise LedgerFileError(_("工作簿含有宏：请删除宏并另存为 .xlsx 后上传。"))
    with archive.open("[Content_Types].xml") as part:
        content_types = part.read(MB)
    if b"macroEnabled" in content_types:
        raise LedgerFileError(_("工作簿含有宏：请删除宏并另存为 .xlsx 后上传。"))
    for info in infos:
        if info.filename.endswith((".xml", ".rels")):
            with archive.open(info) as part:
                prolog = part.read(4096)
            if b"<!DOCTYPE" in prolog or b"<!ENTITY" in prolog:
                raise LedgerFileError(_("工作簿含有不安全的 XML 声明（{part}），拒绝读取。").format(
                    part=info.filename))


def save_upload(upload: IO[bytes], directory: Path, name: str) -> Path:
    """Copy an upload to ``directory/name`` (a private place outside the web roots)."""
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    target = directory / name
    with target.open("wb") as out:
        for chunk in (upload.chunks() if hasattr(upload, "chunks") else iter(
                lambda: upload.read(MB), b"")):
            out.write(chunk)
    return target
