"""The error answers of every surface: 400, 403 (CSRF too), 404, 500 and the file store's 503.

Each says what happened, in the reader's language and in the look of the surface the address
belongs to: ``/api/`` answers JSON in the API's shape (``{"detail", "code"}``), ``/notices/``
the public look, ``/admin/`` the admin's, everything else (work pages, ledger, login) the work
look. The 500 page is self-contained: no database, no context processor (``render_plain``),
since whatever failed may fail again. ``handler400`` … ``handler500`` in ``rectify.urls`` and
``CSRF_FAILURE_VIEW`` name these views; ``StorageUnavailableMiddleware`` turns the evidence
store's failure into the 503 page.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib import admin
from django.http import HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.template import loader
from django.utils import translation
from django.utils.translation import gettext as _

from rectify.services.evidence_files import StorageUnavailable

logger = logging.getLogger(__name__)

API, PUBLIC, ADMIN, WORK = "api", "public", "admin", "work"


def surface(request) -> str:
    """Which surface's look an address gets."""
    path = request.path_info or "/"
    if path.startswith("/api/"):
        return API
    if path.startswith("/notices/"):
        return PUBLIC
    if path.startswith("/admin/"):
        return ADMIN
    return WORK


def _texts(status: int) -> tuple[str, str, str]:
    """The title, the explanation and the API code of an error status."""
    if status == 400:
        return (_("请求有误"),
                _("无法处理这个请求：提交的内容有误或不完整。请返回上一页检查后重试。"),
                "bad_request")
    if status == 403:
        return (_("没有权限"),
                _("您没有查看此页面或执行此操作的权限。如需权限，请联系巡察办管理员。"),
                "permission_denied")
    if status == 404:
        return (_("页面不存在"),
                _("您要找的页面不存在，或您无权查看。请检查地址，或从首页重新进入。"),
                "not_found")
    if status == 503:
        return (_("文件存储暂不可用"),
                _("文件存储暂不可用，请稍后重试或联系管理员。本次提交的内容未保存。"),
                "storage_unavailable")
    return (_("服务器出错"),
            _("服务器处理请求时出错，错误已记录。请稍后重试；如果问题持续，"
              "请联系管理员。"),
            "server_error")


def _home(look: str) -> str:
    return {PUBLIC: "/notices/", ADMIN: "/admin/"}.get(look, "/work/")


def _context(request, status: int, title: str = "", message: str = "") -> dict:
    default_title, default_message, _code = _texts(status)
    look = surface(request)
    return {
        "status": status,
        "title": title or default_title,
        "message": message or default_message,
        "look": look,
        "home": _home(look),
        "site_header": admin.site.site_header,
        "site_title": admin.site.site_title,
    }


def render_plain(request, status: int, **texts) -> HttpResponse:
    """The self-contained page (no database, no context processor) in the surface's look: the
    working pages' own base (``errors/work.html``, its header without the user, who would need
    the database), the public and admin looks' ``errors/plain.html``."""
    context = _context(request, status, **texts)
    if context["look"] == WORK:
        context.update(request=request, csrf_token=get_token(request))  # the language switch
        html = loader.get_template("errors/work.html").render(context)
    else:
        html = loader.get_template("errors/plain.html").render(context)
    return HttpResponse(html, status=status)


def error_response(request, status: int, **kwargs) -> HttpResponse:
    """The error page of ``status`` for ``request``'s surface (JSON under ``/api/``); under
    ``/notices/`` in Chinese, the language of the public pages."""
    if surface(request) == PUBLIC:
        with translation.override(settings.LANGUAGE_CODE):
            return _error_response(request, status, **kwargs)
    return _error_response(request, status, **kwargs)


def _error_response(request, status: int, *, title: str = "", message: str = "",
                    api_detail: str = "", api_code: str = "") -> HttpResponse:
    if surface(request) == API:
        _title, detail, code = _texts(status)
        return JsonResponse({"detail": api_detail or message or detail,
                             "code": api_code or code}, status=status,
                            json_dumps_params={"ensure_ascii": False})
    if status == 500:
        return render_plain(request, status, title=title, message=message)
    context = _context(request, status, title, message)
    try:
        html = loader.render_to_string(f"errors/{context['look']}.html", context, request)
    except Exception:  # the page's look needs the database: the plain page does not
        logger.exception("The %s error page failed; the plain one answers", status)
        return render_plain(request, status, title=title, message=message)
    return HttpResponse(html, status=status)


# -- the handlers (rectify.urls) ----------------------------------------------------------------


def bad_request(request, exception=None):
    return error_response(request, 400)


def permission_denied(request, exception=None):
    return error_response(request, 403)


def page_not_found(request, exception=None):
    return error_response(request, 404, api_detail=_("未找到。"))


def server_error(request):
    return error_response(request, 500)


def csrf_failure(request, reason: str = ""):
    """``CSRF_FAILURE_VIEW``: a form sent without its token (a page left open too long, or
    cookies switched off)."""
    return error_response(
        request, 403, title=_("页面已过期"),
        message=_("表单的安全校验未通过：页面可能停留过久，或浏览器禁用了 Cookie。"
                  "请刷新页面后重新提交。"),
        api_code="csrf_failed")


class StorageUnavailableMiddleware:
    """The evidence store failing in a page's view (a read-only directory, a full disk) is a
    503 saying so, in the surface's look. The API answers its own (``api_base``)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, StorageUnavailable):
            return error_response(request, 503)
        return None
