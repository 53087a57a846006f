"""Trends (整改趋势): one row per day and round with the counts of the statistics
(``rectify.services.statistics``) as they stood that day, and the sums of the outcome figures.

Written by ``manage.py snapshot_statistics`` (the day's row replaced when run again) and, for
the past, derived from the tasks' own history rows (``rectify.services.trends.backfill``).
A bureau's users see its rounds' rows (``rectify.rules.permissions``).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from rectify.models.base import ScopedQuerySet


class SnapshotQuerySet(ScopedQuerySet):
    party_group_lookup = "party_group"


class StatisticsSnapshot(models.Model):
    """The statistics of one round on one day."""

    date = models.DateField(_("日期"))
    round = models.ForeignKey("rectify.InspectionRound", verbose_name=_("巡察轮次"),
                              on_delete=models.CASCADE, related_name="snapshots")
    party_group = models.ForeignKey("bureaus.PartyGroup", verbose_name=_("被巡察党组织"),
                                    on_delete=models.CASCADE, related_name="+")
    tasks = models.PositiveIntegerField(_("任务数"), default=0)
    completed = models.PositiveIntegerField(_("已完成"), default=0)
    on_time = models.PositiveIntegerField(_("按期完成"), default=0)
    overdue = models.PositiveIntegerField(_("已逾期"), default=0)
    awaiting_review = models.PositiveIntegerField(_("待审核"), default=0)
    signed_off = models.PositiveIntegerField(_("已销号"), default=0)
    reopened = models.PositiveIntegerField(_("重新打开"), default=0)
    extended = models.PositiveIntegerField(_("已批准延期"), default=0)
    figures = models.JSONField(_("整改成效"), default=dict, blank=True,
                               help_text=_("各类成效数据之和：{类别: 数值}"))
    backfilled = models.BooleanField(_("由历史记录推算"), default=False)
    created_at = models.DateTimeField(_("生成时间"), auto_now=True)

    objects = SnapshotQuerySet.as_manager()

    class Meta:
        verbose_name = _("统计快照")
        verbose_name_plural = pgettext_lazy("plural", "统计快照")
        ordering = ["date", "round"]
        constraints = [models.UniqueConstraint(fields=["date", "round"],
                                               name="snapshot_unique_day_round")]
        indexes = [models.Index(fields=["party_group", "date"])]

    def __str__(self) -> str:
        return f"{self.date} {self.round_id}: {self.completed}/{self.tasks}"
