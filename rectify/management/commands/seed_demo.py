"""Load the two seed notices as sample data, create one demo login per role, and publish
both notices (to the party and to the public)."""

from __future__ import annotations

import datetime
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from bureaus.models import PartyGroup
from rectify.models import InspectionRound
from rectify.models.choices import ReviewLevels
from rectify.notice_import import parse_notice, read_notice_file
from rectify.notice_import.notice_loader import find_existing, load_notice
from rectify.rules import roles
from rectify.services.publishing import publish_notice
from rectify.services.records import save_record
from rectify.services.trends import backfill, take_snapshot

SEED_DIR = Path(settings.BASE_DIR) / "fixtures" / "notices"
DEMO_PASSWORD = "rectify-demo"
#: Who approved the demo publications: the seed texts do not name the principal.
DEMO_APPROVER = "党组主要负责人（示例）"

# username -> (role, is_staff, party group name or None)
DEMO_USERS = {
    "staff": (roles.STAFF, True, None),
    "auditor": (roles.AUDITOR, True, None),
    "clerk_xinye": (roles.CLERK, False, "中共新野县教育体育局党组"),
    "clerk_xuchang": (roles.CLERK, False, "中共许昌市教育局党组"),
    "leader_xinye": (roles.LEADER, False, "中共新野县教育体育局党组"),
    "leader_xuchang": (roles.LEADER, False, "中共许昌市教育局党组"),
}
#: The rounds whose proposals pass the bureau leader before the office (逐级审核).
TWO_LEVEL_BUREAUS = ("中共新野县教育体育局党组",)


def seed_files() -> list[Path]:
    return sorted(SEED_DIR.glob("*.txt"))


class Command(BaseCommand):
    help = "载入两份示例通报并为每个角色创建演示账号（可重复运行）。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true",
            help="DEBUG 关闭时也运行（会创建密码公开的演示账号）",
        )

    @transaction.atomic
    def handle(self, *args, force: bool = False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "DEBUG 已关闭：seed_demo 会创建密码公开的演示账号，拒绝运行；确需运行请加 --force。"
            )
        groups = roles.ensure_roles()
        created_notices = 0
        notices = []
        for path in seed_files():
            parsed = parse_notice(read_notice_file(path))
            notice = find_existing(parsed)
            if notice is None:
                notice = load_notice(parsed)
                created_notices += 1
            notices.append(notice)
        created_users = 0
        User = get_user_model()
        for username, (role, is_staff, bureau_name) in DEMO_USERS.items():
            user, created = User.objects.get_or_create(username=username)
            if created:
                user.set_password(DEMO_PASSWORD)
                created_users += 1
            user.is_staff = is_staff
            user.email = user.email or f"{username}@example.invalid"  # for send_reminders
            user.save()
            user.groups.add(groups[role])
            if bureau_name:
                bureau = PartyGroup.objects.find(bureau_name)
                if bureau is None:
                    raise CommandError(f"示例数据中缺少党组织：{bureau_name}")
                bureau.members.add(user)
        for round_ in InspectionRound.objects.filter(
                party_group__name__in=TWO_LEVEL_BUREAUS, review_levels=ReviewLevels.ONE):
            round_.review_levels = ReviewLevels.TWO
            save_record(round_, reason="演示数据：两级审核（单位负责人、巡察办）")
        published = 0
        publisher = User.objects.get(username="staff")
        for notice in notices:
            if not notice.publications.exists():
                publish_notice(notice, publisher, approved_by=DEMO_APPROVER,
                               for_party=True, for_public=True)
                published += 1
        snapshots = self._trends([notice.round for notice in notices])
        self.stdout.write(
            f"seed_demo：新建通报 {created_notices} 份、发布 {published} 份、"
            f"演示账号 {created_users} 个、统计快照 {snapshots} 条"
            f"（示例通报共 {len(seed_files())} 份，演示账号共 {len(DEMO_USERS)} 个）。"
        )

    def _trends(self, rounds) -> int:
        """The seed rounds' trend: each day from the feedback to yesterday derived from the
        tasks' history rows and completion dates (``trends.backfill``), then today's snapshot."""
        today = timezone.localdate()
        starts = [r.feedback_date for r in rounds if r.feedback_date]
        rows = 0
        if starts and min(starts) < today:
            rows = backfill(min(starts), today - datetime.timedelta(days=1), rounds)
        return rows + take_snapshot(today)
