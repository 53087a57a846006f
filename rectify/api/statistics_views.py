"""``GET /api/statistics/``: the statistics of the tasks the user may see
(``rectify.services.statistics``), selected with the task list's filters.

A bad filter value is a 400 naming the field. A round, party group or category the user may
not see — another bureau's, or none at all — is a 404 naming the field, as a record the user
may not see is everywhere in the API ("not found, or not visible"): its statistics are not
shown, not even as zeros.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_filters import ModelChoiceFilter
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from rectify.api.statistics_serializers import StatisticsSerializer, statistics_json
from rectify.models import RectificationTask
from rectify.services import statistics
from rectify.services.filtersets import TaskFilterSet


class RecordNotVisible(exceptions.NotFound):
    default_code = "not_found"


def _not_visible(error: ValidationError) -> RecordNotVisible | None:
    """A 404 when the refused filters name a record (round, party group, category)."""
    fields = [name for name in error.message_dict
              if isinstance(TaskFilterSet.base_filters.get(name), ModelChoiceFilter)]
    if not fields:
        return None
    labels = "、".join(f"{TaskFilterSet.base_filters[name].label}（{name}）" for name in fields)
    return RecordNotVisible(_("{fields}：不存在，或无权查看。").format(fields=labels))


class StatisticsView(GenericAPIView):
    """The statistics (整改统计) of the tasks you may see: counts, rates and outcome-figure
    sums, in total, by party group and by top-level problem category; select with the task
    list's filters (round, party group, region, year, inspecting body, category and its
    subcategories, status …)."""

    permission_classes = [IsAuthenticated]
    serializer_class = StatisticsSerializer
    # For the schema: the filters are the task list's (the service applies them).
    queryset = RectificationTask.objects.none()
    filter_backends = [DjangoFilterBackend]
    filterset_class = TaskFilterSet
    pagination_class = None

    @extend_schema(
        summary=gettext_lazy("整改统计"),
        filters=True,
        responses={
            200: StatisticsSerializer,
            400: OpenApiResponse(description=gettext_lazy("筛选条件有误：按字段列出原因")),
            404: OpenApiResponse(description=gettext_lazy(
                "筛选条件中的巡察轮次、被巡察党组织或问题类别不存在，或无权查看"
                "（detail 中注明字段）")),
        },
    )
    def get(self, request):
        try:
            stats = statistics.for_user(request.user, request.query_params, request=request)
        except ValidationError as error:
            raise _not_visible(error) or exceptions.ValidationError(error.message_dict) from None
        return Response(statistics_json(stats))
