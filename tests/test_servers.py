"""Two app servers, one database: what production looks like behind a proxy.

Two gunicorn instances (two workers each) on different ports serve the same PostgreSQL test
database and the same Redis (``REDIS_URL``: the cache and the jobs' broker), with one shared
file store (evidence, job results, documents, ledger uploads), and a Celery worker started
here on the Redis broker. A reader may reach either server at any request, so nothing may
live in one process: a login on one is valid on the other (sessions in the database), a
lockout (django-axes, in the database) and the throttling counters (the cache) are seen by
both, a job asked for on one is run by the worker and downloaded from the other, an upload to
one is read from the other, and a public page kept in the cache is gone from both once it is
withdrawn through one of them.

Marker ``servers``. Needs PostgreSQL (``DATABASE_URL=postgres://…``) and a reachable Redis
(``REDIS_URL=redis://127.0.0.1:6379/<n>``), as ``.ci/run``'s PostgreSQL pass sets them; skipped
otherwise, saying which is missing. The servers tell clients apart by ``X-Forwarded-For``
(``TRUSTED_PROXY_COUNT=1``, as behind one proxy), so that each part of the test is its own
address.
"""

from __future__ import annotations

import http.client
import io
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import quote, urlencode

import openpyxl
import pytest
from django.conf import global_settings
from django.db import connection

from tests.evidence_helpers import make_pdf
from tests.seed_helpers import DEMO_PASSWORD

ROOT = Path(__file__).resolve().parent.parent
XUCHANG = "中共许昌市教育局党组"
START_SECONDS = 60
JOB_SECONDS = 120

pytestmark = [pytest.mark.servers, pytest.mark.django_db(transaction=True)]


def _missing() -> str | None:
    """Why this machine cannot run the test, or None."""
    if connection.vendor != "postgresql":
        return ("two servers need one database they both reach: run with "
                "DATABASE_URL=postgres://… (the second pass of .ci/run)")
    url = os.environ.get("REDIS_URL")
    if not url:
        return ("two servers share their cache and jobs' broker through Redis: run with "
                "REDIS_URL=redis://127.0.0.1:6379/<n> (the second pass of .ci/run)")
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        return f"Redis at REDIS_URL={url} does not answer: {error}"
    return None


@pytest.fixture
def requirements(transactional_db):
    reason = _missing()
    if reason:
        pytest.skip(reason)


def database_url() -> str:
    db = connection.settings_dict
    return "postgres://{}:{}@{}:{}/{}".format(
        quote(db["USER"] or ""), quote(db["PASSWORD"] or ""), db["HOST"] or "127.0.0.1",
        db["PORT"] or 5432, db["NAME"])


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


class Answer:
    def __init__(self, status: int, headers, body: bytes):
        self.status = status
        self.headers = headers
        self.body = body

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def json(self):
        return json.loads(self.body)


class Visitor:
    """One client: its cookies, and its address as the proxy reports it."""

    def __init__(self, address: str):
        self.address = address
        self.cookies: dict[str, str] = {}

    def request(self, port: int, method: str, path: str, *, form: dict | None = None,
                body: bytes | None = None, content_type: str | None = None,
                headers: dict | None = None) -> Answer:
        sent = {"X-Forwarded-For": self.address, "Host": "127.0.0.1",
                "Connection": "close", **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if form is not None:
            body = urlencode(form).encode()
            content_type = "application/x-www-form-urlencoded"
        if body is not None:
            sent["Content-Type"] = content_type
            if method == "POST" and "csrftoken" in self.cookies:
                sent.setdefault("Referer", f"http://127.0.0.1:{port}/")
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        try:
            conn.request(method, path, body=body, headers=sent)
            response = conn.getresponse()
            answer = Answer(response.status, response.msg, response.read())
        finally:
            conn.close()
        for header in answer.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                if morsel.value and morsel["max-age"] != "0":
                    self.cookies[name] = morsel.value
                else:
                    self.cookies.pop(name, None)
        return answer

    def get(self, port: int, path: str, **kwargs) -> Answer:
        return self.request(port, "GET", path, **kwargs)

    def csrf(self, port: int) -> str:
        """The CSRF token of the login form (also sets the cookie)."""
        page = self.get(port, "/accounts/login/")
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)

    def login(self, port: int, username: str, password: str) -> Answer:
        token = self.csrf(port)
        return self.request(port, "POST", "/accounts/login/", form={
            "csrfmiddlewaretoken": token, "username": username, "password": password})


@pytest.fixture
def site(requirements, tmp_path, settings):
    """The seed data, committed; two servers and a worker on it. Yields the servers' ports."""
    # The servers check passwords with the production hashers.
    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS
    from django.core.management import call_command

    call_command("seed_demo", "--force", stdout=io.StringIO())
    store = tmp_path / "store"
    env = {key: value for key, value in os.environ.items()
           if key not in {"CACHE_URL", "CELERY_BROKER_URL", "PUBLIC_PAGE_CACHE"}}
    env.update({
        "DJANGO_SETTINGS_MODULE": "rectify.settings",
        "DATABASE_URL": database_url(),
        "REDIS_URL": os.environ["REDIS_URL"],
        "DEBUG": "1",
        "TRUSTED_PROXY_COUNT": "1",
        "API_TOKEN_RATE": "3/day",
        "LEDGER_BACKGROUND_ROWS": "10",
        # A queue of this run's own: no other worker takes its jobs, nor this one theirs.
        "CELERY_TASK_DEFAULT_QUEUE": f"rectify-servers-{uuid.uuid4().hex[:8]}",
        "EVIDENCE_ROOT": str(store / "evidence"),
        "JOB_RESULT_DIR": str(store / "job-results"),
        "DOCUMENTS_CACHE_ROOT": str(store / "documents"),
        "LEDGER_UPLOAD_DIR": str(store / "ledger-uploads"),
        "JOBS_QUEUE_DIR": str(store / "job-queue"),
        "LOG_LEVEL": "WARNING",
    })
    processes, ports = [], []
    try:
        for _server in range(2):
            port = free_port()
            log = (tmp_path / f"gunicorn-{port}.log").open("wb")
            processes.append(subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "rectify.wsgi", "--bind",
                 f"127.0.0.1:{port}", "--workers", "2", "--timeout", "120"],
                cwd=ROOT, env=env, stdout=log, stderr=log, start_new_session=True))
            ports.append(port)
        worker_log = (tmp_path / "worker.log").open("wb")
        processes.append(subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "rectify.background.celery_app", "worker",
             "--pool=solo", "--concurrency=1", "--without-gossip", "--without-mingle",
             "--without-heartbeat", "--loglevel=WARNING", "-Q",
             env["CELERY_TASK_DEFAULT_QUEUE"], "-n", f"servers-test-{os.getpid()}@%h"],
            cwd=ROOT, env=env, stdout=worker_log, stderr=worker_log, start_new_session=True))
        deadline = time.monotonic() + START_SECONDS
        for port in ports:
            while True:
                try:
                    if Visitor("192.0.2.1").get(port, "/notices/").status == 200:
                        break
                except OSError:
                    pass
                if time.monotonic() > deadline:
                    logs = "\n".join(p.read_text(errors="replace")[-2000:]
                                     for p in tmp_path.glob("*.log"))
                    pytest.fail(f"gunicorn on port {port} did not start:\n{logs}")
                time.sleep(0.2)
        yield ports
    finally:
        for process in processes:
            stop(process)
        forget_queue(env["CELERY_TASK_DEFAULT_QUEUE"])


def forget_queue(queue: str) -> None:
    """The run's queue and its bindings, out of the broker's database."""
    import redis
    from django.conf import settings

    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    broker.delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")


def test_two_servers_share_everything(site):
    from rectify.models import Publication, RectificationTask

    a, b = site

    # -- a login on one server is valid on the other; a logout on either ends it ------------
    staff = Visitor("203.0.113.10")
    assert staff.login(a, "staff", DEMO_PASSWORD).status == 302
    assert staff.get(b, "/work/").status == 200
    assert "staff" in staff.get(b, "/work/").text
    leaving = Visitor("203.0.113.11")
    leaving.login(b, "auditor", DEMO_PASSWORD)
    assert leaving.get(a, "/work/").status == 200
    token = leaving.csrf(a)
    assert leaving.request(a, "POST", "/accounts/logout/",
                           form={"csrfmiddlewaretoken": token}).status == 302
    assert leaving.get(b, "/work/").status == 302

    # -- failed logins counted on both servers lock the login on both ----------------------
    intruder = Visitor("198.51.100.20")
    answers = [intruder.login(port, "leader_xuchang", "wrong-password").status
               for port in (a, a, a, b, b)]
    assert answers == [200, 200, 200, 200, 429]  # the fifth failure locks
    for port in (a, b):
        refused = intruder.login(port, "leader_xuchang", DEMO_PASSWORD)
        assert refused.status == 429, port
        assert "登录失败次数过多" in refused.text
    assert Visitor("198.51.100.21").login(b, "leader_xuchang", DEMO_PASSWORD).status == 302

    # -- the throttling counters are shared: API_TOKEN_RATE=3/day per address ----------------
    script = Visitor("198.51.100.30")
    wrong = json.dumps({"username": "nobody", "password": "x"}).encode()
    statuses = [script.request(port, "POST", "/api/auth/token/", body=wrong,
                               content_type="application/json").status
                for port in (a, b, a, b, a)]
    assert statuses == [400, 400, 400, 429, 429]

    # -- an upload to one server is read from the other (the shared file store) ------------
    clerk = Visitor("203.0.113.40")
    issued = clerk.request(a, "POST", "/api/auth/token/", body=json.dumps(
        {"username": "clerk_xuchang", "password": DEMO_PASSWORD}).encode(),
        content_type="application/json")
    assert issued.status == 200, issued.text
    auth = {"Authorization": f"Token {issued.json()['token']}"}
    task = RectificationTask.objects.filter(round__party_group__name=XUCHANG,
                                            signed_off_at__isnull=True).order_by("pk").first()
    pdf = make_pdf()
    boundary = uuid.uuid4().hex
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
            f"filename=\"evidence.pdf\"\r\nContent-Type: application/pdf\r\n\r\n").encode()
    body += pdf + f"\r\n--{boundary}--\r\n".encode()
    uploaded = clerk.request(a, "POST", f"/api/tasks/{task.pk}/evidence/", body=body,
                             content_type=f"multipart/form-data; boundary={boundary}",
                             headers=auth)
    assert uploaded.status == 201, uploaded.text
    download = clerk.get(b, f"/api/evidence/{uploaded.json()['id']}/download/", headers=auth)
    assert (download.status, download.body) == (200, pdf)

    # -- a job asked for on one server is run by the worker, downloaded from the other -----
    asked = staff.get(a, "/ledger/?export=xlsx")
    assert asked.status == 302, asked.text
    job = int(re.search(r"/jobs/(\d+)/", asked.headers["Location"]).group(1))
    deadline = time.monotonic() + JOB_SECONDS
    while True:
        status = staff.get(b, f"/jobs/{job}/status/").json()
        if status["finished"] or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert status["state"] == "done", status
    result = staff.get(b, status["download_url"])
    assert result.status == 200
    sheet = openpyxl.load_workbook(io.BytesIO(result.body), read_only=True)["台账"]
    rows = [row for row in sheet.iter_rows(min_row=3, values_only=True) if row[0]]
    assert len(rows) == RectificationTask.objects.count()

    # -- a public page kept in the cache is gone from both once withdrawn through one ------
    publication = Publication.objects.get(round__party_group__name=XUCHANG)
    page = f"/notices/{publication.pk}/"
    reader = Visitor("192.0.2.50")
    first = {port: reader.get(port, page) for port in (a, b)}
    assert all(answer.status == 200 for answer in first.values())
    assert first[a].body == first[b].body
    # Changed behind the cache's back: both servers still answer the kept page.
    Publication.objects.filter(pk=publication.pk).update(title="不应出现的标题")
    for port in (a, b):
        assert reader.get(port, page).body == first[a].body, port
        assert "不应出现的标题" not in reader.get(port, page).text
    csrf = staff.cookies["csrftoken"]
    withdrawn = staff.request(b, "POST", f"/api/publications/{publication.pk}/withdraw/",
                              body=json.dumps({"reason": "数据有误，更正后重新发布。",
                                               "approved_by": "王局长"}).encode(),
                              content_type="application/json",
                              headers={"X-CSRFToken": csrf})
    assert withdrawn.status == 200, withdrawn.text
    for port in (a, b):
        gone = reader.get(port, page)
        assert gone.status == 410, port
        assert "数据有误" in gone.text
        assert reader.get(port, f"/notices/{publication.pk}.json").status == 410
        assert page not in reader.get(port, "/notices/").text
