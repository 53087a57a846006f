"""Peak memory of a worker on large uploads: each case runs in a fresh process that loads the
WSGI application and serves one request (or reads one notice file), then reports its peak
resident set size (``ru_maxrss``). The floor is the same process serving an empty request.

    .venv/bin/python benchmarks/upload_memory.py

Cases: an evidence upload at the limit (EVIDENCE_MAX_BYTES, anonymous with a CSRF cookie but
no token: refused by the CSRF check after Django has parsed the body, as a probe's would be);
300 MB to the evidence page and to the login page (413 before the body is read); a .docx
bomb (190 MB document.xml compressed to under 1 MB) given to the notice reader. The body is
generated as it is read, so the figures are the worker's own, not the test's. Goal: no case
anywhere near 500 MB.
"""

from __future__ import annotations

import io
import os
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MB = 1024 * 1024
BOUNDARY = "benchmarkboundary"


class GeneratedBody:
    """A multipart body with one file of ``size`` bytes, produced as it is read."""

    def __init__(self, size: int, field: str = "file"):
        head = (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{field}\"; "
                f"filename=\"big.pdf\"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4\n")
        self.parts = [head.encode(), None, f"\r\n--{BOUNDARY}--\r\n".encode()]
        self.file_left = size - len(b"%PDF-1.4\n")
        self.length = len(self.parts[0]) + self.file_left + len(self.parts[2])
        self.buffer = b""
        self.read_bytes = 0

    def _more(self) -> bytes:
        if self.parts[0] is not None:
            chunk, self.parts[0] = self.parts[0], None
            return chunk
        if self.file_left > 0:
            size = min(self.file_left, 256 * 1024)
            self.file_left -= size
            return b"x" * size
        if self.parts[2] is not None:
            chunk, self.parts[2] = self.parts[2], None
            return chunk
        return b""

    def read(self, size: int = -1) -> bytes:
        while size < 0 or len(self.buffer) < size:
            more = self._more()
            if not more:
                break
            self.buffer += more
        if size < 0:
            size = len(self.buffer)
        chunk, self.buffer = self.buffer[:size], self.buffer[size:]
        self.read_bytes += len(chunk)
        return chunk

    def readline(self, size: int = -1) -> bytes:
        return self.read(size)


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


def child(case: str) -> None:
    """Serve one request (or read one notice) and print: peak RSS in KB, status, seconds."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rectify.settings")
    from django.conf import settings
    from django.core.wsgi import get_wsgi_application

    app = get_wsgi_application()
    started = time.perf_counter()
    if case == "docx-bomb":
        from rectify.notice_import import NoticeReadError, read_notice_file

        data = docx_bomb(190 * MB)
        try:
            read_notice_file(data, "bomb.docx")
            status = "read"
        except NoticeReadError as exc:
            status = f"refused: {exc}"
        report(status, started, extra=f"compressed {len(data) / MB:.2f} MB")
        return
    if case == "floor":
        path, body = "/accounts/login/", None
    elif case == "evidence-at-limit":
        path, body = "/work/tasks/1/evidence/", GeneratedBody(settings.EVIDENCE_MAX_BYTES)
    elif case == "evidence-300mb":
        path, body = "/work/tasks/1/evidence/", GeneratedBody(300 * MB)
    elif case == "login-300mb":
        path, body = "/accounts/login/", GeneratedBody(300 * MB)
    else:
        raise SystemExit(f"unknown case {case}")
    environ = {
        "REQUEST_METHOD": "POST" if body else "GET", "PATH_INFO": path, "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8000", "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1", "HTTP_HOST": "127.0.0.1", "wsgi.url_scheme": "http",
        # A CSRF cookie, so that the CSRF check reads the form for its token (as a browser's
        # request would make it do) instead of refusing at once.
        "HTTP_COOKIE": "csrftoken=" + "a" * 32,
        "wsgi.input": body or io.BytesIO(b""), "wsgi.errors": sys.stderr,
        "wsgi.multithread": False, "wsgi.multiprocess": True, "wsgi.run_once": False,
        "wsgi.version": (1, 0),
    }
    if body:
        environ["CONTENT_TYPE"] = f"multipart/form-data; boundary={BOUNDARY}"
        environ["CONTENT_LENGTH"] = str(body.length)
    statuses = []
    result = app(environ, lambda status, headers, exc_info=None: statuses.append(status))
    for _chunk in result:
        pass
    if hasattr(result, "close"):
        result.close()
    read = f"read {body.read_bytes / MB:.1f} of {body.length / MB:.1f} MB" if body else ""
    report(statuses[0], started, extra=read)


def report(status: str, started: float, extra: str = "") -> None:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KB on Linux
    print(f"{peak}\t{time.perf_counter() - started:.2f}\t{status}\t{extra}")


def main() -> None:
    cases = ["floor", "evidence-at-limit", "evidence-300mb", "login-300mb", "docx-bomb"]
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "DEBUG": "1", "TMPDIR": tmp,
               "DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3"}
        floor = None
        print(f"{'case':<20} {'peak RSS':>10} {'× floor':>8} {'seconds':>8}  answer")
        for case in cases:
            out = subprocess.run([sys.executable, __file__, "--child", case], env=env,
                                 capture_output=True, text=True, timeout=600)
            if out.returncode:
                print(f"{case:<20} failed (exit {out.returncode}): {out.stderr[-500:]}")
                continue
            last = out.stdout.rstrip("\n").splitlines()[-1]
            peak_kb, seconds, status, extra = (last.split("\t") + [""])[:4]
            peak = int(peak_kb) / 1024
            floor = floor or peak
            print(f"{case:<20} {peak:>7.1f} MB {peak / floor:>7.2f}× {float(seconds):>8.2f}"
                  f"  {status} {extra}".rstrip())


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        child(sys.argv[2])
    else:
        main()
