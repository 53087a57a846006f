"""The widgets the working pages' forms share: the browser's date picker for every date (one
date or a range), and a yes/no select whose empty choice reads 全部 ("All": no condition), not
Django's 未知 ("Unknown")."""

from __future__ import annotations

from django import forms
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django_filters.widgets import DateRangeWidget

#: How a date is written into ``<input type="date">`` (the only format it reads).
ISO_DATE = "%Y-%m-%d"


class DatePicker(forms.DateInput):
    """``<input type="date">``, its value written as ISO whatever the reader's language (the
    Chinese locale's first input format is 2016/09/05, which the picker would show as empty)."""

    input_type = "date"

    def __init__(self, attrs=None, format=None):  # noqa: A002 -- Django's own argument name
        super().__init__(attrs=attrs, format=format or ISO_DATE)


class DateRangePicker(DateRangeWidget):
    """A date range of filters (``<name>_after``, ``<name>_before``): two date pickers, each
    labelled for a screen reader."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.widgets = [DatePicker(attrs={"aria-label": _("起始日期")}),
                        DatePicker(attrs={"aria-label": _("截止日期")})]

    def render(self, name, value, attrs=None, renderer=None):
        """The two pickers side by side (``.range``), as one row of the filter form."""
        return format_html('<span class="range">{}</span>',
                           super().render(name, value, attrs, renderer))


class YesNoSelect(forms.NullBooleanSelect):
    """全部 / 是 / 否 for a yes-or-no filter; reads what Django's select reads (true, false…)."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = [("", _("全部")), ("true", _("是")), ("false", _("否"))]

    def format_value(self, value):
        # A list, as Select's: the options are matched by membership ("" is in any string).
        return [{True: "true", False: "false", "true": "true", "false": "false",
                 "True": "true", "False": "false"}.get(value, "")]
