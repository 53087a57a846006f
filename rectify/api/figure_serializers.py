"""The serializers of outcome figures (整改成效数据): as records of their own and as listed
with a task."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from rectify.api.record_serializers import (
    ModelShapeSerializer,
    RecordSerializer,
    request_user,
    scoped,
)
from rectify.models import InspectionRound, OutcomeFigure, RectificationTask
from rectify.rules import permissions

_VALUE = {"normalize_output": True}


class OutcomeFigureInTaskSerializer(ModelShapeSerializer):
    """A task's outcome figure as listed with the task."""

    display_label = serializers.CharField(read_only=True, help_text=_("类别名称，“其他”为自填名称"))

    class Meta:
        model = OutcomeFigure
        fields = ["id", "kind", "display_label", "label", "value", "unit", "note", "version"]
        read_only_fields = fields
        extra_kwargs = {"value": _VALUE}


class OutcomeFigureSerializer(RecordSerializer):
    """An outcome figure of a task, or of a round as a whole (``task`` null: staff's). The
    unit follows the kind (money in 万元); for 其他 the figure names its ``label`` and
    ``unit``."""

    display_label = serializers.CharField(read_only=True, help_text=_("类别名称，“其他”为自填名称"))
    author = serializers.SlugRelatedField(slug_field="username", read_only=True,
                                          allow_null=True, help_text=_("填报人"))

    read_only_hints = {
        "round": _("成效数据所属的轮次和任务在填报后不能修改；请删除后重新填报。"),
        "task": _("成效数据所属的轮次和任务在填报后不能修改；请删除后重新填报。"),
    }

    class Meta:
        model = OutcomeFigure
        fields = ["id", "round", "task", "kind", "display_label", "label", "value", "unit",
                  "note", "author", "version", "created_at", "updated_at"]
        read_only_fields = ["round", "task", "created_at", "updated_at"]
        extra_kwargs = {"value": _VALUE, "unit": {"required": False},
                        "label": {"required": False}, "note": {"required": False}}

    def update(self, instance, validated_data):
        if "kind" in validated_data and "unit" not in validated_data \
                and validated_data["kind"] != instance.kind:
            validated_data["unit"] = ""  # the new kind's unit, or 其他's own to be named
        return super().update(instance, validated_data)


class OutcomeFigureCreateSerializer(OutcomeFigureSerializer):
    """A new figure: of a task (its round follows), or of a round as a whole (staff only)."""

    class Meta(OutcomeFigureSerializer.Meta):
        read_only_fields = ["created_at", "updated_at"]
        extra_kwargs = {
            **OutcomeFigureSerializer.Meta.extra_kwargs,
            "round": {"required": False,
                      "help_text": _("巡察轮次；填写整改任务时可省略（取任务所属轮次）")},
            "task": {"required": False,
                     "help_text": _("整改任务；留空表示整轮的成效数据（仅巡察办工作人员）")},
        }

    def get_fields(self):
        fields = super().get_fields()
        user = request_user(self)
        scoped(fields.get("round"), permissions.visible(InspectionRound, user))
        scoped(fields.get("task"), permissions.editable(RectificationTask, user))
        return fields

    def validate(self, attrs):
        attrs = super().validate(attrs)
        task = attrs.get("task")
        if task is None:
            if not permissions.is_staff(request_user(self)):
                raise serializers.ValidationError({"task": [_(
                    "请填写整改任务：单位只能填报本单位整改任务的成效数据，"
                    "整轮的成效数据由巡察办填报。")]})
            if attrs.get("round") is None:
                raise serializers.ValidationError({"round": [_(
                    "请填写巡察轮次或整改任务。")]})
        elif attrs.get("round") is None:
            attrs["round"] = task.round
        return attrs

    def prepare(self, instance) -> None:
        user = request_user(self)
        if getattr(user, "is_authenticated", False):
            instance.author = user
