"""A ``gongwen.Document`` as PDF: its HTML (``gongwen_html``) printed by Debian's Chromium.

Why Chromium: the HTML's CSS paged media (A4, the margins mirrored on even pages, the page
number “— N —” in the margin box on the outside edge) is what Chromium 156 prints, and it
prints a 167-page Chinese document in about 3 s, where WeasyPrint took 16 s. It is the
``chromium`` package the browser tests already use; the fonts are Debian's
``fonts-noto-cjk``. ``make run`` installs both when missing (as root); without them
``render_pdf`` raises ``PdfUnavailable`` with a Chinese message, which the pages answer
with 503.

Chromium runs headless, without sandbox or GPU, with a fresh profile in a temporary
directory, no first-run, background networking, sync or component updates, and a host
resolver that resolves nothing: the page is self-contained and nothing reaches out. One
render at a time per process (a lock); ``PDF_TIMEOUT_SECONDS`` bounds each, and a render
that overruns is killed with its whole process group.
"""

from __future__ import annotations

import os
import signal
import subprocess
import tempfile
import threading
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

from rectify.documents import gongwen as gw
from rectify.documents.gongwen_html import render_html

DEFAULT_CHROMIUM = "/usr/bin/chromium"
DEFAULT_TIMEOUT = 60

_LOCK = threading.Lock()

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-pdf-header-footer",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-default-apps",
    "--disable-extensions",
    "--disable-sync",
    "--disable-quic",
    "--metrics-recording-only",
    "--mute-audio",
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--generate-pdf-document-outline",
]


class PdfUnavailable(RuntimeError):
    """The PDF cannot be made here: no Chromium, or it failed. ``str()`` is Chinese."""


def chromium_path() -> str:
    return getattr(settings, "CHROMIUM_PATH", DEFAULT_CHROMIUM) or DEFAULT_CHROMIUM


def timeout_seconds() -> float:
    return float(getattr(settings, "PDF_TIMEOUT_SECONDS", DEFAULT_TIMEOUT) or DEFAULT_TIMEOUT)


def available() -> bool:
    """Whether a Chromium to print with is installed at ``CHROMIUM_PATH``."""
    path = chromium_path()
    return os.path.isfile(path) and os.access(path, os.X_OK)


def _missing() -> PdfUnavailable:
    return PdfUnavailable(_(
        "服务器未安装 PDF 生成所需的 Chromium（%(path)s），暂时无法提供 PDF 版本，"
        "请下载 Word 版本或稍后再试。") % {"path": chromium_path()})


def render_pdf(document: gw.Document) -> bytes:
    """The document as PDF bytes; ``PdfUnavailable`` when it cannot be made here."""
    return html_to_pdf(render_html(document))


def html_to_pdf(html: str) -> bytes:
    """Print a self-contained HTML page to PDF with Chromium (one at a time per process)."""
    if not available():
        raise _missing()
    with _LOCK, tempfile.TemporaryDirectory(prefix="rectify-pdf-") as tmp:
        work = Path(tmp)
        source = work / "document.html"
        target = work / "document.pdf"
        source.write_text(html, encoding="utf-8")
        command = [chromium_path(), *CHROMIUM_FLAGS, f"--user-data-dir={work / 'profile'}",
                   f"--print-to-pdf={target}", source.as_uri()]
        env = {**os.environ, "HOME": str(work), "XDG_CONFIG_HOME": str(work / "config"),
               "XDG_CACHE_HOME": str(work / "cache")}
        _run(command, env, timeout_seconds())
        if not target.exists() or target.stat().st_size == 0:
            raise PdfUnavailable(_("PDF 生成失败：Chromium 未输出文件。"))
        data = target.read_bytes()
    if not data.startswith(b"%PDF"):
        raise PdfUnavailable(_("PDF 生成失败：Chromium 输出的不是 PDF 文件。"))
    return data


def _run(command: list[str], env: dict, timeout: float) -> None:
    try:
        process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                                   start_new_session=True)
    except OSError as error:
        raise PdfUnavailable(_("PDF 生成失败：无法启动 Chromium（%(error)s）。")
                             % {"error": error})
    try:
        _out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(process)
        raise PdfUnavailable(_("PDF 生成超时（超过 %(seconds)s 秒），请稍后再试。")
                             % {"seconds": f"{timeout:g}"})
    finally:
        _kill_group(process)  # the renderer and zygote children of a finished browser too
    if process.returncode != 0:
        detail = (err or b"").decode("utf-8", "replace").strip().splitlines()[-1:]
        raise PdfUnavailable(_("PDF 生成失败：Chromium 退出码 %(code)s。%(detail)s")
                             % {"code": process.returncode, "detail": " ".join(detail)})


def _kill_group(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        pass

