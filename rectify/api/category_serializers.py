"""The serializers of problem categories (问题类别): the tree of a round, numbered."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from rectify.api.record_serializers import (
    RecordSerializer,
    TreeNumberMixin,
    request_user,
    scoped,
)
from rectify.models import InspectionRound, ProblemCategory
from rectify.rules import permissions


class CategorySerializer(TreeNumberMixin, RecordSerializer):
    tree_kind = "category"
    number = serializers.SerializerMethodField(help_text=_("推算编号"))
    depth = serializers.SerializerMethodField(help_text=_("所在层级"))

    class Meta:
        model = ProblemCategory
        fields = ["id", "round", "parent", "position", "number", "depth", "printed_label",
                  "title", "version", "created_at", "updated_at"]
        read_only_fields = ["round", "created_at", "updated_at"]
        extra_kwargs = {"position": {"required": False}}

    def get_fields(self):
        fields = super().get_fields()
        user = request_user(self)
        scoped(fields.get("round"), permissions.visible(InspectionRound, user))
        scoped(fields.get("parent"), permissions.visible(ProblemCategory, user))
        return fields


class CategoryCreateSerializer(CategorySerializer):
    class Meta(CategorySerializer.Meta):
        read_only_fields = ["created_at", "updated_at"]
