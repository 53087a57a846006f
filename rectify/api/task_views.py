"""Rectification tasks (整改任务) in the API, with what is done on them: status, sign-off,
proposals and their review, reopening, reviews, deadline extensions, progress entries,
evidence, measures."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import F, Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, status
from rest_framework.decorators import action
from rest_framework.response import Response

from rectify.api.api_base import LimitedMultiPartParser, drf_error
from rectify.api.evidence_serializers import EvidenceSerializer, EvidenceUploadSerializer
from rectify.api.extension_serializers import (
    DeadlineExtensionSerializer,
    ExtensionDecisionSerializer,
    ExtensionRequestSerializer,
)
from rectify.api.measure_serializers import MeasureInTaskSerializer, MeasureSerializer
from rectify.api.planned_output import LISTED, list_rows
from rectify.api.record_serializers import ActionSerializer, HistoryEntrySerializer
from rectify.api.record_viewset import (
    CONFLICT_RESPONSES,
    IF_MATCH,
    Conflict,
    RecordViewSet,
    TreeNumbersMixin,
    documented,
)
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
    DeadlineExtension,
    Evidence,
    Measure,
    OutcomeFigure,
    ProgressEntry,
    RectificationTask,
    Review,
)
from rectify.models.choices import Status
from rectify.rules import due_dates as deadlines
from rectify.rules import extension_rules, lifecycle, permissions
from rectify.rules.history import task_history_entries
from rectify.services import deadline_extensions as extension_services
from rectify.services import evidence_files as evidence_services
from rectify.services import filtersets as filters
from rectify.services import tasks as task_services
from rectify.services import workflow
from rectify.services.records import StaleRecord


def _staff(user, obj) -> bool:
    return permissions.can_review(user)


def _signer(user, obj) -> bool:
    return permissions.can_review(user)


def _decider(user, obj) -> bool:
    return permissions.can_decide_proposals(user)


def _proposer(user, obj) -> bool:
    return permissions.can_propose_status(user, obj)


def _measure_editor(user, obj) -> bool:
    return permissions.can_change(user, obj)


def _extension_requester(user, obj) -> bool:
    return permissions.can_request_extension(user, obj)


def _extension_decider(user, obj) -> bool:
    return permissions.can_decide_extension(user)


class WrongLevelConflict(Conflict):
    """A review decision at a level the proposal does not wait at (see lifecycle.WrongLevel)."""

    default_code = "wrong_level"


@documented(TaskSerializer, TaskCreateSerializer)
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
        "review": _decider,
        "reopen": _signer,
        "progress_entries": _measure_editor,
        "evidence": _measure_editor,
        "request_extension": _extension_requester,
        "decide_extension": _extension_decider,
    }

    ORDERING = ("round_id", "category_id", "position", "pk")

    def base_queryset(self):
        return extension_rules.with_extension_counts(deadlines.with_due_dates(
            RectificationTask.objects.with_related().select_related("proposed_by")
            .prefetch_related("figures"))).order_by(*self.ORDERING)

    def list_queryset(self):
        return RectificationTask.objects.order_by(*self.ORDERING)

    def shown(self, rows):
        """A page of tasks: counted without the due dates' join; read with its due dates,
        the party group's id beside the round's (no round, party group or category rows)
        and its figures in one query, put on the tasks as lists (``listed_figures``:
        rectify.api.planned_output), each task's in the order of the model's ``ordering``."""
        return extension_rules.with_extension_counts(deadlines.with_due_dates(
            rows.select_related("signed_off_by", "proposed_by")
            .annotate(round_party_group_id=F("round__party_group_id"))
            .prefetch_related(
                Prefetch("figures", OutcomeFigure.objects.order_by("kind", "pk"),
                         to_attr=LISTED.format(source="figures")))))

    def read_listed(self, tasks):
        """The page's measures in one query, as plain rows (no model instances), each task's
        in the order of the model's ``ordering``."""
        list_rows(tasks, "measures", Measure.objects.order_by("position", "pk"),
                  MeasureInTaskSerializer)

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
        except lifecycle.WrongLevel as exc:
            raise WrongLevelConflict(exc.messages[0])
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
        self._run(workflow.set_status, task, data["status"], request.user,
                  data.get("reason", "") or _("修改整改状态为“{label}”").format(
                      label=Status(data["status"]).label), expected_version=expected)
        return self.respond(task)

    @extend_schema(summary=gettext_lazy("销号（工作人员）"), request=ActionSerializer,
                   parameters=[IF_MATCH],
                   responses={200: TaskSerializer, **CONFLICT_RESPONSES})
    @action(detail=True, methods=["post"], url_path="sign-off", filter_backends=[])
    def sign_off(self, request, pk=None):
        """Sign a completed task off (销号): the signer and the time are recorded."""
        task = self.get_object()
        _data, expected = self._action_body(ActionSerializer, request, task)
        self._run(workflow.sign_off, task, request.user, expected_version=expected)
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
            self._run(workflow.propose_status, task, data["status"], request.user,
                      data["note"], completion_date=data.get("completion_date"),
                      expected_version=expected)
        else:
            data, expected = self._action_body(WithdrawSerializer, request, task)
            self._run(workflow.withdraw_proposal, task, request.user,
                      data.get("reason", ""), expected_version=expected)
        return self.respond(task)

    @extend_schema(summary=gettext_lazy("审核状态提议（单位负责人第一级，巡察办第二级）"),
                   request=ReviewActionSerializer, parameters=[IF_MATCH],
                   responses={200: TaskSerializer, **CONFLICT_RESPONSES})
    @action(detail=True, methods=["post"], filter_backends=[])
    def review(self, request, pk=None):
        """Decide the pending proposal at the level it waits at: the bureau leader (first
        level, in a round reviewed in two levels) passes it on to the office or returns it;
        staff approve it (a completion is signed off at once, with the proposed completion
        date) or return it. A return needs a comment. A decision at the wrong level (staff
        before the leader has passed it) is a 409 saying which level is missing. Every
        decision is kept as a review with its level (``reviews``)."""
        task = self.get_object()
        data, expected = self._action_body(ReviewActionSerializer, request, task)
        decide = (workflow.approve if data["decision"] == "approve"
                  else workflow.return_proposal)
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
        self._run(workflow.reopen, task, request.user, data.get("reason", ""),
                  expected_version=expected)
        return self.respond(task)

    @extend_schema(summary=gettext_lazy("申请延期"), request=ExtensionRequestSerializer,
                   parameters=[IF_MATCH],
                   responses={200: TaskSerializer, **CONFLICT_RESPONSES})
    @action(detail=True, methods=["post"], url_path="extension", filter_backends=[])
    def request_extension(self, request, pk=None):
        """Ask for a later due date (the bureau's clerk or leader, or staff) with a reason;
        staff decide (``extension/decision``). The task's deadline does not change here."""
        task = self.get_object()
        data, expected = self._action_body(ExtensionRequestSerializer, request, task)
        self._run(extension_services.request_extension, task, request.user,
                  data.get("new_deadline"), data.get("reason", ""), expected_version=expected)
        return self.respond(task)

    @extend_schema(summary=gettext_lazy("审批延期申请（工作人员）"),
                   request=ExtensionDecisionSerializer, parameters=[IF_MATCH],
                   responses={200: TaskSerializer, **CONFLICT_RESPONSES})
    @action(detail=True, methods=["post"], url_path="extension/decision", filter_backends=[])
    def decide_extension(self, request, pk=None):
        """Approve the pending request (the task's due date becomes the requested date; its
        original deadline is kept) or refuse it with a comment (required)."""
        task = self.get_object()
        data, expected = self._action_body(ExtensionDecisionSerializer, request, task)
        self._run(extension_services.decide_extension, task, request.user, data["decision"],
                  data.get("comment", ""), expected_version=expected)
        return self.respond(task)

    @extend_schema(summary=gettext_lazy("任务的延期申请"),
                   responses=DeadlineExtensionSerializer(many=True))
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def extensions(self, request, pk=None):
        """The task's extension requests and their decisions, newest first."""
        task = self.get_object()
        rows = DeadlineExtension.objects.filter(task=task).select_related(
            "requested_by", "decided_by").order_by("-requested_at", "-pk")
        return Response(DeadlineExtensionSerializer(
            rows, many=True, context=self.get_serializer_context()).data)

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
                              413: OpenApiResponse(description=gettext_lazy("请求体过大")),
                              503: OpenApiResponse(description=gettext_lazy(
                                  "文件存储暂不可用：未保存任何内容"))})
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
