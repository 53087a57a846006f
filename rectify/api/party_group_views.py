"""Party groups (被巡察党组织) in the API."""

from __future__ import annotations

from bureaus.models import PartyGroup
from rectify.api.party_group_serializers import PartyGroupSerializer
from rectify.api.record_viewset import RecordViewSet, documented
from rectify.services import filtersets as filters


@documented(PartyGroupSerializer)
class PartyGroupViewSet(RecordViewSet):
    """Party groups (被巡察党组织): staff change them; clerks see their own."""

    queryset = PartyGroup.objects.all()
    serializer_class = PartyGroupSerializer
    filterset_class = filters.PartyGroupFilterSet
    ordering_fields = ["name", "region", "id", "updated_at"]
