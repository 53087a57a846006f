"""Background jobs: submit one, run it once, follow its progress, keep its result a day.

A job *kind* is registered (:func:`register`) by the layer that can build it — the ledger
export by ``rectify.background``, which sits above the surfaces — with a function
``run(job, out, progress) -> Output`` that writes the result to ``out`` (or nothing: a job
may end with an outcome to read and no file) and calls ``progress(rows_done, rows_total,
step=...)`` as it goes. This module knows nothing of the kinds.

- :func:`submit` writes the :class:`~rectify.models.Job` (queued) and hands its id to the
  queue once the row is committed, by task name (``celery.current_app.send_task``; with
  ``CELERY_TASK_ALWAYS_EAGER`` the task runs at once, in this process). A job without a user
  is the system's (the schedule's); a ``key`` makes the submission idempotent (one job per
  key: the schedule's ``kind:date``).
- :func:`run` (the Celery task ``rectify.run_job`` calls it) first *claims* the job with one
  conditional UPDATE: from queued, or from running whose heartbeat is older than
  ``JOB_STALE_SECONDS`` (its worker died). The claim writes a fresh token; every later write
  of progress, result or failure is conditional on that token, so two runs never both write,
  and a job whose runner is alive is never started again. While it runs, a heartbeat is
  written with the progress and by a small thread every ``JOB_HEARTBEAT_SECONDS``.
- A kind that writes records does so inside :meth:`Progress.atomic` and records what it did
  with :meth:`Progress.commit` in the same transaction (``Job.outcome``): a run that finds an
  outcome (its worker died after the commit) does not write again. Progress reported inside
  that transaction is written by the heartbeat thread on its own connection, so that the
  page moves while the transaction is open (not on SQLite, which has one writer at a time).
- A failure stores a message for the user (:class:`JobError`'s, or a general one); the
  traceback goes to the log only. A job started ``JOB_MAX_ATTEMPTS`` times without finishing
  (its worker died each time) fails instead of starting again.
- :func:`sweep` deletes results ``JOB_RESULT_TTL_HOURS`` after their job finished, and files
  nobody refers to; :func:`recover` hands the queue again the jobs a dead worker left behind.
"""

from __future__ import annotations

import datetime
import logging
import os
import secrets
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import IO

from celery import current_app
from django.conf import settings
from django.db import (
    DatabaseError,
    IntegrityError,
    OperationalError,
    connection,
    connections,
    transaction,
)
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy, pgettext_lazy

from rectify.models import Job, JobState

logger = logging.getLogger(__name__)

#: The Celery task that runs a job (defined in ``rectify.background.job_tasks``).
RUN_TASK = "rectify.run_job"
#: Set in the session of a user who submitted a job: the header then links to the job list.
SESSION_FLAG = "rectify_has_jobs"
#: Progress is written at most this often (seconds); calls in between only count.
PROGRESS_SECONDS = 0.5

#: Outcomes of :func:`run`.
DONE, FAILED, BUSY, SUPERSEDED, NOTHING = "done", "failed", "busy", "superseded", "nothing"

GENERAL_ERROR = gettext_lazy("生成时出错，未能完成。请稍后重新提交；如仍失败，请联系管理员。")
QUEUE_ERROR = gettext_lazy("后台任务队列暂不可用，未能提交。请稍后重试或联系管理员。")
ABANDONED_ERROR = gettext_lazy("后台任务已中断 {attempts} 次（处理进程意外退出），不再重试。"
                               "请缩小范围后重新提交，或联系管理员。")
UNKNOWN_KIND_ERROR = gettext_lazy("无法识别的后台任务类型，未能执行。")


class JobError(Exception):
    """A failure the user can understand and act on; its text is shown as it is."""


class Superseded(Exception):
    """Another run holds the job now (this one was presumed dead): stop without writing."""


@dataclass(frozen=True)
class Output:
    """What a kind's ``run`` made: the download's name and type, and a line for the page.

    What the kind wrote to ``out`` is kept as the job's result; without a ``filename`` it is
    not offered for download (a file a surface reads back, such as an import's preview), and
    a run that wrote nothing keeps no file (its outcome is the message)."""

    filename: str = ""
    content_type: str = ""
    message: str = ""


Runner = Callable[[Job, IO[bytes], "Progress"], Output]
#: The next steps a finished job offers: (label, URL) pairs, e.g. back to the page it came from.
Links = Callable[[Job], list[tuple[str, str]]]

#: What a job's progress counts by default (kinds name theirs: 项, 封 …; "progress unit").
DEFAULT_UNIT = pgettext_lazy("progress unit", "行")


@dataclass(frozen=True)
class JobKind:
    name: str
    label: str
    run: Runner
    unit: str = DEFAULT_UNIT  # what the rows are: 行, 项, 封 …
    links: Links | None = None


_KINDS: dict[str, JobKind] = {}


def register(name: str, label, run: Runner, *, unit=None, links: Links | None = None
             ) -> JobKind:
    """Make ``name`` a kind of job, shown as ``label``, built by ``run``; its progress counts
    ``unit`` (行 by default); ``links(job)`` are the next steps its page offers."""
    kind = JobKind(name, label, run, unit or DEFAULT_UNIT, links)
    _KINDS[name] = kind
    return kind


def unregister(name: str) -> None:
    _KINDS.pop(name, None)


def kind_label(name: str) -> str:
    kind = _KINDS.get(name)
    return str(kind.label) if kind else name


def kind_unit(name: str) -> str:
    kind = _KINDS.get(name)
    return str(kind.unit if kind else DEFAULT_UNIT)


def kind_links(job: Job) -> list[tuple[str, str]]:
    """The next steps the job's page offers (none for an unknown kind)."""
    kind = _KINDS.get(job.kind)
    if kind is None or kind.links is None:
        return []
    return [(str(label), url) for label, url in kind.links(job)]


# -- submitting -----------------------------------------------------------------------------


def submit(kind: str, user, params: dict | None = None, total: int | None = None, *,
           key: str | None = None) -> Job:
    """Queue a job of ``kind`` for ``user`` (None: the system) with ``params`` (JSON);
    ``total`` is the number of rows expected, if known. The job is handed to the queue once
    its row is committed. With a ``key``, a job already submitted under that key is returned
    instead and nothing is queued (the schedule's runs: one job per kind and day)."""
    if kind not in _KINDS:
        raise ValueError(f"Unknown job kind {kind!r}")
    fields = {"kind": kind, "requested_by": user, "params": params or {}, "rows_total": total,
              "language": translation.get_language() or settings.LANGUAGE_CODE}
    if key is None:
        job = Job.objects.create(**fields)
    else:
        try:
            with transaction.atomic():
                job = Job.objects.create(schedule_key=key[:80], **fields)
        except IntegrityError:
            return Job.objects.get(schedule_key=key[:80])
    if current_app.conf.task_always_eager:
        _dispatch(job.pk)
    else:
        transaction.on_commit(partial(_dispatch, job.pk))
    sweep()
    return job


def _dispatch(job_id: int) -> None:
    """Hand the job to the queue (or, eager, run it here); a queue that cannot be reached
    fails the job with a message saying so."""
    try:
        if current_app.conf.task_always_eager:
            current_app.tasks[RUN_TASK].apply(args=[job_id])
        else:
            current_app.send_task(RUN_TASK, args=[job_id])
    except Exception:
        logger.exception("Could not hand job %s to the queue", job_id)
        Job.objects.filter(pk=job_id, state=JobState.QUEUED).update(
            state=JobState.FAILED, error=str(QUEUE_ERROR), finished_at=timezone.now())


# -- running --------------------------------------------------------------------------------


def stale_before(now: datetime.datetime | None = None) -> datetime.datetime:
    return (now or timezone.now()) - datetime.timedelta(seconds=settings.JOB_STALE_SECONDS)


def claim(job_id: int, now: datetime.datetime | None = None) -> str | None:
    """Take the job for this run, atomically: from queued, or from running with a stale
    heartbeat. Returns the run's token, or None if the job is not to be run (finished, or
    running with a live heartbeat)."""
    now = now or timezone.now()
    token = uuid.uuid4().hex
    taken = Job.objects.filter(pk=job_id).filter(
        Q(state=JobState.QUEUED)
        | Q(state=JobState.RUNNING, heartbeat_at__lt=stale_before(now))
        | Q(state=JobState.RUNNING, heartbeat_at__isnull=True)
    ).update(state=JobState.RUNNING, claim=token, attempts=F("attempts") + 1, started_at=now,
             heartbeat_at=now, rows_done=0, error="")
    return token if taken else None


def _mine(job_id: int, token: str):
    return Job.objects.filter(pk=job_id, claim=token, state=JobState.RUNNING)


class Progress:
    """The callback a kind's ``run`` gets: ``progress(rows_done, rows_total, step=...)``.

    Writes the numbers, the step (a line saying what the job is doing, shown above the bar)
    and the heartbeat at most every ``PROGRESS_SECONDS`` (the first call, and a new step, at
    once); raises :class:`Superseded` if another run took the job over meanwhile.

    Inside :meth:`atomic` the numbers are kept for the heartbeat thread, which writes them on
    its own connection (the transaction's writes stay invisible until it commits, the job's
    row with them); :meth:`commit` records the kind's outcome in that transaction.
    """

    def __init__(self, job: Job, token: str, interval: float | None = None):
        self.job = job
        self.job_id, self.token = job.pk, token
        self.interval = PROGRESS_SECONDS if interval is None else interval
        self.done, self.total = 0, job.rows_total
        self.step = ""
        #: When the numbers (and the heartbeat) were last written (``time.monotonic()``).
        self.written_at: float | None = None
        #: Inside :meth:`atomic`: numbers are left to the heartbeat thread.
        self.in_transaction = False
        #: Numbers not written yet (inside :meth:`atomic`).
        self.pending = False
        #: Set to wake the heartbeat thread (a transaction began, numbers are waiting).
        self.wake = threading.Event()

    def __call__(self, rows_done: int, rows_total: int | None = None, *,
                 step: str | None = None) -> None:
        self.done = rows_done
        if rows_total is not None:
            self.total = rows_total
        new_step = step is not None and str(step) != self.step
        if new_step:
            self.step = str(step)
        if self.in_transaction:
            self.pending = True
            return
        now = time.monotonic()
        if (not new_step and self.written_at is not None
                and now - self.written_at < self.interval):
            return
        self.written_at = now
        try:
            updated = self._write()
        except OperationalError:  # a busy database (SQLite): the numbers wait for the next call
            logger.warning("Progress of job %s not written", self.job_id, exc_info=True)
            return
        if not updated:
            raise Superseded(self.job_id)

    def _write(self) -> int:
        self.pending = False
        return _mine(self.job_id, self.token).update(
            rows_done=self.done, rows_total=self.total, message=self.step[:200],
            heartbeat_at=timezone.now())

    @contextmanager
    def atomic(self) -> Iterator[None]:
        """One transaction for the kind's writes; progress reported meanwhile is written by
        the heartbeat thread (see the class)."""
        with transaction.atomic():
            self.in_transaction = True
            self.wake.set()
            try:
                yield
            finally:
                self.in_transaction = False
        if self.pending:
            self.written_at = None  # the numbers reported inside: written now
            self(self.done, self.total)

    def commit(self, outcome: dict) -> dict:
        """Record what the kind wrote, in the kind's own transaction (inside :meth:`atomic`):
        a later run of the job finds ``job.outcome`` and writes nothing again. Raises
        :class:`Superseded` (rolling the transaction back) if another run holds the job."""
        if not connection.in_atomic_block:
            raise RuntimeError("Progress.commit() belongs inside Progress.atomic()")
        if not _mine(self.job_id, self.token).update(outcome=outcome,
                                                     heartbeat_at=timezone.now()):
            raise Superseded(self.job_id)
        self.job.outcome = outcome
        return outcome


class Heartbeat:
    """While a job runs, a thread writes its heartbeat every ``JOB_HEARTBEAT_SECONDS`` in which
    the progress wrote none: a run whose kind reports no progress for a while (a large file
    being saved) still counts as alive. While progress is written the thread stays off the
    database (on SQLite a second writer would wait on the job's own open cursors). While the
    kind's transaction is open (:meth:`Progress.atomic`) the thread writes the progress too,
    every ``PROGRESS_SECONDS`` — except on SQLite, where the transaction holds the only write
    lock: there the numbers wait for the transaction's end."""

    def __init__(self, job_id: int, token: str, progress: Progress):
        self.job_id, self.token, self.progress = job_id, token, progress
        self.every = settings.JOB_HEARTBEAT_SECONDS
        self.one_writer = connection.vendor == "sqlite"
        self._stopping = False
        self._thread = threading.Thread(target=self._beat, name=f"job-{job_id}-heartbeat",
                                        daemon=True)

    def _beat(self) -> None:
        touched = False
        progress = self.progress
        try:
            while not self._stopping:
                deferring = progress.in_transaction and not self.one_writer
                progress.wake.wait(progress.interval if deferring else self.every)
                progress.wake.clear()
                if self._stopping:
                    break
                if progress.in_transaction:
                    if self.one_writer:
                        continue
                    if progress.pending:
                        touched = True
                        self._write(progress._write)
                        progress.written_at = time.monotonic()
                        continue
                written = progress.written_at
                if written is not None and time.monotonic() - written < self.every:
                    continue
                touched = True
                self._write(lambda: _mine(self.job_id, self.token).update(
                    heartbeat_at=timezone.now()))
        finally:
            if touched:
                connections.close_all()  # this thread's own connections

    def _write(self, write) -> None:
        try:
            write()
        except DatabaseError:
            logger.warning("Heartbeat of job %s not written", self.job_id, exc_info=True)

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stopping = True
        self.progress.wake.set()
        self._thread.join()


def result_dir() -> Path:
    return Path(settings.JOB_RESULT_DIR)


def run(job_id: int) -> str:
    """Run the job if it is to be run (see :func:`claim`); returns what happened: ``DONE``,
    ``FAILED``, ``BUSY`` (another run holds it and is alive: try again later),
    ``SUPERSEDED`` (taken over meanwhile) or ``NOTHING`` (finished, or no such job)."""
    token = claim(job_id)
    if token is None:
        state = Job.objects.filter(pk=job_id).values_list("state", flat=True).first()
        return BUSY if state == JobState.RUNNING else NOTHING
    job = Job.objects.select_related("requested_by").get(pk=job_id)
    if job.attempts > settings.JOB_MAX_ATTEMPTS:
        logger.error("Job %s abandoned after %s attempts", job_id, job.attempts - 1)
        _fail(job, token, _in(job, ABANDONED_ERROR, attempts=job.attempts - 1))
        return FAILED
    kind = _KINDS.get(job.kind)
    if kind is None:
        logger.error("Job %s has the unknown kind %r", job_id, job.kind)
        _fail(job, token, _in(job, UNKNOWN_KIND_ERROR))
        return FAILED
    directory = result_dir()
    name = f"{job.pk}-{secrets.token_hex(12)}"
    part = directory / f".{name}.part"
    progress = Progress(job, token)
    language = job.language or settings.LANGUAGE_CODE
    try:
        directory.mkdir(parents=True, exist_ok=True)
        with Heartbeat(job.pk, token, progress), translation.override(language), \
                part.open("wb") as out:
            progress(0, job.rows_total)
            output = kind.run(job, out, progress)
        os.replace(part, directory / name)
    except Superseded:
        part.unlink(missing_ok=True)
        logger.warning("Job %s was taken over by another run; this one stops", job_id)
        return SUPERSEDED
    except JobError as exc:
        part.unlink(missing_ok=True)
        _fail(job, token, str(exc))
        return FAILED
    except Exception:
        part.unlink(missing_ok=True)
        logger.exception("Job %s (%s) failed", job_id, job.kind)
        _fail(job, token, _in(job, GENERAL_ERROR))
        return FAILED
    path = directory / name
    if not output.filename and not path.stat().st_size:  # an outcome to read, no file
        path.unlink()
        name = ""
    finished = _mine(job.pk, token).update(
        state=JobState.DONE, result_file=name, result_filename=output.filename[:200],
        content_type=output.content_type[:100],
        result_size=path.stat().st_size if name else None,
        message=output.message[:200], rows_done=progress.done,
        rows_total=max(progress.total or 0, progress.done), finished_at=timezone.now(),
        heartbeat_at=timezone.now())
    if not finished:
        if name:
            path.unlink(missing_ok=True)
        return SUPERSEDED
    return DONE


def _in(job: Job, message, **kwargs) -> str:
    """A message in the language the job was asked in."""
    with translation.override(job.language or settings.LANGUAGE_CODE):
        return str(message).format(**kwargs) if kwargs else str(message)


def _fail(job: Job, token: str, error: str) -> None:
    _mine(job.pk, token).update(state=JobState.FAILED, error=error,
                                finished_at=timezone.now())


# -- housekeeping ---------------------------------------------------------------------------


def result_path(job: Job) -> Path | None:
    """The stored result of a finished job, or None (none, or swept); offered for download
    only when the job is ``downloadable``."""
    if job.state != JobState.DONE or not job.result_file:
        return None
    return result_dir() / job.result_file


def sweep(now: datetime.datetime | None = None) -> int:
    """Delete results older than ``JOB_RESULT_TTL_HOURS`` (the job keeps its row, without a
    file) and files in the result folder that no job names; returns the files deleted."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(hours=settings.JOB_RESULT_TTL_HOURS)
    directory = result_dir()
    deleted = 0
    old = list(Job.objects.filter(finished_at__lt=cutoff).exclude(result_file="")
               .values_list("pk", "result_file"))
    for pk, name in old:
        try:
            (directory / name).unlink(missing_ok=True)
        except OSError:
            logger.warning("Could not delete the result %s of job %s", name, pk, exc_info=True)
            continue
        Job.objects.filter(pk=pk, result_file=name).update(result_file="")
        deleted += 1
    if not directory.is_dir():
        return deleted
    limit = cutoff.timestamp()
    candidates = {}
    for path in directory.iterdir():
        try:
            if path.is_file() and path.stat().st_mtime < limit:
                candidates[path.name] = path
        except OSError:
            continue
    if candidates:
        named = set(Job.objects.filter(result_file__in=list(candidates))
                    .values_list("result_file", flat=True))
        for name, path in candidates.items():
            if name not in named:
                path.unlink(missing_ok=True)
                deleted += 1
    return deleted


def recover(now: datetime.datetime | None = None) -> int:
    """Hand the queue again the jobs a dead worker left: running with a stale heartbeat, or
    queued for longer than ``JOB_STALE_SECONDS`` (their message may have been lost with the
    worker that had taken it). A job still waiting in the queue is then run once all the
    same: the second message finds it claimed or finished. Returns the jobs re-sent."""
    stale = stale_before(now)
    ids = list(Job.objects.filter(
        Q(state=JobState.RUNNING, heartbeat_at__lt=stale)
        | Q(state=JobState.QUEUED, created_at__lt=stale)
    ).values_list("pk", flat=True))
    for job_id in ids:
        logger.warning("Job %s left by a dead worker: queued again", job_id)
        _dispatch(job_id)
    return len(ids)
