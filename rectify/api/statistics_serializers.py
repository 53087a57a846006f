"""The answer of ``GET /api/statistics/`` (``rectify.services.statistics``): the counts and
rates of a selection of tasks and the sums of its outcome figures, in total, by party group
and by top-level category.

Rates are fractions from 0 to 1 (JSON numbers), ``null`` where there is nothing to divide by;
the figures' sums are decimal strings (``"7.132"``), exact as the records hold them, like every
decimal of the API.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from rectify.models import FigureKind


def _decimal_text(value: Decimal) -> str:
    """``Decimal("7.1320")`` → ``"7.132"``, ``Decimal("12.0000")`` → ``"12"``."""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


class FigureSumSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=FigureKind.choices, help_text=_("成效类型"))
    label = serializers.CharField(help_text=_("名称（“其他”为填写的名称）"))
    value = serializers.SerializerMethodField(help_text=_(
        "合计，十进制数的字符串（如 \"7.132\"），与记录中的值一样精确"))
    unit = serializers.CharField(help_text=_("单位（资金以万元计）"))

    def get_value(self, figure) -> str:
        return _decimal_text(figure.value)


def _count(help_text) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=0, help_text=help_text)


def _rate(help_text) -> serializers.FloatField:
    return serializers.FloatField(min_value=0, max_value=1, allow_null=True, help_text=help_text)


class CountsSerializer(serializers.Serializer):
    """The counts of one selection (``rectify.services.statistics.Counts``)."""

    tasks = _count(_("整改任务数"))
    completed = _count(_("已完成（含“已完成，长期坚持”）"))
    in_progress = _count(_("正在推进（任务数 − 已完成）"))
    completion_rate = _rate(_("完成率：已完成 ÷ 任务数，0 至 1 的小数；没有任务时为 null"))
    on_time = _count(_("按期完成：完成日期不晚于整改时限（或无时限、无完成日期）"))
    on_time_rate = _rate(_("按期完成率：按期完成 ÷ 已完成，0 至 1 的小数；没有已完成任务时为 null"))
    overdue = _count(_("逾期：未完成且已过整改时限"))
    awaiting_review = _count(_("有待审核的状态提议"))
    signed_off = _count(_("已销号"))
    reopened = _count(_("回头看后重新打开过"))
    extended = _count(_("已批准延期"))
    figures = FigureSumSerializer(many=True, help_text=_("整改成效各类型的合计"))


def _counts_fields(counts) -> dict:
    return {name: getattr(counts, name) for name in CountsSerializer._declared_fields}


class PartyGroupStatisticsSerializer(CountsSerializer):
    id = serializers.IntegerField(help_text=_("被巡察党组织 ID"))
    name = serializers.CharField(help_text=_("被巡察党组织名称"))

    def to_representation(self, group):
        return super().to_representation(_GroupView(group))


class CategoryStatisticsSerializer(CountsSerializer):
    id = serializers.IntegerField(allow_null=True, help_text=_(
        "第一级问题类别 ID；未归入类别的任务为 null"))
    name = serializers.CharField(help_text=_("第一级问题类别名称"))
    round = serializers.IntegerField(allow_null=True, help_text=_("类别所属巡察轮次 ID"))

    def to_representation(self, group):
        return super().to_representation(_GroupView(group))


class _GroupView:
    """A breakdown row read like a ``Counts`` with its id, name and round."""

    def __init__(self, group):
        self.id, self.name, self.round = group.id, group.name, group.round_id
        for name, value in _counts_fields(group.counts).items():
            setattr(self, name, value)


class StatisticsSerializer(CountsSerializer):
    """The statistics of a selection: the totals, and the same by party group and by
    top-level problem category."""

    today = serializers.DateField(help_text=_("计算逾期所依据的日期"))
    by_party_group = PartyGroupStatisticsSerializer(many=True, help_text=_("按被巡察党组织"))
    by_category = CategoryStatisticsSerializer(many=True, help_text=_(
        "按第一级问题类别（含其下级类别）"))

    def to_representation(self, stats):
        return super().to_representation(_Totals(stats))


class _Totals:
    def __init__(self, stats):
        for name, value in _counts_fields(stats.total).items():
            setattr(self, name, value)
        self.today = stats.today
        self.by_party_group = stats.by_party_group
        self.by_category = stats.by_category


_COUNT_NAMES = [name for name in CountsSerializer._declared_fields if name != "figures"]


def _counts_json(counts) -> dict:
    data = {name: getattr(counts, name) for name in _COUNT_NAMES}
    data["figures"] = [{"kind": f.kind, "label": f.label, "value": _decimal_text(f.value),
                        "unit": f.unit} for f in counts.figures]
    return data


def statistics_json(stats) -> dict:
    """What :class:`StatisticsSerializer` gives for ``stats``, built directly: the same shape
    (``tests/test_statistics_api.py`` compares them), without a serializer per row — a
    province's thousands of category rows would take longer to serialize than to count."""
    data = _counts_json(stats.total)
    data["today"] = stats.today.isoformat()
    data["by_party_group"] = [{"id": g.id, "name": g.name, **_counts_json(g.counts)}
                              for g in stats.by_party_group]
    data["by_category"] = [{"id": g.id, "name": g.name, "round": g.round_id,
                            **_counts_json(g.counts)} for g in stats.by_category]
    return data
