"""Problem categories: the list with derived numbers, and a form that keeps the tree sound."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from rectify.admin.admin_base import RecordAdmin
from rectify.admin.admin_display import derived_number
from rectify.admin.admin_filters import RoundFilter
from rectify.admin.admin_forms import CategoryAdminForm
from rectify.models import ProblemCategory
from rectify.rules.problem_tree import numbers_for_rounds


class TreeNumberMixin:
    """Lists and pages of tree nodes show the derived number, computed once per page."""

    tree_kind: str  # "category" or "task"

    def get_changelist_instance(self, request):
        changelist = super().get_changelist_instance(request)
        objects = list(changelist.result_list)
        nodes = numbers_for_rounds({obj.round_id for obj in objects}) if objects else {}
        for obj in objects:
            obj.tree_node = nodes.get((self.tree_kind, obj.pk))
        return changelist

    def tree_node(self, obj):
        node = getattr(obj, "tree_node", None)
        if node is None and obj.pk:
            node = numbers_for_rounds([obj.round_id]).get((self.tree_kind, obj.pk))
        return node

    @admin.display(description=_("推算编号"))
    def number(self, obj):
        return derived_number(self.tree_node(obj))


@admin.register(ProblemCategory)
class ProblemCategoryAdmin(TreeNumberMixin, RecordAdmin):
    tree_kind = "category"
    form = CategoryAdminForm
    list_display = ("number", "title", "round", "parent", "position", "task_count")
    list_display_links = ("number", "title")
    list_filter = (("round", RoundFilter), "round__party_group")
    list_select_related = ("round__party_group", "parent")
    search_fields = ("title", "printed_label")
    history_hidden_fields = ("number",)
    add_fieldsets = [
        (None, {"fields": ("round", "parent", "position", "printed_label", "title")}),
    ]
    fieldsets = [
        (None, {"fields": ("round", "parent", "position", "number", "printed_label", "title")}),
        (_("记录"), {"classes": ("collapse",), "fields": ("created_at", "updated_at")}),
    ]

    def get_readonly_fields(self, request, obj=None):
        if obj is None or self._in_history_version(request):
            return super().get_readonly_fields(request, obj)
        # A category's whole subtree belongs to its round: the round is fixed once saved.
        return ("round", "number", "created_at", "updated_at")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("round__party_group", "parent")

    @admin.display(description=_("任务数"))
    def task_count(self, obj):
        node = self.tree_node(obj)
        return node.task_count if node is not None else "—"
