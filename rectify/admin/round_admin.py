"""Inspection rounds: the list with task counts, and the change page with the problem tree."""

from __future__ import annotations

from django.contrib import admin
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.text import Truncator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from rectify.admin.admin_base import RecordAdmin
from rectify.admin.admin_display import label_flag, status_badge
from rectify.admin.figure_admin import RoundFigureInline
from rectify.admin.import_admin import import_notice_view
from rectify.models import InspectionRound, Notice, RectificationTask
from rectify.rules.problem_tree import TreeNode, build_tree


class NoticeInline(admin.TabularInline):
    """The round's notices; each opens on its own page for the full text."""

    model = Notice
    fields = ("kind", "title", "date", "approved_by")
    extra = 0
    show_change_link = True


def _add_link(model_name: str, label: str, **params) -> SafeString:
    query = "&".join(f"{key}={value}" for key, value in params.items())
    url = "{}?{}".format(reverse(f"admin:rectify_{model_name}_add"), query)
    return format_html('<a class="addlink" href="{}">{}</a>', url, label)


def _node_line(node: TreeNode) -> SafeString:
    obj = node.obj
    model_name = "rectificationtask" if node.is_task else "problemcategory"
    url = reverse(f"admin:rectify_{model_name}_change", args=[obj.pk])
    head = format_html(
        '<span class="rectify-number">{}</span>{} <a href="{}">{}</a>',
        node.number, label_flag(node), url, Truncator(obj.title).chars(80),
    )
    if node.is_task:
        return format_html("{} {}", head, status_badge(obj))
    count = gettext("（共{count}项整改任务）").format(count=node.task_count)
    return format_html(
        '{} <span class="rectify-count">{}</span> <small>{} {}</small>',
        head, count,
        _add_link("problemcategory", gettext("子类别"), round=obj.round_id, parent=obj.pk),
        _add_link("rectificationtask", gettext("任务"), round=obj.round_id, category=obj.pk),
    )


def render_tree(nodes: list[TreeNode]) -> SafeString:
    """The tree as an escaped nested list, in order, with derived numbers."""
    items = format_html_join(
        "", "<li>{}{}</li>",
        ((_node_line(node), render_tree(node.children) if node.children else "")
         for node in nodes),
    )
    return format_html(
        '<ul class="rectify-tree">{}</ul>',
        items,
    )


@admin.register(InspectionRound)
class InspectionRoundAdmin(RecordAdmin):
    list_display = ("display_title", "party_group", "inspecting_body", "kind", "feedback_date",
                    "task_count", "completed_count")
    list_display_links = ("display_title",)
    list_filter = ("party_group", "kind", "numbering_style", "feedback_date")
    list_select_related = ("party_group",)
    search_fields = ("title", "inspecting_body", "kind", "superior_body",
                     "party_group__name", "party_group__short_name")
    date_hierarchy = "feedback_date"
    readonly_fields = ("problem_tree", "rectification_period", "round_documents", "created_at",
                       "updated_at")
    history_hidden_fields = ("problem_tree", "rectification_period", "round_documents")
    inlines = [NoticeInline, RoundFigureInline]
    fieldsets = [
        (None, {"fields": ("party_group", "title", "inspecting_body", "kind",
                           "superior_body", "superior_round", "review_levels")}),
        (_("日期"), {"fields": ("inspection_start", "inspection_end", "feedback_date",
                               "rectification_end", "rectification_months",
                               "rectification_period", "report_submitted_on")}),
        (_("整改情况报告与整改方案"), {"fields": ("next_steps", "round_documents")}),
        # Full width (static/rectify/admin.css), not in a column beside a label.
        (_("问题树"), {"classes": ("rectify-tree-set",), "fields": ("problem_tree",)}),
        (_("编号与通报版式"), {"classes": ("collapse",), "fields": (
            "numbering_style", "level_formats", "task_format", "show_task_counts",
            "measures_inline", "progress_label", "result_label", "show_results")}),
        (_("记录"), {"classes": ("collapse",), "fields": ("created_at", "updated_at")}),
    ]

    @admin.display(description=_("整改期限"))
    def rectification_period(self, obj):
        """The end of concentrated rectification the tasks fall due by, or a warning."""
        if obj is None or obj.pk is None:
            return "—"
        if obj.rectification_end_date is None:
            return format_html('<strong class="rectify-warning">⚠ {}</strong>', gettext(
                "未设整改期限：请填写集中整改结束日期或集中整改月数，否则未设整改时限的任务"
                "没有到期日和时限预警。"))
        return obj.rectification_end_date.isoformat()

    @admin.display(description=_("整改文书"))
    def round_documents(self, obj):
        """Links to the round's work page and its documents, built from the records when
        downloaded (``rectify.documents``)."""
        if obj is None or obj.pk is None:
            return "—"
        links = [
            (reverse("work:round", args=[obj.pk]), gettext("轮次页面")),
            (reverse("work:round_report", args=[obj.pk]), gettext("整改情况报告（Word）")),
            (reverse("work:round_plan_xlsx", args=[obj.pk]), gettext("整改方案（Excel）")),
            (reverse("work:round_plan_docx", args=[obj.pk]), gettext("整改方案（Word）")),
        ]
        return format_html_join(" · ", '<a href="{}">{}</a>', links)

    def get_urls(self):
        view = self.admin_site.admin_view(lambda request: import_notice_view(self, request))
        return [path("import/", view, name="rectify_inspectionround_import"),
                *super().get_urls()]

    def get_queryset(self, request):
        # Subqueries: counted for the page's rounds only, not joined into the list's count
        # and date hierarchy (RoundQuerySet.with_task_counts).
        return super().get_queryset(request).with_task_counts()

    @admin.display(description=_("名称"), ordering="title")
    def display_title(self, obj):
        return str(obj)

    @admin.display(description=_("任务数"), ordering="task_count")
    def task_count(self, obj):
        return obj.task_count

    @admin.display(description=_("已完成"), ordering="completed_count")
    def completed_count(self, obj):
        return obj.completed_count

    @admin.display(description=_("问题树"))
    def problem_tree(self, obj):
        if obj is None or obj.pk is None:
            return gettext("保存巡察轮次后，可在此添加问题类别和整改任务。")
        tasks = RectificationTask.objects.filter(round=obj)
        tree = build_tree(obj, tasks=tasks)
        links = format_html(
            '<p class="rectify-tree-links">{} {} <a href="{}?round__id__exact={}">{}</a></p>',
            _add_link("problemcategory", gettext("添加类别"), round=obj.pk),
            _add_link("rectificationtask", gettext("添加任务"), round=obj.pk),
            reverse("admin:rectify_rectificationtask_changelist"), obj.pk,
            gettext("本轮任务列表"),
        )
        if not tree:
            return format_html("{}<p>{}</p>", links, gettext("尚无问题类别和整改任务。"))
        return format_html("{}{}", links, render_tree(tree))
