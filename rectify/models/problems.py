"""The problem tree of a round: categories and tasks, and each task's measures.

Categories and tasks under one parent (a category, or the round itself at the top) share one
ordered sequence of ``position`` values; numbers are derived from it (rectify.rules.problem_tree).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from rectify.models import mark_formats
from rectify.models.base import AppendOnlyHistory, ScopedQuerySet
from rectify.models.choices import ReviewLevel, Status, WithholdGround

MAX_CATEGORY_DEPTH = mark_formats.MAX_TASK_DEPTH - 1


def sibling_positions(round_id: int, parent_id: int | None, *, exclude=None) -> set[int]:
    """Positions taken under one parent, by categories and tasks together."""
    cats = ProblemCategory.objects.filter(round_id=round_id, parent_id=parent_id)
    tasks = RectificationTask.objects.filter(round_id=round_id, category_id=parent_id)
    if isinstance(exclude, ProblemCategory) and exclude.pk:
        cats = cats.exclude(pk=exclude.pk)
    if isinstance(exclude, RectificationTask) and exclude.pk:
        tasks = tasks.exclude(pk=exclude.pk)
    return set(cats.values_list("position", flat=True)) | set(
        tasks.values_list("position", flat=True)
    )


def next_position(round_id: int, parent_id: int | None) -> int:
    """The position after the last sibling under one parent."""
    top = [
        ProblemCategory.objects.filter(round_id=round_id, parent_id=parent_id).aggregate(
            m=Max("position")
        )["m"],
        RectificationTask.objects.filter(round_id=round_id, category_id=parent_id).aggregate(
            m=Max("position")
        )["m"],
    ]
    return max([p for p in top if p is not None], default=0) + 1


def next_measure_position(task_id: int | None) -> int:
    """The position after the task's last measure (1 for a task without measures)."""
    last = Measure.objects.filter(task_id=task_id).aggregate(m=Max("position"))["m"]
    return (last or 0) + 1


class CategoryQuerySet(ScopedQuerySet):
    """Categories; a clerk sees its bureaus' problem trees (the rule: rectify.rules.permissions)."""

    party_group_lookup = "round__party_group"


class ProblemCategory(models.Model):
    """A node of the problem tree of one round, at any depth, holding categories and tasks."""

    round = models.ForeignKey(
        "rectify.InspectionRound", verbose_name=_("巡察轮次"), on_delete=models.CASCADE,
        related_name="categories",
    )
    parent = models.ForeignKey(
        "self", verbose_name=_("上级类别"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="subcategories",
    )
    position = models.PositiveIntegerField(_("排序"), blank=True,
                                           help_text=_("同一上级下类别与任务共用一个顺序"))
    title = models.CharField(_("标题"), max_length=500)
    printed_label = models.CharField(
        _("原文编号"), max_length=20, blank=True,
        help_text=_("导入时原文印的编号；与推算编号不一致时保留并标记"),
    )
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    history = HistoricalRecords(bases=[AppendOnlyHistory])
    objects = CategoryQuerySet.as_manager()

    class Meta:
        verbose_name = _("问题类别")
        verbose_name_plural = pgettext_lazy("plural", "问题类别")
        ordering = ["round", "parent_id", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "parent", "position"], name="category_unique_position"
            ),
            models.UniqueConstraint(
                fields=["round", "position"], condition=Q(parent__isnull=True),
                name="category_unique_top_position",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def ancestors(self) -> list[ProblemCategory]:
        """Parents from the nearest up to the top; stops on a cycle."""
        chain, seen, node = [], {self.pk}, self.parent
        while node is not None and node.pk not in seen:
            chain.append(node)
            seen.add(node.pk)
            node = node.parent
        return chain

    @property
    def depth(self) -> int:
        return len(self.ancestors()) + 1

    def subtree_height(self) -> int:
        """Levels below this category that hold tasks or categories (0 for a bare leaf)."""
        if not self.pk:
            return 0
        cats = list(ProblemCategory.objects.filter(round_id=self.round_id).values("id", "parent"))
        tasks = set(
            RectificationTask.objects.filter(round_id=self.round_id).values_list(
                "category", flat=True
            )
        )
        children: dict[int | None, list[int]] = {}
        for c in cats:
            children.setdefault(c["parent"], []).append(c["id"])

        def height(cat_id: int, guard: int = 0) -> int:
            if guard > 50:
                return 0
            below = [1 + height(child, guard + 1) for child in children.get(cat_id, [])]
            if cat_id in tasks:
                below.append(1)
            return max(below, default=0)

        return height(self.pk)

    def clean(self) -> None:
        self.title = (self.title or "").strip()
        errors: dict[str, str] = {}
        if not self.title:
            errors["title"] = _("标题不能为空。")
        if self.parent_id:
            parent = self.parent
            if self.round_id and parent.round_id != self.round_id:
                errors["parent"] = _("上级类别“{parent}”属于另一巡察轮次。").format(
                    parent=parent.title
                )
            elif self.pk and self.pk in {parent.pk, *(a.pk for a in parent.ancestors())}:
                errors["parent"] = _("不能把类别移到它自身或它的下级类别之下。")
            else:
                depth = parent.depth + 1
                if depth + max(self.subtree_height(), 1) > mark_formats.MAX_TASK_DEPTH:
                    errors["parent"] = _("问题树最多{max}级：放在这里会超出层级。").format(
                        max=mark_formats.MAX_TASK_DEPTH
                    )
        if self.round_id and self.position is not None and not errors:
            if self.position in sibling_positions(self.round_id, self.parent_id, exclude=self):
                errors["position"] = _("同一上级下已有排序为 {position} 的类别或任务。").format(
                    position=self.position
                )
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        if self.position is None:
            self.position = next_position(self.round_id, self.parent_id)
        super().save(*args, **kwargs)


class TaskQuerySet(ScopedQuerySet):
    """Queries on tasks, shaped once for every surface; a clerk sees and edits its bureaus'
    tasks (the rule: rectify.rules.permissions)."""

    party_group_lookup = "round__party_group"
    clerks_edit = True

    def with_related(self) -> TaskQuerySet:
        return self.select_related(
            "round", "round__party_group", "category", "signed_off_by"
        ).prefetch_related("measures")

    def done(self) -> TaskQuerySet:
        return self.filter(status__in=Status.done())


class RectificationTask(models.Model):
    """One problem found by the inspection and its rectification (整改任务)."""

    round = models.ForeignKey(
        "rectify.InspectionRound", verbose_name=_("巡察轮次"), on_delete=models.CASCADE,
        related_name="tasks",
    )
    category = models.ForeignKey(
        ProblemCategory, verbose_name=_("问题类别"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="tasks",
        help_text=_("留空表示任务直接位于问题树第一级"),
    )
    position = models.PositiveIntegerField(_("排序"), blank=True,
                                           help_text=_("同一上级下类别与任务共用一个顺序"))
    printed_label = models.CharField(_("原文编号"), max_length=20, blank=True)
    title = models.TextField(_("问题"), help_text=_("巡察反馈的问题表述"))
    detail = models.TextField(_("问题详情"), blank=True)
    responsible_leader = models.CharField(_("责任领导"), max_length=100, blank=True)
    responsible_department = models.CharField(_("责任科室"), max_length=200, blank=True)
    deadline = models.DateField(_("整改时限"), null=True, blank=True)
    extended_deadline = models.DateField(
        _("延期后时限"), null=True, blank=True, editable=False,
        help_text=_("经批准延期后的时限；整改时限保持原定日期不变"))
    status = models.CharField(_("整改状态"), max_length=30, choices=Status.choices,
                              default=Status.IN_PROGRESS)
    result_text = models.CharField(
        _("原文整改结果"), max_length=200, blank=True,
        help_text=_("通报中印出的整改结果原文，例如“正在推进，2023年底前完成”"),
    )
    progress = models.TextField(_("整改进展"), blank=True)
    outcome = models.TextField(_("整改成效"), blank=True,
                               help_text=_("例如“经过整改，……”段落"))
    completion_date = models.DateField(_("完成时间"), null=True, blank=True)
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("销号人"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="signed_off_tasks",
    )
    signed_off_at = models.DateTimeField(_("销号时间"), null=True, blank=True)
    withhold_ground = models.CharField(
        _("不予公开理由"), max_length=20, choices=WithholdGround.choices, blank=True,
        help_text=_("选择理由后，该任务不出现在向社会公开的通报版本中（党内通报照常列出）"),
    )
    withhold_note = models.TextField(
        _("不予公开说明"), blank=True,
        help_text=_("不予公开的具体说明，仅工作人员可见；理由为“其他”时必填"),
    )
    proposed_status = models.CharField(
        _("提议整改状态"), max_length=30, choices=Status.choices, blank=True,
        help_text=_("单位联络员提议的整改状态，由工作人员审核后修改整改状态"),
    )
    proposal_note = models.TextField(_("提议说明"), blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("提议人"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    proposed_at = models.DateTimeField(_("提议时间"), null=True, blank=True)
    proposed_completion_date = models.DateField(
        _("提议完成时间"), null=True, blank=True,
        help_text=_("提议已完成时填写的实际完成日期，审核通过后成为完成时间"),
    )
    proposal_level = models.PositiveSmallIntegerField(
        _("待审核层级"), choices=ReviewLevel.choices, null=True, blank=True,
        help_text=_("状态提议正等待哪一级审核：单位负责人或巡察办"),
    )
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    history = HistoricalRecords(bases=[AppendOnlyHistory])
    objects = TaskQuerySet.as_manager()

    class Meta:
        verbose_name = _("整改任务")
        verbose_name_plural = pgettext_lazy("plural", "整改任务")
        ordering = ["round", "category_id", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "category", "position"], name="task_unique_position"
            ),
            models.UniqueConstraint(
                fields=["round", "position"], condition=Q(category__isnull=True),
                name="task_unique_top_position",
            ),
            models.CheckConstraint(
                condition=Q(signed_off_at__isnull=True) | Q(signed_off_by__isnull=False),
                name="task_signoff_has_signer",
            ),
        ]

    def __str__(self) -> str:
        return self.title[:60]

    @property
    def depth(self) -> int:
        return self.category.depth + 1 if self.category_id else 1

    @property
    def is_signed_off(self) -> bool:
        return self.signed_off_at is not None

    @property
    def is_withheld(self) -> bool:
        """Left out of the public version of a notice (``withhold_ground`` is set)."""
        return bool(self.withhold_ground)

    def clean(self) -> None:
        self.title = (self.title or "").strip()
        errors: dict[str, str] = {}
        if not self.title:
            errors["title"] = _("问题表述不能为空。")
        if self.category_id and self.round_id and self.category.round_id != self.round_id:
            errors["category"] = _("问题类别“{category}”属于另一巡察轮次。").format(
                category=self.category.title
            )
        feedback = self.round.feedback_date if self.round_id else None
        if self.deadline and feedback and self.deadline < feedback:
            errors["deadline"] = _("整改时限不能早于反馈日期（{date}）。").format(
                date=feedback.isoformat()
            )
        if self.completion_date and self.completion_date > timezone.localdate():
            errors["completion_date"] = _("完成时间不能晚于今天。")
        self.withhold_note = (self.withhold_note or "").strip()
        if self.withhold_ground == WithholdGround.OTHER and not self.withhold_note:
            errors["withhold_note"] = _("不予公开理由为“其他”时，须填写不予公开说明。")
        elif self.withhold_note and not self.withhold_ground:
            errors["withhold_ground"] = _("填写了不予公开说明，请同时选择不予公开理由。")
        self.proposal_note = (self.proposal_note or "").strip()
        if self.proposal_note and not self.proposed_status:
            errors["proposed_status"] = _("填写了提议说明，请同时选择提议的整改状态。")
        if self.round_id and self.position is not None and "category" not in errors:
            if self.position in sibling_positions(self.round_id, self.category_id, exclude=self):
                errors["position"] = _("同一上级下已有排序为 {position} 的类别或任务。").format(
                    position=self.position
                )
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        if self.position is None:
            self.position = next_position(self.round_id, self.category_id)
        super().save(*args, **kwargs)


class MeasureQuerySet(ScopedQuerySet):
    """Measures; a clerk sees and edits its bureaus' tasks' measures (the rule:
    rectify.rules.permissions)."""

    party_group_lookup = "task__round__party_group"
    clerks_edit = True


class Measure(models.Model):
    """An ordered step of a task (整改措施), printed 一是、二是…"""

    task = models.ForeignKey(RectificationTask, verbose_name=_("整改任务"),
                             on_delete=models.CASCADE, related_name="measures")
    position = models.PositiveIntegerField(_("排序"), blank=True, default=0,
                                           help_text=_("留空则排在最后"))
    text = models.TextField(
        _("措施内容"), help_text=_("不要输入“一是”“（1）”等序号：序号按措施顺序自动生成"))
    responsible_unit = models.CharField(_("责任单位"), max_length=200, blank=True)
    due_date = models.DateField(_("完成时限"), null=True, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    history = HistoricalRecords(bases=[AppendOnlyHistory])
    objects = MeasureQuerySet.as_manager()

    class Meta:
        verbose_name = _("整改措施")
        verbose_name_plural = pgettext_lazy("plural", "整改措施")
        ordering = ["task", "position", "pk"]

    def __str__(self) -> str:
        return self.text[:40]

    def clean(self) -> None:
        text = (self.text or "").strip()
        # A form cleans the measure, then save_record cleans it again: a text cleaned already
        # is not stripped twice ("四是（1）…" keeps its "（1）"), and what the first pass
        # removed stays for the page to tell the user.
        if text != getattr(self, "_cleaned_text", None):
            text, self.removed_ordinal = mark_formats.strip_measure_ordinal(text)
            text = text.strip()
        self.text = self._cleaned_text = text
        if not self.text:
            raise ValidationError({"text": _("措施内容不能为空。")})

    def save(self, *args, **kwargs):
        if not self.position:
            self.position = next_measure_position(self.task_id)
        super().save(*args, **kwargs)
