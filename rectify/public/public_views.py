"""Public pages: the list of published notices, a page per version, and changes between two.

Thin views: access through ``rectify.public.public_access``, content from the frozen snapshot.
"""

from __future__ import annotations

import hashlib

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.views.decorators.http import condition, require_safe

from rectify.models.choices import Audience
from rectify.public import page_cache
from rectify.public import public_access as access
from rectify.public.notice_changes import compare_versions
from rectify.services import search_index
from rectify.services.filtersets import PublicationFilterSet
from rectify.services.snapshot import iter_nodes

PAGE_SIZE = 20
#: Heading levels HTML has; deeper levels keep <h6> and say their level with aria-level.
MAX_HEADING = 6
LIST_FIELDS = ("id", "round_id", "notice_id", "version", "date", "title", "kind", "issuer",
               "for_party", "for_public", "published_at")


@require_safe
def notice_list(request):
    """Every published notice (its newest version), newest first; filters and search."""
    party = access.party_reader(request)
    base = access.current_publications(request).latest_per_notice().only(*LIST_FIELDS)
    filterset = PublicationFilterSet(request.GET or None, queryset=base, request=request)
    valid = not filterset.is_bound or filterset.is_valid()
    rows = filterset.qs if valid else base.none()
    rows = rows.order_by("-date", "-published_at", "-pk")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    # Under each notice found, the tasks of the reader's version that hold the words.
    search = filterset.form.cleaned_data.get("q", "") if valid and filterset.is_bound else ""
    hits = search_index.publication_hits(page, search, party_reader=party)
    for publication in page:
        publication.search_hits = hits.get(publication.pk)
    years = access.current_publications(request).dates("date", "year", order="DESC")
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "public/notice_list.html", {
        "filterset": filterset,
        "page": page,
        "years": [d.year for d in years],
        "query": query.urlencode(),
        "party_reader": party,
        "search": search,
    })


def _versions(request, publication):
    """The versions of the same round this reader may see, oldest first (one query a request);
    withdrawn ones too, which the pages mark as withdrawn and never compare."""
    cache = request.__dict__.setdefault("_rectify_versions", {})
    if publication.round_id not in cache:
        cache[publication.round_id] = list(
            access.visible_publications(request)
            .filter(round_id=publication.round_id)
            .only("id", "round_id", "version", "date", "title", "kind", "for_party",
                  "for_public", "published_at", "withdrawn_at")
            .order_by("version")
        )
    return cache[publication.round_id]


def _latest(versions):
    """The newest version that was not withdrawn, or None."""
    current = [v for v in versions if not v.is_withdrawn]
    return current[-1] if current else None


def _versions_stamp(request, publication) -> str:
    """What the page shows of the other versions: which exist and which were withdrawn."""
    marks = ",".join(f"{v.pk}{'w' if v.is_withdrawn else ''}"
                     for v in _versions(request, publication))
    return hashlib.sha256(marks.encode()).hexdigest()[:12]


def _page_etag(request, pk):
    """The version's ETag and its round's versions: publishing or withdrawing another
    version changes the page (its banner and its list of versions)."""
    tag = access.etag(request, pk)
    if tag is None:
        return None
    publication, _audience = access.get_publication(request, pk)
    return f"{tag}-v{_versions_stamp(request, publication)}"


def _page_last_modified(request, pk):
    """The latest publication or withdrawal among the round's versions this reader sees."""
    if access.last_modified(request, pk) is None:
        return None
    publication, _audience = access.get_publication(request, pk)
    return max(stamp for v in _versions(request, publication)
               for stamp in (v.published_at, v.withdrawn_at) if stamp is not None)


def _heading_levels(content: dict) -> None:
    """Give each tree node its heading level: <h1> title, <h2> sections, then the tree."""
    notice = content["notice"]
    base = 2 if (notice.get("problems_heading") or notice.get("overall_heading")) else 1
    for node in iter_nodes(content["tree"]):
        level = base + node["depth"]
        node["heading_tag"] = f"h{min(level, MAX_HEADING)}"
        node["aria_level"] = level if level > MAX_HEADING else None


@require_safe
@condition(etag_func=_page_etag, last_modified_func=_page_last_modified)
def notice_detail(request, pk):
    """One published version, as printed: title, text, numbered tree, closing, signature.

    The body (everything but the site's header and footer) is kept per version, audience and
    switch (``rectify.public.page_cache``): the header is rendered for each reader."""
    publication, audience = access.get_publication(request, pk)
    if publication.is_withdrawn:
        return access.withdrawn_page(request, publication)
    versions = _versions(request, publication)
    both_audiences = bool(access.party_reader(request) and publication.for_party
                          and publication.for_public)
    context = {
        "publication": publication,
        "audience": audience,
        "versions": versions,
        "latest": _latest(versions),
        "party_reader": access.party_reader(request),
        "both_audiences": both_audiences,
    }

    def render_body():
        content = publication.content(audience)
        _heading_levels(content)
        return render_to_string("public/_notice_body.html", {**context, "content": content},
                                request=request)

    # The versions listed are those this reader may see: part of the key with the audience.
    variant = "{}-{}".format("party" if context["party_reader"] else "public",
                             "both" if both_audiences else "one")
    body = page_cache.fragment("notice_detail", publication.pk, audience, variant, render_body)
    return render(request, "public/notice_detail.html", {**context, "body": body})


def _changes_etag(request, pk):
    publication, _audience = access.get_publication(request, pk)
    if publication.is_withdrawn:
        return None
    other = _other_version(request, pk)
    if other is not None and other.is_withdrawn:
        return None
    audience = _compared_audience(request, pk, other) if other else "none"
    return "{}-since-{}-{}".format(_page_etag(request, pk), other.pk if other else "none",
                                   audience)


def _changes_last_modified(request, pk):
    other = _other_version(request, pk)
    if other is not None and other.is_withdrawn:
        return None
    return _page_last_modified(request, pk)


def _other_version(request, pk):
    """The version to compare with: ``?since=<pk>`` (same round), else the one before."""
    publication, _audience = access.get_publication(request, pk)
    since = request.GET.get("since")
    if since is None:
        earlier = [v for v in _versions(request, publication)
                   if v.version < publication.version and not v.is_withdrawn]
        return earlier[-1] if earlier else None
    other, _other_audience = access.get_publication(request, since)
    if other.round_id != publication.round_id or other.pk == publication.pk:
        raise Http404("not another version of the same round")
    return other


def _compared_audience(request, pk, other) -> str:
    """The one audience both versions are compared in.

    The party versions only when this reader gets the party version of both; else the public
    versions (a public reader never gets anything else), which both must have.
    """
    publication, audience = access.get_publication(request, pk)
    other, other_audience = access.get_publication(request, other.pk)
    if audience == other_audience:
        return audience
    if publication.for_public and other.for_public:
        return Audience.PUBLIC
    raise Http404("the two versions have no audience in common")


@require_safe
@condition(etag_func=_changes_etag, last_modified_func=_changes_last_modified)
def notice_changes(request, pk):
    """Which tasks changed status or text between two versions of the same round.

    A public reader's comparison is computed from the public snapshots only: a task withheld
    from the public is at most counted (rectify.public.notice_changes).
    """
    publication, audience = access.get_publication(request, pk)
    if publication.is_withdrawn:
        return access.withdrawn_page(request, publication)
    other = _other_version(request, pk)
    if other is not None and other.is_withdrawn:
        return access.withdrawn_page(request, other)
    comparison = None
    if other is not None:
        other, _other_audience = access.get_publication(request, other.pk)
        audience = _compared_audience(request, pk, other)
        older, newer = sorted([publication, other], key=lambda version: version.version)
        comparison = compare_versions(older.content(audience), newer.content(audience),
                                      audience)
    else:
        older = newer = publication
    this_withheld = other_withheld = 0
    if comparison is not None and audience == Audience.PUBLIC:
        counts = {older.pk: comparison.withheld_before, newer.pk: comparison.withheld_after}
        this_withheld, other_withheld = counts[publication.pk], counts[other.pk]
    return render(request, "public/notice_changes.html", {
        "publication": publication,
        "audience": audience,
        "other": other,
        "older": older,
        "newer": newer,
        "comparison": comparison,
        "changes": comparison.changes if comparison else None,
        "public_comparison": audience == Audience.PUBLIC,
        "this_withheld": this_withheld,
        "other_withheld": other_withheld,
        "versions": _versions(request, publication),
        "party_reader": access.party_reader(request),
    })


@require_safe
def round_latest(request, round_pk):
    """A stable address for a round: its newest version this reader may see, or 404."""
    latest = (access.current_publications(request).filter(round_id=access.record_id(round_pk))
              .only("id").order_by("-version").first())
    if latest is None:
        raise Http404("round not published")
    return redirect("public:notice_detail", pk=latest.pk)

