"""Serializers: strict about their input, validated by the models, saved by the services.

Every record serializer refuses keys that are not its writable fields (unknown or read-only),
lets the model's ``full_clean()`` decide (through ``save_record``, so the API refuses the same
things with the same words as the admin) and writes the history row with the user.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import MaxValueValidator
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.reverse import reverse
from rest_framework.validators import UniqueTogetherValidator, UniqueValidator

from bureaus.models import PartyGroup
from rectify.api.api_base import MAX_INT, drf_error
from rectify.models import (
    Evidence,
    InspectionRound,
    Measure,
    Notice,
    ProblemCategory,
    ProgressEntry,
    Publication,
    RectificationTask,
    Review,
)
from rectify.models.choices import Audience, Status
from rectify.models.problems import next_measure_position
from rectify.rules import due_dates as deadlines
from rectify.rules import permissions
from rectify.services.records import StaleRecord, save_record

READ_ONLY = _("只读字段，不能修改。")
UNKNOWN = _("未知字段。")


def _request_user(serializer):
    request = serializer.context.get("request")
    return getattr(request, "user", None)


class StrictFieldsMixin:
    """Refuses every key of the body that is not a writable field: an unknown key, or a field
    this user may not write here, is a 400 naming it; nothing is silently ignored."""

    #: Messages for particular read-only fields (where to change them instead).
    read_only_hints: dict[str, str] = {}

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            errors = {}
            for key in data:
                field = self.fields.get(key)
                if field is None:
                    errors[key] = [UNKNOWN]
                elif field.read_only:
                    errors[key] = [self.read_only_hints.get(key, READ_ONLY)]
            if errors:
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)


class RecordSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    """A record, written through ``save_record`` (``full_clean``, history, versions).

    ``version`` is the record's current version in responses; in a PUT or PATCH body it is the
    version the client read, and a save over a newer one is refused (409).
    """

    version = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_INT,
        help_text=_("记录的版本：读取时返回；修改时填写读取时的版本，已被他人修改则拒绝（409）"),
    )

    #: Why the history row was written (the services' reasons; empty for plain edits).
    reason = ""

    def get_validators(self):
        # Uniqueness is the model's to decide (full_clean), in the model's words.
        return [v for v in super().get_validators()
                if not isinstance(v, UniqueTogetherValidator)]

    def get_fields(self):
        fields = super().get_fields()
        for field in fields.values():
            if field.validators:
                field.validators = [v for v in field.validators
                                    if not isinstance(v, UniqueValidator)]
            if isinstance(field, serializers.IntegerField) and not field.read_only:
                bound_integer(field)
        self._limit_for_clerks(fields)
        return fields

    def _limit_for_clerks(self, fields) -> None:
        """A clerk writing a record of its bureau writes only its fields (e.g. a task's
        progress); the others are read-only for it."""
        request = self.context.get("request")
        if request is None or request.method in ("GET", "HEAD", "OPTIONS"):
            return
        allowed = permissions.writable_fields(request.user, self.Meta.model)
        if allowed is None:
            return
        for name, field in fields.items():
            if name not in allowed and name != "version" and not field.read_only:
                field.read_only = True
        self.read_only_hints = {
            **{name: _("单位联络员只能填写整改进展、整改措施和状态提议。")
               for name in fields if name not in allowed and name != "version"},
            **self.read_only_hints,
        }

    # -- writes through the services ----------------------------------------------------

    def create(self, validated_data):
        validated_data.pop("version", None)
        instance = self.Meta.model(**validated_data)
        self.prepare(instance)
        return self._save(instance)

    def update(self, instance, validated_data):
        validated_data.pop("version", None)
        expected = validated_data.pop("expected_version", None)
        for name, value in validated_data.items():
            setattr(instance, name, value)
        return self._save(instance, expected_version=expected)

    def prepare(self, instance) -> None:
        """Fill in what a new record needs before validation (e.g. its position)."""

    def _save(self, instance, **kwargs):
        try:
            save_record(instance, _request_user(self), self.reason, **kwargs)
        except StaleRecord:
            raise
        except DjangoValidationError as exc:
            raise drf_error(exc)
        return instance


def bound_integer(field: serializers.IntegerField) -> None:
    """The same bound on every database: SQLite's integers are wider than PostgreSQL's."""
    if field.max_value is not None and field.max_value <= MAX_INT:
        return
    field.max_value = MAX_INT
    field.validators = [v for v in field.validators if not isinstance(v, MaxValueValidator)]
    field.validators.append(MaxValueValidator(
        MAX_INT, message=field.error_messages["max_value"].format(max_value=MAX_INT)))


def scoped(field, queryset) -> None:
    """Offer a related field only the records this request's user may see."""
    if field is not None and not field.read_only:
        field.queryset = queryset


# -- party groups and rounds -------------------------------------------------------------------


class PartyGroupSerializer(RecordSerializer):
    class Meta:
        model = PartyGroup
        fields = ["id", "name", "short_name", "region", "phone", "postal_address", "email",
                  "version", "created_at", "updated_at"]
        read_only_fields = ["created_at", "updated_at"]


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
                  "rectification_end_date", "report_due", "numbering_style", "level_formats",
                  "task_format", "show_task_counts", "measures_inline", "progress_label",
                  "result_label", "show_results", "task_count", "completed_count", "version",
                  "created_at", "updated_at"]
        read_only_fields = ["created_at", "updated_at"]

    def get_fields(self):
        fields = super().get_fields()
        user = _request_user(self)
        scoped(fields.get("party_group"), permissions.visible(PartyGroup, user))
        scoped(fields.get("superior_round"), permissions.visible(InspectionRound, user))
        return fields

    def get_display_title(self, obj) -> str:
        return str(obj)


# -- the problem tree --------------------------------------------------------------------------


class TreeNumberMixin:
    """``number``: the derived number path from the top (e.g. ``(一)1.1)``), from the tree
    nodes the view put in the context (``tree_nodes``, computed once per response)."""

    tree_kind = ""

    def _node(self, obj):
        nodes = self.context.get("tree_nodes") or {}
        return nodes.get((self.tree_kind, obj.pk))

    def get_number(self, obj) -> str:
        node = self._node(obj)
        return node.number_path if node else ""

    def get_depth(self, obj) -> int | None:
        node = self._node(obj)
        return node.depth if node else None


class CategorySerializer(TreeNumberMixin, RecordSerializer):
    tree_kind = "category"
    number = serializers.SerializerMethodField(help_text=_("推算编号"))
    depth = serializers.SerializerMethodField(help_text=_("所在层级"))

    class Meta:
        model = ProblemCategory
        fields = ["id", "round", "parent", "position", "number", "depth", "printed_label",
                  "title", "version", "created_at", "updated_at"]
        read_only_fields = ["round", "created_at", "updated_at"]
        extra_kwargs = {"position": {"required": False}}

    def get_fields(self):
        fields = super().get_fields()
        user = _request_user(self)
        scoped(fields.get("round"), permissions.visible(InspectionRound, user))
        scoped(fields.get("parent"), permissions.visible(ProblemCategory, user))
        return fields


class CategoryCreateSerializer(CategorySerializer):
    class Meta(CategorySerializer.Meta):
        read_only_fields = ["created_at", "updated_at"]


class MeasureInTaskSerializer(serializers.ModelSerializer):
    """A task's measure as listed with the task."""

    class Meta:
        model = Measure
        fields = ["id", "position", "text", "responsible_unit", "due_date", "version"]
        read_only_fields = fields


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
        help_text=_("应完成日期：整改时限，未填时为所在轮次集中整改结束日期"))
    warning = serializers.SerializerMethodField(
        help_text=_("预警：green 距应完成日期20天以上，yellow 20天以内，red 10天以内或已逾期；"
                    "已完成或无日期时为空"))
    signed_off_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    proposed_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    measures = MeasureInTaskSerializer(many=True, read_only=True)

    read_only_hints = {
        "status": _("整改状态请通过 status 操作修改（工作人员），单位联络员请提出状态提议。"),
        "signed_off_by": _("销号请通过 sign-off 操作办理（工作人员）。"),
        "signed_off_at": _("销号请通过 sign-off 操作办理（工作人员）。"),
        "proposed_status": _("状态提议请通过 proposal 操作提出。"),
        "proposal_note": _("状态提议请通过 proposal 操作提出。"),
        "proposed_completion_date": _("状态提议请通过 proposal 操作提出。"),
    }

    class Meta:
        model = RectificationTask
        fields = ["id", "round", "party_group", "category", "position", "number", "depth",
                  "printed_label", "title", "detail", "responsible_leader",
                  "responsible_department", "deadline", "due_date", "warning", "overdue",
                  "status", "status_label", "result_text", "progress", "outcome",
                  "completion_date", "signed_off_by", "signed_off_at", "proposed_status",
                  "proposal_note", "proposed_completion_date", "proposed_by", "proposed_at",
                  "withhold_ground", "withhold_note", "measures", "version", "created_at",
                  "updated_at"]
        read_only_fields = ["round", "status", "signed_off_at", "proposed_status",
                            "proposal_note", "proposed_completion_date", "proposed_at",
                            "created_at", "updated_at"]
        extra_kwargs = {"position": {"required": False}}

    def get_fields(self):
        fields = super().get_fields()
        scoped(fields.get("round"), permissions.visible(InspectionRound, _request_user(self)))
        scoped(fields.get("category"), permissions.visible(ProblemCategory, _request_user(self)))
        return fields

    def get_overdue(self, obj) -> bool:
        return obj.is_overdue()

    @extend_schema_field(OpenApiTypes.DATE)
    def get_due_date(self, obj):
        due = deadlines.task_due_date(obj)  # the round is select_related: no query
        return due.isoformat() if due else None

    @extend_schema_field(serializers.ChoiceField(deadlines.Warning.choices, allow_null=True))
    def get_warning(self, obj):
        warning = deadlines.task_warning(obj)
        return warning.value if warning else None

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if not permissions.reads_all(_request_user(self)):
            data.pop("withhold_note", None)  # staff's and auditors' only
        return data


class TaskCreateSerializer(TaskSerializer):
    """A new task (staff): its round and initial status are set here, then fixed."""

    class Meta(TaskSerializer.Meta):
        read_only_fields = ["signed_off_at", "proposed_status", "proposal_note",
                            "proposed_completion_date", "proposed_at", "created_at",
                            "updated_at"]


class MeasureSerializer(RecordSerializer):
    """A measure (整改措施) of a task; without ``position`` a new one goes last."""

    class Meta:
        model = Measure
        fields = ["id", "task", "position", "text", "responsible_unit", "due_date", "version",
                  "created_at", "updated_at"]
        read_only_fields = ["task", "created_at", "updated_at"]
        extra_kwargs = {"position": {"required": False}}


class MeasureCreateSerializer(MeasureSerializer):
    class Meta(MeasureSerializer.Meta):
        read_only_fields = ["created_at", "updated_at"]

    def get_fields(self):
        fields = super().get_fields()
        scoped(fields.get("task"), permissions.editable(RectificationTask, _request_user(self)))
        return fields

    def prepare(self, instance) -> None:
        if instance.position is None or "position" not in self.initial_data:
            instance.position = next_measure_position(instance.task_id)


class NoticeSerializer(RecordSerializer):
    class Meta:
        model = Notice
        fields = ["id", "round", "kind", "title", "opening", "overall_heading", "overall",
                  "problems_heading", "closing", "signature", "date", "approved_by", "version",
                  "created_at", "updated_at"]
        read_only_fields = ["created_at", "updated_at"]

    def get_fields(self):
        fields = super().get_fields()
        scoped(fields.get("round"), permissions.visible(InspectionRound, _request_user(self)))
        return fields


# -- publications ------------------------------------------------------------------------------


class PublicationSerializer(serializers.ModelSerializer):
    """A published version; ``content`` (detail only) is the version this reader may see."""

    audiences = serializers.ListField(child=serializers.ChoiceField(Audience.choices),
                                      read_only=True)
    audience = serializers.SerializerMethodField(
        help_text=_("返回的版本：party（党内通报）或 public（向社会通报）"))
    url = serializers.URLField(source="get_absolute_url", read_only=True)

    class Meta:
        model = Publication
        fields = ["id", "notice", "round", "version", "date", "title", "kind", "issuer",
                  "audiences", "audience", "approved_by", "published_at", "url"]
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(Audience.choices, allow_null=True))
    def get_audience(self, obj):
        wanted = self.context.get("audience")
        return obj.audience_for(permissions.reads_party_version(_request_user(self)), wanted)


class PublicationDetailSerializer(PublicationSerializer):
    content = serializers.SerializerMethodField(help_text=_("发布时冻结的内容（JSON）"))

    class Meta(PublicationSerializer.Meta):
        fields = [*PublicationSerializer.Meta.fields, "content"]
        read_only_fields = fields

    @extend_schema_field(serializers.JSONField())
    def get_content(self, obj):
        audience = self.get_audience(obj)
        return obj.content(audience) if audience else None


# -- actions and history -----------------------------------------------------------------------


class ActionSerializer(StrictFieldsMixin, serializers.Serializer):
    """The body of an action: strict like the records, with the version the client read."""

    version = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_INT,
        help_text=_("读取时的版本；已被他人修改则拒绝（409）"))


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
    """Staff's decision on the pending proposal: approve (a completion is signed off at once)
    or return it to the clerk with a comment."""

    decision = serializers.ChoiceField(
        [("approve", _("审核通过")), ("return", _("退回"))],
        help_text=_("approve：审核通过（提议已完成的即销号）；return：退回（须填写审核意见）"))
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000,
                                    help_text=_("审核意见；退回时必填"))


class ReopenSerializer(ActionSerializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000,
                                   help_text=_("重新打开的理由（必填）：回头看发现的问题"))


class ReviewSerializer(serializers.ModelSerializer):
    """One decision of staff on the task (written once)."""

    decision_label = serializers.CharField(source="get_decision_display", read_only=True)
    proposed_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    reviewer = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = Review
        fields = ["id", "task", "decision", "decision_label", "proposed_status",
                  "proposal_note", "proposed_by", "comment", "reviewer", "created_at"]
        read_only_fields = fields


class ProgressEntrySerializer(serializers.ModelSerializer):
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


class EvidenceSerializer(serializers.ModelSerializer):
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


class ReorderSerializer(ActionSerializer):
    measures = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1), max_length=500,
        help_text=_("该任务全部整改措施的编号，按新的顺序排列"))


class FieldChangeSerializer(serializers.Serializer):
    field = serializers.CharField()
    label = serializers.CharField()
    old = serializers.JSONField(allow_null=True)
    new = serializers.JSONField(allow_null=True)


class HistoryEntrySerializer(serializers.Serializer):
    """One change: who, when, what (created / changed / deleted), why, fields before → after."""

    when = serializers.DateTimeField()
    user = serializers.CharField()
    action = serializers.CharField()
    reason = serializers.CharField()
    model = serializers.CharField(help_text=_("被修改记录的类型，例如 rectificationtask、measure"))
    object_id = serializers.IntegerField()
    object_repr = serializers.CharField()
    changes = FieldChangeSerializer(many=True)


class ConflictSerializer(serializers.Serializer):
    """409/412: the record changed since the client read it; ``current`` is how it is now."""

    detail = serializers.CharField()
    code = serializers.CharField()
    current = serializers.JSONField()
