"""What a locked-out login sees (django-axes): too many failed attempts, try again later.

JSON for the API (``/api/…``), a short page for the admin and the browsable API's login.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext as _


def lockout_response(request, original_response=None, credentials=None) -> HttpResponse:
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    message = _("登录失败次数过多，已暂时锁定，请 {minutes} 分钟后再试。").format(minutes=minutes)
    status = settings.AXES_HTTP_RESPONSE_CODE
    if request.path.startswith("/api/") and not request.path.startswith("/api/auth/login"):
        response = JsonResponse({"detail": message, "code": "locked_out"}, status=status)
    else:
        response = HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    return response
