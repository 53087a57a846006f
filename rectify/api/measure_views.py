"""Measures (整改措施) in the API."""

from __future__ import annotations

from rectify.api.measure_serializers import MeasureCreateSerializer, MeasureSerializer
from rectify.api.record_viewset import RecordViewSet, documented
from rectify.models import Measure
from rectify.services import filtersets as filters


@documented(MeasureSerializer, MeasureCreateSerializer)
class MeasureViewSet(RecordViewSet):
    """Measures (整改措施): staff, and clerks for their own bureaus' tasks, add, change and
    delete them; ``?task=ID`` lists one task's."""

    queryset = Measure.objects.all()
    serializer_class = MeasureSerializer
    create_serializer_class = MeasureCreateSerializer
    filterset_class = filters.MeasureFilterSet
    ordering_fields = ["position", "id", "updated_at"]

    def base_queryset(self):
        return Measure.objects.order_by("task_id", "position", "pk")
