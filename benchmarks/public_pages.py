"""Public pages under load through gunicorn: the Xuchang notice page and /notices/ against a
static file of the same size served by the same gunicorn (whitenoise).

Run: ``.venv/bin/python benchmarks/public_pages.py [--rounds 7] [--seconds 3] [--clients 4]
[--workers 2] [--redis redis://127.0.0.1:6379/12] [--database-url postgres://…/NAME]``.

Builds a scratch database (SQLite in a temporary folder by default; with ``--database-url`` a
PostgreSQL database of that name, created empty and dropped afterwards), migrates it, runs
``seed_demo`` and ``collectstatic`` (into the temporary folder: ``STATIC_ROOT``), starts
gunicorn as in production (``DEBUG=0``, sync workers), reads the Xuchang notice page and the
list once, copies each response's bytes into the static root (``bench/…``, the same size and
type), restarts gunicorn so that whitenoise serves the copies, and then alternates the load:
``--rounds`` rounds, each running every target for ``--seconds`` with ``--clients`` client
processes (a new connection per request, as gunicorn's sync workers close each one; the
order of the targets rotates from round to round). With ``--redis`` the servers get
``REDIS_URL`` (the public pages' cache; that Redis database is flushed before and after).

Prints each target's requests per second (median of the rounds) and each page's ratio to its
static copy, per round (min / median / max). The goal: the notice page at ≥ 0.3× the static
file. Asserts nothing; every response is checked for its status and length.
"""

from __future__ import annotations

import argparse
import http.client
import multiprocessing
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks import scratch_database  # noqa: E402

PYTHON = sys.executable
XUCHANG = "中共许昌市教育局党组"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def manage(env: dict, *args: str) -> str:
    result = subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env,
                            capture_output=True, text=True)
    if result.returncode:
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{result.stderr}")
    return result.stdout


def fetch(port: int, path: str) -> tuple[int, bytes, dict]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers={"Connection": "close"})
        response = connection.getresponse()
        return response.status, response.read(), dict(response.getheaders())
    finally:
        connection.close()


class Gunicorn:
    def __init__(self, env: dict, workers: int):
        self.port = free_port()
        self.process = subprocess.Popen(
            [PYTHON, "-m", "gunicorn", "rectify.wsgi", "--bind", f"127.0.0.1:{self.port}",
             "--workers", str(workers), "--worker-class", "sync", "--log-level", "warning",
             "--backlog", "2048"],
            cwd=ROOT, env=env, start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit("gunicorn did not start")
            try:
                if fetch(self.port, "/notices/")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        self.stop()
        raise SystemExit("gunicorn did not answer within 60 s")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def load(job: tuple[int, str, int, float]) -> tuple[int, int]:
    """One client: requests ``path`` one after another until ``deadline``; (done, bad)."""
    port, path, length, deadline = job
    done = bad = 0
    while time.monotonic() < deadline:
        try:
            status, body, _headers = fetch(port, path)
        except OSError:
            bad += 1
            continue
        if status == 200 and len(body) == length:
            done += 1
        else:
            bad += 1
    return done, bad


def measure(pool, clients: int, port: int, path: str, length: int,
            seconds: float) -> float:
    start = time.monotonic()
    results = pool.map(load, [(port, path, length, start + seconds)] * clients, chunksize=1)
    elapsed = time.monotonic() - start
    done = sum(d for d, _b in results)
    bad = sum(b for _d, b in results)
    if bad:
        print(f"  {path}: {bad} bad answers", file=sys.stderr)
    return done / elapsed


def flush_redis(url: str | None) -> None:
    if url:
        import redis

        redis.Redis.from_url(url).flushdb()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--redis", default="", help="REDIS_URL for the servers (flushed)")
    parser.add_argument("--database-url", default="",
                        help="postgres://…/NAME: a scratch database of that name (dropped)")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="rectify-bench-public-"))
    env = {key: value for key, value in os.environ.items()
           if key not in {"DATABASE_URL", "REDIS_URL", "CACHE_URL", "CELERY_BROKER_URL"}}
    env.update({
        "DJANGO_SETTINGS_MODULE": "rectify.settings",
        "DEBUG": "0",
        "SECRET_KEY": "benchmark-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_HSTS_SECONDS": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "STATIC_ROOT": str(tmp / "static"),
        "DOCUMENTS_CACHE_ROOT": str(tmp / "documents"),
        "EVIDENCE_ROOT": str(tmp / "evidence"),
        "JOBS_QUEUE_DIR": str(tmp / "job-queue"),
        "JOB_RESULT_DIR": str(tmp / "job-results"),
        "LOG_LEVEL": "ERROR",
        "DATABASE_URL": args.database_url or f"sqlite:///{tmp / 'bench.sqlite3'}",
    })
    if args.redis:
        env["REDIS_URL"] = args.redis
    server = name = None
    if args.database_url:
        server, _slash, name = args.database_url.rpartition("/")
        scratch_database.recreate(server, name)
    servers = []
    try:
        flush_redis(args.redis)
        manage(env, "migrate", "--noinput", "-v", "0")
        manage(env, "seed_demo", "--force")
        manage(env, "collectstatic", "--noinput", "-v", "0")
        pk = manage(env, "shell", "--no-imports", "-c",
                    "from rectify.models import Publication; print(Publication.objects.get("
                    f"round__party_group__name='{XUCHANG}').pk)").strip()
        page_path, list_path = f"/notices/{pk}/", "/notices/"

        servers.append(Gunicorn(env, args.workers))
        bodies = {}
        for path in (page_path, list_path):
            status, body, headers = fetch(servers[-1].port, path)
            assert status == 200, (path, status)
            bodies[path] = body
        servers.pop().stop()
        copies = {page_path: "/static/bench/notice-copy.html",
                  list_path: "/static/bench/list-copy.html"}
        folder = tmp / "static" / "bench"
        folder.mkdir(parents=True, exist_ok=True)
        for path, copy in copies.items():
            (folder / Path(copy).name).write_bytes(bodies[path])

        servers.append(Gunicorn(env, args.workers))
        port = servers[-1].port
        targets = [
            ("notice page", page_path, len(bodies[page_path])),
            ("static copy of the notice page", copies[page_path], len(bodies[page_path])),
            ("/notices/", list_path, len(bodies[list_path])),
            ("static copy of /notices/", copies[list_path], len(bodies[list_path])),
        ]
        for _label, path, length in targets:
            status, body, headers = fetch(port, path)
            assert status == 200 and len(body) == length, (path, status, len(body), length)
        print(f"notice page {len(bodies[page_path]):,} bytes, /notices/ "
              f"{len(bodies[list_path]):,} bytes; gunicorn {args.workers} sync workers, "
              f"{args.clients} clients, {args.rounds} rounds of {args.seconds:g} s per target"
              f"{', REDIS_URL=' + args.redis if args.redis else ', no Redis'}; "
              f"database {'PostgreSQL' if args.database_url else 'SQLite'}")

        rates: dict[str, list[float]] = {label: [] for label, _p, _l in targets}
        context = multiprocessing.get_context("fork")
        with context.Pool(args.clients) as pool:
            for _label, path, length in targets:  # warm up
                measure(pool, args.clients, port, path, length, 1.0)
            for number in range(args.rounds):
                shift = number % len(targets)
                for label, path, length in targets[shift:] + targets[:shift]:
                    rates[label].append(measure(pool, args.clients, port, path, length,
                                                args.seconds))

        print(f"{'target':<34} {'median req/s':>12} {'min':>8} {'max':>8}")
        for label, values in rates.items():
            print(f"{label:<34} {statistics.median(values):>12.0f} {min(values):>8.0f} "
                  f"{max(values):>8.0f}")
        for page, copy in (("notice page", "static copy of the notice page"),
                           ("/notices/", "static copy of /notices/")):
            ratios = [a / b for a, b in zip(rates[page], rates[copy], strict=True)]
            print(f"{page} / its static copy, per round: min {min(ratios):.2f}, median "
                  f"{statistics.median(ratios):.2f}, max {max(ratios):.2f}")
    finally:
        for running in servers:
            running.stop()
        flush_redis(args.redis)
        if name:
            connection = scratch_database.admin_connection(server)
            with connection.cursor() as cursor:
                cursor.execute(f"DROP DATABASE IF EXISTS {name}")
            connection.close()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
