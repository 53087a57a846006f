"""Notices (通报): a round's records published on a date."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from rectify.models.base import AppendOnlyHistory, ScopedQuerySet
from rectify.models.choices import NoticeKind


class NoticeQuerySet(ScopedQuerySet):
    """Notices; a clerk sees its bureaus' notices (the rule: rectify.rules.permissions)."""

    party_group_lookup = "round__party_group"


class Notice(models.Model):
    """The text around a round's problem tree when it is published as a notice.

    Opening, overall section and closing are paragraphs separated by newlines; the problem
    tree itself is rendered from the round's records.
    """

    round = models.ForeignKey("rectify.InspectionRound", verbose_name=_("巡察轮次"),
                              on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(_("通报类型"), max_length=20, choices=NoticeKind.choices,
                            default=NoticeKind.PROGRESS)
    title = models.CharField(_("标题"), max_length=300)
    opening = models.TextField(_("开头"), blank=True, help_text=_("每段一行"))
    overall_heading = models.CharField(_("整体情况标题"), max_length=100, blank=True,
                                       help_text=_("例如：一、整体推进情况"))
    overall = models.TextField(_("整体推进情况"), blank=True, help_text=_("每段一行"))
    problems_heading = models.CharField(_("问题整改标题"), max_length=100, blank=True,
                                        help_text=_("例如：二、问题整改情况"))
    closing = models.TextField(_("结尾（意见反馈）"), blank=True,
                               help_text=_("欢迎监督的反馈语及联系方式"))
    signature = models.CharField(_("落款"), max_length=200, blank=True)
    date = models.DateField(_("成文日期"))
    approved_by = models.CharField(_("审批人（主要负责人）"), max_length=100, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    history = HistoricalRecords(bases=[AppendOnlyHistory])
    objects = NoticeQuerySet.as_manager()

    class Meta:
        verbose_name = _("通报")
        verbose_name_plural = pgettext_lazy("plural", "通报")
        ordering = ["-date", "-pk"]
        permissions = [("publish_notice", _("可以发布通报"))]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        self.title = (self.title or "").strip()
        if not self.title:
            raise ValidationError({"title": _("标题不能为空。")})
        feedback = self.round.feedback_date if self.round_id else None
        if feedback and self.date and self.date < feedback:
            raise ValidationError({"date": _("成文日期不能早于反馈日期（{date}）。").format(
                date=feedback.isoformat())})

    @staticmethod
    def paragraphs(text: str) -> list[str]:
        return [line.strip() for line in (text or "").splitlines() if line.strip()]

    @property
    def opening_paragraphs(self) -> list[str]:
        return self.paragraphs(self.opening)

    @property
    def overall_paragraphs(self) -> list[str]:
        return self.paragraphs(self.overall)

    @property
    def closing_paragraphs(self) -> list[str]:
        return self.paragraphs(self.closing)
