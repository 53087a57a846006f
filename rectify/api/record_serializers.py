"""What every record serializer shares: strict input, the model's validation, saves through
the services, and the shapes of actions, history and conflicts.

Every record serializer refuses keys that are not its writable fields (unknown or read-only),
lets the model's ``full_clean()`` decide (through ``save_record``, so the API refuses the same
things with the same words as the admin) and writes the history row with the user.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import MaxValueValidator
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.validators import UniqueTogetherValidator, UniqueValidator

from rectify.api.api_base import MAX_INT, drf_error
from rectify.api.planned_output import PlannedOutput
from rectify.rules import permissions
from rectify.services.records import StaleRecord, save_record

READ_ONLY = _("只读字段，不能修改。")
UNKNOWN = _("未知字段。")


def request_user(serializer):
    """The user of the request in the serializer's context (None without a request)."""
    request = serializer.context.get("request")
    return getattr(request, "user", None)


class StrictFieldsMixin:
    """Refuses every key of the body that is not a writable field: an unknown key, or a field
    this user may not write here, is a 400 naming it; nothing is silently ignored."""

    #: Messages for particular read-only fields (where to change them instead).
    read_only_hints: dict[str, str] = {}

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            errors = {}
            for key in data:
                field = self.fields.get(key)
                if field is None:
                    errors[key] = [UNKNOWN]
                elif field.read_only:
                    errors[key] = [self.read_only_hints.get(key, READ_ONLY)]
            if errors:
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)


class ModelShapeSerializer(PlannedOutput, serializers.ModelSerializer):
    """A model's rows as stored, and the schema saying so: a read-only field is nullable when
    the model lets it (or a relation on its way) be empty, and a read-only choice keeps the
    model's blank choice (``""``, e.g. no ``proposed_status``). DRF drops both from read-only
    fields; the answers carry them all the same. Answers are built by a plan
    (``rectify.api.planned_output``): DRF's answer, without its per-row cost."""

    def get_fields(self):
        fields = copy.deepcopy(_model_fields(self))
        model = self.Meta.model
        for name, field in fields.items():
            source = field.source or name  # not bound yet
            if not field.read_only or source == "*":
                continue
            nullable, blank = _stored_shape(model, source)
            if nullable:
                field.allow_null = True
            if blank and isinstance(field, serializers.ChoiceField):
                field.allow_blank = True
        return fields


def _model_fields(serializer) -> dict:
    """DRF's fields of ``serializer``'s class, built from its model and ``Meta`` once per
    class: the building (the model's introspection, field by field) cost more than the rest
    of a short answer. Each serializer gets a deep copy (fresh fields, as DRF gives them)."""
    cls = type(serializer)
    built = cls.__dict__.get("_built_model_fields")
    if built is None:
        built = serializers.ModelSerializer.get_fields(serializer)
        cls._built_model_fields = built
    return built


def _stored_shape(model, source: str) -> tuple[bool, bool]:
    """Whether the model attribute at ``source`` (``a.b.c``) may be None, and may be blank."""
    nullable = False
    for part in source.split("."):
        try:
            model_field = model._meta.get_field(part)
        except FieldDoesNotExist:
            return nullable, False
        nullable = nullable or model_field.null
        if not model_field.is_relation:
            return nullable, model_field.blank
        model = model_field.related_model
    return nullable, False


class AbsoluteURLField(serializers.URLField):
    """A page of this site as an absolute address (``format: uri``), from a path such as a
    model's ``get_absolute_url``: the request's host, or ``SITE_URL`` without a request."""

    def __init__(self, **kwargs):
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value):
        return absolute_url(self.context, str(value))


def absolute_url(context, path: str) -> str:
    """``path`` of this site as an absolute address: the request's host in ``context``, or
    ``SITE_URL`` without a request."""
    request = context.get("request")
    return request.build_absolute_uri(path) if request else settings.SITE_URL + path


class RecordSerializer(StrictFieldsMixin, ModelShapeSerializer):
    """A record, written through ``save_record`` (``full_clean``, history, versions).

    ``version`` is the record's current version in responses; in a PUT or PATCH body it is the
    version the client read, and a save over a newer one is refused (409).
    """

    version = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_INT,
        help_text=_("记录的版本：读取时返回；修改时填写读取时的版本，已被他人修改则拒绝（409）"),
    )

    #: Why the history row was written (the services' reasons; empty for plain edits).
    reason = ""

    def get_validators(self):
        # Uniqueness is the model's to decide (full_clean), in the model's words.
        return [v for v in super().get_validators()
                if not isinstance(v, UniqueTogetherValidator)]

    def get_fields(self):
        fields = super().get_fields()
        for field in fields.values():
            if field.validators:
                field.validators = [v for v in field.validators
                                    if not isinstance(v, UniqueValidator)]
            if isinstance(field, serializers.IntegerField) and not field.read_only:
                bound_integer(field)
        self._limit_for_clerks(fields)
        return fields

    def _limit_for_clerks(self, fields) -> None:
        """A clerk writing a record of its bureau writes only its fields (e.g. a task's
        progress); the others are read-only for it."""
        request = self.context.get("request")
        if request is None or request.method in ("GET", "HEAD", "OPTIONS"):
            return
        allowed = permissions.writable_fields(request.user, self.Meta.model)
        if allowed is None:
            return
        for name, field in fields.items():
            if name not in allowed and name != "version" and not field.read_only:
                field.read_only = True
        self.read_only_hints = {
            **{name: _("单位联络员只能填写整改进展、整改措施和状态提议。")
               for name in fields if name not in allowed and name != "version"},
            **self.read_only_hints,
        }

    # -- writes through the services ----------------------------------------------------

    def create(self, validated_data):
        validated_data.pop("version", None)
        instance = self.Meta.model(**validated_data)
        self.prepare(instance)
        return self._save(instance)

    def update(self, instance, validated_data):
        validated_data.pop("version", None)
        expected = validated_data.pop("expected_version", None)
        for name, value in validated_data.items():
            setattr(instance, name, value)
        return self._save(instance, expected_version=expected)

    def prepare(self, instance) -> None:
        """Fill in what a new record needs before validation (e.g. its position)."""

    def _save(self, instance, **kwargs):
        try:
            save_record(instance, request_user(self), self.reason, **kwargs)
        except StaleRecord:
            raise
        except DjangoValidationError as exc:
            raise drf_error(exc)
        return instance


def bound_integer(field: serializers.IntegerField) -> None:
    """The same bound on every database: SQLite's integers are wider than PostgreSQL's."""
    if field.max_value is not None and field.max_value <= MAX_INT:
        return
    field.max_value = MAX_INT
    field.validators = [v for v in field.validators if not isinstance(v, MaxValueValidator)]
    field.validators.append(MaxValueValidator(
        MAX_INT, message=field.error_messages["max_value"].format(max_value=MAX_INT)))


def scoped(field, queryset) -> None:
    """Offer a related field only the records this request's user may see."""
    if field is not None and not field.read_only:
        field.queryset = queryset



# -- the problem tree --------------------------------------------------------------------------


class TreeNumberMixin:
    """``number``: the derived number path from the top (e.g. ``(一)1.1)``), from the tree
    nodes the view put in the context (``tree_nodes``, computed once per response)."""

    tree_kind = ""

    def _node(self, obj):
        try:
            nodes = self._tree_nodes
        except AttributeError:
            nodes = self._tree_nodes = self.context.get("tree_nodes") or {}
        return nodes.get((self.tree_kind, obj.pk))

    def get_number(self, obj) -> str:
        node = self._node(obj)
        return node.number_path if node else ""

    def get_depth(self, obj) -> int | None:
        node = self._node(obj)
        return node.depth if node else None



# -- actions, history and conflicts ------------------------------------------------------------


class ActionSerializer(StrictFieldsMixin, serializers.Serializer):
    """The body of an action: strict like the records, with the version the client read."""

    version = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_INT,
        help_text=_("读取时的版本；已被他人修改则拒绝（409）"))



class FieldChangeSerializer(serializers.Serializer):
    field = serializers.CharField()
    label = serializers.CharField()
    old = serializers.JSONField(allow_null=True)
    new = serializers.JSONField(allow_null=True)


class HistoryEntrySerializer(serializers.Serializer):
    """One change: who, when, what (created / changed / deleted), why, fields before → after."""

    when = serializers.DateTimeField()
    user = serializers.CharField()
    action = serializers.CharField()
    reason = serializers.CharField()
    model = serializers.CharField(help_text=_("被修改记录的类型，例如 rectificationtask、measure"))
    object_id = serializers.IntegerField()
    object_repr = serializers.CharField()
    changes = FieldChangeSerializer(many=True)
