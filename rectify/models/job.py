"""Background jobs (后台任务): work too long for a request — large ledger exports and imports,
a large round's documents, notice imports — and the periodic work (reminders, statistics
snapshots), run by a worker while the user follows its progress.

A :class:`Job` is written and run by ``rectify.services.jobs``: queued when submitted,
running once a worker claims it (``claim``, ``heartbeat_at``), then done with a result file
to download (under ``JOB_RESULT_DIR``, never under the static or media roots) or an outcome
to read, or failed with a message for the user. Only the user who asked sees it; a job the
schedule started (``requested_by`` empty: the system) is seen by the inspection staff
(``rectify.rules.permissions``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class JobState(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("进行中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")

    @classmethod
    def finished(cls) -> list[str]:
        return [cls.DONE, cls.FAILED]


class Job(models.Model):
    """One piece of background work asked for by one user."""

    kind = models.CharField(_("任务类型"), max_length=50)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("提交人"),
                                     on_delete=models.CASCADE, related_name="jobs",
                                     null=True, blank=True,
                                     help_text=_("为空：系统按计划（Celery beat）启动的任务"))
    params = models.JSONField(_("参数"), default=dict, blank=True)
    language = models.CharField(_("语言"), max_length=20, blank=True,
                                help_text=_("提交时界面的语言：结果文件用同一语言生成"))
    state = models.CharField(_("状态"), max_length=10, choices=JobState.choices,
                             default=JobState.QUEUED)
    rows_done = models.PositiveIntegerField(_("已完成行数"), default=0)
    rows_total = models.PositiveIntegerField(_("总行数"), null=True, blank=True)
    message = models.CharField(_("说明"), max_length=200, blank=True)
    error = models.TextField(_("错误信息"), blank=True,
                             help_text=_("给用户看的说明；详细的错误只写入日志"))
    result_file = models.CharField(_("结果文件"), max_length=100, blank=True,
                                   help_text=_("JOB_RESULT_DIR 下的文件名；过期清理后为空"))
    result_filename = models.CharField(_("下载文件名"), max_length=200, blank=True)
    content_type = models.CharField(_("文件类型"), max_length=100, blank=True)
    result_size = models.PositiveBigIntegerField(_("文件大小"), null=True, blank=True)
    created_at = models.DateTimeField(_("提交时间"), default=timezone.now)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("最近心跳"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("执行次数"), default=0)
    claim = models.CharField(_("执行标识"), max_length=32, blank=True,
                             help_text=_("当前执行者的标识：只有它能更新进度和结果"))
    outcome = models.JSONField(_("已提交的结果"), null=True, blank=True,
                               help_text=_("与任务的写入在同一事务中记下：重新执行时不再重复写入"))
    schedule_key = models.CharField(
        _("计划标识"), max_length=80, null=True, blank=True, unique=True,
        help_text=_("按计划启动的任务的种类和日期：同一计划只建一个任务"))

    class Meta:
        verbose_name = _("后台任务")
        verbose_name_plural = pgettext_lazy("plural", "后台任务")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["requested_by", "created_at"], name="job_of_user"),
            models.Index(fields=["state", "heartbeat_at"], name="job_state_heartbeat"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.state})"

    @property
    def finished(self) -> bool:
        return self.state in JobState.finished()

    @property
    def percent(self) -> int | None:
        """Rows done as a whole percentage (None while the total is unknown)."""
        if self.state == JobState.DONE:
            return 100
        if not self.rows_total:
            return None
        return min(100, self.rows_done * 100 // self.rows_total)

    @property
    def downloadable(self) -> bool:
        """A result file the user may download (a file a surface reads, such as an import's
        preview, has no download name)."""
        return (self.state == JobState.DONE and bool(self.result_file)
                and bool(self.result_filename))

    @property
    def by_system(self) -> bool:
        """Started by the schedule, not by a user."""
        return self.requested_by_id is None
