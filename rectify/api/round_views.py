"""Inspection rounds (巡察轮次) in the API, with task counts."""

from __future__ import annotations

from django.db.models import Count, Q

from rectify.api.record_viewset import RecordViewSet, documented
from rectify.api.round_serializers import RoundSerializer
from rectify.models import InspectionRound
from rectify.models.choices import Status
from rectify.services import filtersets as filters


@documented(RoundSerializer)
class RoundViewSet(RecordViewSet):
    """Inspection rounds (巡察轮次), with task counts."""

    queryset = InspectionRound.objects.all()
    serializer_class = RoundSerializer
    filterset_class = filters.RoundFilterSet
    ordering_fields = ["feedback_date", "inspection_start", "id", "updated_at"]

    def base_queryset(self):
        return InspectionRound.objects.select_related("party_group").annotate(
            task_count=Count("tasks", distinct=True),
            completed_count=Count("tasks", filter=Q(tasks__status__in=Status.done()),
                                  distinct=True),
        ).order_by("-feedback_date", "-pk")
