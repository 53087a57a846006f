"""Send the day's escalating reminder e-mails — clerks from yellow, bureau leaders from red,
the inspection office once overdue — and write the day's warning notifications (see
``rectify.services.reminders``).

Celery beat runs the same service daily as a background job (``REMINDERS_AT``; see
``rectify.background.periodic_jobs``); this command is for a terminal. Running it again the
same day sends nothing new. ``--dry-run`` shows what would be sent; ``--date`` pretends another day;
``--party-group ID`` (repeatable) limits it to some bureaus.
"""

from __future__ import annotations

import datetime

from django.core.management.base import BaseCommand, CommandError

from bureaus.models import PartyGroup
from rectify.services.reminders import send_reminders


class Command(BaseCommand):
    help = ("发送整改提醒邮件并写入站内预警通知：黄色预警提醒单位联络员，红色预警同时提醒"
            "单位负责人，逾期后同时提醒巡察办；每人每天每单位一封。")

    def add_arguments(self, parser):
        parser.add_argument("--date", help="按该日期计算（YYYY-MM-DD，默认今天）")
        parser.add_argument("--dry-run", action="store_true",
                            help="试运行：只列出将发送的邮件，不发送、不记录")
        parser.add_argument("--party-group", action="append", default=None, metavar="ID",
                            dest="party_groups", help="只提醒该党组织（编号，可重复）")

    def handle(self, *args, date=None, dry_run=False, party_groups=None, **options):
        today = None
        if date:
            try:
                today = datetime.date.fromisoformat(date)
            except ValueError:
                raise CommandError(f"--date：“{date}”不是有效日期，请按 YYYY-MM-DD 填写，"
                                   "例如 2024-06-30。")
        ids = None
        if party_groups:
            ids = set()
            for value in party_groups:
                if not value.strip().isdigit():
                    raise CommandError(f"--party-group：“{value}”不是党组织编号（应为整数）。")
                ids.add(int(value))
            missing = sorted(ids - set(PartyGroup.objects.filter(pk__in=ids)
                                       .values_list("pk", flat=True)))
            if missing:
                raise CommandError("--party-group：没有编号为 {} 的党组织。".format(
                    "、".join(map(str, missing))))

        result = send_reminders(today, dry_run=dry_run, party_group_ids=ids, stdout=self.stdout)

        verb, note = ("将发送", "，试运行，未发送任何邮件") if dry_run else ("已发送", "")
        lines = [f"send_reminders（{result.today:%Y-%m-%d}{note}）："
                 f"{verb} {len(result.sent)} 封提醒邮件；"
                 f"今天已发送过而跳过 {len(result.already_sent)} 封；"
                 f"收件人未填写电子邮箱 {len(result.without_email)} 人次。"]
        lines += [f"  未填写电子邮箱：{mail}" for mail in result.without_email]
        self.stdout.write("\n".join(lines))
        if result.failed:
            raise CommandError(f"{len(result.failed)} 封提醒邮件发送失败（见上），"
                               "重新运行本命令时会再次尝试。")
