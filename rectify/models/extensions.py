"""Deadline extensions (申请延期): a bureau asks for a later due date with a reason, the
inspection office approves or refuses it. Written by ``rectify.services.extensions`` only; the
rule (who, which dates) is ``rectify.rules.extensions``.

The task keeps its original deadline (整改时限); an approved extension sets the task's
``extended_deadline`` (延期后时限), which the due date, overdue and the colours then follow
(``rectify.rules.due_dates``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from rectify.models.base import AppendOnlyHistory
from rectify.models.choices import ExtensionStatus
from rectify.models.worklog import TaskChildQuerySet


class DeadlineExtension(models.Model):
    """One request for a later due date on a task, and its decision."""

    task = models.ForeignKey("rectify.RectificationTask", verbose_name=_("整改任务"),
                             on_delete=models.CASCADE, related_name="extensions")
    current_due = models.DateField(
        _("申请时的时限"), null=True, blank=True,
        help_text=_("提出申请时任务的应完成日期，即本次延期所延长的日期"))
    new_deadline = models.DateField(_("申请延期至"))
    reason = models.TextField(_("延期理由"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("申请人"),
                                     null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    requested_at = models.DateTimeField(_("申请时间"), default=timezone.now)
    status = models.CharField(_("审批状态"), max_length=20, choices=ExtensionStatus.choices,
                              default=ExtensionStatus.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("审批人"),
                                   null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    comment = models.TextField(_("审批意见"), blank=True)

    history = HistoricalRecords(bases=[AppendOnlyHistory])
    objects = TaskChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("延期申请")
        verbose_name_plural = pgettext_lazy("plural", "延期申请")
        ordering = ["task", "-requested_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.new_deadline:%Y-%m-%d} {self.get_status_display()}"

    @property
    def is_pending(self) -> bool:
        return self.status == ExtensionStatus.PENDING
