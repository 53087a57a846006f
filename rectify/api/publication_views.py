"""Published versions (已发布通报) in the API: what the public pages show, as data."""

from __future__ import annotations

from django.utils.translation import gettext_lazy
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.filters import OrderingFilter
from rest_framework.response import Response

from rectify.api.api_base import etag
from rectify.api.api_permissions import RecordPermission
from rectify.api.publication_serializers import PublicationDetailSerializer, PublicationSerializer
from rectify.models import Publication
from rectify.models.choices import Audience
from rectify.rules import permissions
from rectify.services import filtersets as filters

AUDIENCE = OpenApiParameter(
    "audience", OpenApiTypes.STR, enum=Audience.values, required=False,
    description=gettext_lazy("工作人员和审计人员可选 public 查看向社会公开的版本"))


@extend_schema_view(
    list=extend_schema(summary=gettext_lazy("已发布通报列表（公众可读向社会公开的版本）")),
    retrieve=extend_schema(summary=gettext_lazy("已发布通报详情（冻结的内容）"),
                           parameters=[AUDIENCE]),
)
class PublicationViewSet(viewsets.ReadOnlyModelViewSet):
    """Published versions (已发布通报): what the public pages show, as data. Anyone reads
    the public ones; staff and auditors every one, with the party content."""

    permission_classes = [RecordPermission]
    anonymous_read = True
    queryset = Publication.objects.all()
    serializer_class = PublicationSerializer
    filter_backends = [DjangoFilterBackend, OrderingFilter]
    filterset_class = filters.PublicationFilterSet
    ordering_fields = ["date", "published_at", "version", "id"]

    def may(self, user, action_name, obj=None) -> bool:
        return action_name is None  # frozen: nothing to change (405 for unknown methods)

    def get_queryset(self):
        rows = permissions.visible(Publication, self.request.user).defer(
            "search_text", "party_search_text")
        if self.action == "list":
            rows = rows.defer("snapshot", "public_snapshot")
        return rows.order_by("-date", "-published_at", "-pk")

    def get_serializer_class(self):
        if self.action == "retrieve":
            return PublicationDetailSerializer
        return PublicationSerializer

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["audience"] = self.request.query_params.get("audience")
        return context

    def retrieve(self, request, *args, **kwargs):
        instance = self.get_object()
        serializer = self.get_serializer(instance)
        audience = serializer.data["audience"]
        tag = etag(instance, f"-{audience}")
        return Response(serializer.data, headers={"ETag": tag})
