"""One FilterSet per model, shared by the API, the HTML lists and the exports.

Each filters a queryset the caller has already scoped with ``permissions.visible``; the choices of
its related-record filters are scoped the same way, so a clerk cannot even name another
bureau's round (an unknown or invisible id is a validation error, 400 in the API).
An invalid value never reaches the database: the form refuses it first.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from bureaus.models import PartyGroup
from rectify.models import (
    InspectionRound,
    Measure,
    Notice,
    OutcomeFigure,
    ProblemCategory,
    Publication,
    RectificationTask,
)
from rectify.models.choices import NoticeKind, ReviewLevel, Status
from rectify.models.outcomes import FigureKind
from rectify.rules import due_dates, lifecycle, permissions
from rectify.rules.problem_tree import category_subtree_ids
from rectify.services import search_index

#: Longest search text accepted (longer is a validation error, not a slow query).
MAX_SEARCH = 100


#: What a choice's label reads, fetched with the choices (no query per option).
_LABEL_RELATED = {"InspectionRound": ("party_group",)}


def visible(model):
    """A related filter's choices: the records of ``model`` the requesting user may see."""

    def queryset(request):
        if request is None:
            return model.objects.none()
        qs = permissions.visible(model, request.user)
        related = _LABEL_RELATED.get(model.__name__)
        return qs.select_related(*related) if related else qs

    return queryset


def words(value: str) -> list[str]:
    return value.split()[:10]


class RangeOrderForm(forms.Form):
    """Refuses a date range whose start is after its end, naming the filter."""

    range_fields: tuple[str, ...] = ()

    def clean(self):
        cleaned = super().clean()
        for name in self.range_fields:
            value = cleaned.get(name)
            if value and value.start and value.stop and value.start > value.stop:
                self.add_error(name, ValidationError(
                    _("起始日期不能晚于截止日期。"), code="range_order"))
        return cleaned


class TaskFilterForm(RangeOrderForm):
    range_fields = ("deadline",)


class DateRangeForm(RangeOrderForm):
    range_fields = ("feedback_date", "date")


class SearchFilter(django_filters.CharFilter):
    """``q``: every word must appear in one of ``fields`` (case-insensitive)."""

    def __init__(self, *args, fields: tuple[str, ...] = (), **kwargs):
        kwargs.setdefault("label", _("检索"))
        kwargs.setdefault("max_length", MAX_SEARCH)
        super().__init__(*args, **kwargs)
        self.search_fields = fields

    def filter(self, qs, value):
        for word in words(value or ""):
            condition = Q()
            for field in self.search_fields:
                condition |= Q(**{f"{field}__icontains": word})
            qs = qs.filter(condition)
        return qs


class PartyGroupFilterSet(django_filters.FilterSet):
    """Party groups: by region, by words in the names."""

    q = SearchFilter(fields=("name", "short_name", "region"))

    class Meta:
        model = PartyGroup
        fields = ["region"]


class RoundFilterSet(django_filters.FilterSet):
    """Rounds: by party group, kind, feedback date range, words."""

    party_group = django_filters.ModelChoiceFilter(
        label=_("被巡察党组织"), queryset=visible(PartyGroup))
    feedback_date = django_filters.DateFromToRangeFilter(label=_("反馈日期"))
    q = SearchFilter(fields=("title", "inspecting_body", "kind", "party_group__name",
                             "party_group__short_name"))

    class Meta:
        model = InspectionRound
        fields = ["party_group", "kind", "feedback_date"]
        form = DateRangeForm


class CategoryFilterSet(django_filters.FilterSet):
    """Categories: by round, by parent category, by words in the title."""

    round = django_filters.ModelChoiceFilter(label=_("巡察轮次"),
                                             queryset=visible(InspectionRound))
    parent = django_filters.ModelChoiceFilter(label=_("上级类别"),
                                              queryset=visible(ProblemCategory))
    top_level = django_filters.BooleanFilter(label=_("第一级类别"), field_name="parent",
                                             lookup_expr="isnull")
    q = SearchFilter(fields=("title", "printed_label"))

    class Meta:
        model = ProblemCategory
        fields = ["round", "parent"]


class TaskFilterSet(django_filters.FilterSet):
    """Tasks: round, party group, region, year (of the feedback), inspecting body, category
    with its whole subtree, status, completed (已完成 and 已完成，长期坚持), overdue, deadline
    range (``deadline_after``, ``deadline_before``), sign-off, proposals, an approved deadline
    extension (``extended``), and words (``q``) in the problem, its measures, progress and
    outcome (``rectify.services.search_index``)."""

    round = django_filters.ModelChoiceFilter(label=_("巡察轮次"),
                                             queryset=visible(InspectionRound))
    party_group = django_filters.ModelChoiceFilter(
        label=_("被巡察党组织"), field_name="round__party_group", queryset=visible(PartyGroup))
    region = django_filters.CharFilter(label=_("地区"), field_name="round__party_group__region",
                                       max_length=100)
    year = django_filters.NumberFilter(label=_("年度（反馈日期）"),
                                       field_name="round__feedback_date__year",
                                       min_value=1990, max_value=2100)
    inspecting_body = django_filters.CharFilter(label=_("巡察组"),
                                                field_name="round__inspecting_body",
                                                max_length=100)
    category = django_filters.ModelChoiceFilter(
        label=_("问题类别（含下级类别）"), queryset=visible(ProblemCategory),
        method="filter_category")
    status = django_filters.ChoiceFilter(label=_("整改状态"), choices=Status.choices)
    completed = django_filters.BooleanFilter(label=_("已完成（含长期坚持）"),
                                             method="filter_completed")
    overdue = django_filters.BooleanFilter(label=_("是否逾期"), method="filter_overdue")
    warning = django_filters.ChoiceFilter(label=_("时限预警"), choices=due_dates.Warning.choices,
                                          method="filter_warning")
    deadline = django_filters.DateFromToRangeFilter(label=_("整改时限"))
    signed_off = django_filters.BooleanFilter(label=_("是否销号"), field_name="signed_off_at",
                                              lookup_expr="isnull", exclude=True)
    proposed = django_filters.BooleanFilter(label=_("有待审核的状态提议"),
                                            method="filter_proposed")
    review_level = django_filters.ChoiceFilter(
        label=_("待审核层级"), choices=ReviewLevel.choices, method="filter_review_level")
    waiting_for_me = django_filters.BooleanFilter(
        label=_("待我审核"), method="filter_waiting_for_me",
        help_text=_("状态提议正等待当前用户所在层级审核的任务"))
    extended = django_filters.BooleanFilter(label=_("已批准延期"),
                                            field_name="extended_deadline",
                                            lookup_expr="isnull", exclude=True)
    q = django_filters.CharFilter(label=_("检索（问题、整改措施、进展、成效）"), method="search",
                                  max_length=MAX_SEARCH)

    class Meta:
        model = RectificationTask
        fields = ["round", "party_group", "category", "status", "completed", "overdue",
                  "warning", "deadline", "signed_off", "proposed", "extended", "q"]
        form = TaskFilterForm

    def filter_category(self, queryset, name, value):
        return queryset.filter(category_id__in=category_subtree_ids(value))

    def filter_completed(self, queryset, name, value):
        done = Q(status__in=Status.done())
        return queryset.filter(done) if value else queryset.exclude(done)

    def filter_overdue(self, queryset, name, value):
        return due_dates.overdue(queryset) if value else due_dates.not_overdue(queryset)

    def filter_warning(self, queryset, name, value):
        return due_dates.with_warning(queryset, value)

    def filter_review_level(self, queryset, name, value):
        return lifecycle.waiting_at(queryset, int(value))

    def filter_waiting_for_me(self, queryset, name, value):
        user = getattr(self.request, "user", None)
        mine = lifecycle.waiting_for(queryset, user)
        return mine if value else queryset.exclude(pk__in=mine.values("pk"))

    def filter_proposed(self, queryset, name, value):
        return queryset.exclude(proposed_status="") if value else queryset.filter(
            proposed_status="")

    def search(self, queryset, name, value):
        return search_index.search_tasks(queryset, value)


class MeasureFilterSet(django_filters.FilterSet):
    """Measures: of one task, of one round, words in the text."""

    task = django_filters.ModelChoiceFilter(label=_("整改任务"),
                                            queryset=visible(RectificationTask))
    round = django_filters.ModelChoiceFilter(label=_("巡察轮次"), field_name="task__round",
                                             queryset=visible(InspectionRound))
    q = django_filters.CharFilter(label=_("检索（措施内容、责任单位）"), method="search",
                                  max_length=MAX_SEARCH)

    class Meta:
        model = Measure
        fields = ["task", "round"]

    def search(self, queryset, name, value):
        return search_index.search_measures(queryset, value)


class FigureFilterSet(django_filters.FilterSet):
    """Outcome figures: of one round, of one task, of one kind; ``round_level`` the round's
    own (no task) or the tasks'."""

    round = django_filters.ModelChoiceFilter(label=_("巡察轮次"),
                                             queryset=visible(InspectionRound))
    task = django_filters.ModelChoiceFilter(label=_("整改任务"),
                                            queryset=visible(RectificationTask))
    kind = django_filters.ChoiceFilter(label=_("成效类别"), choices=FigureKind.choices)
    round_level = django_filters.BooleanFilter(
        label=_("整轮成效"), field_name="task", lookup_expr="isnull",
        help_text=_("true：只列整轮的成效数据（不属于某一任务）；false：只列任务的"))

    class Meta:
        model = OutcomeFigure
        fields = ["round", "task", "kind", "round_level"]


class NoticeFilterSet(django_filters.FilterSet):
    """Notices: by round, party group, kind, date range, words."""

    round = django_filters.ModelChoiceFilter(label=_("巡察轮次"),
                                             queryset=visible(InspectionRound))
    party_group = django_filters.ModelChoiceFilter(
        label=_("被巡察党组织"), field_name="round__party_group", queryset=visible(PartyGroup))
    kind = django_filters.ChoiceFilter(label=_("通报类型"), choices=NoticeKind.choices)
    date = django_filters.DateFromToRangeFilter(label=_("成文日期"))
    q = SearchFilter(fields=("title", "signature"))

    class Meta:
        model = Notice
        fields = ["round", "party_group", "kind", "date"]
        form = DateRangeForm


class YearFilter(django_filters.Filter):
    field_class = forms.IntegerField


class PublicationFilterSet(django_filters.FilterSet):
    """Published versions: by party group, round, year, words in the reader's version.

    Used by the public list (``/notices/``) and the API. The party group choices are those
    with a version this reader may see. An invalid value (``?year=x``, an unknown party group)
    makes the form invalid: the list shows the error and no rows, never a server error.
    """

    q = django_filters.CharFilter(label=_("检索"), method="search", max_length=MAX_SEARCH)
    party_group = django_filters.ModelChoiceFilter(
        label=_("被巡察党组织"), field_name="round__party_group",
        queryset=PartyGroup.objects.none(), empty_label=_("全部"),
    )
    round = django_filters.ModelChoiceFilter(label=_("巡察轮次"),
                                             queryset=InspectionRound.objects.none())
    year = YearFilter(label=_("年份"), field_name="date", lookup_expr="year",
                      min_value=1949, max_value=2999)

    class Meta:
        model = Publication
        fields = ["q", "party_group", "round", "year"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = getattr(self.request, "user", None)
        self.party_reader = permissions.reads_party_version(user)
        published = permissions.visible(Publication, user)
        self.filters["party_group"].queryset = PartyGroup.objects.filter(
            rounds__publications__in=published).distinct().order_by("name")
        self.filters["round"].queryset = InspectionRound.objects.filter(
            publications__in=published).distinct()

    def search(self, queryset, name, value):
        return search_index.search_publications(queryset, value, party_reader=self.party_reader)
