"""Store the day's statistics of every round (the trends' daily row); run again the same day,
it replaces that day's rows. Celery beat takes it daily as a background job (``SNAPSHOT_AT``;
see ``rectify.background.periodic_jobs``); this command is for a terminal."""

from __future__ import annotations

import datetime

from django.core.management.base import BaseCommand, CommandError

from rectify.services.trends import take_snapshot


class Command(BaseCommand):
    help = "保存当天各巡察轮次的整改统计快照（同一天重复运行会替换当天的快照）。"

    def add_arguments(self, parser):
        parser.add_argument("--date", help="统计日期 YYYY-MM-DD（默认今天）")

    def handle(self, *args, date: str | None = None, **options):
        try:
            day = datetime.date.fromisoformat(date) if date else None
        except ValueError:
            raise CommandError(f"--date：日期格式应为 YYYY-MM-DD，而不是“{date}”。")
        rows = take_snapshot(day)
        self.stdout.write(f"snapshot_statistics：已保存 {rows} 个巡察轮次的统计快照。")
