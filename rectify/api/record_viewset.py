"""What every record viewset shares: scoped by the one rule, versioned, writing through the
services, with its history.

Every record viewset reads ``permissions.visible(Model, user)`` (another bureau's record is a
404), asks ``rectify.rules.permissions`` before a write (403 for a record the user may see but not
change), writes through ``rectify.services`` (validation, history with the user) and guards
against lost updates: a detail GET returns an ``ETag`` and every record a ``version``; a PUT or
PATCH must name the version it read — ``If-Match`` (412 when stale) or ``version`` in the body
(409 when stale) — and a stale write answers with the record as it is now.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.db.models import ProtectedError, QuerySet, RestrictedError
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
)
from rest_framework import exceptions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.filters import OrderingFilter
from rest_framework.response import Response
from rest_framework.settings import api_settings

from rectify.api.api_base import (
    ANY,
    MAX_INT,
    AtomicWrites,
    CountedRows,
    PreconditionFailed,
    etag,
    if_match_version,
)
from rectify.api.api_permissions import RecordPermission
from rectify.api.record_serializers import HistoryEntrySerializer
from rectify.rules import permissions
from rectify.rules.history import history_entries
from rectify.rules.problem_tree import numbers_for
from rectify.services.records import StaleRecord, delete_record


class VersionRequired(exceptions.APIException):
    status_code = 428
    default_detail = gettext_lazy(
        "请在 If-Match 请求头或请求体的 version 字段中注明您读取时的版本。")
    default_code = "version_required"


class Conflict(exceptions.APIException):
    """A 409 other than a stale version, answered as ``{"detail", "code"}`` (the codes:
    ``rectify.api.schema_errors.CONFLICT_CODES``)."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


#: The answers of a write that names the version it read. Their bodies (``Conflict``,
#: ``StaleVersion``, ``ValidationError``) are filled in by ``rectify.api.schema_errors``.
CONFLICT_RESPONSES = {
    400: OpenApiResponse(description=gettext_lazy("输入有误：按字段列出原因，未作任何修改")),
    409: OpenApiResponse(description=gettext_lazy(
        "冲突：请求体中的 version 已过期（stale，返回当前内容 current），"
        "或与当前状态冲突（wrong_level 等）")),
    412: OpenApiResponse(description=gettext_lazy("If-Match 中的版本已过期：返回当前内容")),
}
#: A PUT or PATCH that names no version.
VERSION_REQUIRED = {428: OpenApiResponse(description=gettext_lazy(
    "未注明读取时的版本（If-Match 请求头或 version 字段）"))}
IF_MATCH = OpenApiParameter(
    "If-Match", OpenApiTypes.STR, OpenApiParameter.HEADER, required=False,
    description=gettext_lazy("读取时得到的 ETag；与当前版本不符则拒绝（412）"))



class RecordViewSet(AtomicWrites, viewsets.ModelViewSet):
    """A record type behind the one rule, with versions and history. A write and the building
    of its answer are one transaction (``AtomicWrites``)."""

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

    def list_queryset(self) -> QuerySet:
        """The rows of a list, as they are filtered, ordered and counted: ``base_queryset``
        unless the list adds what a page shows afterwards (``shown``)."""
        return self.base_queryset()

    def read_listed(self, rows: list) -> None:
        """Read what the listed ``rows`` show of other tables, once for them all (e.g. a
        task's measures, as plain rows: ``rectify.api.planned_output.list_rows``)."""

    def shown(self, rows: QuerySet) -> QuerySet:
        """What a list shows of its visible, filtered, ordered ``rows``: they are counted as
        they are, and a page of them is read with these additions (annotations, related rows),
        so that what only shows on a page is not computed over every row for the count."""
        return rows

    def get_queryset(self) -> QuerySet:
        """What this user may see (``rectify.rules.permissions``): 404 for anything else."""
        rows = self.list_queryset() if self.action == "list" else self.base_queryset()
        return permissions.visible(rows, self.request.user)

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
        """The version the client read: If-Match (a stale one is a 412) or ``version`` (409).

        Only read here; the write service compares it with the stored version under a row
        lock (``rectify.services.records.check_version``) and refuses a stale one.
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
            return header
        if body is not None:
            self.version_source = "body"
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
        if isinstance(exc, Conflict):
            return Response({"detail": str(exc.detail), "code": exc.detail.code},
                            status=exc.status_code)
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

    def list(self, request, *args, **kwargs):
        rows = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(CountedRows(self.shown(rows), rows))
        shown = page if page is not None else list(self.shown(rows))
        self.read_listed(shown)
        data = self.get_serializer(shown, many=True).data
        return self.get_paginated_response(data) if page is not None else Response(data)

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


def documented(record=None, created=None):
    """The schema's words for the standard actions of a record type; ``record`` is the
    serializer of its answers (an update's), ``created`` a create's answer (default:
    ``record``)."""
    created = created or record
    return extend_schema_view(
        list=extend_schema(summary=gettext_lazy("列表（可筛选、排序、分页）")),
        retrieve=extend_schema(summary=gettext_lazy("详情（带 ETag）")),
        create=extend_schema(summary=gettext_lazy("新建"), responses={
            201: created, 400: CONFLICT_RESPONSES[400]}),
        update=extend_schema(summary=gettext_lazy("修改（须注明读取时的版本）"),
                             parameters=[IF_MATCH],
                             responses={200: record, **CONFLICT_RESPONSES,
                                        **VERSION_REQUIRED}),
        partial_update=extend_schema(summary=gettext_lazy("部分修改（须注明读取时的版本）"),
                                     parameters=[IF_MATCH],
                                     responses={200: record, **CONFLICT_RESPONSES,
                                                **VERSION_REQUIRED}),
        destroy=extend_schema(summary=gettext_lazy("删除"), parameters=[IF_MATCH],
                              responses={204: None, 409: CONFLICT_RESPONSES[409],
                                         412: CONFLICT_RESPONSES[412]}),
    )



class TreeNumbersMixin:
    """Serializers of tree nodes get the derived numbers of the nodes they show (3 queries,
    reading only the rows those numbers depend on: ``problem_tree.numbers_for``)."""

    #: Which argument of ``numbers_for`` the rows are: ``tasks`` or ``categories``.
    tree_rows = "tasks"

    def get_serializer(self, *args, **kwargs):
        instance = args[0] if args else kwargs.get("instance")
        if instance is not None:
            rows = instance if isinstance(instance, list | tuple | QuerySet) else [instance]
            context = self.get_serializer_context()
            context["tree_nodes"] = numbers_for(**{self.tree_rows: rows})
            kwargs["context"] = context
        return super().get_serializer(*args, **kwargs)
