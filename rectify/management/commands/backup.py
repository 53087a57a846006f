"""Back up the database and every evidence file into one ZIP archive (see
``rectify.services.backups``): ``manage.py backup --output /var/backups/rectify/``.

The archive holds password hashes and evidence: it is written with permissions 0600; keep it
like the database. Exits non-zero when the backup failed, and also when it was written but
some evidence files were missing or altered (they are listed).
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from rectify.services.backups import BackupError, backup, problem_message


class Command(BaseCommand):
    help = ("备份数据库和全部佐证材料到一个 ZIP 文件（含各成员 SHA-256 清单）。"
            "备份含密码散列和佐证材料，请像数据库一样妥善保管。")

    def add_arguments(self, parser):
        parser.add_argument("-o", "--output", required=True, metavar="FILE",
                            help="备份文件（不覆盖已有文件）；给出目录时自动命名为 "
                                 "rectify-backup-年月日-时分秒.zip")

    def handle(self, *args, output: str, **options):
        self.verbosity = options.get("verbosity", 1)
        try:
            result = backup(output, progress=self._say)
        except BackupError as error:
            raise CommandError(str(error))
        rows = sum(result.counts.values())
        self.stdout.write(_("备份完成：{path}（{size} 字节）；数据 {rows} 行，"
                            "佐证材料 {files} 个文件（{bytes} 字节）。").format(
            path=result.path, size=result.size, rows=rows, files=result.evidence_files,
            bytes=result.evidence_bytes))
        if result.problems:
            lines = [problem_message(problem) for problem in result.problems]
            raise CommandError(_("备份已写入，但有 {count} 个佐证材料文件缺失或与记录不符："
                                 "\n{lines}").format(count=len(lines), lines="\n".join(lines)))

    def _say(self, message: str) -> None:
        if self.verbosity > 0:
            self.stdout.write(message)
