"""Rendered documents kept on disk: a published version is frozen, so is its file.

``notice_file(publication, audience, "docx" | "pdf")`` renders a version's document once and
keeps the bytes under ``DOCUMENTS_CACHE_ROOT``, named by the publication, its audience, its
publishing time and ``notice_document.RENDER_VERSION``; later requests read the file. The
first render of a file holds an exclusive lock (``flock`` on a lock file of that name), so
that requests arriving together — threads or worker processes — render it once: the others
wait, then read what it wrote. Files are written to a temporary name and renamed into place,
so a reader never sees half a file. The directory is a cache: emptying it costs a render.
"""

from __future__ import annotations

import fcntl
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from django.conf import settings

from rectify.documents.gongwen_docx import render_docx
from rectify.documents.gongwen_pdf import render_pdf
from rectify.documents.notice_document import RENDER_VERSION, publication_document

RENDERERS = {"docx": render_docx, "pdf": render_pdf}
CONTENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}


def cache_root() -> Path:
    return Path(settings.DOCUMENTS_CACHE_ROOT)


def notice_key(publication, audience: str, kind: str) -> str:
    stamp = int(publication.published_at.timestamp() * 1_000_000)
    return f"notice-{publication.pk}-{audience}-{stamp}-r{RENDER_VERSION}.{kind}"


def notice_file(publication, audience: str, kind: str) -> bytes:
    """The ``kind`` file of ``publication``'s version for ``audience``, rendered at most once.

    Raises ``gongwen_pdf.PdfUnavailable`` when a PDF cannot be made (nothing is kept then).
    """
    renderer = RENDERERS[kind]
    return cached(notice_key(publication, audience, kind),
                  lambda: renderer(publication_document(publication, audience)))


def cached(key: str, produce: Callable[[], bytes]) -> bytes:
    """The bytes kept under ``key``, or ``produce()``'s, kept — one producer at a time."""
    root = cache_root()
    path = root / key
    try:
        return path.read_bytes()
    except FileNotFoundError:
        pass
    root.mkdir(parents=True, exist_ok=True)
    with open(root / f"{key}.lock", "a+b") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            try:  # another request may have rendered it while this one waited
                return path.read_bytes()
            except FileNotFoundError:
                pass
            data = produce()
            handle, temporary = tempfile.mkstemp(dir=root, prefix=f".{key}.")
            try:
                with os.fdopen(handle, "wb") as out:
                    out.write(data)
                os.replace(temporary, path)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
            return data
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
