"""The kinds of background job, registered with ``rectify.services.jobs``: those that need a
surface to build them — the ledger export and the import of a large ledger, its preview and
its apply (``rectify.ledger``), a large round's report and plan
(``rectify.workpages.round_pages``), a large notice's import (``rectify.admin.import_admin``
on ``rectify.notice_import``) — and the periodic work (``periodic_jobs``: reminders,
statistics snapshots).

A kind that writes records (the ledger's apply, the notice's import) writes them inside
``progress.atomic()`` and records its outcome there with ``progress.commit``: a run that
finds the outcome (its worker died after the transaction committed) writes nothing again
and reports what the first run did.
"""

from __future__ import annotations

from django.http import QueryDict
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext_lazy

from rectify.admin.import_admin import NOTICE_IMPORT_JOB
from rectify.background import periodic_jobs
from rectify.ledger import ledger_views
from rectify.ledger.ledger_apply import LedgerImportError, apply_plan
from rectify.ledger.ledger_plan import PlanSummary, read_ledger
from rectify.ledger.ledger_upload import LedgerFileError
from rectify.models import InspectionRound
from rectify.notice_import import parse_notice
from rectify.notice_import.node_kinds import clean_kinds
from rectify.notice_import.notice_loader import ImportRefused, load_notice
from rectify.rules import permissions
from rectify.services import jobs
from rectify.workpages import round_pages

#: Refusals quoted in a failed import's message (all of them are on the preview).
QUOTED_ERRORS = 10


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


# -- the import of a large ledger: preview, then apply -------------------------------------


def _may_import(job) -> None:
    """The user who asked may still import (staff): else the job fails saying so."""
    if not permissions.can_import(job.requested_by):
        raise jobs.JobError(_("您已无权导入（只有巡察办工作人员可以导入），未执行。"))


def _upload(job):
    """The pending upload the job reads, or a failure saying it is gone."""
    _may_import(job)
    try:
        path = ledger_views.upload_path(job.params.get("token", ""))
    except FileNotFoundError:
        path = None
    if path is None or not path.is_file():
        raise jobs.JobError(_("上传的台账文件已不存在（导入已取消、已完成，或之后又上传了"
                              "别的台账），未能继续：请重新上传。"))
    return path


def run_ledger_preview(job, out, progress) -> jobs.Output:
    """Read the uploaded ledger and compare it with the records: the preview, kept as the
    job's result (not a download) for the ledger's preview page."""
    path = _upload(job)
    try:
        plan = read_ledger(path, job.requested_by, filename=job.params.get("name", ""),
                           progress=progress)
    except LedgerFileError as exc:
        path.unlink(missing_ok=True)
        raise jobs.JobError(str(exc))
    if plan.errors or not plan.rows:
        path.unlink(missing_ok=True)  # nothing to confirm
    out.write(PlanSummary.of(plan).to_json())
    if plan.errors:
        message = _("有 {count} 处问题，整份台账不能导入：请查看预览中的问题清单。").format(
            count=len(plan.errors) + plan.more_errors)
    elif not plan.rows:
        message = _("台账与当前记录一致，没有需要导入的修改。")
    else:
        message = _("将修改 {tasks} 项任务的 {cells} 处内容：请查看预览，确认后导入。").format(
            tasks=len(plan.rows), cells=len(plan.changes))
    progress(plan.row_count, plan.row_count)
    return jobs.Output(message=message)


def _refused(errors, more: int = 0) -> jobs.JobError:
    listed = "\n".join(str(error) for error in errors[:QUOTED_ERRORS])
    rest = len(errors) - QUOTED_ERRORS + more
    if rest > 0:
        listed += "\n" + _("另有 {count} 处问题。").format(count=rest)
    return jobs.JobError(_("台账未导入，没有写入任何修改：\n{errors}\n请改正后重新上传"
                           "（导出之后被他人修改过的任务，请重新导出台账后再修改）。"
                           ).format(errors=listed))


def run_ledger_apply(job, out, progress) -> jobs.Output:
    """Read and check the previewed ledger again and write it, all or nothing, the outcome
    committed with the writes."""
    outcome = job.outcome
    if outcome is None:
        path = _upload(job)
        name = job.params.get("name", "")
        try:
            plan = read_ledger(path, job.requested_by, filename=name, progress=progress)
            if plan.errors:
                raise _refused(plan.errors, plan.more_errors)
            with progress.atomic():
                changed = apply_plan(plan, job.requested_by, progress=progress)
                outcome = progress.commit({"name": name, "tasks": changed,
                                           "cells": len(plan.changes)})
        except LedgerFileError as exc:
            path.unlink(missing_ok=True)
            raise jobs.JobError(str(exc))
        except LedgerImportError as exc:
            path.unlink(missing_ok=True)
            raise _refused(exc.errors)
        except jobs.JobError:
            path.unlink(missing_ok=True)
            raise
        path.unlink(missing_ok=True)
        progress(changed, changed)
    return jobs.Output(message=ledger_views.applied_message(
        outcome["name"], outcome["tasks"], outcome["cells"]))


def _ledger_links(job) -> list[tuple[str, str]]:
    links = []
    if job.kind == ledger_views.PREVIEW_JOB and job.state == "done":
        links.append((_("查看导入预览"), reverse("ledger:job_preview", args=[job.pk])))
    return [*links, (_("返回整改台账"), reverse("ledger:index"))]


# -- the import of a large notice ------------------------------------------------------------


def run_notice_import(job, out, progress) -> jobs.Output:
    """Parse the confirmed text again, with the headings' kinds chosen in the preview, and
    load it (round, tree, measures, figures, notice) in one transaction, the outcome
    committed with it."""
    outcome = job.outcome
    if outcome is None:
        _may_import(job)
        progress(0, step=_("解析通报"))
        parsed = parse_notice(job.params.get("text") or "",
                              clean_kinds(job.params.get("kinds")))
        progress(0, parsed.task_count, step=_("写入整改任务（全部成功才生效）"))
        try:
            with progress.atomic():
                notice = load_notice(parsed, party_group=job.params.get("party_group") or None,
                                     user=job.requested_by, progress=progress)
                outcome = progress.commit({
                    "round": notice.round_id, "title": notice.title,
                    "tasks": parsed.task_count, "measures": parsed.measure_count,
                    "doubts": len(parsed.doubts)})
        except ImportRefused as exc:
            raise jobs.JobError(str(exc))
    return jobs.Output(message=_(
        "已导入“{title}”：{tasks} 项整改任务、{measures} 条措施；{doubts} 处疑点请逐一核对。"
    ).format(**{key: outcome[key] for key in ("title", "tasks", "measures", "doubts")}))


def _notice_links(job) -> list[tuple[str, str]]:
    links = []
    if job.outcome and job.outcome.get("round"):
        links.append((_("查看导入的巡察轮次"),
                      reverse("admin:rectify_inspectionround_change",
                              args=[job.outcome["round"]])))
    return [*links, (_("导入通报"), reverse("admin:rectify_inspectionround_import"))]


def _round_links(job) -> list[tuple[str, str]]:
    return [(_("返回巡察轮次"), reverse("work:round", args=[job.params.get("round")]))]


TASKS, MAILS = pgettext_lazy("progress unit", "项"), pgettext_lazy("progress unit", "封")
ROUNDS = pgettext_lazy("progress unit", "个巡察轮次")

jobs.register(round_pages.ROUND_DOCUMENT_JOB, gettext_lazy("生成巡察轮次文档"),
              run_round_document, unit=TASKS, links=_round_links)
jobs.register(ledger_views.EXPORT_JOB, gettext_lazy("导出整改台账"), run_ledger_export,
              links=_ledger_links)
jobs.register(ledger_views.PREVIEW_JOB, gettext_lazy("台账导入：预览"), run_ledger_preview,
              links=_ledger_links)
jobs.register(ledger_views.APPLY_JOB, gettext_lazy("台账导入：写入"), run_ledger_apply,
              links=_ledger_links)
jobs.register(NOTICE_IMPORT_JOB, gettext_lazy("导入通报"), run_notice_import, unit=TASKS,
              links=_notice_links)
jobs.register(periodic_jobs.REMINDERS_JOB, periodic_jobs.LABELS[periodic_jobs.REMINDERS_JOB],
              periodic_jobs.run_reminders, unit=MAILS, links=periodic_jobs.links)
jobs.register(periodic_jobs.SNAPSHOT_JOB, periodic_jobs.LABELS[periodic_jobs.SNAPSHOT_JOB],
              periodic_jobs.run_snapshot, unit=ROUNDS, links=periodic_jobs.links)
