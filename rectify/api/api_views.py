"""The API's viewsets: scoped by the one rule, versioned, writing through the services.

Every record viewset reads ``permissions.visible(Model, user)`` (another bureau's record is a
404), asks ``rectify.rules.permissions`` before a write (403 for a record the user may see but not
change), writes through ``rectify.services`` (validation, history with the user) and guards
against lost updates: a detail GET returns an ``ETag`` and every record a ``version``; a PUT or
PATCH must name the version it read — ``If-Match`` (412 when stale) or ``version`` in the body
(409 when stale) — and a stale write answers with the record as it is now.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from django.contrib.auth import authenticate, user_logged_in
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Count, ProtectedError, Q, QuerySet, RestrictedError
from django.http import FileResponse
from django.utils.http import parse_etags
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import exceptions, serializers, status, viewsets
from rest_framework.authtoken.models import Token
from rest_framework.decorators import action
from rest_framework.filters import OrderingFilter
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.routers import APIRootView
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from bureaus.models import PartyGroup
from rectify.api.api_base import (
    ANY,
    MAX_INT,
    LimitedMultiPartParser,
    PreconditionFailed,
    drf_error,
    etag,
    if_match_version,
)
from rectify.api.api_permissions import RecordPermission
from rectify.api.category_serializers import CategoryCreateSerializer, CategorySerializer
from rectify.api.evidence_serializers import EvidenceSerializer, EvidenceUploadSerializer
from rectify.api.measure_serializers import MeasureCreateSerializer, MeasureSerializer
from rectify.api.notice_serializers import NoticeSerializer
from rectify.api.party_group_serializers import PartyGroupSerializer
from rectify.api.publication_serializers import PublicationDetailSerializer, PublicationSerializer
from rectify.api.record_serializers import (
    ActionSerializer,
    ConflictSerializer,
    HistoryEntrySerializer,
    StrictFieldsMixin,
)
from rectify.api.round_serializers import RoundSerializer
from rectify.api.task_serializers import (
    ProgressEntryCreateSerializer,
    ProgressEntrySerializer,
    ProposalSerializer,
    ReopenSerializer,
    ReorderSerializer,
    ReviewActionSerializer,
    ReviewSerializer,
    StatusChangeSerializer,
    TaskCreateSerializer,
    TaskSerializer,
    WithdrawSerializer,
)
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
from rectify.models.worklog import evidence_storage
from rectify.rules import permissions
from rectify.rules.history import history_entries, task_history_entries
from rectify.rules.problem_tree import numbers_for_rounds
from rectify.services import evidence_files as evidence_services
from rectify.services import filtersets as filters
from rectify.services import reviews as review_services
from rectify.services import tasks as task_services
from rectify.services.records import StaleRecord, check_version, delete_record

logger = logging.getLogger(__name__)

class VersionRequired(exceptions.APIException):
    status_code = 428
    default_detail = gettext_lazy(
        "请在 If-Match 请求头或请求体的 version 字段中注明您读取时的版本。")
    default_code = "version_required"


CONFLICT_RESPONSES = {
    400: OpenApiResponse(description=gettext_lazy("输入有误：按字段列出原因，未作任何修改")),
    409: OpenApiResponse(ConflictSerializer,
                         description=gettext_lazy("请求体中的 version 已过期：返回当前内容")),
    412: OpenApiResponse(ConflictSerializer,
                         description=gettext_lazy("If-Match 中的版本已过期：返回当前内容")),
}
IF_MATCH = OpenApiParameter(
    "If-Match", OpenApiTypes.STR, OpenApiParameter.HEADER, required=False,
    description=gettext_lazy("读取时得到的 ETag；与当前版本不符则拒绝（412）"))


class RecordViewSet(viewsets.ModelViewSet):
    """A record type behind the one rule, with versions and history."""

    permission_classes = [RecordPermission]
    filter_backends = [DjangoFilterBackend, OrderingFilter]
    #: Serializer of a new record, when it may set fields that are then fixed (its round).
    create_serializer_class = None
    #: Anonymous readers may read (publications only).
    anonymous_read = False
    #: Rules of the custom write actions on a record: action name -> rule(user, obj).
    action_rules: dict = {}

    def base_queryset(self) -> QuerySet:
        return self.queryset.all()

    def get_queryset(self) -> QuerySet:
        """What this user may see (``rectify.rules.permissions``): 404 for anything else."""
        return permissions.visible(self.base_queryset(), self.request.user)

    def get_serializer_class(self):
        if self.action == "create" and self.create_serializer_class is not None:
            return self.create_serializer_class
        return self.serializer_class

    # -- the rule ------------------------------------------------------------------------------

    def may(self, user, action_name: str | None, obj=None) -> bool:
        """Whether ``user`` may do ``action_name`` (on ``obj``, once it is known).

        Before the record is known, any user who may write somewhere passes, so that a
        record of another bureau is a 404 (not found among the visible ones), never a 403.
        """
        if action_name is None:  # a method this endpoint does not have: let DRF say 405
            return True
        if action_name == "create":
            return permissions.can_add(user, self.queryset.model)
        if obj is None:
            return permissions.may_write(user)
        if action_name in ("update", "partial_update"):
            return permissions.can_change(user, obj)
        if action_name == "destroy":
            return permissions.can_delete(user, obj)
        rule = self.action_rules.get(action_name)
        return bool(rule and rule(user, obj))

    # -- versions --------------------------------------------------------------------------------

    version_source = "body"

    def expected_version(self, request, instance, *, required: bool) -> int | None:
        """The version the client read: If-Match (else 412) or ``version`` (else 409).

        Checked here against the record as read, and again under a row lock when saving.
        """
        if not isinstance(request.data, Mapping):
            raise exceptions.ValidationError(
                {api_settings.NON_FIELD_ERRORS_KEY: [_("请求体须为 JSON 对象。")]})
        try:
            header = if_match_version(request, instance)
        except PreconditionFailed:
            self.version_source = "header"
            raise StaleRecord(instance)
        body = None
        if request.data.get("version") is not None:
            body = self._parse_version(request.data["version"])
        if header is ANY:
            return None
        if header is not None:
            self.version_source = "header"
            if body is not None and body != header:
                raise exceptions.ValidationError(
                    {"version": [_("与 If-Match 请求头中的版本不一致。")]})
            if header != instance.version:
                raise StaleRecord(instance)
            return header
        if body is not None:
            self.version_source = "body"
            if body != instance.version:
                raise StaleRecord(instance)
            return body
        if required:
            raise VersionRequired
        return None

    @staticmethod
    def _parse_version(value) -> int:
        field = serializers.IntegerField(min_value=1, max_value=MAX_INT)
        try:
            return field.run_validation(value)
        except exceptions.ValidationError as exc:
            raise exceptions.ValidationError({"version": exc.detail})

    def handle_exception(self, exc):
        if isinstance(exc, StaleRecord):
            code = (status.HTTP_412_PRECONDITION_FAILED if self.version_source == "header"
                    else status.HTTP_409_CONFLICT)
            current = exc.current
            current = self.base_queryset().filter(pk=current.pk).first() or current
            body = {"detail": exc.messages[0], "code": "stale",
                    "current": self.get_serializer(current).data}
            return Response(body, status=code, headers={"ETag": etag(current)})
        if isinstance(exc, ProtectedError | RestrictedError):
            return Response({"detail": _("仍有其他记录引用该记录，不能删除。"),
                             "code": "protected"}, status=status.HTTP_409_CONFLICT)
        return super().handle_exception(exc)

    def respond(self, instance, code=status.HTTP_200_OK) -> Response:
        """The record as stored now, with its ETag."""
        instance = self.base_queryset().get(pk=instance.pk)
        return Response(self.get_serializer(instance).data, status=code,
                        headers={"ETag": etag(instance)})

    # -- the standard actions --------------------------------------------------------------------

    def retrieve(self, request, *args, **kwargs):
        instance = self.get_object()
        tag = etag(instance)
        wanted = request.headers.get("If-None-Match")
        if wanted and (tag in parse_etags(wanted) or parse_etags(wanted) == ["*"]):
            return Response(status=status.HTTP_304_NOT_MODIFIED, headers={"ETag": tag})
        return Response(self.get_serializer(instance).data, headers={"ETag": tag})

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        instance = serializer.save()
        return self.respond(instance, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        instance = self.get_object()
        expected = self.expected_version(request, instance, required=True)
        serializer = self.get_serializer(instance, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        serializer.save(expected_version=expected)
        return self.respond(instance)

    def destroy(self, request, *args, **kwargs):
        instance = self.get_object()
        expected = self.expected_version(request, instance, required=False)
        delete_record(instance, request.user, expected_version=expected)
        return Response(status=status.HTTP_204_NO_CONTENT)

    # -- history -------------------------------------------------------------------------------

    def history_of(self, obj) -> list:
        return history_entries(obj)

    @extend_schema(summary=gettext_lazy("修改记录"),
                   responses=HistoryEntrySerializer(many=True))
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def history(self, request, pk=None):
        """Every change of the record, newest first: who, when, what, why, before → after."""
        obj = self.get_object()
        return Response(HistoryEntrySerializer(self.history_of(obj), many=True).data)


def _documented():
    """The schema's words for the standard actions of a record type."""
    return extend_schema_view(
        list=extend_schema(summary=gettext_lazy("列表（可筛选、排序、分页）")),
        retrieve=extend_schema(summary=gettext_lazy("详情（带 ETag）")),
        create=extend_schema(summary=gettext_lazy("新建"), responses={
            201: None, 400: CONFLICT_RESPONSES[400]}),
        update=extend_schema(summary=gettext_lazy("修改（须注明读取时的版本）"),
                             parameters=[IF_MATCH],
                             responses={200: None, **CONFLICT_RESPONSES}),
        partial_update=extend_schema(summary=gettext_lazy("部分修改（须注明读取时的版本）"),
                                     parameters=[IF_MATCH],
                                     responses={200: None, **CONFLICT_RESPONSES}),
        destroy=extend_schema(summary=gettext_lazy("删除"), parameters=[IF_MATCH],
                              responses={204: None, 409: CONFLICT_RESPONSES[409],
                                         412: CONFLICT_RESPONSES[412]}),
    )


class TreeNumbersMixin:
    """Serializers of tree nodes get the derived numbers of the rounds they show (3 queries)."""

    def get_serializer(self, *args, **kwargs):
        instance = args[0] if args else kwargs.get("instance")
        if instance is not None:
            rows = instance if isinstance(instance, list | tuple | QuerySet) else [instance]
            context = self.get_serializer_context()
            round_ids = {row.round_id for row in rows}
            context["tree_nodes"] = numbers_for_rounds(round_ids) if round_ids else {}
            kwargs["context"] = context
        return super().get_serializer(*args, **kwargs)


# -- record types ------------------------------------------------------------------------------


@_documented()
class PartyGroupViewSet(RecordViewSet):
    """Party groups (被巡察党组织): staff change them; clerks see their own."""

    queryset = PartyGroup.objects.all()
    serializer_class = PartyGroupSerializer
    filterset_class = filters.PartyGroupFilterSet
    ordering_fields = ["name", "region", "id", "updated_at"]


@_documented()
class RoundViewSet(RecordViewSet):
    """Inspection rounds (巡察轮次), with task counts."""

    queryset = InspectionRound.objects.all()
    serializer_class = RoundSerializer
    filterset_class = filters.RoundFilterSet
    ordering_fields = ["feedback_date", "inspection_start", "id", "updated_at"]

    def base_queryset(self):
        return InspectionRound.objects.select_related("party_group").annotate(
            task_count=Count("tasks", distinct=True),
            completed_count=Count("tasks", filter=Q(tasks__status__in=Status.done()),
                                  distinct=True),
        ).order_by("-feedback_date", "-pk")


@_documented()
class CategoryViewSet(TreeNumbersMixin, RecordViewSet):
    """Problem categories (问题类别): the tree of a round, numbered."""

    queryset = ProblemCategory.objects.all()
    serializer_class = CategorySerializer
    create_serializer_class = CategoryCreateSerializer
    filterset_class = filters.CategoryFilterSet
    ordering_fields = ["position", "id", "updated_at"]

    def base_queryset(self):
        return ProblemCategory.objects.order_by("round_id", "parent_id", "position", "pk")


def _staff(user, obj) -> bool:
    return permissions.can_change_status(user)


def _signer(user, obj) -> bool:
    return permissions.can_sign_off(user)


def _proposer(user, obj) -> bool:
    return permissions.can_propose_status(user, obj)


def _measure_editor(user, obj) -> bool:
    return permissions.can_change(user, obj)


@_documented()
class TaskViewSet(TreeNumbersMixin, RecordViewSet):
    """Rectification tasks (整改任务) with their measures.

    Staff change everything, the canonical status through ``status`` and sign-off through
    ``sign-off``; a clerk writes its own bureau's tasks' progress (and progress entries),
    uploads evidence and proposes a status (``proposal``), which staff approve or return
    (``review``); staff reopen a signed-off task (``reopen``); auditors read.
    """

    queryset = RectificationTask.objects.all()
    serializer_class = TaskSerializer
    create_serializer_class = TaskCreateSerializer
    filterset_class = filters.TaskFilterSet
    ordering_fields = ["deadline", "position", "status", "completion_date", "id", "updated_at",
                       "created_at"]
    action_rules = {
        "change_status": _staff,
        "sign_off": _signer,
        "proposal": _proposer,
        "reorder_measures": _measure_editor,
        "review": _signer,
        "reopen": _signer,
        "progress_entries": _measure_editor,
        "evidence": _measure_editor,
    }

    def base_queryset(self):
        return RectificationTask.objects.with_related().select_related("proposed_by").order_by(
            "round_id", "category_id", "position", "pk")

    def history_of(self, obj) -> list:
        return task_history_entries(obj)

    @extend_schema(summary=gettext_lazy("修改记录（含整改措施）"),
                   responses=HistoryEntrySerializer(many=True))
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def history(self, request, pk=None):
        """The task's changes and its measures' (deleted ones too), newest first."""
        return super().history(request, pk)

    def _action_body(self, serializer_class, request, task):
        serializer = serializer_class(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        expected = self.expected_version(request, task, required=False)
        return serializer.validated_data, expected

    @staticmethod
    def _run(service, *args, **kwargs):
        """Call a service; its refusal is a 400 naming the fields (a stale version: 409/412)."""
        try:
            return service(*args, **kwargs)
        except StaleRecord:
            raise
        except DjangoValidationError as exc:
            raise drf_error(exc)

    @extend_schema(summary=gettext_lazy("修改整改状态（工作人员）"),
                   request=StatusChangeSerializer, parameters=[IF_MATCH],
                   responses={200: TaskSerializer, **CONFLICT_RESPONSES})
    @action(detail=True, methods=["post"], url_path="status", filter_backends=[])
    def change_status(self, request, pk=None):
        """Set the canonical status (staff): completion date, history, the proposal cleared."""
        task = self.get_object()
        data, expected = self._action_body(StatusChangeSerializer, request, task)
        with transaction.atomic():
            current = check_version(task, expected)
            self._run(task_services.change_status, [current], data["status"], request.user,
                      data.get("reason", "") or _("修改整改状态为“{label}”").format(
                          label=Status(data["status"]).label))
        return self.respond(task)

    @extend_schema(summary=gettext_lazy("销号（工作人员）"), request=ActionSerializer,
                   parameters=[IF_MATCH],
                   responses={200: TaskSerializer, **CONFLICT_RESPONSES})
    @action(detail=True, methods=["post"], url_path="sign-off", filter_backends=[])
    def sign_off(self, request, pk=None):
        """Sign a completed task off (销号): the signer and the time are recorded."""
        task = self.get_object()
        _data, expected = self._action_body(ActionSerializer, request, task)
        with transaction.atomic():
            current = check_version(task, expected)
            self._run(task_services.sign_off, current, request.user)
        return self.respond(task)

    @extend_schema(methods=["post"], summary=gettext_lazy("提出整改状态提议"),
                   request=ProposalSerializer, parameters=[IF_MATCH],
                   responses={200: TaskSerializer, **CONFLICT_RESPONSES})
    @extend_schema(methods=["delete"], summary=gettext_lazy("撤回或驳回整改状态提议"),
                   request=WithdrawSerializer, parameters=[IF_MATCH],
                   responses={200: TaskSerializer, **CONFLICT_RESPONSES})
    @action(detail=True, methods=["post", "delete"], filter_backends=[])
    def proposal(self, request, pk=None):
        """A clerk proposes a status for staff to decide (POST), or withdraws it (DELETE;
        staff: declines it). The canonical status does not change here."""
        task = self.get_object()
        if request.method == "POST":
            data, expected = self._action_body(ProposalSerializer, request, task)
            self._run(task_services.propose_status, task, data["status"], request.user,
                      data["note"], completion_date=data.get("completion_date"),
                      expected_version=expected)
        else:
            data, expected = self._action_body(WithdrawSerializer, request, task)
            self._run(task_services.withdraw_proposal, task, request.user,
                      data.get("reason", ""), expected_version=expected)
        return self.respond(task)

    @extend_schema(summary=gettext_lazy("审核状态提议（工作人员）"),
                   request=ReviewActionSerializer, parameters=[IF_MATCH],
                   responses={200: TaskSerializer, **CONFLICT_RESPONSES})
    @action(detail=True, methods=["post"], filter_backends=[])
    def review(self, request, pk=None):
        """Approve the pending proposal (a completion is signed off at once, with the
        proposed completion date) or return it with a comment (required); both are kept as
        a review the clerk sees (``reviews``)."""
        task = self.get_object()
        data, expected = self._action_body(ReviewActionSerializer, request, task)
        decide = (review_services.approve if data["decision"] == "approve"
                  else review_services.return_proposal)
        self._run(decide, task, request.user, data.get("comment", ""),
                  expected_version=expected)
        return self.respond(task)

    @extend_schema(summary=gettext_lazy("回头看重新打开已销号任务（工作人员）"),
                   request=ReopenSerializer, parameters=[IF_MATCH],
                   responses={200: TaskSerializer, **CONFLICT_RESPONSES})
    @action(detail=True, methods=["post"], filter_backends=[])
    def reopen(self, request, pk=None):
        """Reopen a signed-off task after a recheck (回头看): back to 正在推进, the sign-off
        cleared; the reason (required) is kept as a review."""
        task = self.get_object()
        data, expected = self._action_body(ReopenSerializer, request, task)
        self._run(review_services.reopen, task, request.user, data.get("reason", ""),
                  expected_version=expected)
        return self.respond(task)

    @extend_schema(summary=gettext_lazy("任务的审核记录"),
                   responses=ReviewSerializer(many=True))
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def reviews(self, request, pk=None):
        """Staff's decisions on the task, newest first."""
        task = self.get_object()
        rows = Review.objects.filter(task=task).select_related(
            "reviewer", "proposed_by").order_by("-created_at", "-pk")
        return Response(ReviewSerializer(rows, many=True,
                                          context=self.get_serializer_context()).data)

    @extend_schema(methods=["get"], summary=gettext_lazy("任务的整改进展记录"),
                   responses=ProgressEntrySerializer(many=True))
    @extend_schema(methods=["post"], summary=gettext_lazy("填报整改进展"),
                   request=ProgressEntryCreateSerializer,
                   responses={201: ProgressEntrySerializer,
                              400: CONFLICT_RESPONSES[400]})
    @action(detail=True, methods=["get", "post"], url_path="progress", url_name="progress",
            filter_backends=[], pagination_class=None)
    def progress_entries(self, request, pk=None):
        """The task's dated progress entries, newest first (GET); a new one (POST: the
        bureau's clerk or staff; the date not in the future, today when left out)."""
        task = self.get_object()
        context = self.get_serializer_context()
        if request.method == "POST":
            serializer = ProgressEntryCreateSerializer(data=request.data, context=context)
            serializer.is_valid(raise_exception=True)
            entry = self._run(task_services.add_progress_entry, task, request.user,
                              serializer.validated_data["text"],
                              serializer.validated_data.get("date"))
            entry = ProgressEntry.objects.select_related("author").get(pk=entry.pk)
            return Response(ProgressEntrySerializer(entry, context=context).data,
                            status=status.HTTP_201_CREATED)
        rows = ProgressEntry.objects.filter(task=task).select_related("author").order_by(
            "-date", "-pk")
        return Response(ProgressEntrySerializer(rows, many=True, context=context).data)

    @extend_schema(methods=["get"], summary=gettext_lazy("任务的佐证材料"),
                   responses=EvidenceSerializer(many=True))
    @extend_schema(methods=["post"], summary=gettext_lazy("上传佐证材料（multipart/form-data）"),
                   request=EvidenceUploadSerializer,
                   responses={201: EvidenceSerializer,
                              400: OpenApiResponse(description=gettext_lazy(
                                  "文件不符合要求（类型、内容与扩展名不符、过大等）或任务已销号："
                                  "未保存任何内容")),
                              413: OpenApiResponse(description=gettext_lazy("请求体过大"))})
    @action(detail=True, methods=["get", "post"], filter_backends=[], pagination_class=None,
            parser_classes=[LimitedMultiPartParser])
    def evidence(self, request, pk=None):
        """The task's evidence files (GET); a new one (POST, multipart: ``file`` and an
        optional ``description``), checked by its content: a refused file stores nothing."""
        task = self.get_object()
        context = self.get_serializer_context()
        if request.method == "POST":
            serializer = EvidenceUploadSerializer(data=request.data, context=context)
            serializer.is_valid(raise_exception=True)
            data = serializer.validated_data
            try:
                evidence = evidence_services.add_evidence(
                    task, data["file"], request.user, data.get("description", ""))
            except DjangoValidationError as exc:
                raise _upload_error(exc)
            evidence = Evidence.objects.select_related("uploaded_by").get(pk=evidence.pk)
            return Response(EvidenceSerializer(evidence, context=context).data,
                            status=status.HTTP_201_CREATED)
        rows = Evidence.objects.filter(task=task).select_related("uploaded_by").order_by(
            "uploaded_at", "pk")
        return Response(EvidenceSerializer(rows, many=True, context=context).data)

    @extend_schema(summary=gettext_lazy("任务的整改措施"),
                   responses=MeasureSerializer(many=True))
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def measures(self, request, pk=None):
        """The task's measures in print order."""
        task = self.get_object()
        rows = Measure.objects.filter(task=task).order_by("position", "pk")
        return Response(MeasureSerializer(rows, many=True,
                                          context=self.get_serializer_context()).data)

    @extend_schema(summary=gettext_lazy("调整整改措施顺序"), request=ReorderSerializer,
                   responses={200: MeasureSerializer(many=True),
                              400: CONFLICT_RESPONSES[400],
                              409: CONFLICT_RESPONSES[409]})
    @action(detail=True, methods=["post"], url_path="measures/reorder", filter_backends=[],
            pagination_class=None)
    def reorder_measures(self, request, pk=None):
        """Put the task's measures in a new order: ``measures`` names every one of them."""
        task = self.get_object()
        serializer = ReorderSerializer(data=request.data,
                                       context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        self.version_source = "body"
        ordered = self._run(task_services.reorder_measures, task,
                            serializer.validated_data["measures"], request.user)
        return Response(MeasureSerializer(ordered, many=True,
                                          context=self.get_serializer_context()).data)


def _upload_error(exc: DjangoValidationError) -> exceptions.ValidationError:
    """The evidence service's refusal as a 400: a refused file under ``file`` (its message
    names the file); a signed-off task under ``non_field_errors``."""
    if hasattr(exc, "error_dict") or getattr(exc, "code", None) == "signed_off":
        return drf_error(exc)
    return exceptions.ValidationError({"file": exc.messages})


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
                   responses={(200, "application/octet-stream"): OpenApiTypes.BINARY,
                              404: OpenApiResponse(description=gettext_lazy(
                                  "不存在或无权查看"))})
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        """The file as uploaded, as an attachment under its original name and with the
        content type found by the content check."""
        evidence = self.get_object()
        try:
            handle = evidence_storage.open(evidence.file.name, "rb")
        except OSError:
            logger.error("Evidence %s: the stored file %s cannot be read", evidence.pk,
                         evidence.file.name)
            raise exceptions.NotFound(_("佐证材料的文件已丢失，请联系管理员。"))
        return FileResponse(handle, as_attachment=True, filename=evidence.original_name,
                            content_type=evidence.content_type)


@_documented()
class MeasureViewSet(RecordViewSet):
    """Measures (整改措施): staff, and clerks for their own bureaus' tasks, add, change and
    delete them; ``?task=ID`` lists one task's."""

    queryset = Measure.objects.all()
    serializer_class = MeasureSerializer
    create_serializer_class = MeasureCreateSerializer
    filterset_class = filters.MeasureFilterSet
    ordering_fields = ["position", "id", "updated_at"]

    def base_queryset(self):
        return Measure.objects.order_by("task_id", "position", "pk")


@_documented()
class NoticeViewSet(RecordViewSet):
    """Notices (通报) before publishing: their text around the round's problem tree."""

    queryset = Notice.objects.all()
    serializer_class = NoticeSerializer
    filterset_class = filters.NoticeFilterSet
    ordering_fields = ["date", "id", "updated_at"]


AUDIENCE = OpenApiParameter(
    "audience", OpenApiTypes.STR, enum=Audience.values, required=False,
    description=gettext_lazy("工作人员和审计人员可选 public 查看向社会公开的版本"))


@extend_schema_view(
    list=extend_schema(summary=gettext_lazy("已发布通报列表（公众可读向社会公开的版本）")),
    retrieve=extend_schema(summary=gettext_lazy("已发布通报详情（冻结的内容）"),
                           parameters=[AUDIENCE]),
)
class PublicationViewSet(viewsets.ReadOnlyModelViewSet):
    """Published versions (已发布通报): what the public pages show, as data. Anyone reads
    the public ones; staff and auditors every one, with the party content."""

    permission_classes = [RecordPermission]
    anonymous_read = True
    queryset = Publication.objects.all()
    serializer_class = PublicationSerializer
    filter_backends = [DjangoFilterBackend, OrderingFilter]
    filterset_class = filters.PublicationFilterSet
    ordering_fields = ["date", "published_at", "version", "id"]

    def may(self, user, action_name, obj=None) -> bool:
        return action_name is None  # frozen: nothing to change (405 for unknown methods)

    def get_queryset(self):
        rows = permissions.visible(Publication, self.request.user).defer(
            "search_text", "party_search_text")
        if self.action == "list":
            rows = rows.defer("snapshot", "public_snapshot")
        return rows.order_by("-date", "-published_at", "-pk")

    def get_serializer_class(self):
        if self.action == "retrieve":
            return PublicationDetailSerializer
        return PublicationSerializer

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["audience"] = self.request.query_params.get("audience")
        return context

    def retrieve(self, request, *args, **kwargs):
        instance = self.get_object()
        serializer = self.get_serializer(instance)
        audience = serializer.data["audience"]
        tag = etag(instance, f"-{audience}")
        return Response(serializer.data, headers={"ETag": tag})


# -- the API root and tokens -------------------------------------------------------------------


class APIRoot(APIRootView):
    """Rectify's REST API: every record type, the same rule as every other surface.
    Schema at /api/schema/, documentation at /api/docs/."""

    permission_classes = [AllowAny]


class TokenRequestSerializer(StrictFieldsMixin, serializers.Serializer):
    username = serializers.CharField(max_length=150, label=gettext_lazy("用户名"))
    password = serializers.CharField(max_length=128, trim_whitespace=False,
                                     write_only=True, label=gettext_lazy("密码"),
                                     style={"input_type": "password"})


class ObtainTokenView(APIView):
    """A user's API token for scripts (``Authorization: Token …``), given the password.

    Failed attempts count towards the login lockout (django-axes), like the admin's login.
    """

    permission_classes = [AllowAny]
    authentication_classes = []
    serializer_class = TokenRequestSerializer

    @extend_schema(summary=gettext_lazy("获取 API 令牌"), request=TokenRequestSerializer,
                   responses={
                       200: inline_serializer("Token", {"token": serializers.CharField()}),
                       400: OpenApiResponse(description=gettext_lazy("用户名或密码错误")),
                       429: OpenApiResponse(description=gettext_lazy("失败次数过多，已锁定")),
                   },
                   auth=[])
    def post(self, request):
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        http_request = request._request  # django-axes watches the plain request
        user = authenticate(http_request, username=serializer.validated_data["username"],
                            password=serializer.validated_data["password"])
        if user is None:
            raise exceptions.ValidationError(
                {"non_field_errors": [_("用户名或密码不正确。")]}, code="authorization")
        user_logged_in.send(sender=type(user), request=http_request, user=user)
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})
