"""What a bureau's clerks and the reviewing staff add to a task: dated progress entries,
evidence files, review decisions, and the log of reminder e-mails.

Progress entries and evidence are the clerk's; a review (通过并销号, 退回, 回头看重新打开) is
staff's and is written once, never changed. Each step also leaves a row in the task's history.
"""

from __future__ import annotations

import contextlib
import os
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.core.signals import setting_changed
from django.db import models
from django.dispatch import receiver
from django.utils import timezone
from django.utils.functional import LazyObject, empty
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from rectify.models.base import AppendOnlyHistory, ScopedQuerySet
from rectify.models.choices import ReviewDecision, ReviewLevel, Status


class TaskChildQuerySet(ScopedQuerySet):
    """Rows hanging off a task: a clerk sees and adds them for its own bureaus' tasks."""

    party_group_lookup = "task__round__party_group"
    clerks_edit = True


class ProgressEntry(models.Model):
    """A dated line of progress on a task (整改进展记录), written by a clerk or staff."""

    task = models.ForeignKey("rectify.RectificationTask", verbose_name=_("整改任务"),
                             on_delete=models.CASCADE, related_name="progress_entries")
    date = models.DateField(_("日期"), default=timezone.localdate)
    text = models.TextField(_("进展情况"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("填报人"), null=True,
                               blank=True, on_delete=models.SET_NULL, related_name="+")
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    history = HistoricalRecords(bases=[AppendOnlyHistory])
    objects = TaskChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("整改进展记录")
        verbose_name_plural = pgettext_lazy("plural", "整改进展记录")
        ordering = ["task", "-date", "-pk"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.text[:40]}"

    def clean(self) -> None:
        self.text = (self.text or "").strip()
        errors = {}
        if not self.text:
            errors["text"] = _("进展情况不能为空。")
        if self.date and self.date > timezone.localdate():
            errors["date"] = _("进展日期不能晚于今天。")
        if errors:
            raise ValidationError(errors)


class EvidenceFileSystem(FileSystemStorage):
    """The file system under ``EVIDENCE_ROOT``; a write that fails half-way (a full disk)
    leaves no partial file behind."""

    def _save(self, name, content):
        existed = self.exists(name)
        try:
            return super()._save(name, content)
        except OSError:
            if not existed:
                with contextlib.suppress(OSError):
                    os.remove(self.path(name))
            raise


class EvidenceStorage(LazyObject):
    """Evidence files live in ``EVIDENCE_ROOT``, outside the static and media roots: no URL
    serves them; only ``rectify.workpages.work_views.evidence_download`` does, after the permission
    check. Resolved lazily so that tests may point the setting elsewhere."""

    def _setup(self):
        self._wrapped = EvidenceFileSystem(location=settings.EVIDENCE_ROOT, base_url=None)


evidence_storage = EvidenceStorage()


def get_evidence_storage():
    """The storage as a callable, so that migrations name it instead of freezing a path."""
    return evidence_storage


@receiver(setting_changed)
def _evidence_root_changed(*, setting, **kwargs):
    if setting == "EVIDENCE_ROOT":  # tests point it elsewhere
        evidence_storage._wrapped = empty


def evidence_name(instance: Evidence, filename: str) -> str:
    """A generated name: year/month/random hex plus the checked extension. The name the user
    gave is kept in ``original_name`` only, never on disk."""
    now = timezone.now()
    return f"{now:%Y/%m}/{uuid.uuid4().hex}.{instance.extension}"


class Evidence(models.Model):
    """A file proving a task's rectification (佐证材料): PDF, image or Office document.

    Checked by content on upload (``rectify.rules.file_checks``); stored under a generated name.
    """

    task = models.ForeignKey("rectify.RectificationTask", verbose_name=_("整改任务"),
                             on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(_("文件"), storage=get_evidence_storage, upload_to=evidence_name,
                            max_length=200)
    original_name = models.CharField(_("文件名"), max_length=255)
    extension = models.CharField(_("扩展名"), max_length=10)
    content_type = models.CharField(_("文件类型"), max_length=120)
    size = models.PositiveBigIntegerField(_("大小（字节）"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    description = models.CharField(_("说明"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("上传人"),
                                    null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    history = HistoricalRecords(bases=[AppendOnlyHistory], excluded_fields=["file"])
    objects = TaskChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("佐证材料")
        verbose_name_plural = pgettext_lazy("plural", "佐证材料")
        ordering = ["task", "uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.original_name


class Review(models.Model):
    """One decision on a task's proposal, at its level: the bureau leader's (first level, in a
    round reviewed in two levels) passed on or returned; the inspection office's approved (and
    the task signed off) or returned; or a signed-off task reopened after a recheck (回头看).
    Written once."""

    task = models.ForeignKey("rectify.RectificationTask", verbose_name=_("整改任务"),
                             on_delete=models.CASCADE, related_name="reviews")
    decision = models.CharField(_("审核结果"), max_length=20, choices=ReviewDecision.choices)
    level = models.PositiveSmallIntegerField(_("审核层级"), choices=ReviewLevel.choices,
                                             default=ReviewLevel.OFFICE)
    proposed_status = models.CharField(_("提议整改状态"), max_length=30,
                                       choices=Status.choices, blank=True)
    proposal_note = models.TextField(_("提议说明"), blank=True)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("提议人"),
                                    null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    comment = models.TextField(_("审核意见"), blank=True)
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("审核人"),
                                 on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("审核时间"), default=timezone.now)

    objects = TaskChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("审核记录")
        verbose_name_plural = pgettext_lazy("plural", "审核记录")
        ordering = ["task", "-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_decision_display()} {self.created_at:%Y-%m-%d}"


class ReminderLog(models.Model):
    """A reminder e-mail sent to one clerk on one day: ``send_reminders`` sends at most one
    per clerk and bureau a day."""

    party_group = models.ForeignKey("bureaus.PartyGroup", verbose_name=_("被巡察党组织"),
                                    on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("收件人"),
                             on_delete=models.CASCADE, related_name="+")
    date = models.DateField(_("日期"))
    task_count = models.PositiveIntegerField(_("任务数"))
    sent_at = models.DateTimeField(_("发送时间"), default=timezone.now)

    class Meta:
        verbose_name = _("提醒邮件记录")
        verbose_name_plural = pgettext_lazy("plural", "提醒邮件记录")
        constraints = [
            models.UniqueConstraint(fields=["party_group", "user", "date"],
                                    name="reminder_once_a_day"),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.date}"
