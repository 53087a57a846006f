"""Restore a backup made by ``manage.py backup`` into a new, empty installation (see
``rectify.services.backups``): ``manage.py restore /var/backups/rectify/rectify-backup-….zip``.

Refuses a database that already holds data. Every member is checked against the manifest's
SHA-256 before anything is written; then ``migrate``, the rows in one transaction, and the
evidence files into ``EVIDENCE_ROOT``, each checked again. All or nothing; exits non-zero on
failure.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from rectify.services.backups import BackupError, problem_message, restore


class Command(BaseCommand):
    help = ("从 backup 命令生成的备份文件恢复数据库和佐证材料；只能恢复到新安装的空数据库，"
            "恢复前逐一校验 SHA-256。")

    def add_arguments(self, parser):
        parser.add_argument("archive", metavar="FILE", help="备份文件（.zip）")

    def handle(self, *args, archive: str, **options):
        self.verbosity = options.get("verbosity", 1)
        try:
            result = restore(archive, progress=self._say)
        except BackupError as error:
            raise CommandError(str(error))
        manifest = result.manifest
        for note in result.notes:
            self.stdout.write(note)
        self.stdout.write(_("恢复完成：备份时间 {created}（{vendor}，版本 {version}）；"
                            "数据 {rows} 行，佐证材料 {files} 个文件（{bytes} 字节），"
                            "校验全部通过。").format(
            created=manifest.get("created_at"), vendor=manifest.get("database_vendor"),
            version=manifest.get("app_version") or _("未知"),
            rows=sum(result.counts.values()), files=result.evidence_files,
            bytes=result.evidence_bytes))
        if result.problems:
            lines = [problem_message(problem) for problem in result.problems]
            self.stderr.write(_("备份时已有 {count} 个佐证材料文件缺失或与记录不符（未能恢复）："
                                "\n{lines}").format(count=len(lines), lines="\n".join(lines)))

    def _say(self, message: str) -> None:
        if self.verbosity > 0:
            self.stdout.write(message)
