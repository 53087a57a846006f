"""Delete the results of background jobs older than ``JOB_RESULT_TTL_HOURS`` (and files in
``JOB_RESULT_DIR`` that no job names). Submitting a job and starting a worker sweep too, and
Celery beat hourly (``SWEEP_JOBS_MINUTE``); this command is for a terminal."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from rectify.services import jobs


class Command(BaseCommand):
    help = "清理过期的后台任务结果文件。"

    def handle(self, *args, **options):
        deleted = jobs.sweep()
        if options.get("verbosity", 1) >= 1:
            self.stdout.write(f"sweep_jobs：删除了 {deleted} 个过期的结果文件。")
