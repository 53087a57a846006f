"""List filters shared by the admin pages."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from rectify.models import InspectionRound
from rectify.rules import due_dates


class RoundFilter(admin.RelatedFieldListFilter):
    """Filter by round; the choices print each round's party group in one query."""

    def field_choices(self, field, request, model_admin):
        rounds = InspectionRound.objects.select_related("party_group")
        return [(round_.pk, str(round_)) for round_ in rounds]


class OverdueFilter(admin.SimpleListFilter):
    """是否逾期: past the due date and not completed (``rectify.rules.due_dates``)."""

    title = _("是否逾期")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", _("是")), ("no", _("否"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return due_dates.overdue(queryset)
        if self.value() == "no":
            return due_dates.not_overdue(queryset)
        return queryset


class SignedOffFilter(admin.SimpleListFilter):
    """是否销号."""

    title = _("是否销号")
    parameter_name = "signed_off"

    def lookups(self, request, model_admin):
        return [("yes", _("是")), ("no", _("否"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(signed_off_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(signed_off_at__isnull=True)
        return queryset


class ProposalFilter(admin.SimpleListFilter):
    """有待审核的状态提议 (a clerk proposed a status that staff have not decided yet)."""

    title = _("状态提议")
    parameter_name = "proposed"

    def lookups(self, request, model_admin):
        return [("yes", _("有待审核的提议")), ("no", _("无"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.exclude(proposed_status="")
        if self.value() == "no":
            return queryset.filter(proposed_status="")
        return queryset
