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
from django.db.models import F, Q, QuerySet
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django_filters.fields import ModelChoiceField as FilterModelChoiceField
from django_filters.fields import ModelChoiceIterator

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
from rectify.services.form_widgets import DateRangePicker, YesNoSelect

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


class YesNoFilter(django_filters.BooleanFilter):
    """A yes-or-no filter whose empty choice reads 全部 (no condition)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", YesNoSelect)
        super().__init__(*args, **kwargs)


def active_filters(form) -> int:
    """How many of a filter form's fields the request fills in (a range counts once)."""
    if not form.is_bound:
        return 0

    def filled(value) -> bool:
        if isinstance(value, (list, tuple)):
            return any(filled(part) for part in value)
        return value not in (None, "")

    return sum(1 for field in form if filled(field.data))


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
    feedback_date = django_filters.DateFromToRangeFilter(label=_("反馈日期"),
                                                         widget=DateRangePicker)
    q = SearchFilter(fields=("title", "inspecting_body", "kind", "party_group__name",
                             "party_group__short_name"))

    class Meta:
        model = InspectionRound
        fields = ["party_group", "kind", "feedback_date"]
        form = DateRangeForm


class CategoryFilterSet(django_filters.FilterSet):
    """Categories: by round, by parent category, by words in the title."""

    round = django_filters.ModelChoiceFilter(label=capfirst(_("巡察轮次")),
                                             queryset=visible(InspectionRound))
    parent = django_filters.ModelChoiceFilter(label=_("上级类别"),
                                              queryset=visible(ProblemCategory))
    top_level = YesNoFilter(label=_("第一级类别"), field_name="parent",
                                             lookup_expr="isnull")
    q = SearchFilter(fields=("title", "printed_label"))

    class Meta:
        model = ProblemCategory
        fields = ["round", "parent"]


# -- selects of thousands of options -----------------------------------------------------------


class QuickSelect(forms.Select):
    """A ``<select>`` written out in Python, the same HTML as Django's templates give (one
    template per option costs a tenth of a millisecond: a province's rounds and party groups
    would take a hundred)."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        html = [format_html('<select name="{}"{}>', widget["name"], _attrs(widget["attrs"]))]
        for group_name, options, _index in widget["optgroups"]:
            if group_name:
                html.append(format_html('<optgroup label="{}">', group_name))
            html.extend(format_html('<option value="{}"{}>{}</option>', option["value"],
                                    _attrs(option["attrs"]), option["label"])
                        for option in options)
            if group_name:
                html.append("</optgroup>")
        html.append("</select>")
        return mark_safe("\n".join(html))  # noqa: S308 -- every part is escaped above


def _attrs(attrs: dict) -> str:
    """HTML attributes as Django's ``attrs.html`` writes them: in order, ``True`` bare,
    ``False`` left out."""
    return format_html_join("", "{}", (
        (format_html(" {}", name) if value is True else format_html(' {}="{}"', name, value),)
        for name, value in attrs.items() if value is not False))


def round_label(title: str, inspecting_body: str, kind: str, feedback_date) -> str:
    """A round under its party group's heading: its title (else the inspecting body and kind)
    and its feedback date."""
    title = title or f"{inspecting_body}{kind}"
    return f"{title} · {feedback_date:%Y-%m-%d}" if feedback_date else title


class RoundsByPartyGroup(ModelChoiceIterator):
    """The rounds grouped under their party groups (``<optgroup>``), newest first in each;
    read as plain values (a province has hundreds of rounds)."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        rounds = self.queryset.order_by(
            "party_group__name", "party_group_id", F("feedback_date").desc(nulls_last=True),
            "-pk").values_list("pk", "title", "inspecting_body", "kind", "feedback_date",
                               "party_group_id", "party_group__name")
        group, name, options = None, "", []
        for pk, title, body, kind, feedback_date, group_id, group_name in rounds:
            if options and group_id != group:
                yield (name, options)
                options = []
            group, name = group_id, group_name
            options.append((pk, round_label(title, body, kind, feedback_date)))
        if options:
            yield (name, options)


class RoundChoiceField(FilterModelChoiceField):
    iterator = RoundsByPartyGroup


class RoundChoiceFilter(django_filters.ModelChoiceFilter):
    """A round, chosen from the rounds grouped by party group."""

    field_class = RoundChoiceField


#: What the category select says until a round is chosen.
CHOOSE_ROUND_FIRST = _("先选择巡察轮次")


def category_options(categories: QuerySet) -> list[tuple[int, str]]:
    """``(pk, label)`` of ``categories`` (one round's) in the order of the tree, each label
    indented by its depth: sub-categories of different parents often share a title."""
    rows = list(categories.order_by("position", "pk").values_list("pk", "parent_id", "title"))
    present = {pk for pk, _parent, _title in rows}
    children: dict[int | None, list[tuple[int, str]]] = {}
    for pk, parent, title in rows:
        children.setdefault(parent if parent in present else None, []).append((pk, title))
    options: list[tuple[int, str]] = []
    seen: set[int] = set()

    def add(parent: int | None, depth: int) -> None:
        for pk, title in children.get(parent, []):
            if pk not in seen:
                seen.add(pk)
                options.append((pk, "\u3000" * depth + title))
                add(pk, depth + 1)

    add(None, 0)
    # A cycle (which the forms refuse) leaves some unreached: list them, unindented.
    options.extend((pk, title) for pk, _parent, title in rows if pk not in seen)
    return options


def round_categories(categories: QuerySet, round_id, also=None) -> list[tuple[int, str]]:
    """The options of the category select for the round ``round_id``: its categories among
    ``categories`` (those the user may see), and ``also`` (the chosen one) if elsewhere."""
    wanted = Q(round_id=round_id)
    if also is not None:
        wanted |= Q(pk=also)
    return category_options(categories.filter(wanted))


class RoundCategorySelect(QuickSelect):
    """The category select of the task filters: only the chosen round's categories (a
    province has thousands), none until a round is chosen (disabled, saying so). What it
    offers is asked when it is drawn (``offer``, set by :class:`TaskFilterSet`), so a form
    only validated never reads it."""

    offer = None  # () -> the options, or None without a round

    def get_context(self, name, value, attrs):
        if self.offer is not None:
            options = self.offer()
            if options is None:
                self.choices = [("", CHOOSE_ROUND_FIRST)]
                attrs = {**(attrs or {}), "disabled": True}
            else:
                self.choices = [("", django_filters.conf.settings.EMPTY_CHOICE_LABEL),
                                *options]
        return super().get_context(name, value, attrs)


def _chosen_pk(bound_field) -> int | None:
    try:
        return int(bound_field.value())
    except (TypeError, ValueError):
        return None


class TaskFilterSet(django_filters.FilterSet):
    """Tasks: round, party group, region, year (of the feedback), inspecting body, category
    with its whole subtree, status, completed (已完成 and 已完成，长期坚持), overdue, deadline
    range (``deadline_after``, ``deadline_before``), sign-off, proposals, an approved deadline
    extension (``extended``), and words (``q``) in the problem, its measures, progress and
    outcome (``rectify.services.search_index``)."""

    round = RoundChoiceFilter(label=capfirst(_("巡察轮次")), queryset=visible(InspectionRound),
                              widget=QuickSelect)
    party_group = django_filters.ModelChoiceFilter(
        label=_("被巡察党组织"), field_name="round__party_group", queryset=visible(PartyGroup),
        widget=QuickSelect)
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
        method="filter_category", widget=RoundCategorySelect)
    status = django_filters.ChoiceFilter(label=_("整改状态"), choices=Status.choices)
    completed = YesNoFilter(label=_("已完成（含长期坚持）"),
                                             method="filter_completed")
    overdue = YesNoFilter(label=capfirst(_("是否逾期")), method="filter_overdue")
    warning = django_filters.ChoiceFilter(label=_("时限预警"), choices=due_dates.Warning.choices,
                                          method="filter_warning")
    deadline = django_filters.DateFromToRangeFilter(label=_("整改时限"), widget=DateRangePicker)
    signed_off = YesNoFilter(label=capfirst(_("是否销号")), field_name="signed_off_at",
                                              lookup_expr="isnull", exclude=True)
    proposed = YesNoFilter(label=_("有待审核的状态提议"),
                                            method="filter_proposed")
    review_level = django_filters.ChoiceFilter(
        label=_("待审核层级"), choices=ReviewLevel.choices, method="filter_review_level")
    waiting_for_me = YesNoFilter(
        label=_("待我审核"), method="filter_waiting_for_me",
        help_text=_("状态提议正等待当前用户所在层级审核的任务"))
    extended = YesNoFilter(label=_("已批准延期"),
                                            field_name="extended_deadline",
                                            lookup_expr="isnull", exclude=True)
    q = django_filters.CharFilter(label=_("检索（问题、整改措施、进展、成效）"), method="search",
                                  max_length=MAX_SEARCH)

    class Meta:
        model = RectificationTask
        fields = ["round", "party_group", "category", "status", "completed", "overdue",
                  "warning", "deadline", "signed_off", "proposed", "extended", "q"]
        form = TaskFilterForm

    @property
    def form(self):
        """The form; its category select offers the chosen round's categories only (any
        category the user may see is still accepted: the round narrows the list, not the
        filter)."""
        if not hasattr(self, "_form"):
            form = super().form
            widget = form.fields["category"].widget
            if isinstance(widget, RoundCategorySelect):
                widget.offer = lambda: self.category_choices(form)
        return self._form

    @staticmethod
    def category_choices(form) -> list[tuple[int, str]] | None:
        """The categories to offer: the chosen round's (else the chosen category's round's),
        with the chosen category; None while no round is chosen."""
        categories = form.fields["category"].queryset
        round_id = _chosen_pk(form["round"])
        chosen = _chosen_pk(form["category"])
        if round_id is None and chosen is not None:
            valid = getattr(form, "cleaned_data", {}).get("category")  # read when validated
            round_id = valid.round_id if valid is not None else categories.filter(
                pk=chosen).values_list("round_id", flat=True).first()
        if round_id is None:
            return None
        return round_categories(categories, round_id, also=chosen)

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

    task = django_filters.ModelChoiceFilter(label=capfirst(_("整改任务")),
                                            queryset=visible(RectificationTask))
    round = django_filters.ModelChoiceFilter(label=capfirst(_("巡察轮次")),
                                             field_name="task__round",
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

    round = django_filters.ModelChoiceFilter(label=capfirst(_("巡察轮次")),
                                             queryset=visible(InspectionRound))
    task = django_filters.ModelChoiceFilter(label=capfirst(_("整改任务")),
                                            queryset=visible(RectificationTask))
    kind = django_filters.ChoiceFilter(label=_("成效类别"), choices=FigureKind.choices)
    round_level = YesNoFilter(
        label=_("整轮成效"), field_name="task", lookup_expr="isnull",
        help_text=_("true：只列整轮的成效数据（不属于某一任务）；false：只列任务的"))

    class Meta:
        model = OutcomeFigure
        fields = ["round", "task", "kind", "round_level"]


class NoticeFilterSet(django_filters.FilterSet):
    """Notices: by round, party group, kind, date range, words."""

    round = django_filters.ModelChoiceFilter(label=capfirst(_("巡察轮次")),
                                             queryset=visible(InspectionRound))
    party_group = django_filters.ModelChoiceFilter(
        label=_("被巡察党组织"), field_name="round__party_group", queryset=visible(PartyGroup))
    kind = django_filters.ChoiceFilter(label=_("通报类型"), choices=NoticeKind.choices)
    date = django_filters.DateFromToRangeFilter(label=_("成文日期"), widget=DateRangePicker)
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
    round = django_filters.ModelChoiceFilter(label=capfirst(_("巡察轮次")),
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
