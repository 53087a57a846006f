"""``make run``: the development server and a background-jobs worker, started and stopped as
one command.

The worker (``celery -A rectify.background.celery_app worker``, one process, one job at a
time) reads the broker of the settings — by default the filesystem queue under
``JOBS_QUEUE_DIR``, no server needed — and embeds Celery beat (``-B``), which sends the
periodic work when it is due (``celery_app.beat_schedule``: reminders and the statistics
snapshot daily, the sweep of old results hourly), keeping its schedule's state in
``CELERY_BEAT_SCHEDULE_FILENAME`` (``var/celerybeat-schedule``). It is started once (not
again by the autoreloader's child process), in its own session so that the terminal's
Ctrl-C reaches only this command, and is stopped when the server stops; on Linux it is also
told to stop if this process dies. ``--no-beat`` leaves beat out (one beat runs elsewhere).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

#: Seconds a stopping worker gets to finish before it is killed (its job then runs again when
#: a worker next starts: ``rectify.services.jobs.recover``).
STOP_SECONDS = 10


def worker_command(beat: bool = True) -> list[str]:
    command = [sys.executable, "-m", "celery", "-A", "rectify.background.celery_app", "worker",
               "--pool=solo", "--concurrency=1", "--loglevel=INFO", "--without-gossip",
               "--without-mingle", "--without-heartbeat", "-Q",
               settings.CELERY_TASK_DEFAULT_QUEUE, "-n", "rectify-dev@%h"]
    if beat:
        schedule = Path(settings.CELERY_BEAT_SCHEDULE_FILENAME)
        schedule.parent.mkdir(parents=True, exist_ok=True)
        command += ["-B", "--schedule", str(schedule)]
    return command


def _die_with_parent() -> None:  # pragma: no cover -- runs in the child before exec
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def start_worker(beat: bool = True) -> subprocess.Popen:
    return subprocess.Popen(worker_command(beat), start_new_session=True,
                            preexec_fn=_die_with_parent if sys.platform == "linux" else None)


def stop_worker(worker: subprocess.Popen) -> None:
    if worker.poll() is not None:
        return
    worker.terminate()  # a warm shutdown: the job in hand may finish
    try:
        worker.wait(STOP_SECONDS)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait()


class Command(BaseCommand):
    help = "开发服务器与后台任务处理进程（Celery worker）一起启动、一起停止（make run）。"

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000",
                            help="地址和端口，同 runserver")
        parser.add_argument("--noreload", action="store_true", help="代码修改后不自动重启")
        parser.add_argument("--no-worker", action="store_true",
                            help="不启动后台任务处理进程（另行启动 celery worker 时）")
        parser.add_argument("--no-beat", action="store_true",
                            help="处理进程不附带定时调度（Celery beat 另行运行时）")

    def handle(self, *args, addrport: str, noreload: bool = False, no_worker: bool = False,
               no_beat: bool = False, **options):
        worker = None
        # The autoreloader runs this command again in a child process (RUN_MAIN=true): the
        # worker belongs to the parent, which outlives the restarts.
        if not no_worker and os.environ.get("RUN_MAIN") != "true":
            worker = start_worker(beat=not no_beat)
            self.stdout.write(f"后台任务处理进程已启动（pid {worker.pid}，"
                              f"队列 {settings.CELERY_BROKER_URL}"
                              f"{'' if no_beat else '，附带定时调度'}）。")
        previous = signal.signal(signal.SIGTERM, _exit)
        try:
            call_command("runserver", addrport, use_reloader=not noreload)
        finally:
            signal.signal(signal.SIGTERM, previous)
            if worker is not None:
                stop_worker(worker)
                self.stdout.write("后台任务处理进程已停止。")


def _exit(signum, frame):
    raise SystemExit(0)
