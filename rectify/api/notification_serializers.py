"""The serializer of a user's notifications (站内通知)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from rectify.api.record_serializers import ModelShapeSerializer, absolute_url
from rectify.models import Notification


class NotificationSerializer(ModelShapeSerializer):
    """One notification of the user: what happened (``kind``, ``kind_label``), to which task,
    by whom, the words that came with it, and whether it is read."""

    kind_label = serializers.CharField(source="get_kind_display", read_only=True,
                                       help_text=_("通知类型的名称"))
    task_title = serializers.CharField(source="task.title", read_only=True, default=None,
                                       help_text=_("整改任务的问题"))
    actor = serializers.SlugRelatedField(slug_field="username", read_only=True)
    unread = serializers.BooleanField(read_only=True, help_text=_("是否未读"))
    url = serializers.SerializerMethodField(help_text=_("工作页面上的通知地址：打开即标为已读"))

    class Meta:
        model = Notification
        fields = ["id", "kind", "kind_label", "task", "task_title", "actor", "text", "due_on",
                  "created_at", "read_at", "unread", "url"]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, obj) -> str:
        try:
            head, tail = self._url_parts
        except AttributeError:  # one reverse() per answer, not one per notification
            marker = str(2**31 - 1)
            head, tail = self._url_parts = absolute_url(self.context, reverse(
                "work:notification", kwargs={"pk": marker})).split(marker)
        return f"{head}{obj.pk}{tail}"


class ReadAllSerializer(serializers.Serializer):
    marked = serializers.IntegerField(help_text=_("标为已读的通知数"))
