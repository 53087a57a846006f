"""The serializers of published versions (已发布通报): a list row, and the detail with the
frozen content this reader may see."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from rectify.api.record_serializers import (
    AbsoluteURLField,
    ModelShapeSerializer,
    request_user,
)
from rectify.models import Publication
from rectify.models.choices import Audience
from rectify.rules import permissions


class PublicationSerializer(ModelShapeSerializer):
    """A published version; ``content`` (detail only) is the version this reader may see."""

    audiences = serializers.ListField(child=serializers.ChoiceField(Audience.choices),
                                      read_only=True)
    audience = serializers.SerializerMethodField(
        help_text=_("返回的版本：party（党内通报）或 public（向社会通报）"))
    url = AbsoluteURLField(source="get_absolute_url", help_text=_("公开页面的地址"))

    class Meta:
        model = Publication
        fields = ["id", "notice", "round", "version", "date", "title", "kind", "issuer",
                  "audiences", "audience", "approved_by", "published_at", "url"]
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(Audience.choices, allow_null=True))
    def get_audience(self, obj):
        wanted = self.context.get("audience")
        return obj.audience_for(permissions.reads_party_version(request_user(self)), wanted)


class PublicationDetailSerializer(PublicationSerializer):
    content = serializers.SerializerMethodField(help_text=_("发布时冻结的内容（JSON）"))

    class Meta(PublicationSerializer.Meta):
        fields = [*PublicationSerializer.Meta.fields, "content"]
        read_only_fields = fields

    @extend_schema_field(serializers.JSONField())
    def get_content(self, obj):
        audience = self.get_audience(obj)
        return obj.content(audience) if audience else None


class PublicationWithdrawalSerializer(serializers.Serializer):
    """Withdrawing a published version (撤回): why, and who approved it (both required;
    the service names a missing one)."""

    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000,
                                   help_text=_("撤回理由（必填），将在原发布页面上公开"))
    approved_by = serializers.CharField(required=False, allow_blank=True, max_length=100,
                                        help_text=_("撤回审批人（主要负责人）的姓名（必填）"))


class WithdrawnPublicationSerializer(ModelShapeSerializer):
    """A withdrawn version: when, why and who approved; none of its content."""

    detail = serializers.SerializerMethodField()
    url = AbsoluteURLField(source="get_absolute_url", help_text=_("公开页面的地址"))

    class Meta:
        model = Publication
        fields = ["detail", "id", "notice", "round", "version", "url", "withdrawn_at",
                  "withdrawal_reason", "withdrawal_approved_by"]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField())
    def get_detail(self, obj) -> str:
        return str(_("该版本已撤回。"))
