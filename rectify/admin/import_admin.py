"""Import a notice from the admin: upload or paste → preview with doubts → confirm or cancel.

The preview is parsed in the request (about 0.1 s per MB of text, and the upload is at most
``NOTICE_MAX_UPLOAD_BYTES``). Confirming loads the notice at once, or — a notice of more than
``NOTICE_BACKGROUND_TASKS`` tasks — as a background job (kind ``notice_import``, built by
``rectify.background.job_kinds``) whose page shows the tasks written and then links to the
round it created.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from rectify.models.outcomes import FigureKind
from rectify.notice_import import parse_notice
from rectify.notice_import.count_checks import stated_totals
from rectify.notice_import.notice_forms import NoticeConfirmForm, NoticeSourceForm
from rectify.notice_import.notice_loader import ImportRefused, find_existing, load_notice
from rectify.notice_import.parsed_notice import ParsedNode
from rectify.services import jobs

#: The kind of job of a large notice's import (registered by ``rectify.background.job_kinds``).
NOTICE_IMPORT_JOB = "notice_import"


def _rows(nodes: list[ParsedNode], doubts_by_line: dict[int, list[str]], depth: int = 1):
    """Flatten the parsed tree for the template, each row with the doubts of its line."""
    for node in nodes:
        yield {
            "node": node,
            "depth": depth,
            "label_differs": bool(node.label) and node.label != node.number,
            "doubts": doubts_by_line.get(node.line, []),
            "figures": [_figure_text(figure) for figure in node.figures],
            "kinds": _kind_choices(node.kind),
        }
        yield from _rows(node.children, doubts_by_line, depth + 1)


def _kind_choices(current: str) -> list[tuple[str, str, bool]]:
    """The select of a heading in the preview: task, category or overall text."""
    return [(value, label, value == current) for value, label in (
        ("task", _("整改任务")), ("category", _("问题类别")), ("overall", _("整体情况（不导入）")),
    )]


def _figure_text(figure) -> str:
    """"建立完善制度 12 项": a proposed outcome figure as the preview lists it."""
    return f"{FigureKind(figure.kind).label} {figure.value} {figure.unit}"


def import_notice_view(model_admin, request):
    """One view, three steps: the source form, the preview, the confirmed import."""
    if not model_admin.has_add_permission(request):
        raise PermissionDenied
    context = {**model_admin.admin_site.each_context(request),
               "opts": model_admin.model._meta, "title": _("导入通报")}
    step = request.POST.get("step") if request.method == "POST" else None

    if step == "confirm":
        form = NoticeConfirmForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("导入数据不完整，请重新上传。"))
            return redirect(request.path)
        text, kinds = form.cleaned_data["notice_text"], form.cleaned_data["kinds"]
        parsed = parse_notice(text, kinds)
        party_group = form.cleaned_data["party_group"] or None
        if parsed.task_count > settings.NOTICE_BACKGROUND_TASKS:
            return _load_in_background(request, text, kinds, parsed, party_group)
        try:
            with transaction.atomic():
                notice = load_notice(parsed, party_group=party_group, user=request.user)
        except ImportRefused as exc:
            messages.error(request, str(exc))
            return redirect(request.path)
        messages.success(request, _(
            "已导入“{title}”：{tasks} 项整改任务、{measures} 条措施；{doubts} 处疑点请逐一核对。"
        ).format(title=notice.title, tasks=parsed.task_count, measures=parsed.measure_count,
                 doubts=len(parsed.doubts)))
        return redirect(reverse("admin:rectify_inspectionround_change", args=[notice.round_id]))

    if step == "repreview":
        # The same text again, read with the kinds chosen in the preview.
        form = NoticeConfirmForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("导入数据不完整，请重新上传。"))
            return redirect(request.path)
        data = form.cleaned_data
        return _preview(request, context, data["notice_text"], data["party_group"],
                        data["kinds"])
    form = NoticeSourceForm(request.POST or None, request.FILES or None)
    if step == "preview" and form.is_valid():
        return _preview(request, context, form.cleaned_data["notice_text"],
                        form.cleaned_data.get("party_group") or "", {})
    context["form"] = form
    return TemplateResponse(request, "admin/rectify/import_notice.html", context)


def _preview(request, context, text: str, party_group: str, kinds: dict[int, str]):
    """The parsed tree, the headings set aside, the doubts and the stated totals."""
    parsed = parse_notice(text, kinds)
    doubts_by_line: dict[int, list[str]] = {}
    for doubt in parsed.doubts:
        doubts_by_line.setdefault(doubt.line, []).append(doubt.message)
    context.update(
        parsed=parsed,
        rows=list(_rows(parsed.nodes, doubts_by_line)),
        set_aside=[
            {"entry": entry, "doubts": doubts_by_line.get(entry.line, []),
             "kinds": _kind_choices("overall")}
            for entry in parsed.set_aside
        ],
        totals=stated_totals(parsed),
        figure_count=sum(len(node.figures) for node in parsed.iter_tasks()),
        duplicate=find_existing(parsed, party_group or None),
        confirm_form=NoticeConfirmForm(initial={
            "notice_text": text, "party_group": party_group,
            "kinds": json.dumps(parsed.kinds) if parsed.kinds else "",
        }),
        party_group=party_group or parsed.issuer,
        title=_("导入通报：预览"),
    )
    return TemplateResponse(request, "admin/rectify/import_preview.html", context)


def _load_in_background(request, text: str, kinds: dict[int, str], parsed,
                        party_group: str | None):
    """A large notice: loaded by a background job, which parses the same text with the same
    choices again (the same checks: a notice imported before is refused at once); the user
    follows it on the job's page."""
    if find_existing(parsed, party_group):
        messages.error(request, _("该通报已导入过（同一党组织、标题和日期），未重复导入。"))
        return redirect(request.path)
    job = jobs.submit(NOTICE_IMPORT_JOB, request.user,
                      {"text": text, "party_group": party_group or "",
                       "kinds": {str(line): kind for line, kind in kinds.items()}},
                      total=parsed.task_count)
    request.session[jobs.SESSION_FLAG] = True
    return redirect("jobs:detail", job.pk)
