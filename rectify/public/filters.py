"""The one filter of published notices: by party group, by year, by words in the text."""

from __future__ import annotations

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from bureaus.models import PartyGroup
from rectify.models import Publication


class YearFilter(django_filters.Filter):
    field_class = forms.IntegerField


class PublicationFilter(django_filters.FilterSet):
    """Filters the publications a reader may see; ``party_reader`` picks the searched text.

    An invalid value (``?year=x``, an unknown party group) makes the form invalid; the list
    then shows the error and no rows, never a server error.
    """

    q = django_filters.CharFilter(label=_("检索"), method="search", max_length=100)
    party_group = django_filters.ModelChoiceFilter(
        label=_("被巡察党组织"), field_name="round__party_group",
        queryset=PartyGroup.objects.none(), empty_label=_("全部"),
    )
    year = YearFilter(label=_("年份"), field_name="date", lookup_expr="year",
                      min_value=1949, max_value=2999)

    class Meta:
        model = Publication
        fields = ["q", "party_group", "year"]

    def __init__(self, *args, party_reader: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.party_reader = party_reader
        self.filters["party_group"].queryset = PartyGroup.objects.filter(
            rounds__publications__in=Publication.objects.visible_to(party_reader)
        ).distinct().order_by("name")

    def search(self, queryset, name, value):
        return queryset.search(value, party_reader=self.party_reader)
