"""Filters for the public notice pages."""

from __future__ import annotations

import datetime

from django import template

register = template.Library()


@register.filter
def cn_date(value) -> str:
    """2023-07-18 (a date or its ISO text) -> 2023年7月18日, as notices print dates."""
    if not value:
        return ""
    if isinstance(value, datetime.datetime):
        value = value.date()
    if not isinstance(value, datetime.date):
        try:
            value = datetime.date.fromisoformat(str(value))
        except ValueError:
            return str(value)
    return f"{value.year}年{value.month}月{value.day}日"


@register.filter
def field_label(form, name: str) -> str:
    """The label of a form field by name (for error lists)."""
    field = form.fields.get(name)
    return str(field.label) if field is not None and field.label else name
