"""Bureau party groups (``bureaus.PartyGroup``) in the admin."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from bureaus.models import PartyGroup
from rectify.admin.admin_base import RecordAdmin


@admin.register(PartyGroup)
class PartyGroupAdmin(RecordAdmin):
    list_display = ("name", "short_name", "region", "phone", "email", "member_count",
                    "round_count")
    list_filter = ("region",)
    search_fields = ("name", "short_name", "region", "phone", "email")
    filter_horizontal = ("members",)
    readonly_fields = ("created_at", "updated_at")
    fieldsets = [
        (None, {"fields": ("name", "short_name", "region")}),
        (_("意见反馈联系方式"), {"fields": ("phone", "postal_address", "email")}),
        (_("单位联络员"), {"fields": ("members",)}),
        (_("记录"), {"classes": ("collapse",), "fields": ("created_at", "updated_at")}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(
            member_count=Count("members", distinct=True),
            round_count=Count("rounds", distinct=True),
        )

    @admin.display(description=_("联络员数"), ordering="member_count")
    def member_count(self, obj):
        return obj.member_count

    @admin.display(description=_("巡察轮次数"), ordering="round_count")
    def round_count(self, obj):
        return obj.round_count
