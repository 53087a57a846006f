"""The serializers of deadline extensions (申请延期): a request, staff's decision, and the
task's extensions as read."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from rectify.api.record_serializers import ActionSerializer, ModelShapeSerializer
from rectify.models import DeadlineExtension


class ExtensionRequestSerializer(ActionSerializer):
    """A bureau's request for a later due date. A missing date or reason is refused by the
    rule (``rectify.rules.extension_rules``) with a message naming the field."""

    new_deadline = serializers.DateField(
        required=False, allow_null=True,
        help_text=_("申请延期至的日期：须晚于当前时限；晚于本轮集中整改结束日期的须在理由中说明"))
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000,
                                   help_text=_("延期理由（必填）"))


class ExtensionDecisionSerializer(ActionSerializer):
    """Staff's decision on the pending request."""

    decision = serializers.ChoiceField(
        [("approve", _("批准")), ("refuse", _("不批准"))],
        help_text=_("approve：批准（任务时限改为申请的日期）；refuse：不批准（须填写审批意见）"))
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000,
                                    help_text=_("审批意见；不批准时必填"))


class DeadlineExtensionSerializer(ModelShapeSerializer):
    """One request and its decision (read only)."""

    status_label = serializers.CharField(source="get_status_display", read_only=True)
    requested_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    decided_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = DeadlineExtension
        fields = ["id", "task", "current_due", "new_deadline", "reason", "requested_by",
                  "requested_at", "status", "status_label", "decided_by", "decided_at",
                  "comment"]
        read_only_fields = fields
