"""Import a published notice (.txt or .docx) into records."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from rectify.notice_import import NoticeReadError, parse_notice, read_notice_file
from rectify.notice_import.node_kinds import KINDS
from rectify.notice_import.notice_loader import ImportRefused, load_notice


class Command(BaseCommand):
    help = "导入一份已发布的整改通报（.txt 或 .docx），生成巡察轮次及其问题、措施。"

    def add_arguments(self, parser):
        parser.add_argument("path", help="通报文件（UTF-8/GB18030 文本或 .docx）")
        parser.add_argument("--party-group", help="被巡察党组织全称（默认取通报落款）")
        parser.add_argument("--dry-run", action="store_true", help="只解析并报告，不写入")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出解析结果")
        parser.add_argument(
            "--as", dest="kinds", action="append", default=[], metavar="LINE=KIND",
            help="把第 LINE 行的标题读作 task（整改任务）、category（问题类别）"
                 "或 overall（整体情况），可重复",
        )

    def handle(self, *args, path: str, party_group=None, dry_run=False, json=False, kinds=(),
               **options):
        chosen = {}
        for choice in kinds:
            line, _, kind = choice.partition("=")
            if not line.strip().isdigit() or kind.strip() not in KINDS:
                raise CommandError(
                    f"--as：“{choice}”应为 行号=task、行号=category 或 行号=overall。",
                    returncode=2)
            chosen[int(line)] = kind.strip()
        try:
            text = read_notice_file(path)
        except (NoticeReadError, OSError) as exc:
            raise CommandError(f"{path}：{_message(exc)}", returncode=2) from None
        parsed = parse_notice(text, chosen)
        if json:
            self.stdout.write(_dumps(parsed.to_dict()))
        else:
            for doubt in parsed.doubts:
                self.stderr.write(f"疑点：{doubt.message}")
        if parsed.task_count == 0:
            raise CommandError(f"{path}：通报中没有识别出任何整改任务，未导入。", returncode=2)
        if dry_run:
            if not json:
                self.stdout.write(
                    f"试导入：{parsed.task_count} 项整改任务、{parsed.measure_count} 条措施、"
                    f"{len(parsed.doubts)} 处疑点；未写入。"
                )
            return
        try:
            with transaction.atomic():
                notice = load_notice(parsed, party_group=party_group)
        except ImportRefused as exc:
            raise CommandError(f"{path}：{exc}", returncode=2) from None
        summary = (
            f"已导入“{notice.title}”：{parsed.task_count} 项整改任务、"
            f"{parsed.measure_count} 条措施、{len(parsed.doubts)} 处疑点。"
        )
        (self.stderr if json else self.stdout).write(summary)


def _message(exc: Exception) -> str:
    if isinstance(exc, FileNotFoundError):
        return "文件不存在。"
    if isinstance(exc, IsADirectoryError):
        return "这是一个目录，不是文件。"
    if isinstance(exc, PermissionError):
        return "没有读取该文件的权限。"
    return str(exc)


def _dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, default=str)
