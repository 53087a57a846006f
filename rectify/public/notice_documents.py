"""A published version as a Word file and as PDF (/notices/<id>.docx, /notices/<id>.pdf).

The same access rule as the page (``public_access``): the public gets the public version,
staff and auditors the party version or, with ``?audience=public``, the public one; an
unknown id or a version the reader may not see is a 404; a withdrawn version answers 410
with the page saying so. The documents are laid out per GB/T 9704-2012 by
``rectify.documents`` from the version's frozen content, rendered once and kept.
"""

from __future__ import annotations

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.http import content_disposition_header
from django.views.decorators.http import condition, require_safe

from rectify.documents import rendered_files
from rectify.documents.gongwen_pdf import PdfUnavailable
from rectify.documents.notice_document import RENDER_VERSION, download_title
from rectify.public import public_access as access


def _etag(kind: str):
    def etag(request, pk, *args, **kwargs):
        tag = access.etag(request, pk)
        return None if tag is None else f"{tag}-{kind}-d{RENDER_VERSION}"
    return etag


def _download(request, pk, kind: str) -> HttpResponse:
    publication, audience = access.get_publication(request, pk)
    if publication.is_withdrawn:
        return access.withdrawn_page(request, publication)
    try:
        data = rendered_files.notice_file(publication, audience, kind)
    except PdfUnavailable as error:
        html = render_to_string("public/document_unavailable.html", {
            "publication": publication,
            "audience": audience,
            "message": str(error),
            "party_reader": access.party_reader(request),
        }, request=request)
        response = HttpResponse(html, status=503)
        response["Retry-After"] = "3600"
        response["Cache-Control"] = "no-store"  # never revalidated into a 304 later
        return response
    response = HttpResponse(data, content_type=rendered_files.CONTENT_TYPES[kind])
    response["Content-Disposition"] = content_disposition_header(
        True, f"{download_title(publication)}.{kind}")
    response["Content-Length"] = str(len(data))
    return response


@require_safe
@condition(etag_func=_etag("docx"), last_modified_func=access.last_modified)
def notice_docx(request, pk):
    """The version as a Word document (.docx)."""
    return _download(request, pk, "docx")


@require_safe
@condition(etag_func=_etag("pdf"), last_modified_func=access.last_modified)
def notice_pdf(request, pk):
    """The version as PDF, printed by the server's Chromium; 503 when it cannot be made."""
    return _download(request, pk, "pdf")
