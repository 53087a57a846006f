"""The user's own notifications (站内通知): listed newest first (``?unread=true`` for the
unread ones), marked read one by one or all at once. Another user's notification does not
exist here (404, nothing changed), as every record outside what a user may see."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from rectify.api.api_base import AtomicWrites
from rectify.api.notification_serializers import NotificationSerializer, ReadAllSerializer
from rectify.models import Notification
from rectify.services import notifications


class NotificationFilterSet(django_filters.FilterSet):
    """``unread=true`` (or ``false``) and ``kind``."""

    unread = django_filters.BooleanFilter(field_name="read_at", lookup_expr="isnull",
                                          label=gettext_lazy("未读（true）或已读（false）"))

    class Meta:
        model = Notification
        fields = ["unread", "kind"]


@extend_schema_view(
    list=extend_schema(summary=gettext_lazy("我的通知（最新的在前）")),
)
class NotificationViewSet(AtomicWrites, mixins.ListModelMixin, viewsets.GenericViewSet):
    """The signed-in user's notifications, newest first; nobody sees another's."""

    permission_classes = [IsAuthenticated]
    serializer_class = NotificationSerializer
    queryset = Notification.objects.none()
    filterset_class = NotificationFilterSet
    ordering_fields = ["created_at", "id"]

    def get_queryset(self):
        return notifications.of(self.request.user).order_by("-created_at", "-pk")

    @extend_schema(
        summary=gettext_lazy("将一条通知标为已读"), request=None,
        responses={200: NotificationSerializer,
                   404: OpenApiResponse(description=gettext_lazy("没有该通知，或不是发给您的"))})
    @action(detail=True, methods=["post"], filter_backends=[])
    def read(self, request, pk=None):
        """Mark one of your notifications read (already read: unchanged)."""
        note = self.get_object()
        note = notifications.mark_read(note.pk, request.user)
        return Response(self.get_serializer(note).data)

    @extend_schema(summary=gettext_lazy("将我的全部通知标为已读"), request=None,
                   responses={200: ReadAllSerializer})
    @action(detail=False, methods=["post"], url_path="read-all", filter_backends=[])
    def read_all(self, request):
        """Mark all your unread notifications read; says how many."""
        return Response({"marked": notifications.mark_all_read(request.user)})
