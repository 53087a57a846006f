"""The search's highlight in templates: ``{{ text|highlight:query }}``.

The text is escaped and each occurrence of one of the query's words wrapped in ``<mark>``
(``rectify.rules.text_search.highlight``, the one home of the rule); the result is safe HTML,
so the filter comes last (after ``truncatechars``).
"""

from __future__ import annotations

from django import template

from rectify.rules import text_search

register = template.Library()


@register.filter(is_safe=False)
def highlight(text, query) -> str:
    """``text`` escaped, the words of ``query`` (its text, or a list of words) marked."""
    return text_search.highlight(text, query)
