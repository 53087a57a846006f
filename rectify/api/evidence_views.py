"""Evidence files (佐证材料) in the API: downloaded by whoever may see the task (listed and
uploaded under the task, in ``task_views``)."""

from __future__ import annotations

import logging

from django.http import FileResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, viewsets
from rest_framework.decorators import action
from rest_framework.negotiation import DefaultContentNegotiation

from rectify.api.api_permissions import RecordPermission
from rectify.api.evidence_serializers import EvidenceSerializer
from rectify.models import Evidence
from rectify.models.worklog import evidence_storage
from rectify.rules import file_checks, permissions
from rectify.services.evidence_files import StorageUnavailable

logger = logging.getLogger(__name__)


#: The content types a download answers with: those of the accepted files.
DOWNLOAD_TYPES = sorted({file_type.content_type for file_type in file_checks.TYPES.values()})


class DownloadNegotiation(DefaultContentNegotiation):
    """A download answers with the file whatever the client accepts; only the errors are
    rendered, as JSON when the client accepts nothing the API renders (never a 406)."""

    def select_renderer(self, request, renderers, format_suffix=None):
        try:
            return super().select_renderer(request, renderers, format_suffix)
        except exceptions.NotAcceptable:
            return renderers[0], renderers[0].media_type


class EvidenceViewSet(viewsets.GenericViewSet):
    """Evidence files (佐证材料): listed and uploaded under their task
    (``/api/tasks/{id}/evidence/``); downloaded here by whoever may see the task."""

    permission_classes = [RecordPermission]
    queryset = Evidence.objects.all()
    serializer_class = EvidenceSerializer
    content_negotiation_class = DownloadNegotiation
    filter_backends = []
    pagination_class = None

    def may(self, user, action_name, obj=None) -> bool:
        return action_name is None  # read only here (405 for other methods)

    def get_queryset(self):
        return permissions.visible(Evidence, self.request.user)

    @extend_schema(summary=gettext_lazy("下载佐证材料"),
                   responses={**{(200, media_type): OpenApiTypes.BINARY
                                 for media_type in DOWNLOAD_TYPES},
                              404: OpenApiResponse(description=gettext_lazy(
                                  "不存在或无权查看，或文件已丢失")),
                              503: OpenApiResponse(description=gettext_lazy(
                                  "文件存储暂不可用"))})
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        """The file as uploaded, as an attachment under its original name and with the
        content type found by the content check."""
        evidence = self.get_object()
        try:
            handle = evidence_storage.open(evidence.file.name, "rb")
        except FileNotFoundError:  # gone for good (a restore without EVIDENCE_ROOT): 404
            logger.error("Evidence %s: the stored file %s is missing", evidence.pk,
                         evidence.file.name)
            raise exceptions.NotFound(_("佐证材料的文件已丢失，请联系管理员。"))
        except OSError:  # the store fails now (permissions, I/O): 503, try again later
            logger.error("Evidence %s: the stored file %s cannot be read", evidence.pk,
                         evidence.file.name, exc_info=True)
            raise StorageUnavailable from None
        return FileResponse(handle, as_attachment=True, filename=evidence.original_name,
                            content_type=evidence.content_type)
