"""Inspection rounds (巡察轮次) in the API, with task counts."""

from __future__ import annotations

from rectify.api.record_viewset import RecordViewSet, documented
from rectify.api.round_serializers import RoundSerializer
from rectify.models import InspectionRound
from rectify.services import filtersets as filters


@documented(RoundSerializer)
class RoundViewSet(RecordViewSet):
    """Inspection rounds (巡察轮次), with task counts."""

    queryset = InspectionRound.objects.all()
    serializer_class = RoundSerializer
    filterset_class = filters.RoundFilterSet
    ordering_fields = ["feedback_date", "inspection_start", "id", "updated_at"]

    def base_queryset(self):
        return InspectionRound.objects.select_related("party_group").with_task_counts(
        ).order_by("-feedback_date", "-pk")

    def list_queryset(self):
        return InspectionRound.objects.order_by("-feedback_date", "-pk")

    def shown(self, rows):
        """A page of rounds: counted alone; read with their party groups (their names make
        the rounds' titles) and their task counts, for the page's rounds only."""
        return rows.select_related("party_group").with_task_counts()
