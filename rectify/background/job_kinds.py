"""The kinds of background job that need a surface to build them, registered with
``rectify.services.jobs``: the ledger export (``rectify.ledger``) and a large round's report
and plan (``rectify.workpages.round_pages``).

Other kinds (documents of a large round, notice imports, …) are registered the same way, by
the lowest layer that can build them.
"""

from __future__ import annotations

from django.http import QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from rectify.ledger import ledger_views
from rectify.models import InspectionRound
from rectify.rules import permissions
from rectify.services import jobs
from rectify.workpages import round_pages


def run_ledger_export(job, out, progress) -> jobs.Output:
    """The ledger of the selection the user asked for, as the user sees it now."""
    data = QueryDict(mutable=True)
    for key, values in (job.params.get("filters") or {}).items():
        data.setlist(key, [str(value) for value in values])
    filterset = ledger_views.filterset_for(job.requested_by, data)
    if filterset.is_bound and not filterset.is_valid():
        raise jobs.JobError(_("筛选条件已失效，未导出（{errors}）。请回到台账页重新筛选。").format(
            errors=_form_errors(filterset.form)))
    name, count = ledger_views.export_to(out, filterset, history=bool(job.params.get("history")),
                                         progress=progress)
    return jobs.Output(
        filename=name, content_type=ledger_views.XLSX,
        message=ngettext("共导出 {count} 项整改任务。", "共导出 {count} 项整改任务。",
                         count).format(count=count))


def _form_errors(form) -> str:
    """"巡察轮次：选择一个有效的选项…；…": each field's label and its messages."""
    parts = []
    for name, messages in form.errors.items():
        field = form.fields.get(name)
        text = "".join(str(message) for message in messages)
        parts.append(f"{field.label}：{text}" if field is not None and field.label else text)
    return "；".join(parts)


def run_round_document(job, out, progress) -> jobs.Output:
    """A round's report or plan, from its records as they are now, if the user may still
    see the round."""
    rnd = (permissions.visible(InspectionRound, job.requested_by)
           .select_related("party_group").filter(pk=job.params.get("round")).first())
    document = job.params.get("document")
    if rnd is None or document not in round_pages.DOCUMENTS:
        raise jobs.JobError(_("该巡察轮次已不存在或您已无权查看，未生成文档。"))
    name, content_type = round_pages.write_document(
        rnd, document, out, next_steps_url=job.params.get("next_steps_url", ""),
        progress=progress)
    return jobs.Output(filename=name, content_type=content_type)


jobs.register(round_pages.ROUND_DOCUMENT_JOB, gettext_lazy("生成巡察轮次文档"),
              run_round_document)
jobs.register(ledger_views.EXPORT_JOB, gettext_lazy("导出整改台账"), run_ledger_export)
