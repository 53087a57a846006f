"""Outcome figures (整改成效数据) in the API."""

from __future__ import annotations

from rectify.api.figure_serializers import OutcomeFigureCreateSerializer, OutcomeFigureSerializer
from rectify.api.record_viewset import RecordViewSet, documented
from rectify.models import OutcomeFigure
from rectify.services import filtersets as filters


@documented(OutcomeFigureSerializer, OutcomeFigureCreateSerializer)
class OutcomeFigureViewSet(RecordViewSet):
    """Outcome figures (整改成效数据): staff, and a bureau's clerks and leaders for its own
    tasks, add, change and delete them; a round's own figures (no task) are staff's.
    ``?round=``, ``?task=``, ``?kind=`` filter."""

    queryset = OutcomeFigure.objects.all()
    serializer_class = OutcomeFigureSerializer
    create_serializer_class = OutcomeFigureCreateSerializer
    filterset_class = filters.FigureFilterSet
    ordering_fields = ["id", "kind", "value", "updated_at"]

    def base_queryset(self):
        return OutcomeFigure.objects.select_related("author").order_by(
            "round_id", "task_id", "kind", "pk")
