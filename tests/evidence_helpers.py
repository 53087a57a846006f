"""Evidence files for the tests: real files built here, uploads, and where they landed.

Tests that store evidence use the ``evidence_root`` fixture (tests/conftest.py), which points
``EVIDENCE_ROOT`` at a temporary directory.
"""

from __future__ import annotations

import io
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile

from rectify.models import Evidence, RectificationTask
from rectify.services.evidence_files import add_evidence


def make_pdf() -> bytes:
    """A minimal well-formed one-page PDF."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n"
              % (len(objects) + 1, xref))
    return out.getvalue()


#: A Windows executable's start: what a ``.exe`` renamed ``.pdf`` begins with.
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 56 + b"This program cannot be run in DOS mode."


def pdf_upload(name: str = "整改报告.pdf", content: bytes | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, make_pdf() if content is None else content,
                              content_type="application/pdf")


def add_pdf_evidence(task: RectificationTask, user, name: str = "整改报告.pdf") -> Evidence:
    """A PDF as evidence of ``task`` (through the service, as an upload would be)."""
    return add_evidence(task, pdf_upload(name), user, "佐证材料")


def stored_files(root: Path) -> list[Path]:
    """The files under ``root`` (an evidence root), none if it does not exist."""
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []
