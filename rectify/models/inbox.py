"""What the app tells a user (站内通知) and when the user last looked at a task.

A :class:`Notification` is written for one recipient by ``rectify.services.notifications``:
a proposal waiting at the recipient's level, a proposal returned, approved or signed off, a
task reopened, an extension decided, a task turning yellow, red or overdue, a new progress
entry. Its words are rendered when read (from ``kind``, the task and the actor); ``text``
keeps only the free words of the event (a comment, a reason). ``read_at`` is empty until the
recipient opens or marks it.

A :class:`TaskVisit` is the last time a user opened a task's page: the page marks what changed
since (“自您上次查看以来”).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class NotificationKind(models.TextChoices):
    PROPOSAL_WAITING = "proposal_waiting", _("待您审核")
    RETURNED = "returned", _("被退回")
    APPROVED = "approved", _("审核通过")
    SIGNED_OFF = "signed_off", _("已销号")
    REOPENED = "reopened", _("重新打开")
    EXTENSION_DECIDED = "extension_decided", _("延期审批结果")
    TURNED_YELLOW = "turned_yellow", _("进入黄色预警")
    TURNED_RED = "turned_red", _("进入红色预警")
    OVERDUE = "overdue", _("已逾期")
    COMMENT = "comment", _("新的进展/意见")

    @classmethod
    def warnings(cls) -> list[str]:
        """The kinds the daily run writes (one per recipient, task, kind and due date)."""
        return [cls.TURNED_YELLOW, cls.TURNED_RED, cls.OVERDUE]


class NotificationQuerySet(models.QuerySet):
    def of(self, user) -> NotificationQuerySet:
        """The user's own notifications (nobody sees another's)."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(recipient=user)

    def unread(self) -> NotificationQuerySet:
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("接收人"),
                                  on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(_("通知类型"), max_length=30, choices=NotificationKind.choices)
    task = models.ForeignKey("rectify.RectificationTask", verbose_name=_("整改任务"),
                             null=True, blank=True, on_delete=models.CASCADE,
                             related_name="notifications")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True,
                              blank=True, on_delete=models.SET_NULL, related_name="+")
    text = models.TextField(_("内容"), blank=True)
    due_on = models.DateField(_("到期日"), null=True, blank=True,
                              help_text=_("预警通知：写入时任务的到期日（延期后重新预警）"))
    created_at = models.DateTimeField(_("通知时间"), default=timezone.now)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = pgettext_lazy("plural", "通知")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.recipient}"

    @property
    def unread(self) -> bool:
        return self.read_at is None


class TaskVisit(models.Model):
    """When ``user`` last opened ``task``'s page."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("用户"),
                             on_delete=models.CASCADE, related_name="+")
    task = models.ForeignKey("rectify.RectificationTask", verbose_name=_("整改任务"),
                             on_delete=models.CASCADE, related_name="+")
    seen_at = models.DateTimeField(_("查看时间"), default=timezone.now)

    class Meta:
        verbose_name = _("任务查看记录")
        verbose_name_plural = pgettext_lazy("plural", "任务查看记录")
        constraints = [models.UniqueConstraint(fields=["user", "task"], name="task_visit_once")]

    def __str__(self) -> str:
        return f"{self.user} {self.task_id} {self.seen_at:%Y-%m-%d %H:%M}"
