"""Body limits before parsing, on every surface (first in ``MIDDLEWARE``).

A request whose declared body (``Content-Length``) is larger than its route allows is answered
413 before anything reads the body, before the session, CSRF or login checks:

- evidence uploads (``/work/tasks/<id>/evidence/``, the proposal form that may carry a file,
  ``/api/tasks/<id>/evidence/``): ``EVIDENCE_MAX_BYTES`` plus room for the form fields;
- the ledger import (``/ledger/import/``): ``LEDGER_MAX_UPLOAD_BYTES`` plus room;
- the notice import in the admin: ``NOTICE_MAX_UPLOAD_BYTES`` plus room;
- everything else: ``DATA_UPLOAD_MAX_MEMORY_SIZE`` plus the multipart framing. Django's own
  ``DATA_UPLOAD_MAX_MEMORY_SIZE`` leaves out uploaded files, and ``FILE_UPLOAD_MAX_MEMORY_SIZE``
  only decides when a file goes to disk: neither limits a multipart body, which is why a
  300 MB POST to the login page used to be written to the temporary directory in full.

The room for the form fields is ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (``FRAMING`` when that is off),
as in the API's multipart parser. A body without a length (``Transfer-Encoding: chunked``) is
never read past its declared length by Django — which, without ``Content-Length``, is zero
(``WSGIRequest`` wraps ``wsgi.input`` in a stream limited to it) — so it is cut off too.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.urls import Resolver404, resolve
from django.utils import translation
from django.utils.translation import gettext as _

from rectify.throttling import short_page

MB = 1024 * 1024
#: Room for the multipart boundaries and headers when no field limit is set.
FRAMING = 64 * 1024

#: Routes (namespace:name) that take a file, and the setting naming the file's limit.
UPLOAD_ROUTES = {
    "work:evidence_add": "EVIDENCE_MAX_BYTES",
    "work:proposal": "EVIDENCE_MAX_BYTES",
    "api:task-evidence": "EVIDENCE_MAX_BYTES",
    "ledger:import": "LEDGER_MAX_UPLOAD_BYTES",
    "admin:rectify_inspectionround_import": "NOTICE_MAX_UPLOAD_BYTES",
}


def body_limit(path: str) -> int | None:
    """The largest body (bytes) a request to ``path`` may declare; None: no limit."""
    fields = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    try:
        route = resolve(path).view_name
    except Resolver404:
        route = ""
    setting = UPLOAD_ROUTES.get(route)
    if setting is not None:
        return getattr(settings, setting) + (FRAMING if fields is None else fields)
    return None if fields is None else fields + FRAMING


def declared_length(environ) -> int:
    try:
        return max(0, int(environ.get("CONTENT_LENGTH") or 0))
    except (TypeError, ValueError):
        return 0  # Django reads nothing then either


class RequestBodyLimitMiddleware:
    """413 for a declared body over the route's limit (see the module docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        declared = declared_length(request.META)
        if declared:
            limit = body_limit(request.path_info)
            if limit is not None and declared > limit:
                return too_large(request, limit)
        return self.get_response(request)


def too_large(request, limit: int) -> HttpResponse:
    """413, in the reader's language (this runs before LocaleMiddleware): JSON under /api/,
    else a short page."""
    language = translation.get_language_from_request(request)
    with translation.override(language):
        message = _("请求体过大：不能超过 {size} MB。").format(size=f"{limit / MB:.1f}")
        if request.path_info.startswith("/api/"):
            return JsonResponse({"detail": message, "code": "too_large"}, status=413)
        return HttpResponse(short_page(message), status=413,
                            content_type="text/html; charset=utf-8")
