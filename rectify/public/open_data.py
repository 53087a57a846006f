"""Open data: each published version as JSON and as CSV (one row per task), from its snapshot.

The same access rule as the page: the public gets the public version only, where withheld
tasks are already absent; staff and auditors may ask for either with ``?audience=``.
A withdrawn version (撤回) answers 410 Gone: in JSON, when and why; in CSV, nothing.
"""

from __future__ import annotations

import csv
import io
import json

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import condition, require_safe

from rectify.models.choices import Audience
from rectify.public import page_cache
from rectify.public import public_access as access
from rectify.rules.cell_text import neutralise
from rectify.services.snapshot import iter_tasks

#: CSV columns, declared once: (header, how to get the cell from a task of the snapshot).
COLUMNS = [
    ("序号", None),
    ("编号", lambda t: t["number_path"]),
    ("问题类别", lambda t: " / ".join(t["category_path"])),
    ("问题", lambda t: t["title"]),
    ("整改措施", lambda t: "\n".join(m["ordinal"] + m["text"] for m in t["measures"])),
    ("整改成效", lambda t: t["outcome"]),
    ("整改结果", lambda t: t["result"]),
    ("整改状态", lambda t: t["status_label"]),
    ("状态代码", lambda t: t["status"]),
    ("完成时间", lambda t: t["completion_date"] or ""),
    ("原文编号", lambda t: t["printed_label"]),
    ("推算编号", lambda t: t["number"]),
]
#: Only in the party version.
PARTY_COLUMNS = [
    ("不予公开理由", lambda t: (t.get("withhold") or {}).get("ground_label", "")),
    ("不予公开说明", lambda t: (t.get("withhold") or {}).get("note", "")),
]


def safe_cell(value) -> str:
    """Text cells that a spreadsheet would run as a formula are prefixed with a quote (the
    one rule: ``rectify.rules.cell_text``)."""
    return neutralise("" if value is None else str(value))


def iter_rows(content: dict):
    """Header, then one row per task of the version, in document order."""
    columns = COLUMNS + (PARTY_COLUMNS if content["audience"] == Audience.PARTY else [])
    yield [header for header, _get in columns]
    for index, task in enumerate(iter_tasks(content["tree"]), start=1):
        yield [index] + [safe_cell(get(task)) for _header, get in columns[1:]]


def _meta(request, publication, audience: str) -> dict:
    data = {
        "id": publication.pk,
        "url": request.build_absolute_uri(publication.get_absolute_url()),
        "round": publication.round_id,
        "version": publication.version,
        "date": publication.date.isoformat(),
        "title": publication.title,
        "kind": publication.kind,
        "issuer": publication.issuer,
        "audience": audience,
        "approved_by": publication.approved_by,
        "published_at": publication.published_at.isoformat(),
    }
    if audience == Audience.PARTY:
        data["published_by"] = publication.published_by_name
    return data


def _gone_json(request, publication) -> JsonResponse:
    return JsonResponse({
        "detail": _("该版本已撤回。"),
        "id": publication.pk,
        "url": request.build_absolute_uri(publication.get_absolute_url()),
        "round": publication.round_id,
        "version": publication.version,
        "withdrawn_at": publication.withdrawn_at.isoformat(),
        "withdrawal_reason": publication.withdrawal_reason,
        "withdrawal_approved_by": publication.withdrawal_approved_by,
    }, status=410, json_dumps_params={"ensure_ascii": False, "indent": 1})


@require_safe
@condition(etag_func=access.etag, last_modified_func=access.last_modified)
def notice_json(request, pk):
    publication, audience = access.get_publication(request, pk)
    if publication.is_withdrawn:
        return _gone_json(request, publication)

    def produce() -> bytes:
        data = {"publication": _meta(request, publication, audience),
                **publication.content(audience)}
        return json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False,
                          indent=1).encode()

    return HttpResponse(page_cache.body(request, "json", publication.pk, audience, produce),
                        content_type="application/json")


@require_safe
@condition(etag_func=access.etag, last_modified_func=access.last_modified)
def notice_csv(request, pk):
    publication, audience = access.get_publication(request, pk)
    if publication.is_withdrawn:
        return HttpResponse(_("该版本已撤回。") + "\n", status=410,
                            content_type="text/plain; charset=utf-8")

    def produce() -> bytes:
        out = io.StringIO()
        out.write("\ufeff")  # so that spreadsheet programs read UTF-8
        csv.writer(out).writerows(iter_rows(publication.content(audience)))
        return out.getvalue().encode()

    response = HttpResponse(page_cache.body(request, "csv", publication.pk, audience, produce),
                            content_type="text/csv; charset=utf-8")
    suffix = "" if audience == Audience.PUBLIC else "-party"
    response["Content-Disposition"] = (
        f'attachment; filename="notice-{publication.pk}-v{publication.version}{suffix}.csv"'
    )
    return response
