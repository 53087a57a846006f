"""What every API view shares: pagination, the body size limit, versions and error shapes.

The settings name classes of this module (REST_FRAMEWORK), so it must not import DRF's views
at import time.
"""

from __future__ import annotations

import io
import logging
import math
import re

from django.conf import settings
from django.core.exceptions import (
    NON_FIELD_ERRORS,
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models, transaction
from django.http import Http404
from django.utils.http import parse_etags
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, serializers
from rest_framework.exceptions import ErrorDetail
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.settings import api_settings

logger = logging.getLogger(__name__)

#: The largest value an integer field of the API accepts (the databases' 32-bit columns).
MAX_INT = 2**31 - 1


class Pagination(PageNumberPagination):
    """``?page=N&page_size=M``: 50 rows a page by default, at most 200."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class CountedRows:
    """A list's rows for the paginator: counted as ``counted`` (the visible, filtered rows),
    read a page at a time as ``shown`` (the same rows with what a page shows: annotations,
    related rows). What only shows on a page — a join for a due date, a count per row — is
    then not computed over every row for the count."""

    def __init__(self, shown: models.QuerySet, counted: models.QuerySet):
        self.shown, self.counted = shown, counted
        self.model, self.ordered = shown.model, shown.ordered

    def count(self) -> int:
        return self.counted.count()

    def __getitem__(self, index):
        return self.shown[index]

    def __len__(self) -> int:
        return self.count()


class RequestTooLarge(exceptions.APIException):
    status_code = 413
    default_detail = _("请求体过大。")
    default_code = "too_large"


class LimitedJSONParser(JSONParser):
    """JSON, refused with 413 beyond ``DATA_UPLOAD_MAX_MEMORY_SIZE`` bytes.

    Django enforces that limit only where it reads the body itself; DRF reads the stream, so
    the limit is enforced here, before anything is parsed.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is None:
            return super().parse(stream, media_type, parser_context)
        request = (parser_context or {}).get("request")
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0) if request else 0
        except (TypeError, ValueError):
            declared = 0
        body = b"" if declared > limit else stream.read(limit + 1)
        if declared > limit or len(body) > limit:
            raise RequestTooLarge(_("请求体过大：不能超过 {limit} 字节。").format(limit=limit))
        data = super().parse(io.BytesIO(body), media_type, parser_context)
        if not _encodable(data):
            raise exceptions.ParseError(_("请求体含有无效的 Unicode 字符。"))
        return data


class LimitedMultiPartParser(MultiPartParser):
    """A multipart upload (one evidence file and a few form fields), refused with 413 before
    anything is read when it declares more than ``EVIDENCE_MAX_BYTES`` plus
    ``DATA_UPLOAD_MAX_MEMORY_SIZE`` bytes (the room for the form fields and boundaries).

    A file a little over ``EVIDENCE_MAX_BYTES`` gets through to the content check, which
    refuses it naming the file (400). Django's own refusals while parsing (too many fields or
    files, form fields too large) are the API's 400 and 413, never an HTML page.
    """

    #: Room for the form fields and the multipart framing when the JSON limit is off.
    FRAMING = 64 * 1024

    def parse(self, stream, media_type=None, parser_context=None):
        fields = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        limit = settings.EVIDENCE_MAX_BYTES + (self.FRAMING if fields is None else fields)
        request = (parser_context or {}).get("request")
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0) if request else 0
        except (TypeError, ValueError):
            declared = 0
        if declared > limit:
            raise RequestTooLarge(_("请求体过大：不能超过 {limit} 字节。").format(limit=limit))
        try:
            return super().parse(stream, media_type, parser_context)
        except RequestDataTooBig:
            raise RequestTooLarge(_("表单字段过大：不能超过 {limit} 字节。").format(
                limit=fields)) from None
        except (TooManyFieldsSent, TooManyFilesSent):
            raise exceptions.ParseError(_("表单字段或文件过多。")) from None


def _encodable(data, depth: int = 0) -> bool:
    """No lone surrogate (``"\\ud800"``) anywhere: no database could store it."""
    if depth > 100:
        return False
    if isinstance(data, str):
        try:
            data.encode("utf-8")
        except UnicodeEncodeError:
            return False
        return True
    if isinstance(data, dict):
        return all(_encodable(k, depth + 1) and _encodable(v, depth + 1)
                   for k, v in data.items())
    if isinstance(data, list):
        return all(_encodable(item, depth + 1) for item in data)
    return True


def drf_error(exc: DjangoValidationError) -> serializers.ValidationError:
    """A model's ``ValidationError`` as DRF's, keyed by field (``non_field_errors`` for the
    rest), with the model's own words."""
    if hasattr(exc, "error_dict"):
        detail = {
            (api_settings.NON_FIELD_ERRORS_KEY if field == NON_FIELD_ERRORS else field): messages
            for field, messages in exc.message_dict.items()
        }
    else:
        detail = {api_settings.NON_FIELD_ERRORS_KEY: exc.messages}
    return serializers.ValidationError(detail)


class ServiceUnavailable(exceptions.APIException):
    status_code = 503
    default_detail = _("文件存储暂不可用，请稍后重试或联系管理员。")
    default_code = "storage_unavailable"


#: The body of an API 500: what the reader may know (the traceback goes to the log).
SERVER_ERROR_DETAIL = _("服务器内部错误，已记录。请稍后重试；如果问题持续，请联系管理员。")


def server_error_body() -> dict:
    return {"detail": str(SERVER_ERROR_DETAIL), "code": "server_error"}


def exception_handler(exc, context):
    """DRF's handler, plus: a model ``ValidationError`` that reached a view is a 400, a 404
    says only "not found" (in the reader's language), never which model was looked for; the
    file store failing is a 503; anything else is a 500 in the same shape
    (``{"detail", "code"}``), logged with its traceback — never an HTML page."""
    # Imported here: DRF's views read the settings, which name this module.
    from rest_framework.views import exception_handler as drf_exception_handler

    from rectify.services.evidence_files import StorageUnavailable

    if isinstance(exc, DjangoValidationError):
        exc = drf_error(exc)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, exceptions.Throttled):
        exc = _throttled(exc.wait)
    elif isinstance(exc, StorageUnavailable):
        exc = ServiceUnavailable(exc.message)
    response = drf_exception_handler(exc, context)
    if response is not None:
        if isinstance(response.data, dict) and "code" not in response.data \
                and isinstance(exc, exceptions.APIException) \
                and isinstance(exc.detail, str):
            response.data["code"] = exc.detail.code
        return response
    request = context.get("request")
    logger.error("Internal Server Error: %s", getattr(request, "path", "?"),
                 exc_info=(type(exc), exc, exc.__traceback__))
    return Response(server_error_body(), status=500)


class AtomicWrites:
    """A viewset mixin: a write (any method but GET, HEAD, OPTIONS) runs in one transaction
    together with the building and rendering of its response, so that an answer which fails
    after the save (a 500) leaves nothing committed; and any error answer (4xx, 5xx) rolls
    back whatever the view wrote before it (as DRF does with
    ``ATOMIC_REQUESTS``, which would hold a transaction for every request of every surface,
    and renders only after the transaction committed)."""

    def dispatch(self, request, *args, **kwargs):
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return super().dispatch(request, *args, **kwargs)
        with transaction.atomic():
            response = super().dispatch(request, *args, **kwargs)
            if response.status_code >= 400:
                transaction.set_rollback(True)
            if not getattr(response, "is_rendered", True):
                response.render()  # inside the transaction: a failure here undoes the write
        return response


def _throttled(wait: float | None) -> exceptions.Throttled:
    """429 in the reader's language, with ``Retry-After`` (DRF's handler adds it)."""
    seconds = max(1, math.ceil(wait or 1))
    exc = exceptions.Throttled(seconds)
    exc.detail = ErrorDetail(_("请求过于频繁，请 {seconds} 秒后再试。").format(seconds=seconds),
                             code="throttled")
    return exc


# -- versions: ETag, If-Match, ``version`` -----------------------------------------------------


def etag(obj: models.Model, suffix: str = "") -> str:
    """The strong ETag of a record's current version, e.g. ``"rectificationtask-12-v3"``."""
    version = getattr(obj, "version", 0)
    return f'"{obj._meta.model_name}-{obj.pk}-v{version}{suffix}"'


class PreconditionFailed(Exception):
    """The If-Match header names no current version of this record."""


ANY = object()


def if_match_version(request, obj: models.Model):
    """The version the If-Match header names for ``obj``: None without the header, ``ANY``
    for ``*``; raises :class:`PreconditionFailed` when it names no version of this record."""
    header = request.headers.get("If-Match")
    if header is None or not header.strip():
        return None
    tags = parse_etags(header)
    if tags == ["*"]:
        return ANY
    pattern = re.compile(rf'^"{re.escape(obj._meta.model_name)}-{obj.pk}-v(\d{{1,10}})"$')
    for tag in tags:
        match = pattern.match(tag)
        if match:
            return int(match.group(1))
    raise PreconditionFailed
