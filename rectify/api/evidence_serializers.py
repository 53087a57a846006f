"""The serializers of evidence files (佐证材料): as listed and downloaded, and as uploaded."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.reverse import reverse

from rectify.api.record_serializers import ModelShapeSerializer, StrictFieldsMixin
from rectify.models import Evidence


class EvidenceSerializer(ModelShapeSerializer):
    """An evidence file (佐证材料) of the task; ``download`` serves it to whoever may see the
    task."""

    uploaded_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    download = serializers.SerializerMethodField(help_text=_("下载地址"))

    class Meta:
        model = Evidence
        fields = ["id", "task", "original_name", "extension", "content_type", "size",
                  "sha256", "description", "uploaded_by", "uploaded_at", "download"]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.URI)
    def get_download(self, obj) -> str:
        return reverse("api:evidence-download", args=[obj.pk],
                       request=self.context.get("request"))


class EvidenceUploadSerializer(StrictFieldsMixin, serializers.Serializer):
    """An upload (multipart/form-data): the file, checked by its content, and a description."""

    file = serializers.FileField(
        allow_empty_file=True,  # the content check says so, naming the file
        help_text=_("PDF、图片或 Office 文档；按文件内容检查类型，扩展名须与内容一致"))
    description = serializers.CharField(required=False, allow_blank=True, max_length=200,
                                        help_text=_("说明"))
