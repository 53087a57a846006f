"""The ledger page (/ledger/): filter, count, export; upload an edited ledger, preview, apply.

Who may do what (``rectify.rules.permissions``): everybody logged in exports what they may see —
staff and auditors every task, a clerk its own bureaus' tasks (``permissions.visible``). Importing
(upload, preview, apply) is for inspection staff only: auditors read, and clerks change
their tasks through their own forms, where the rule on which fields they may write lives.

An uploaded ledger waits for confirmation as a file under a random name in a private
directory (``LEDGER_UPLOAD_DIR``, default ``var/ledger-uploads/``, outside the static and
media roots), named in the session; confirming re-reads and re-checks that same file, and it
is deleted after apply or cancel (and any left behind after a day).

An export of more than ``LEDGER_BACKGROUND_ROWS`` tasks does not hold the request: it is a
background job (``rectify.services.jobs``, kind ``ledger_export``, built by
:func:`export_to`) and the user follows it on its page (/jobs/<id>/).

So is the import of a workbook of more than ``LEDGER_IMPORT_BACKGROUND_ROWS`` rows, in its two
steps (kinds ``ledger_import_preview`` and ``ledger_import_apply``, built by
``rectify.background.job_kinds``): the upload leads to the preview job's page, whose outcome
links to the preview (/ledger/import/jobs/<id>/, read from the job's stored
``PlanSummary``); confirming it (the same form, the same pending upload in the session)
leads to the apply job's page. The apply job reads and checks the file again and writes it
all or nothing, as the request does for a small ledger.
"""

from __future__ import annotations

import secrets
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from rectify.ledger.ledger_apply import LedgerImportError, apply_plan
from rectify.ledger.ledger_export import write_ledger
from rectify.ledger.ledger_forms import LedgerUploadForm, describe
from rectify.ledger.ledger_plan import PlanSummary, read_ledger
from rectify.ledger.ledger_sheet import count_rows
from rectify.ledger.ledger_upload import LedgerFileError, check_file, save_upload
from rectify.models import Job, JobState, RectificationTask
from rectify.rules import permissions
from rectify.services import filtersets, jobs
from rectify.services.filtersets import TaskFilterSet

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: The kinds of job of a large export, and of a large import's preview and apply (registered
#: by ``rectify.background.job_kinds``).
EXPORT_JOB = "ledger_export"
PREVIEW_JOB = "ledger_import_preview"
APPLY_JOB = "ledger_import_apply"
#: Changes listed on one page of a background import's preview.
PREVIEW_PAGE = 500
#: The query keys that are not filters.
NOT_FILTERS = ("export", "history")
SESSION_KEY = "rectify_ledger_upload"
#: Uploads left behind (a preview never confirmed nor cancelled) are removed after this.
STALE_SECONDS = 24 * 3600


def upload_dir() -> Path:
    return Path(getattr(settings, "LEDGER_UPLOAD_DIR",
                        Path(settings.BASE_DIR) / "var" / "ledger-uploads"))


def upload_path(token: str) -> Path:
    """The pending upload named ``token`` (hex only: never a path of the user's choosing)."""
    if not token or not all(c in "0123456789abcdef" for c in token):
        raise FileNotFoundError(token)
    return upload_dir() / f"{token}.xlsx"


def _filterset(request):
    tasks = permissions.visible(RectificationTask, request.user)
    return TaskFilterSet(request.GET or None, queryset=tasks, request=request)


def filterset_for(user, data: QueryDict):
    """The ledger's filters as ``user`` sees them, outside a request (a background export)."""
    tasks = permissions.visible(RectificationTask, user)
    return TaskFilterSet(data or None, queryset=tasks, request=SimpleNamespace(user=user))


@login_required
@require_safe
def ledger(request):
    """The filter form, the number of matching tasks, the export button and the upload form."""
    filterset = _filterset(request)
    valid = not filterset.is_bound or filterset.is_valid()
    if valid and "export" in request.GET:
        count = filterset.qs.count()
        if count > settings.LEDGER_BACKGROUND_ROWS:
            return _export_in_background(request, count)
        return _export(request, filterset)
    return _page(request, filterset, valid=valid)


def _page(request, filterset, *, valid: bool, form=None, status: int = 200):
    query = request.GET.copy()
    for key in NOT_FILTERS:
        query.pop(key, None)
    active = filtersets.active_filters(filterset.form)
    return render(request, "ledger/ledger.html", {
        "filterset": filterset,
        "valid": valid,
        "active_filters": active,
        "filters_open": bool(active) or not valid,
        "count": filterset.qs.count() if valid else 0,
        "query": query.urlencode(),
        "history": bool(request.GET.get("history")),
        "may_import": permissions.can_import(request.user),
        "background_rows": settings.LEDGER_BACKGROUND_ROWS,
        "import_background_rows": settings.LEDGER_IMPORT_BACKGROUND_ROWS,
        "upload_form": form or LedgerUploadForm(),
    }, status=status)


def _export(request, filterset) -> FileResponse:
    out = tempfile.TemporaryFile()  # noqa: SIM115 -- FileResponse closes (and so deletes) it
    name, _count = export_to(out, filterset, history=bool(request.GET.get("history")))
    out.seek(0)
    return FileResponse(out, as_attachment=True, filename=name, content_type=XLSX)


def export_to(out, filterset, *, history: bool, progress=None) -> tuple[str, int]:
    """Write the ledger of a valid filterset to ``out``: (the download's name, rows)."""
    now = timezone.localtime()
    count = write_ledger(out, filterset.qs, selection=describe(filterset), history=history,
                         now=now, progress=progress)
    return _("整改台账-{time}.xlsx").format(time=now.strftime("%Y%m%d-%H%M")), count


def _export_in_background(request, count: int):
    """A large selection: a background job, and its page."""
    filters = {key: values for key, values in request.GET.lists() if key not in NOT_FILTERS}
    job = jobs.submit(EXPORT_JOB, request.user,
                      {"filters": filters, "history": bool(request.GET.get("history"))},
                      total=count)
    request.session[jobs.SESSION_FLAG] = True
    return redirect("jobs:detail", job.pk)


def _require_import(request) -> None:
    if not permissions.can_import(request.user):
        raise PermissionDenied(_("只有巡察办工作人员可以导入台账。"))


def _forget(request) -> None:
    """Delete the pending upload of this session, if any."""
    pending = request.session.pop(SESSION_KEY, None)
    if pending:
        try:
            upload_path(pending["token"]).unlink(missing_ok=True)
        except FileNotFoundError:  # not a token this view wrote
            pass


def _sweep() -> None:
    """Remove uploads nobody confirmed or cancelled."""
    directory = upload_dir()
    if not directory.is_dir():
        return
    limit = time.time() - STALE_SECONDS
    for path in directory.glob("*.xlsx"):
        try:
            if path.stat().st_mtime < limit:
                path.unlink()
        except OSError:
            continue


@login_required
@require_POST
def import_preview(request):
    """Upload an edited ledger: every cell that would change, or every reason it cannot. A
    large workbook is read and compared by a background job, whose page the user follows."""
    _require_import(request)
    form = LedgerUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, _filterset(request), valid=True, form=form, status=400)
    _forget(request)
    _sweep()
    upload = form.cleaned_data["file"]
    token = secrets.token_hex(16)
    path = save_upload(upload, upload_dir(), f"{token}.xlsx")
    try:
        check_file(path, upload.name)
        rows = count_rows(path)
        if rows > settings.LEDGER_IMPORT_BACKGROUND_ROWS:
            job = jobs.submit(PREVIEW_JOB, request.user, {"token": token, "name": upload.name},
                              total=rows)
            request.session[SESSION_KEY] = {"token": token, "name": upload.name,
                                            "job": job.pk}
            request.session[jobs.SESSION_FLAG] = True
            return redirect("jobs:detail", job.pk)
        plan = read_ledger(path, request.user, filename=upload.name)
    except LedgerFileError as exc:
        path.unlink(missing_ok=True)
        form.add_error("file", str(exc))
        return _page(request, _filterset(request), valid=True, form=form, status=400)
    if plan.errors or not plan.rows:
        path.unlink(missing_ok=True)
        return _preview(request, plan, status=400 if plan.errors else 200)
    request.session[SESSION_KEY] = {"token": token, "name": upload.name}
    return _preview(request, plan, token=token)


def _preview(request, plan, *, token: str | None = None, status: int = 200, page=None,
             job: Job | None = None):
    """The preview page of a plan (an ``ImportPlan``, or a background preview's
    ``PlanSummary``, whose changes come a page at a time)."""
    return render(request, "ledger/preview.html", {
        "plan": plan, "token": token, "job": job, "page": page,
        "changes": page.object_list if page is not None else plan.changes,
        "change_count": page.paginator.count if page is not None else len(plan.changes),
    }, status=status)


@login_required
@require_safe
def import_job_preview(request, pk: int):
    """The preview a background job made: the same page, its changes a page at a time; the
    confirmation is offered while the upload it read is still the session's pending one."""
    _require_import(request)
    job = get_object_or_404(permissions.visible(Job, request.user).filter(kind=PREVIEW_JOB),
                            pk=pk)
    if job.state != JobState.DONE:
        return redirect("jobs:detail", job.pk)
    path = jobs.result_path(job)
    try:
        summary = PlanSummary.from_json(path.read_bytes()) if path else None
    except FileNotFoundError:
        summary = None
    if summary is None:
        messages.error(request, _("该预览已过期清理：请重新上传台账。"))
        return redirect("ledger:index")
    pending = request.session.get(SESSION_KEY) or {}
    token = (pending["token"] if pending.get("job") == job.pk and summary.ok
             and summary.task_count else None)
    page = Paginator(summary.changes, PREVIEW_PAGE).get_page(request.GET.get("page"))
    return _preview(request, summary, token=token, page=page, job=job)


@login_required
@require_POST
def import_apply(request):
    """Re-read the previewed file and apply it, all or nothing; a ledger previewed in the
    background is applied in the background."""
    _require_import(request)
    pending = request.session.get(SESSION_KEY)
    if not pending or request.POST.get("token") != pending["token"]:
        messages.error(request, _("没有待导入的台账，或预览已失效：请重新上传。"))
        return redirect("ledger:index")
    if pending.get("job"):
        # The pending upload is the apply job's now: a second click finds nothing to apply.
        del request.session[SESSION_KEY]
        job = jobs.submit(APPLY_JOB, request.user,
                          {"token": pending["token"], "name": pending["name"],
                           "preview": pending["job"]})
        request.session[jobs.SESSION_FLAG] = True
        return redirect("jobs:detail", job.pk)
    try:
        path = upload_path(pending["token"])
        plan = read_ledger(path, request.user, filename=pending["name"])
        if plan.errors:
            return _preview(request, plan, status=409)
        changed = apply_plan(plan, request.user)
    except FileNotFoundError:
        messages.error(request, _("没有待导入的台账，或预览已失效：请重新上传。"))
        return redirect("ledger:index")
    except LedgerFileError as exc:
        messages.error(request, str(exc))
        return redirect("ledger:index")
    except LedgerImportError as exc:
        plan.errors = exc.errors
        return _preview(request, plan, status=409)
    finally:
        _forget(request)
    messages.success(request, applied_message(pending["name"], changed, len(plan.changes)))
    return redirect("ledger:index")


def applied_message(name: str, tasks: int, cells: int) -> str:
    return _("已导入台账“{name}”：修改了 {tasks} 项任务的 {cells} 处内容。").format(
        name=name, tasks=tasks, cells=cells)


@login_required
@require_POST
def import_cancel(request):
    _require_import(request)
    _forget(request)
    messages.info(request, _("已取消导入，未作任何修改。"))
    return redirect("ledger:index")
