"""Notices (通报) before publishing, in the API."""

from __future__ import annotations

from rectify.api.notice_serializers import NoticeSerializer
from rectify.api.record_viewset import RecordViewSet, documented
from rectify.models import Notice
from rectify.services import filtersets as filters


@documented(NoticeSerializer)
class NoticeViewSet(RecordViewSet):
    """Notices (通报) before publishing: their text around the round's problem tree."""

    queryset = Notice.objects.all()
    serializer_class = NoticeSerializer
    filterset_class = filters.NoticeFilterSet
    ordering_fields = ["date", "id", "updated_at"]
