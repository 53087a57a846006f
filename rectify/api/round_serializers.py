"""The serializer of inspection rounds (巡察轮次), with their derived dates and task counts."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from bureaus.models import PartyGroup
from rectify.api.record_serializers import RecordSerializer, request_user, scoped
from rectify.models import InspectionRound
from rectify.rules import permissions


class RoundSerializer(RecordSerializer):
    display_title = serializers.SerializerMethodField(help_text=_("名称（未填时自动生成）"))
    rectification_end_date = serializers.DateField(read_only=True, help_text=_(
        "集中整改结束日期（未填时按反馈日期加集中整改月数计算）"))
    report_due = serializers.DateField(read_only=True, help_text=_("整改报告应报送日期"))
    task_count = serializers.IntegerField(read_only=True, help_text=_("任务数"))
    completed_count = serializers.IntegerField(read_only=True, help_text=_("已完成任务数"))
    level_formats = serializers.ListField(
        child=serializers.CharField(max_length=20), min_length=1, max_length=10,
        required=False, help_text=_("问题树自上而下各级的序号格式"))

    class Meta:
        model = InspectionRound
        fields = ["id", "party_group", "title", "display_title", "inspecting_body", "kind",
                  "superior_body", "superior_round", "inspection_start", "inspection_end",
                  "feedback_date", "rectification_end", "rectification_months",
                  "rectification_end_date", "report_due", "review_levels", "numbering_style",
                  "level_formats", "task_format", "show_task_counts", "measures_inline",
                  "progress_label", "result_label", "show_results", "task_count",
                  "completed_count", "version", "created_at", "updated_at"]
        read_only_fields = ["created_at", "updated_at"]

    def get_fields(self):
        fields = super().get_fields()
        user = request_user(self)
        scoped(fields.get("party_group"), permissions.visible(PartyGroup, user))
        scoped(fields.get("superior_round"), permissions.visible(InspectionRound, user))
        return fields

    def get_display_title(self, obj) -> str:
        return str(obj)
