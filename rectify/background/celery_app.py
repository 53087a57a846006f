"""The Celery app of Rectify, configured from the Django settings (``CELERY_*``).

Start a worker with ``celery -A rectify.background.celery_app worker`` (``make run`` starts
one itself: ``manage.py serve``). The broker is ``CELERY_BROKER_URL``: Redis in production,
by default kombu's filesystem transport in folders under ``JOBS_QUEUE_DIR``, made here.
When a worker starts it hands the queue again the jobs a dead worker left behind and sweeps
old results (``rectify.services.jobs.recover``, ``sweep``).

The periodic work is scheduled here for **Celery beat** (:func:`beat_schedule`, from the
settings ``REMINDERS_AT``, ``SNAPSHOT_AT``, ``SWEEP_JOBS_MINUTE``; local time): the
reminders and the statistics snapshot daily, each as a job of the system
(``rectify.start_scheduled_job``: one job per kind and day), and the sweep of old results
hourly (``rectify.sweep_jobs``, no job). One beat runs: ``make run``'s worker embeds it
(``-B``), production runs ``celery … beat`` as a service of its own.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from celery import Celery
from celery.schedules import crontab
from celery.signals import worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rectify.settings")

from django.conf import settings  # noqa: E402 -- after the settings module is named

from rectify.background import queue_files  # noqa: E402

queue_files.register()  # the filesystem queue writes each message whole before it is seen

logger = logging.getLogger(__name__)

#: The task that starts a periodic job of the system (beat sends it with the kind's name).
SCHEDULED_TASK = "rectify.start_scheduled_job"
#: The task that deletes old job results (beat sends it hourly).
SWEEP_TASK = "rectify.sweep_jobs"
#: The periodic kinds and the setting of their daily time (names as in ``job_kinds``).
DAILY = (("send_reminders", "REMINDERS_AT"), ("snapshot_statistics", "SNAPSHOT_AT"))


def beat_schedule(conf=settings) -> dict:
    """Celery beat's schedule from the settings: an entry per periodic kind whose time is set,
    and the hourly sweep unless ``SWEEP_JOBS_MINUTE`` is empty."""
    schedule = {}
    for kind, setting in DAILY:
        at = getattr(conf, setting, "")
        if at:
            hour, minute = (int(part) for part in at.split(":"))
            schedule[kind] = {"task": SCHEDULED_TASK, "args": [kind],
                              "schedule": crontab(hour=hour, minute=minute)}
    if getattr(conf, "SWEEP_JOBS_MINUTE", ""):
        schedule["sweep_jobs"] = {"task": SWEEP_TASK,
                                  "schedule": crontab(minute=int(conf.SWEEP_JOBS_MINUTE))}
    return schedule


app = Celery("rectify")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.beat_schedule = beat_schedule()
app.autodiscover_tasks(["rectify.background"], related_name="job_tasks")

#: The folders of the filesystem transport (kombu creates none of them).
QUEUE_FOLDERS = ("data_folder_in", "data_folder_out", "control_folder", "processed_folder")


def make_queue_folders(url: str, options: dict) -> None:
    if not url.startswith("filesystem://"):
        return
    for key in QUEUE_FOLDERS:
        if options.get(key):
            Path(options[key]).mkdir(parents=True, exist_ok=True)


make_queue_folders(settings.CELERY_BROKER_URL, settings.CELERY_BROKER_TRANSPORT_OPTIONS)


@worker_ready.connect
def on_worker_ready(sender=None, **kwargs) -> None:
    from django.db import connections

    from rectify.services import jobs

    try:
        recovered = jobs.recover()
        swept = jobs.sweep()
    except Exception:  # a worker that cannot tidy up still serves the queue
        logger.exception("Recovering the jobs left by a dead worker failed")
        return
    finally:
        connections.close_all()  # the worker's main process keeps no connection open
    if recovered or swept:
        logger.warning("Jobs queued again: %s; old results deleted: %s", recovered, swept)
