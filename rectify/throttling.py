"""Throttling that protects the server, not just one account.

- :func:`client_address`: the client's address, read behind ``TRUSTED_PROXY_COUNT`` reverse
  proxies (0: ``REMOTE_ADDR`` only; ``X-Forwarded-For`` is never trusted without proxies).
  django-axes (``AXES_CLIENT_IP_CALLABLE``), the API's throttles and :func:`rate_limited` all
  use it, so one address is one address everywhere.
- :class:`rectify.login_lockout.AddressLockoutHandler`: django-axes locks a user name from an
  address after ``AXES_FAILURE_LIMIT`` failures, *and* an address after
  ``LOGIN_FAILURES_PER_ADDRESS`` failures whatever the user names, for
  ``AXES_COOLOFF_MINUTES``. A locked login is refused by axes' backend, before any password
  is hashed.
- :class:`AnonymousThrottle`, :class:`ScopedThrottle`: the API's rates (``API_ANON_RATE`` for
  anonymous requests, ``API_TOKEN_RATE`` for ``/api/auth/token/``), answered 429 with
  ``Retry-After``.
- :func:`rate_limited`: the same for a plain Django view's POSTs (the login page:
  ``LOGIN_RATE``; the password-reset form: ``PASSWORD_RESET_RATE``).

Rates are ``"<count>/<second|minute|hour|day>"``. Counters live in the default cache: give
production a shared one (``REDIS_URL`` or ``CACHE_URL=redis://…``), or each worker counts on
its own.
"""

from __future__ import annotations

import functools
import ipaddress
import math
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse, JsonResponse
from django.utils.html import escape
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from rest_framework.throttling import AnonRateThrottle, ScopedRateThrottle

_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str | None) -> tuple[int, int] | None:
    """``"10/minute"`` → ``(10, 60)``; None or empty: no limit."""
    if not rate:
        return None
    count, _sep, period = str(rate).partition("/")
    return int(count), _PERIODS[period.strip()[:1].lower()]


def client_address(request) -> str | None:
    """The client's IP address: ``REMOTE_ADDR``, or behind ``TRUSTED_PROXY_COUNT`` proxies
    (each appending the address it saw to ``X-Forwarded-For``) the one the outermost proxy
    saw. An address that does not parse falls back to ``REMOTE_ADDR``."""
    remote = request.META.get("REMOTE_ADDR")
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if proxies <= 0:
        return remote
    forwarded = [part.strip() for part in
                 request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if not forwarded:
        return remote
    # The last `proxies` entries were written by our proxies; anything left of them is the
    # client's own claim. Fewer entries than proxies: the first one is the best we have.
    candidate = forwarded[-min(proxies, len(forwarded))]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote


# -- the API (DRF) -----------------------------------------------------------------------------


class _SettingsRate:
    """The rate of ``scope`` from the setting ``API_<SCOPE>_RATE``, read at each request."""

    scope: str | None

    def get_rate(self):
        return getattr(settings, f"API_{(self.scope or '').upper()}_RATE", None) or None

    def get_ident(self, request):
        return client_address(request) or "unknown"


class AnonymousThrottle(_SettingsRate, AnonRateThrottle):
    """Anonymous API requests per address (``API_ANON_RATE``)."""


class ScopedThrottle(_SettingsRate, ScopedRateThrottle):
    """Views with ``throttle_scope = "token"`` etc.: per address (``API_TOKEN_RATE``)."""

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


# -- plain Django views ------------------------------------------------------------------------


def hit(scope: str, rate: str | None, request) -> int:
    """Count one request of ``scope`` from the client's address; the seconds to wait when
    it is over ``rate`` (a fixed window), else 0."""
    limit = parse_rate(rate)
    if limit is None:
        return 0
    count, period = limit
    window = int(time.time() // period)
    key = f"rate:{scope}:{client_address(request) or 'unknown'}:{window}"
    cache.add(key, 0, timeout=period + 1)
    try:
        used = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=period + 1)
        used = 1
    if used <= count:
        return 0
    return max(1, math.ceil((window + 1) * period - time.time()))


def short_page(message: str) -> str:
    """A minimal page saying one thing (no template: it also serves refusals made before
    the rest of the site's machinery has run)."""
    return (f'<!doctype html><html lang="{escape(get_language() or "zh-hans")}">'
            f'<head><meta charset="utf-8"><title>{escape(message)}</title></head>'
            f"<body><p>{escape(message)}</p></body></html>")


def too_many_requests(request, wait: int) -> HttpResponse:
    """429 with ``Retry-After``: JSON under /api/, else a short page."""
    message = _("请求过于频繁，请 {seconds} 秒后再试。").format(seconds=wait)
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": message, "code": "throttled"}, status=429)
    else:
        response = HttpResponse(short_page(message), status=429,
                                content_type="text/html; charset=utf-8")
    response["Retry-After"] = str(wait)
    return response


def rate_limited(scope: str, methods: tuple[str, ...] = ("POST",)):
    """A view decorator: at most ``settings.<SCOPE>_RATE`` requests (of ``methods``) per
    client address, then 429 with ``Retry-After``, before the view runs (so before any
    password is hashed or mail sent). E.g. ``rate_limited("password_reset")(view)`` reads
    ``PASSWORD_RESET_RATE``."""
    setting = f"{scope.upper()}_RATE"

    def decorate(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method in methods:
                wait = hit(scope, getattr(settings, setting, None), request)
                if wait:
                    return too_many_requests(request, wait)
            return view(request, *args, **kwargs)

        return wrapped

    return decorate
