"""The serializers of measures (整改措施): as records of their own and as listed with a task."""

from __future__ import annotations

from rectify.api.record_serializers import (
    ModelShapeSerializer,
    RecordSerializer,
    request_user,
    scoped,
)
from rectify.models import Measure, RectificationTask
from rectify.models.problems import next_measure_position
from rectify.rules import permissions


class MeasureInTaskSerializer(ModelShapeSerializer):
    """A task's measure as listed with the task."""

    class Meta:
        model = Measure
        fields = ["id", "position", "text", "responsible_unit", "due_date", "version"]
        read_only_fields = fields



class MeasureSerializer(RecordSerializer):
    """A measure (整改措施) of a task; without ``position`` a new one goes last."""

    class Meta:
        model = Measure
        fields = ["id", "task", "position", "text", "responsible_unit", "due_date", "version",
                  "created_at", "updated_at"]
        read_only_fields = ["task", "created_at", "updated_at"]
        extra_kwargs = {"position": {"required": False}}


class MeasureCreateSerializer(MeasureSerializer):
    class Meta(MeasureSerializer.Meta):
        read_only_fields = ["created_at", "updated_at"]

    def get_fields(self):
        fields = super().get_fields()
        scoped(fields.get("task"), permissions.editable(RectificationTask, request_user(self)))
        return fields

    def prepare(self, instance) -> None:
        if instance.position is None or "position" not in self.initial_data:
            instance.position = next_measure_position(instance.task_id)
