"""Published versions (已发布通报) in the API: what the public pages show, as data.

A withdrawn version (撤回) leaves the list; its detail answers 410 Gone with when and why it
was withdrawn and none of its content (so a client that stored its URL learns it is gone for
good, unlike a 404). Staff withdraw a version with ``POST /api/publications/{id}/withdraw/``.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.filters import OrderingFilter
from rest_framework.response import Response

from rectify.api.api_base import AtomicWrites, etag
from rectify.api.api_permissions import RecordPermission
from rectify.api.publication_serializers import (
    PublicationDetailSerializer,
    PublicationSerializer,
    PublicationWithdrawalSerializer,
    WithdrawnPublicationSerializer,
)
from rectify.models import Publication
from rectify.models.choices import Audience
from rectify.rules import permissions
from rectify.services import filtersets as filters
from rectify.services.publishing import withdraw_publication

AUDIENCE = OpenApiParameter(
    "audience", OpenApiTypes.STR, enum=Audience.values, required=False,
    description=gettext_lazy("工作人员和审计人员可选 public 查看向社会公开的版本"))


@extend_schema_view(
    list=extend_schema(summary=gettext_lazy("已发布通报列表（公众可读向社会公开的版本）")),
    retrieve=extend_schema(
        summary=gettext_lazy("已发布通报详情（冻结的内容）"), parameters=[AUDIENCE],
        responses={200: PublicationDetailSerializer, 410: OpenApiResponse(
            WithdrawnPublicationSerializer,
            description=gettext_lazy("该版本已撤回：撤回时间、理由和审批人，不含内容"))}),
)
class PublicationViewSet(AtomicWrites, viewsets.ReadOnlyModelViewSet):
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
        if action_name == "withdraw":
            # Who cannot see the version gets a 404 (get_object) before the 403 for the rest.
            return obj is None or permissions.can_withdraw(user)
        return action_name is None  # frozen: nothing to change (405 for unknown methods)

    def get_queryset(self):
        rows = permissions.visible(Publication, self.request.user).defer(
            "search_text", "party_search_text")
        if self.action == "list":
            rows = rows.current().defer("snapshot", "public_snapshot")
        elif self.action == "withdraw":
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
        if instance.is_withdrawn:
            return Response(WithdrawnPublicationSerializer(
                instance, context=self.get_serializer_context()).data,
                            status=status.HTTP_410_GONE)
        serializer = self.get_serializer(instance)
        audience = serializer.data["audience"]
        tag = etag(instance, f"-{audience}")
        return Response(serializer.data, headers={"ETag": tag})

    @extend_schema(
        summary=gettext_lazy("撤回已发布的通报版本（工作人员）"),
        request=PublicationWithdrawalSerializer,
        responses={
            200: WithdrawnPublicationSerializer,
            400: OpenApiResponse(
                description=gettext_lazy("未填写撤回理由或审批人，或该版本已撤回")),
            403: OpenApiResponse(description=gettext_lazy("只有工作人员可以撤回")),
            404: OpenApiResponse(description=gettext_lazy("没有该版本，或无权查看")),
        })
    @action(detail=True, methods=["post"], filter_backends=[])
    def withdraw(self, request, pk=None):
        """Withdraw a published version (撤回), with the reason and its approver: it leaves
        the lists and the feed, and its pages and detail answer 410 Gone."""
        publication = self.get_object()
        body = PublicationWithdrawalSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        withdraw_publication(publication, request.user, body.validated_data.get("reason", ""),
                             body.validated_data.get("approved_by", ""))
        return Response(WithdrawnPublicationSerializer(
            publication, context=self.get_serializer_context()).data)
