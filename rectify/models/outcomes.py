"""Outcome figures (整改成效): the numbers a rectification produced, as records — "建立完善制度
12项", "追缴资金7.132万元", "批评教育6人" — each belonging to a task or to a round as a whole.

A figure's kind fixes its unit (money in 万元; "其他" names its own label and unit); the
statistics (``rectify.services.statistics``) sum them by kind.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from rectify.models.base import AppendOnlyHistory, ScopedQuerySet


class FigureKind(models.TextChoices):
    """What a figure counts; the unit of each is :data:`UNITS`."""

    SYSTEMS = "systems", _("建立完善制度")
    FUNDS = "funds", _("追缴/退缴/清退资金")
    LOSSES = "losses", _("挽回经济损失")
    LEADS = "leads", _("移交问题线索")
    DISCIPLINE = "discipline", _("党纪政务处分")
    ORGANISATIONAL = "organisational", _("组织处理")
    ADMONITION = "admonition", _("诫勉谈话")
    EDUCATION = "education", _("批评教育/提醒谈话")
    IMMEDIATE = "immediate", _("立行立改")
    OTHER = "other", _("其他")


#: The unit of each kind ("其他": the figure's own). Money is counted in 万元, as notices print.
UNITS: dict[str, str] = {
    FigureKind.SYSTEMS: "项",
    FigureKind.FUNDS: "万元",
    FigureKind.LOSSES: "万元",
    FigureKind.LEADS: "件",
    FigureKind.DISCIPLINE: "人",
    FigureKind.ORGANISATIONAL: "人",
    FigureKind.ADMONITION: "人",
    FigureKind.EDUCATION: "人",
    FigureKind.IMMEDIATE: "项",
}
#: Kinds that count whole things (people, items, leads): no fractions.
WHOLE_KINDS = frozenset(kind for kind, unit in UNITS.items() if unit != "万元")
MAX_VALUE = Decimal("9999999999.9999")


class FigureQuerySet(ScopedQuerySet):
    """A bureau's users see its rounds' figures and change those of its own tasks (a round's
    own figures are staff's; ``rectify.rules.permissions``)."""

    party_group_lookup = "round__party_group"
    clerks_edit = True


class OutcomeFigure(models.Model):
    """One outcome figure of a task, or of a round as a whole (``task`` empty)."""

    round = models.ForeignKey("rectify.InspectionRound", verbose_name=_("巡察轮次"),
                              on_delete=models.CASCADE, related_name="figures")
    task = models.ForeignKey("rectify.RectificationTask", verbose_name=_("整改任务"),
                             null=True, blank=True, on_delete=models.CASCADE,
                             related_name="figures",
                             help_text=_("留空表示整轮整改的成效（不属于某一任务）"))
    kind = models.CharField(_("成效类别"), max_length=20, choices=FigureKind.choices)
    label = models.CharField(_("名称"), max_length=50, blank=True,
                             help_text=_("类别为“其他”时必填，例如：收回土地"))
    value = models.DecimalField(_("数值"), max_digits=14, decimal_places=4,
                                validators=[MinValueValidator(Decimal("0"))])
    unit = models.CharField(_("单位"), max_length=10, blank=True,
                            help_text=_("由类别决定（资金以万元计）；类别为“其他”时必填"))
    note = models.CharField(_("说明"), max_length=200, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("填报人"), null=True,
                               blank=True, on_delete=models.SET_NULL, related_name="+")
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    history = HistoricalRecords(bases=[AppendOnlyHistory])
    objects = FigureQuerySet.as_manager()

    class Meta:
        verbose_name = _("整改成效数据")
        verbose_name_plural = pgettext_lazy("plural", "整改成效数据")
        ordering = ["round", "task", "kind", "pk"]
        indexes = [models.Index(fields=["round", "kind"])]

    def __str__(self) -> str:
        return f"{self.display_label}{self.value.normalize():f}{self.unit}"

    @property
    def display_label(self) -> str:
        return self.label if self.kind == FigureKind.OTHER else str(self.get_kind_display())

    def clean(self) -> None:
        errors = {}
        self.label = (self.label or "").strip()
        self.unit = (self.unit or "").strip()
        self.note = (self.note or "").strip()
        if self.task_id and self.round_id and self.task.round_id != self.round_id:
            errors["task"] = _("整改任务不属于所选巡察轮次。")
        if self.kind == FigureKind.OTHER:
            if not self.label:
                errors["label"] = _("类别为“其他”时须填写名称。")
            if not self.unit:
                errors["unit"] = _("类别为“其他”时须填写单位。")
        elif self.kind in UNITS:
            expected = UNITS[self.kind]
            if self.unit and self.unit != expected:
                errors["unit"] = _("“{kind}”的单位是“{unit}”，不能填写“{given}”。").format(
                    kind=self.get_kind_display(), unit=expected, given=self.unit)
            self.unit = expected
            self.label = ""
        if self.value is not None:
            if self.value < 0:
                errors["value"] = _("数值不能为负数。")
            elif self.value > MAX_VALUE:
                errors["value"] = _("数值过大。")
            elif self.kind in WHOLE_KINDS and self.value != self.value.to_integral_value():
                errors["value"] = _("“{kind}”以{unit}计，须为整数。").format(
                    kind=self.get_kind_display(), unit=UNITS[self.kind])
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        if self.task_id and not self.round_id:
            self.round_id = self.task.round_id
        if self.kind in UNITS:
            self.unit = UNITS[self.kind]
        super().save(*args, **kwargs)
