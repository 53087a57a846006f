"""Notices (通报): a round's records published on a date."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from rectify.models.base import AppendOnlyHistory, ScopedQuerySet
from rectify.models.choices import NoticeKind
from rectify.models.outcomes import FigureKind

#: The placeholders of a notice's summary paragraph (``Notice.summary_template``) and what
#: each prints; the numbers come from the round's records when the notice is published
#: (``rectify.services.notice_summary``), only the words around them are the staff's.
SUMMARY_PLACEHOLDERS: dict[str, str] = {
    "tasks": _("整改任务数"),
    "completed": _("已完成数（含长期坚持）"),
    "in_progress": _("正在推进数"),
    "completion_rate": _("完成率，如 83.0%"),
    "on_time": _("按期完成数"),
    "on_time_rate": _("按期完成率"),
    "overdue": _("逾期数"),
    "signed_off": _("已销号数"),
    "extended": _("已批准延期数"),
    "figures": _("各项整改成效，如“建立完善制度12项，追缴/退缴/清退资金7.132万元。”；"
                 "没有则为空"),
    **{kind.value: kind.label for kind in FigureKind if kind != FigureKind.OTHER},
}
DEFAULT_SUMMARY = ("本轮巡察反馈问题{tasks}个，已完成{completed}个，正在推进{in_progress}个，"
                   "完成率{completion_rate}。{figures}")
PLACEHOLDER_RE = re.compile(r"\{([^{}]*)\}")
#: A number typed with a count's unit ("53个", "83.0%"): the numbers are the placeholders'.
TYPED_NUMBER_RE = re.compile(r"[0-9０-９]+(?:[.．][0-9０-９]+)?\s*(?:个|项|件|人|名|万元|元|%|％)")


def summary_template_errors(template: str) -> list[str]:
    """Why ``template`` cannot be a summary paragraph (empty when it can)."""
    errors = []
    unknown = [name for name in PLACEHOLDER_RE.findall(template)
               if name not in SUMMARY_PLACEHOLDERS]
    if unknown:
        errors.append(_("未知的占位符：{unknown}。可用的占位符：{known}。").format(
            unknown="、".join(f"{{{name}}}" for name in unknown),
            known="、".join(f"{{{name}}}" for name in SUMMARY_PLACEHOLDERS)))
    rest = PLACEHOLDER_RE.sub("", template)
    if "{" in rest or "}" in rest:
        errors.append(_("花括号只能用于占位符，如 {tasks}。"))
    typed = TYPED_NUMBER_RE.findall(template)
    if typed:
        errors.append(_("概要中的数字由记录计算，不能直接填写（{typed}）：请改用占位符，"
                        "如 {{tasks}}、{{completion_rate}}。").format(typed="、".join(typed)))
    return errors


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
    show_summary = models.BooleanField(
        _("刊印统计概要"), default=False,
        help_text=_("在开头之后刊印一段由整改记录计算的统计概要（发布时计算并固定）"))
    summary_template = models.TextField(
        _("统计概要模板"), blank=True, default=DEFAULT_SUMMARY,
        help_text=_("可修改占位符周围的文字，数字由占位符在发布时从记录计算，如 {tasks}、"
                    "{completed}、{in_progress}、{completion_rate}、{on_time_rate}、"
                    "{figures}"))
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
        self.summary_template = (self.summary_template or "").strip()
        errors = summary_template_errors(self.summary_template)
        if self.show_summary and not self.summary_template:
            errors.append(_("刊印统计概要时，模板不能为空。"))
        if errors:
            raise ValidationError({"summary_template": errors})

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
