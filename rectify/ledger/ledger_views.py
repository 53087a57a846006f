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
from django.http import FileResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from rectify.ledger.ledger_apply import LedgerImportError, apply_plan
from rectify.ledger.ledger_export import write_ledger
from rectify.ledger.ledger_forms import LedgerUploadForm, describe
from rectify.ledger.ledger_plan import read_ledger
from rectify.ledger.ledger_upload import LedgerFileError, save_upload
from rectify.models import RectificationTask
from rectify.rules import permissions
from rectify.services import jobs
from rectify.services.filtersets import TaskFilterSet

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: The kind of job of a large export (registered by ``rectify.background.job_kinds``).
EXPORT_JOB = "ledger_export"
#: The query keys that are not filters.
NOT_FILTERS = ("export", "history")
SESSION_KEY = "rectify_ledger_upload"
#: Uploads left behind (a preview never confirmed nor cancelled) are removed after this.
STALE_SECONDS = 24 * 3600


def upload_dir() -> Path:
    return Path(getattr(settings, "LEDGER_UPLOAD_DIR",
                        Path(settings.BASE_DIR) / "var" / "ledger-uploads"))


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
    return render(request, "ledger/ledger.html", {
        "filterset": filterset,
        "valid": valid,
        "count": filterset.qs.count() if valid else 0,
        "query": query.urlencode(),
        "history": bool(request.GET.get("history")),
        "may_import": permissions.can_import(request.user),
        "background_rows": settings.LEDGER_BACKGROUND_ROWS,
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
        (upload_dir() / f"{pending['token']}.xlsx").unlink(missing_ok=True)


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
    """Upload an edited ledger: every cell that would change, or every reason it cannot."""
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
        plan = read_ledger(path, request.user, filename=upload.name)
    except LedgerFileError as exc:
        path.unlink(missing_ok=True)
        form.add_error("file", str(exc))
        return _page(request, _filterset(request), valid=True, form=form, status=400)
    if plan.errors or not plan.rows:
        path.unlink(missing_ok=True)
        return render(request, "ledger/preview.html", {"plan": plan},
                      status=400 if plan.errors else 200)
    request.session[SESSION_KEY] = {"token": token, "name": upload.name}
    return render(request, "ledger/preview.html", {"plan": plan, "token": token})


@login_required
@require_POST
def import_apply(request):
    """Re-read the previewed file and apply it, all or nothing."""
    _require_import(request)
    pending = request.session.get(SESSION_KEY)
    if not pending or request.POST.get("token") != pending["token"]:
        messages.error(request, _("没有待导入的台账，或预览已失效：请重新上传。"))
        return redirect("ledger:index")
    path = upload_dir() / f"{pending['token']}.xlsx"
    try:
        plan = read_ledger(path, request.user, filename=pending["name"])
        if plan.errors:
            return render(request, "ledger/preview.html", {"plan": plan}, status=409)
        changed = apply_plan(plan, request.user)
    except FileNotFoundError:
        messages.error(request, _("没有待导入的台账，或预览已失效：请重新上传。"))
        return redirect("ledger:index")
    except LedgerFileError as exc:
        messages.error(request, str(exc))
        return redirect("ledger:index")
    except LedgerImportError as exc:
        plan.errors = exc.errors
        return render(request, "ledger/preview.html", {"plan": plan}, status=409)
    finally:
        _forget(request)
    messages.success(request, _(
        "已导入台账“{name}”：修改了 {tasks} 项任务的 {cells} 处内容。"
    ).format(name=pending["name"], tasks=changed, cells=len(plan.changes)))
    return redirect("ledger:index")


@login_required
@require_POST
def import_cancel(request):
    _require_import(request)
    _forget(request)
    messages.info(request, _("已取消导入，未作任何修改。"))
    return redirect("ledger:index")
