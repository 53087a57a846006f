"""Who may see which version of a publication: one helper for every public endpoint.

Anyone sees what was published to the public (向社会通报); staff and auditors also see the
party version (党内通报) — ``permissions.visible(Publication, user)``, the publications' part of
the one permission rule in ``rectify.rules.permissions``, which the API uses too. Anything else —
an unknown id, an unpublished notice or round, a party-only version asked for by someone
else — is a 404, never a 403.

A withdrawn version (撤回) that the reader could see answers 410 Gone (``withdrawn_page``):
when and why it was withdrawn, nothing of its content. Lists, the feed and searches use
``current_publications``, from which withdrawn versions are gone.
"""

from __future__ import annotations

import datetime
import functools

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.utils import translation

from rectify.models import Publication
from rectify.models.choices import Audience
from rectify.rules import permissions

#: The notices are Chinese documents: their pages are Chinese whatever the browser asks for.
PAGE_LANGUAGE = "zh-hans"
CONTENT_LANGUAGE = "zh-CN"

#: Part of every ETag: bumped when the pages render the same snapshot differently.
RENDER_VERSION = "2"


def party_reader(request: HttpRequest) -> bool:
    return permissions.reads_party_version(request.user)


def visible_publications(request: HttpRequest):
    """The publications this reader may see: the one rule of ``rectify.rules.permissions``."""
    return permissions.visible(Publication, request.user)


def current_publications(request: HttpRequest):
    """The publications this reader may see that were not withdrawn: lists, searches."""
    return visible_publications(request).current()


#: Ids are 64-bit (BigAutoField); anything else cannot name a record.
MAX_ID = 2**63 - 1


def record_id(value) -> int:
    """A usable record id from a URL or query string, or 404 (never an overflow error)."""
    try:
        number = int(str(value))
    except (TypeError, ValueError):
        raise Http404("not an id")
    if not 0 < number <= MAX_ID:
        raise Http404("not an id")
    return number


def get_publication(request: HttpRequest, pk) -> tuple[Publication, str]:
    """The publication ``pk`` and the audience whose version this reader gets, or 404.

    Readers who may see both versions choose with ``?audience=public|party`` (default: the
    party version). Cached on the request so that the ETag check and the view share a query.
    """
    cache = request.__dict__.setdefault("_rectify_publications", {})
    key = str(pk)
    if key not in cache:
        party = party_reader(request)
        wanted = request.GET.get("audience")
        # Read only the content this reader will get (each can be large).
        rows = visible_publications(request).defer("search_text", "party_search_text")
        if party and wanted != Audience.PUBLIC:
            rows = rows.defer("public_snapshot")
        else:
            rows = rows.defer("snapshot")
        publication = get_object_or_404(rows, pk=record_id(pk))
        audience = publication.audience_for(party, wanted)
        if audience is None:
            raise Http404("no such publication")
        cache[key] = (publication, audience)
    return cache[key]


def etag(request: HttpRequest, pk, *args, **kwargs) -> str | None:
    """The version's ETag; none once withdrawn, so that no cache revalidates its old content
    into a 304 and every request gets the 410."""
    publication, audience = get_publication(request, pk)
    if publication.is_withdrawn:
        return None
    stamp = publication.published_at.timestamp()
    return f"pub-{publication.pk}-{stamp}-{audience}-r{RENDER_VERSION}"


def last_modified(request: HttpRequest, pk, *args, **kwargs) -> datetime.datetime | None:
    publication, _audience = get_publication(request, pk)
    if publication.is_withdrawn:
        return None
    return publication.published_at


def withdrawn_page(request: HttpRequest, publication: Publication) -> HttpResponse:
    """410 Gone: the version was withdrawn — when, why, and who approved; no content."""
    html = render_to_string("public/notice_withdrawn.html", {
        "publication": publication,
        "party_reader": party_reader(request),
    }, request=request)
    return HttpResponse(html, status=410)


def chinese_page(view):
    """Render ``view`` in Chinese, the language of the notices, and say so in the headers."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        with translation.override(PAGE_LANGUAGE):
            response = view(request, *args, **kwargs)
        response.headers.setdefault("Content-Language", CONTENT_LANGUAGE)
        return response

    return wrapped
