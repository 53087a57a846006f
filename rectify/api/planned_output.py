"""The API's answers built by a plan: each serializer's fields read and converted by plain
functions chosen once per serializer, instead of DRF's generic path for every field of every row.

DRF's ``Serializer.to_representation`` asks each field, for every row, to find its value
(``get_attribute``: a walk along the source, with a signature inspection of anything callable,
such as ``get_status_display``) and to convert it. For a page of 200 tasks with their measures
that was most of the answer's time. :class:`PlannedOutput` looks at the serializer's fields once
(per serializer instance, i.e. per answer: the reader's language and time zone hold) and gives
each field a producer with the same result as DRF's path:

* a model column, property or annotation: ``getattr``, then the field's conversion (``int``,
  ``str``, ISO dates and times in the current time zone, choices) — the same code DRF runs, or
  its exact equivalent;
* a foreign key shown as its id: the ``…_id`` attribute; as a slug: the related row's slug;
* ``get_FOO_display``: the choices' labels, looked up in a dict;
* a nested list: the rows a ``Prefetch(…, to_attr="listed_<source>")`` put on the object (no
  queryset per row), else the relation, as DRF reads it;
* a serializer method: the method;
* anything else (a dotted source, a callable): DRF's own path for that field.

A value that is missing (an annotation the queryset did not add) goes DRF's path too, with its
defaults and omissions. The schema is the fields' and does not change;
``tests/test_api_output.py`` compares the plans' answers with DRF's on every list.
"""

from __future__ import annotations

import datetime
import functools
import re
from operator import attrgetter

from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist
from django.db.models import QuerySet
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable
from rest_framework import ISO_8601, serializers
from rest_framework.fields import SkipField
from rest_framework.relations import PKOnlyObject, PrimaryKeyRelatedField, SlugRelatedField
from rest_framework.settings import api_settings

#: Where a nested list's rows are found when the queryset prefetched them to an attribute.
LISTED = "listed_{source}"

_DISPLAY = re.compile(r"^get_(\w+)_display$")


class PlannedOutput:
    """A serializer mixin: ``to_representation`` by the plan of :func:`plan` (the same
    answer as DRF's, faster).

    ``output_shortcuts`` names, per field, an attribute the views' querysets annotate to spare
    a join (e.g. a task's party group id beside its round): read when present, else the
    field's own source."""

    output_shortcuts: dict[str, str] = {}

    def to_representation(self, instance):
        if type(instance) is dict:
            return self._row_representation(instance)
        try:
            steps = self._output_plan
        except AttributeError:
            steps = self._output_plan = plan(self)
        ret = {}
        for name, produce in steps:
            try:
                ret[name] = produce(instance)
            except SkipField:
                pass
        return ret

    def _row_representation(self, row: dict) -> dict:
        """A plain row of :func:`row_columns` (``values()``), not a model instance."""
        try:
            steps = self._row_plan
        except AttributeError:
            steps = self._row_plan = row_plan(self)
        ret = {}
        for name, key, convert in steps:
            value = row[key]
            ret[name] = None if value is None else convert(value)
        return ret


def plan(serializer) -> list[tuple[str, object]]:
    """``(field name, producer(instance) -> value)`` for every readable field, in order."""
    return [(field.field_name, _producer(serializer, field))
            for field in serializer._readable_fields]


def row_plan(serializer) -> list[tuple[str, str, object]]:
    """``(field name, column, conversion)`` for every readable field of a serializer whose
    fields are all columns of its model (``row_columns``): the answer for a ``values()`` row
    instead of an instance."""
    model = serializer.Meta.model
    steps = []
    for field in serializer._readable_fields:
        attrs = field.source_attrs
        if len(attrs) != 1 or isinstance(field, serializers.SerializerMethodField):
            raise TypeError(f"{type(serializer).__name__}.{field.field_name} is no column")
        display = _DISPLAY.match(attrs[0])
        try:
            model_field = model._meta.get_field(display.group(1) if display else attrs[0])
        except FieldDoesNotExist:
            raise TypeError(f"{type(serializer).__name__}.{field.field_name} is no column")
        if not model_field.concrete:
            raise TypeError(f"{type(serializer).__name__}.{field.field_name} is no column")
        if display:
            labels = _labels(model_field)
            convert = _converter(field)

            def label(value, labels=labels, convert=convert):
                found = labels.get(value, value)
                return None if found is None else convert(found)
            steps.append((field.field_name, model_field.attname, label))
        elif model_field.is_relation:
            if not (isinstance(field, PrimaryKeyRelatedField) and field.pk_field is None):
                raise TypeError(f"{type(serializer).__name__}.{field.field_name} is no column")
            steps.append((field.field_name, model_field.attname, _same))
        else:
            steps.append((field.field_name, model_field.attname, _converter(field)))
    return steps


@functools.cache
def row_columns(serializer_class) -> tuple[str, ...]:
    """The columns to read with ``values()`` for ``serializer_class``'s answers from rows."""
    return tuple(key for _name, key, _convert in row_plan(serializer_class()))


def list_rows(parents: list, source: str, children: QuerySet, serializer_class) -> None:
    """Read the children of ``parents`` through the reverse foreign key ``source`` (e.g. a
    task's ``measures``) in one query, as plain rows of the columns ``serializer_class``
    shows, and put each parent's on it at ``listed_<source>`` in the order of ``children``:
    no model instance, no queryset per parent."""
    relation = parents[0]._meta.get_field(source) if parents else None
    if relation is None:
        return
    key = relation.field.attname  # e.g. task_id
    found: dict = {parent.pk: [] for parent in parents}
    for row in children.filter(**{f"{key}__in": list(found)}).values(
            *row_columns(serializer_class), key):
        found[row[key]].append(row)
    listed = LISTED.format(source=source)
    for parent in parents:
        parent.__dict__[listed] = found[parent.pk]


def drf_value(field, instance):
    """DRF's own answer for one field (``Serializer.to_representation``'s loop body); raises
    ``SkipField`` where DRF leaves the field out."""
    attribute = field.get_attribute(instance)
    check_for_none = attribute.pk if isinstance(attribute, PKOnlyObject) else attribute
    return None if check_for_none is None else field.to_representation(attribute)


def _producer(serializer, field):
    def fallback(instance, field=field):
        return drf_value(field, instance)

    if isinstance(field, serializers.SerializerMethodField):
        return getattr(serializer, field.method_name)
    shortcut = serializer.output_shortcuts.get(field.field_name)
    if shortcut:
        return _shortcut(shortcut, _converter(field), fallback)
    if len(field.source_attrs) != 1:
        return fallback
    source = field.source_attrs[0]
    model = getattr(getattr(serializer, "Meta", None), "model", None)
    if model is None:
        return fallback
    if isinstance(field, serializers.ListSerializer):
        return _listed(source, field, fallback)
    display = _DISPLAY.match(source)
    if display:
        return _display(model, display.group(1), _converter(field), fallback)
    try:
        model_field = model._meta.get_field(source)
    except FieldDoesNotExist:
        model_field = None
    if model_field is not None and model_field.is_relation:
        return _related(field, model_field, fallback)
    if model_field is None and callable(getattr(model, source, None)):
        return fallback  # a method: DRF calls it when it takes no arguments
    return _attribute(source, _converter(field), fallback)


# -- producers --------------------------------------------------------------------------------


def _attribute(source: str, convert, fallback):
    """A column, a property or an annotation."""
    def produce(instance, get=attrgetter(source)):
        try:
            value = get(instance)
        except (AttributeError, KeyError, ObjectDoesNotExist):
            return fallback(instance)
        return None if value is None else convert(value)
    return produce


def _shortcut(name: str, convert, fallback):
    def produce(instance):
        try:
            value = instance.__dict__[name]
        except (AttributeError, KeyError):
            return fallback(instance)
        return None if value is None else convert(value)
    return produce


def _display(model, name: str, convert, fallback):
    """``get_FOO_display()``: the label of the value's choice, else the value
    (``Model._get_FIELD_display``), in the language of this answer."""
    try:
        model_field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return fallback
    if not model_field.flatchoices:
        return fallback
    labels = _labels(model_field)

    def produce(instance, get=attrgetter(model_field.attname)):
        try:
            value = get(instance)
        except AttributeError:
            return fallback(instance)
        try:
            label = labels.get(value, value)
        except TypeError:  # unhashable
            return fallback(instance)
        return None if label is None else convert(label)
    return produce


def _labels(model_field) -> dict:
    return {make_hashable(value): force_str(label, strings_only=True)
            for value, label in model_field.flatchoices}


def _related(field, model_field, fallback):
    if not (model_field.many_to_one or model_field.one_to_one) or not model_field.concrete:
        return fallback
    if isinstance(field, PrimaryKeyRelatedField) and field.pk_field is None \
            and type(field).to_representation is PrimaryKeyRelatedField.to_representation \
            and field.use_pk_only_optimization():
        # DRF: PKOnlyObject(instance.serializable_value(name)).pk, i.e. the ``…_id`` column.
        return _attribute(model_field.attname, _same, fallback)
    if isinstance(field, SlugRelatedField) \
            and type(field).to_representation is SlugRelatedField.to_representation:
        slug = attrgetter(field.slug_field.replace("__", "."))

        def produce(instance, get=attrgetter(model_field.name)):
            try:
                related = get(instance)
            except (AttributeError, ObjectDoesNotExist):
                return fallback(instance)
            return None if related is None else slug(related)
        return produce
    return fallback


def _listed(source: str, field, fallback):
    """A nested list: the prefetched rows at ``listed_<source>``, else DRF's way (the
    relation's ``all()``)."""
    child = field.child.to_representation
    listed = LISTED.format(source=source)

    def produce(instance):
        try:
            rows = instance.__dict__[listed]
        except (AttributeError, KeyError):
            return fallback(instance)
        return [child(row) for row in rows]
    return produce


# -- conversions: each DRF field's to_representation, or its exact equivalent ----------------


def _same(value):
    return value


def _converter(field):
    kind = type(field).to_representation
    if kind is serializers.IntegerField.to_representation:
        return int
    if kind is serializers.CharField.to_representation:
        return str
    if kind is serializers.BooleanField.to_representation:
        def boolean(value, general=field.to_representation):
            return value if value is True or value is False else general(value)
        return boolean
    if kind is serializers.ChoiceField.to_representation:
        choices = field.choice_strings_to_values

        def choice(value):
            if value == "":
                return value
            return choices.get(str(value), value)
        return choice
    if kind is serializers.DateField.to_representation \
            and _iso(getattr(field, "format", api_settings.DATE_FORMAT)):
        def date(value, general=field.to_representation):
            return value.isoformat() if type(value) is datetime.date else general(value)
        return date
    if kind is serializers.DateTimeField.to_representation \
            and _iso(getattr(field, "format", api_settings.DATETIME_FORMAT)):
        zone = (field.timezone if hasattr(field, "timezone") else field.default_timezone())
        if zone is not None:
            def moment(value, general=field.to_representation):
                if type(value) is not datetime.datetime or value.tzinfo is None:
                    return general(value)
                text = value.astimezone(zone).isoformat()
                return text[:-6] + "Z" if text.endswith("+00:00") else text
            return moment
    return field.to_representation


def _iso(output_format) -> bool:
    return isinstance(output_format, str) and output_format.lower() == ISO_8601


__all__ = ["LISTED", "PlannedOutput", "drf_value", "list_rows", "plan", "row_columns", "row_plan"]
