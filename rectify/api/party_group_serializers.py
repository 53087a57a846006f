"""The serializer of party groups (被巡察党组织)."""

from __future__ import annotations

from bureaus.models import PartyGroup
from rectify.api.record_serializers import RecordSerializer


class PartyGroupSerializer(RecordSerializer):
    class Meta:
        model = PartyGroup
        fields = ["id", "name", "short_name", "region", "phone", "postal_address", "email",
                  "version", "created_at", "updated_at"]
        read_only_fields = ["created_at", "updated_at"]
