"""Inspection rounds (巡察轮次)."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from rectify.models import mark_formats
from rectify.models.base import AppendOnlyHistory, ScopedQuerySet
from rectify.models.choices import NumberingStyle, ReviewLevels, Status


def default_level_formats() -> list[str]:
    return list(mark_formats.DEFAULT_LEVEL_FORMATS)


def add_months(day: datetime.date, months: int) -> datetime.date:
    """Same day ``months`` later, clamped to the month's end (2023-12-31 + 2 -> 2024-02-29)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=candidate)
        except ValueError:
            continue
    raise AssertionError("unreachable")


class RoundQuerySet(ScopedQuerySet):
    """Rounds; a clerk sees its bureaus' rounds (the rule: rectify.rules.permissions)."""

    party_group_lookup = "party_group"

    def with_task_counts(self) -> RoundQuerySet:
        """Each round's ``task_count`` and ``completed_count`` (已完成 and 已完成，长期坚持), as
        subqueries: computed for the rounds read (a page of a list), never joined into the
        rounds' count or the admin's date list; sortable all the same."""
        from rectify.models.problems import RectificationTask

        tasks = RectificationTask.objects.filter(round=OuterRef("pk")).order_by().values("round")

        def counted(rows):
            return Coalesce(Subquery(rows.annotate(n=Count("pk")).values("n"),
                                     output_field=models.IntegerField()), 0)

        return self.annotate(task_count=counted(tasks), completed_count=counted(
            tasks.filter(status__in=Status.done())))


class InspectionRound(models.Model):
    """One inspection of one party group, from the inspection to the end of rectification."""

    party_group = models.ForeignKey(
        "bureaus.PartyGroup",
        verbose_name=_("被巡察党组织"),
        on_delete=models.PROTECT,
        related_name="rounds",
    )
    title = models.CharField(
        _("名称"), max_length=200, blank=True,
        help_text=_("留空则由巡察组、巡察类型和党组织自动生成"),
    )
    inspecting_body = models.CharField(_("巡察组"), max_length=100, blank=True,
                                       help_text=_("例如：市委第三巡察组"))
    kind = models.CharField(_("巡察类型"), max_length=50, blank=True,
                            help_text=_("例如：常规巡察、专项巡察、上下联动专项巡察、巡视"))
    superior_body = models.CharField(_("上级巡视巡察组"), max_length=100, blank=True,
                                     help_text=_("上下联动时的上级巡视组，例如：省委第九巡视组"))
    superior_round = models.ForeignKey(
        "self", verbose_name=_("上级轮次"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="linked_rounds",
    )
    inspection_start = models.DateField(_("巡察开始日期"), null=True, blank=True)
    inspection_end = models.DateField(_("巡察结束日期"), null=True, blank=True)
    feedback_date = models.DateField(_("反馈日期"), null=True, blank=True)
    rectification_end = models.DateField(
        _("集中整改结束日期"), null=True, blank=True,
        help_text=_("留空时按反馈日期加集中整改月数计算"),
    )
    rectification_months = models.PositiveSmallIntegerField(
        _("集中整改月数"), null=True, blank=True
    )
    report_submitted_on = models.DateField(
        _("整改情况报告报送日期"), null=True, blank=True,
        help_text=_("被巡察党组织向巡察机构报送整改情况报告的日期；填写后“报送整改情况报告”"
                    "节点显示为已报送"),
    )
    next_steps = models.TextField(
        _("下一步工作打算"), blank=True,
        help_text=_("整改情况报告第三部分“下一步工作打算”的正文，每段一行；由巡察办工作人员或"
                    "本单位联络员、负责人在轮次页面填写"),
    )
    review_levels = models.PositiveSmallIntegerField(
        _("审核层级"), choices=ReviewLevels.choices, default=ReviewLevels.ONE,
        help_text=_("两级审核：单位联络员的状态提议先经本单位负责人审核，再由巡察办审核销号"),
    )
    rectification_end_date = models.DateField(
        _("集中整改截止日期"), null=True, blank=True, editable=False,
        help_text=_("集中整改结束日期，未填写时为反馈日期加集中整改月数；保存时算出并存储，"
                    "任务未设整改时限时以此为到期日"),
    )

    numbering_style = models.CharField(
        _("编号方式"), max_length=20, choices=NumberingStyle.choices,
        default=NumberingStyle.NESTED,
    )
    level_formats = models.JSONField(
        _("各级序号格式"), default=default_level_formats,
        help_text=_("问题树自上而下各级的序号格式，{cn} 为汉字数字，{n} 为阿拉伯数字，"
                    "{circled} 为带圈数字，例如 [\"({cn})\", \"{n}.\", \"{n})\", \"{circled}\"]"),
    )
    task_format = models.CharField(
        _("任务序号格式"), max_length=20, default=mark_formats.DEFAULT_TASK_FORMAT,
        help_text=_("任务全文连续编号时使用，例如 {n}."),
    )
    show_task_counts = models.BooleanField(_("类别标题显示“共N项整改任务”"), default=False)
    measures_inline = models.BooleanField(_("整改措施在同一段落内连排"), default=False)
    progress_label = models.CharField(_("整改情况标签"), max_length=20, default="整改情况",
                                      help_text=_("例如：整改情况、整改进展情况"))
    result_label = models.CharField(_("整改结果标签"), max_length=20, default="整改结果")
    show_results = models.BooleanField(
        _("通报逐项印出整改结果"), default=False,
        help_text=_("勾选后，公开通报在每项任务后印出“整改结果：……”（无原文结果时印整改状态）；"
                    "不勾选时只印出有原文整改结果的任务"),
    )

    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    history = HistoricalRecords(bases=[AppendOnlyHistory])
    objects = RoundQuerySet.as_manager()

    class Meta:
        verbose_name = _("巡察轮次")
        verbose_name_plural = pgettext_lazy("plural", "巡察轮次")
        ordering = ["-feedback_date", "-pk"]

    def __str__(self) -> str:
        return self.title or self.default_title()

    def default_title(self) -> str:
        name = getattr(self.party_group, "name", "") if self.party_group_id else ""
        return f"{self.inspecting_body}{self.kind} · {name}".strip(" ·")

    def computed_rectification_end(self) -> datetime.date | None:
        """The end date as entered, or the feedback date + the concentrated months."""
        if self.rectification_end:
            return self.rectification_end
        if self.feedback_date and self.rectification_months:
            return add_months(self.feedback_date, self.rectification_months)
        return None

    def save(self, *args, **kwargs):
        # Stored, so that the database computes every task's due date (rectify.rules.due_dates).
        self.rectification_end_date = self.computed_rectification_end()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "rectification_end_date" not in update_fields:
            kwargs["update_fields"] = [*update_fields, "rectification_end_date"]
        super().save(*args, **kwargs)

    @property
    def report_due(self) -> datetime.date | None:
        """The rectification report is due two months after feedback."""
        return add_months(self.feedback_date, 2) if self.feedback_date else None

    def clean(self) -> None:
        errors = {}
        if self.inspection_start and self.inspection_end and (
            self.inspection_end < self.inspection_start
        ):
            errors["inspection_end"] = _("巡察结束日期不能早于开始日期。")
        if self.feedback_date and self.inspection_start and (
            self.feedback_date < self.inspection_start
        ):
            errors["feedback_date"] = _("反馈日期不能早于巡察开始日期。")
        if self.rectification_end and self.feedback_date and (
            self.rectification_end < self.feedback_date
        ):
            errors["rectification_end"] = _("集中整改结束日期不能早于反馈日期。")
        if self.report_submitted_on and self.feedback_date and (
            self.report_submitted_on < self.feedback_date
        ):
            errors["report_submitted_on"] = _("整改情况报告报送日期不能早于反馈日期。")
        formats = self.level_formats
        if not isinstance(formats, list) or not formats or not all(
            isinstance(f, str) and _valid_format(f) for f in formats
        ):
            errors["level_formats"] = _(
                "各级序号格式须为非空列表，每项含 {cn}、{n} 或 {circled} 之一，例如 [\"{cn}、\"]。"
            )
        if not _valid_format(self.task_format):
            errors["task_format"] = _("任务序号格式须含 {n}、{cn} 或 {circled} 之一。")
        if errors:
            raise ValidationError(errors)



def _valid_format(fmt: str) -> bool:
    if not any(key in fmt for key in ("{n}", "{cn}", "{circled}")):
        return False
    try:
        mark_formats.format_mark(fmt, 1)
    except (KeyError, IndexError, ValueError):
        return False
    return True
