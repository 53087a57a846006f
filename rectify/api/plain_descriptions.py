"""The API's descriptions as plain text, in one place.

The browsable API shows a view's docstring, and the OpenAPI schema (drf-spectacular) the
docstrings of views and serializers; those docstrings are written for the code's readers,
with reStructuredText-style ``literals`` and the Chinese names of the records beside the
English ones. A reader of the API gets plain text: no markup, no glosses.
``REST_FRAMEWORK["VIEW_DESCRIPTION_FUNCTION"]`` and a postprocessing hook of
``SPECTACULAR_SETTINGS`` apply ``plain_text``.
"""

from __future__ import annotations

import re

from django.utils.encoding import smart_str
from django.utils.text import capfirst
from rest_framework import views
from rest_framework.utils import formatting

#: ``literal``, `literal`, :role:`target`.
_LITERAL = re.compile(r":[a-z]+:`([^`]+)`|``(.+?)``|`([^`]+)`", re.S)
#: A Chinese gloss of an English name: "Rectification tasks (整改任务)". Two Han characters
#: or more, so that a derived number such as (一) stays.
_GLOSS = re.compile(r" [(（][\u3400-\u9fff]{2,}[)）](?=[\s:;,.)]|$)")


def plain_text(text: str) -> str:
    """``text`` without markup and without the Chinese glosses of English names."""
    text = _LITERAL.sub(lambda m: next(g for g in m.groups() if g is not None), text)
    return _GLOSS.sub("", text)


def view_description(view, html: bool = False) -> str:
    """DRF's ``get_view_description``, in plain text."""
    description = getattr(view, "description", None)
    if description is None:
        description = view.__class__.__doc__ or ""
    description = plain_text(formatting.dedent(smart_str(description)))
    return formatting.markup_description(description) if html else description


def view_name(view) -> str:
    """The browsable API's page title and breadcrumbs in the reader's language: a record
    type's plural name for a list ("整改任务", "Rectification tasks"), its name for one record;
    any other view (the root, an action such as Sign off) as DRF names it."""
    model = getattr(getattr(view, "queryset", None), "model", None)
    suffix = getattr(view, "suffix", None)
    if model is not None and getattr(view, "name", None) is None and suffix in {"List",
                                                                                 "Instance"}:
        meta = model._meta
        return capfirst(meta.verbose_name_plural if suffix == "List" else meta.verbose_name)
    return views.get_view_name(view)


def plain_schema(result, generator, request, public):
    """A drf-spectacular postprocessing hook: every description of the schema in plain text."""

    def clean(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "description" and isinstance(value, str):
                    node[key] = plain_text(value)
                else:
                    clean(value)
        elif isinstance(node, list):
            for item in node:
                clean(item)

    clean(result)
    return result
