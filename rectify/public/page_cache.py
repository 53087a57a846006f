"""The public pages' cache, in Django's cache (Redis: ``REDIS_URL``), when ``PUBLIC_PAGE_CACHE``.

A published version never changes, so what the public is answered about it is kept:

- **Anonymous readers** (no session cookie): ``PublicPageCacheMiddleware`` keeps the whole
  answer — status, headers (``ETag``, ``Last-Modified`` …) and body — of each view marked with
  :func:`cached` (a version's page, JSON, CSV, .docx, PDF; the list's unfiltered pages; the
  feed), keyed by the view, the version, ``?audience=``, the list's page, the scheme, the host
  and the page language, and replays it before the session, the user or any query is looked
  at; conditional requests are answered 304 from the stored validators. Only 200 answers to a
  reader who turned out anonymous, setting no cookie and asking for no CSRF token, are kept:
  nothing personal can be in them, and nobody signed in ever gets one.
- **Signed-in readers** go through the views as before (the session, the access rule and the
  validators: a party reader's answers are ``private, no-store``); only the expensive part is
  kept, keyed by the audience they get: the page's body (:func:`fragment`, never the header
  that says who is signed in) and the JSON and CSV bodies (:func:`body`). The party version is
  only ever read back for a request the access rule gave the party version.

Entries are stored with the generations of ``rectify.services.public_cache`` read *before*
rendering, and used only while those are unchanged: publishing and withdrawing bump them. Keys
also carry a digest of the render versions, the public templates and the static manifest, so
that a deployment that changes how a version looks serves no old copy. ``PUBLIC_CACHE_SECONDS``
only bounds how long an unused entry takes room. A cache that cannot be reached is logged and
the page is rendered as if there were none.
"""

from __future__ import annotations

import hashlib
import logging
import re
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import DisallowedHost
from django.http import HttpResponse
from django.urls import Resolver404, resolve
from django.utils.cache import get_conditional_response
from django.utils.http import parse_http_date_safe
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from rectify.documents import rendered_files
from rectify.public import public_access as access
from rectify.services import public_cache

logger = logging.getLogger(__name__)

KEY_PREFIX = "rectify:public:"
#: Larger answers (a PDF of a very large notice) are not kept: the document files are.
MAX_ENTRY_BYTES = 10 * 1024 * 1024
#: The list's pages that are kept for anonymous readers: unfiltered, page 1 to 999.
LIST_PAGE = re.compile(r"[1-9][0-9]{0,2}")
AUDIENCES = {"public", "party"}
#: Headers that make a request conditional: a miss renders the whole answer to keep it.
CONDITIONAL = ("HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE", "HTTP_IF_MATCH",
               "HTTP_IF_UNMODIFIED_SINCE")

_digest: str | None = None


def deployment_digest() -> str:
    """What else an answer depends on: the render versions, the public templates, the static
    files' manifest (their hashed names). Read once per process."""
    global _digest
    if _digest is None:
        parts = hashlib.sha256(f"{access.RENDER_VERSION}/{rendered_files.RENDER_VERSION}".encode())
        templates = Path(settings.BASE_DIR) / "templates" / "public"
        for path in sorted(templates.glob("*.html")):
            parts.update(path.name.encode() + b"\0" + path.read_bytes())
        manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
        if manifest.is_file():
            parts.update(manifest.read_bytes())
        _digest = parts.hexdigest()[:12]
    return _digest


def _key(*parts) -> str:
    text = "\x1f".join(str(part) for part in (deployment_digest(), *parts))
    return KEY_PREFIX + hashlib.sha256(text.encode()).hexdigest()[:40]


def enabled() -> bool:
    return getattr(settings, "PUBLIC_PAGE_CACHE", False)


def cached(kind: str):
    """Mark a public view as kept for anonymous readers: ``"page"`` (a version's page),
    ``"data"`` (its JSON, CSV, .docx, PDF), ``"list"`` or ``"feed"``."""

    def mark(view):
        view.public_cache = kind
        return view

    return mark


def _generations(kind: str, kwargs: dict) -> list[str]:
    if kind == "page":
        return [public_cache.EPOCH, public_cache.page_generation(kwargs["pk"])]
    if kind == "data":
        return [public_cache.EPOCH, public_cache.data_generation(kwargs["pk"])]
    return [public_cache.EPOCH, public_cache.LIST]


def _variant(kind: str, query) -> str | None:
    """The one query parameter that changes the answer, or None when the query has anything
    else (then the answer is not kept: the key space stays bounded)."""
    if kind in ("page", "data"):
        if set(query) - {"audience"}:
            return None
        audience = query.get("audience", "")
        return audience if audience in AUDIENCES or audience == "" else None
    if kind == "list":
        if set(query) - {"page"}:
            return None
        page = query.get("page", "1")
        return page if LIST_PAGE.fullmatch(page) else None
    return "" if not query else None


def _plan(request) -> tuple[str, list[str]] | None:
    """The key and generations of an anonymous request for a kept answer, else None."""
    if request.method not in ("GET", "HEAD") or not enabled():
        return None
    if settings.SESSION_COOKIE_NAME in request.COOKIES:
        return None  # signed in, or was: the views decide
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return None
    kind = getattr(match.func, "public_cache", None)
    if kind is None:
        return None
    variant = _variant(kind, request.GET)
    if variant is None:
        return None
    try:
        host = request.get_host()
    except DisallowedHost:
        return None  # answered 400 by the usual path
    generations = _generations(kind, match.kwargs)
    return _key("answer", match.url_name, match.kwargs.get("pk", ""), variant,
                request.scheme, host, access.PAGE_LANGUAGE), generations


def _fresh(entry, found: dict, generations: list[str]) -> bool:
    tokens = [found.get(key) for key in generations]
    return entry is not None and None not in tokens and entry[0] == tokens


def _storable(request, response) -> bool:
    user = getattr(request, "user", None)
    return (response.status_code == 200 and not response.streaming and not response.cookies
            and user is not None and not user.is_authenticated
            and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
            and "private" not in response.get("Cache-Control", "")
            and "no-store" not in response.get("Cache-Control", "")
            and len(response.content) <= MAX_ENTRY_BYTES)


def _conditional(request, response):
    last_modified = response.get("Last-Modified")
    return get_conditional_response(
        request, etag=response.get("ETag"),
        last_modified=parse_http_date_safe(last_modified) if last_modified else None,
        response=response)


def _replay(request, entry) -> HttpResponse:
    _tokens, status, headers, content = entry
    response = HttpResponse(content, status=status)
    for name, value in headers:
        response[name] = value
    return _conditional(request, response)


class PublicPageCacheMiddleware:
    """Answers anonymous readers from the cache (see the module); after whitenoise, before the
    session: a kept answer costs one round trip to the cache and no query."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        plan = _plan(request)
        if plan is None:
            return self.get_response(request)
        key, generations = plan
        try:
            found = cache.get_many([key, *generations])
            if _fresh(found.get(key), found, generations):
                return _replay(request, found[key])
            tokens = public_cache.current(generations, found)
        except Exception:  # the cache is down: serve without it
            logger.warning("public page cache unavailable", exc_info=True)
            return self.get_response(request)
        # Render the whole answer (not a 304) so that it can be kept; then answer the
        # conditional request from it.
        conditions = {name: request.META.pop(name) for name in CONDITIONAL
                      if name in request.META}
        response = self.get_response(request)
        request.META.update(conditions)
        if _storable(request, response):
            try:
                cache.set(key, (tokens, response.status_code, list(response.items()),
                                response.content), settings.PUBLIC_CACHE_SECONDS)
            except Exception:
                logger.warning("public page cache unavailable", exc_info=True)
        return _conditional(request, response) if conditions else response


def _kept(key: str, generations: list[str], produce):
    """``produce()``, kept under ``key`` while ``generations`` are unchanged."""
    if not enabled():
        return produce()
    try:
        found = cache.get_many([key, *generations])
        if _fresh(found.get(key), found, generations):
            return found[key][1]
        tokens = public_cache.current(generations, found)
    except Exception:
        logger.warning("public page cache unavailable", exc_info=True)
        return produce()
    value = produce()
    try:
        cache.set(key, (tokens, value), settings.PUBLIC_CACHE_SECONDS)
    except Exception:
        logger.warning("public page cache unavailable", exc_info=True)
    return value


def fragment(name: str, pk: int, audience: str, variant: str, render) -> str:
    """The rendered body of a version's page for ``audience`` (no header, no user)."""
    html = _kept(_key("fragment", name, pk, audience, variant, get_language()),
                 [public_cache.EPOCH, public_cache.page_generation(pk)], lambda: str(render()))
    return mark_safe(html)  # noqa: S308 -- rendered by a template, escaped there


def body(request, name: str, pk: int, audience: str, produce) -> bytes:
    """A version's JSON or CSV body for ``audience`` (it names the site's own address)."""
    return _kept(_key("body", name, pk, audience, request.scheme, request.get_host(),
                      get_language()),
                 [public_cache.EPOCH, public_cache.data_generation(pk)], produce)
