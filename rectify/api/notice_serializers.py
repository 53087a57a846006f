"""The serializer of notices (通报) before publishing."""

from __future__ import annotations

from rectify.api.record_serializers import RecordSerializer, request_user, scoped
from rectify.models import InspectionRound, Notice
from rectify.rules import permissions


class NoticeSerializer(RecordSerializer):
    class Meta:
        model = Notice
        fields = ["id", "round", "kind", "title", "opening", "overall_heading", "overall",
                  "problems_heading", "show_summary", "summary_template", "closing", "signature",
                  "date", "approved_by", "version",
                  "created_at", "updated_at"]
        read_only_fields = ["created_at", "updated_at"]

    def get_fields(self):
        fields = super().get_fields()
        scoped(fields.get("round"), permissions.visible(InspectionRound, request_user(self)))
        return fields
