"""The serializers of rectification tasks (整改任务) and of what is done on them: status
changes, sign-off, proposals and their review, reopening, progress entries, measure order."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from rectify.api.figure_serializers import OutcomeFigureInTaskSerializer
from rectify.api.measure_serializers import MeasureInTaskSerializer
from rectify.api.record_serializers import (
    ActionSerializer,
    ModelShapeSerializer,
    RecordSerializer,
    StrictFieldsMixin,
    TreeNumberMixin,
    request_user,
    scoped,
)
from rectify.models import (
    InspectionRound,
    ProblemCategory,
    ProgressEntry,
    RectificationTask,
    Review,
)
from rectify.models.choices import Status
from rectify.rules import due_dates as deadlines
from rectify.rules import extension_rules, lifecycle, permissions

#: A date the task may not have (no deadline, no round end, no pending request): null then.
NULLABLE_DATE = serializers.DateField(allow_null=True, read_only=True)


class TaskSerializer(TreeNumberMixin, RecordSerializer):
    """A rectification task. The canonical status changes through ``…/status/`` (staff), a
    clerk proposes one through ``…/proposal/``, sign-off through ``…/sign-off/`` (staff)."""

    tree_kind = "task"
    number = serializers.SerializerMethodField(help_text=_("推算编号"))
    depth = serializers.SerializerMethodField(help_text=_("所在层级"))
    party_group = serializers.IntegerField(source="round.party_group_id", read_only=True,
                                           help_text=_("被巡察党组织"))
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    overdue = serializers.SerializerMethodField(help_text=_("是否逾期"))
    due_date = serializers.SerializerMethodField(
        help_text=_("应完成日期：经批准延期的为延期后时限，否则为整改时限，未填时为所在轮次"
                    "集中整改结束日期"))
    original_due_date = serializers.SerializerMethodField(
        help_text=_("原定时限：整改时限，未填时为所在轮次集中整改结束日期（不随延期改变）"))
    extension_count = serializers.SerializerMethodField(help_text=_("已批准的延期次数"))
    pending_extension_deadline = serializers.SerializerMethodField(
        help_text=_("待审批的延期申请所申请的日期；没有待审批的申请时为空"))
    warning = serializers.SerializerMethodField(
        help_text=_("预警：green 距应完成日期20天以上，yellow 20天以内，red 10天以内或已逾期；"
                    "已完成或无日期时为空"))
    signed_off_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    proposed_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    measures = MeasureInTaskSerializer(many=True, read_only=True)
    figures = OutcomeFigureInTaskSerializer(
        many=True, read_only=True,
        help_text=_("整改成效数据（只读；通过 /api/figures/ 填报、修改、删除）"))

    read_only_hints = {
        "status": _("整改状态请通过 status 操作修改（工作人员），单位联络员请提出状态提议。"),
        "signed_off_by": _("销号请通过 sign-off 操作办理（工作人员）。"),
        "signed_off_at": _("销号请通过 sign-off 操作办理（工作人员）。"),
        "proposed_status": _("状态提议请通过 proposal 操作提出。"),
        "proposal_note": _("状态提议请通过 proposal 操作提出。"),
        "proposed_completion_date": _("状态提议请通过 proposal 操作提出。"),
        "result_text": _("原文整改结果随整改状态变化，请通过 status 操作修改整改状态。"),
        "completion_date": _("完成时间随整改状态记录，请通过 status 操作修改（工作人员）。"),
        "extended_deadline": _("延期请通过 extension 操作申请，由工作人员审批。"),
    }

    class Meta:
        model = RectificationTask
        fields = ["id", "round", "party_group", "category", "position", "number", "depth",
                  "printed_label", "title", "detail", "responsible_leader",
                  "responsible_department", "deadline", "extended_deadline",
                  "original_due_date", "due_date", "warning", "overdue", "extension_count",
                  "pending_extension_deadline",
                  "status", "status_label", "result_text", "progress", "outcome",
                  "completion_date", "signed_off_by", "signed_off_at", "proposed_status",
                  "proposal_note", "proposed_completion_date", "proposed_by", "proposed_at",
                  "proposal_level", "withhold_ground", "withhold_note", "measures", "figures",
                  "version",
                  "created_at", "updated_at"]
        # What the lifecycle moves write (rectify.rules.lifecycle) is read-only here: the
        # actions (status, sign-off, proposal, review, reopen) change it.
        read_only_fields = ["round", "created_at", "updated_at", *sorted(
            lifecycle.LIFECYCLE_FIELDS - {"signed_off_by", "proposed_by"})]  # declared above
        extra_kwargs = {"position": {"required": False}}

    #: The list's queryset annotates the party group beside the round (no join to the round's
    #: row); elsewhere ``round.party_group_id`` is read (rectify.api.planned_output).
    output_shortcuts = {"party_group": "round_party_group_id"}

    def get_fields(self):
        fields = super().get_fields()
        scoped(fields.get("round"), permissions.visible(InspectionRound, request_user(self)))
        scoped(fields.get("category"), permissions.visible(ProblemCategory, request_user(self)))
        return fields

    _ANNOTATIONS = ("due_on", "original_due_on", "is_overdue", "warning", "extension_count",
                    "pending_extension_deadline")
    _ANNOTATED = frozenset(_ANNOTATIONS)

    @classmethod
    def _due(cls, obj):
        """The due-date and extension annotations of ``obj`` (rectify.rules.due_dates,
        rectify.rules.extension_rules), read with the list; one query for a task saved just
        now."""
        if not obj.__dict__.keys() >= cls._ANNOTATED:  # the queryset's annotations
            row = extension_rules.with_extension_counts(deadlines.with_due_dates(
                RectificationTask.objects.filter(pk=obj.pk))).values(*cls._ANNOTATIONS).get()
            for name in cls._ANNOTATIONS:
                setattr(obj, name, row[name])
        return obj

    def get_overdue(self, obj) -> bool:
        return bool(self._due(obj).is_overdue)

    @extend_schema_field(NULLABLE_DATE)
    def get_due_date(self, obj):
        due = self._due(obj).due_on
        return due.isoformat() if due else None

    @extend_schema_field(NULLABLE_DATE)
    def get_original_due_date(self, obj):
        due = self._due(obj).original_due_on
        return due.isoformat() if due else None

    def get_extension_count(self, obj) -> int:
        return self._due(obj).extension_count or 0

    @extend_schema_field(NULLABLE_DATE)
    def get_pending_extension_deadline(self, obj):
        day = self._due(obj).pending_extension_deadline
        return day.isoformat() if day else None

    @extend_schema_field(serializers.ChoiceField(deadlines.Warning.choices, allow_null=True))
    def get_warning(self, obj):
        return self._due(obj).warning or None

    def to_representation(self, instance):
        data = super().to_representation(instance)
        try:
            reads_all = self._reads_all
        except AttributeError:
            reads_all = self._reads_all = permissions.reads_all(request_user(self))
        if not reads_all:
            data.pop("withhold_note", None)  # staff's and auditors' only
        return data


class TaskCreateSerializer(TaskSerializer):
    """A new task (staff): its round and the state it starts in (status, printed result,
    completion date: the lifecycle's ``import`` move) are set here, then fixed."""

    class Meta(TaskSerializer.Meta):
        read_only_fields = ["signed_off_at", "proposed_status", "proposal_note",
                            "proposed_completion_date", "proposed_at", "proposal_level",
                            "created_at",
                            "updated_at"]

    def create(self, validated_data):
        validated_data.pop("version", None)
        state = {name: validated_data.pop(name) for name in
                 ("status", "result_text", "completion_date") if name in validated_data}
        instance = self.Meta.model(**validated_data)
        lifecycle.imported(instance, state.get("status", Status.IN_PROGRESS),
                           state.get("result_text", ""), state.get("completion_date"))
        self.prepare(instance)
        return self._save(instance)


# -- actions on a task and their reviews -------------------------------------------------------


class StatusChangeSerializer(ActionSerializer):
    status = serializers.ChoiceField(Status.choices, help_text=_("新的整改状态"))
    reason = serializers.CharField(required=False, allow_blank=True, max_length=200,
                                   help_text=_("修改原因（记入修改记录）"))


NOTE_REQUIRED = _("请填写提议说明：做了哪些整改、取得什么成效。")


class ProposalSerializer(ActionSerializer):
    """A clerk's proposal: the status, a note (required) and, for a completion, the date it
    was completed (today when left out). Proposing completion needs evidence on the task."""

    status = serializers.ChoiceField(Status.choices, help_text=_("提议的整改状态"))
    note = serializers.CharField(
        max_length=2000, help_text=_("提议说明（必填）：做了哪些整改、取得什么成效"),
        error_messages={"required": NOTE_REQUIRED, "blank": NOTE_REQUIRED,
                        "null": NOTE_REQUIRED})
    completion_date = serializers.DateField(
        required=False, allow_null=True,
        help_text=_("提议已完成时的实际完成日期：不晚于今天、不早于反馈日期；未填为今天"))


class WithdrawSerializer(ActionSerializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=200)


class ReviewActionSerializer(ActionSerializer):
    """A decision on the pending proposal at its level: approve (the bureau leader passes it on
    to the office; the office's approval of a completion signs it off at once) or return it
    to the clerk with a comment."""

    decision = serializers.ChoiceField(
        [("approve", _("审核通过")), ("return", _("退回"))],
        help_text=_("approve：审核通过（单位负责人审核通过后报巡察办；巡察办审核通过提议已完成的"
                    "即销号）；return：退回（须填写审核意见）"))
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000,
                                    help_text=_("审核意见；退回时必填"))


class ReopenSerializer(ActionSerializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000,
                                   help_text=_("重新打开的理由（必填）：回头看发现的问题"))


class ReviewSerializer(ModelShapeSerializer):
    """One decision on the task's proposal, at its level (written once)."""

    decision_label = serializers.CharField(source="get_decision_display", read_only=True)
    level_label = serializers.CharField(source="get_level_display", read_only=True)
    proposed_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    reviewer = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = Review
        fields = ["id", "task", "level", "level_label", "decision", "decision_label",
                  "proposed_status",
                  "proposal_note", "proposed_by", "comment", "reviewer", "created_at"]
        read_only_fields = fields


# -- progress entries --------------------------------------------------------------------------


class ProgressEntrySerializer(ModelShapeSerializer):
    """A dated line of progress on the task (整改进展记录)."""

    author = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = ProgressEntry
        fields = ["id", "task", "date", "text", "author", "version", "created_at",
                  "updated_at"]
        read_only_fields = fields


TEXT_REQUIRED = _("进展情况不能为空。")  # the model's words


class ProgressEntryCreateSerializer(StrictFieldsMixin, serializers.Serializer):
    """A new progress entry; the model decides the rest (the date not in the future)."""

    date = serializers.DateField(required=False, allow_null=True,
                                 help_text=_("进展日期，不晚于今天；未填为今天"))
    text = serializers.CharField(
        help_text=_("进展情况"),
        error_messages={"required": TEXT_REQUIRED, "blank": TEXT_REQUIRED,
                        "null": TEXT_REQUIRED})


# -- the order of the measures -----------------------------------------------------------------


class ReorderSerializer(ActionSerializer):
    measures = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1), max_length=500,
        help_text=_("该任务全部整改措施的编号，按新的顺序排列"))
