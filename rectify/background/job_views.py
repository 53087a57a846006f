"""A user's background jobs: the list (/jobs/), one job's page with its progress bar
(/jobs/<id>/, refreshed from /jobs/<id>/status/, JSON), and the result's download; for the
inspection staff, the periodic work (/jobs/periodic/): its schedule, its latest runs, and a
form to start it now.

Only the user who asked for a job sees it (``permissions.visible``), and the staff the jobs
the schedule started; anyone else gets 404, as if it did not exist. The result is read from
the private folder ``JOB_RESULT_DIR``.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from rectify.background import periodic_jobs
from rectify.background.job_forms import PeriodicRunForm
from rectify.models import Job
from rectify.rules import permissions
from rectify.services import jobs

logger = logging.getLogger(__name__)

#: Jobs shown on the list, newest first.
LIST_SIZE = 30
#: Runs of each periodic kind shown on its page.
PERIODIC_RUNS = 5


def _own(request, pk: int) -> Job:
    return get_object_or_404(permissions.visible(Job, request.user), pk=pk)


def rows_text(job: Job) -> str:
    """"已完成 N / M 行" (or 项, 封 …: the kind's unit)."""
    unit = jobs.kind_unit(job.kind)
    if job.rows_total is None:
        return _("已完成 {done} {unit}").format(done=job.rows_done, unit=unit)
    return _("已完成 {done} / {total} {unit}").format(done=job.rows_done, total=job.rows_total,
                                                   unit=unit)


@login_required
@require_safe
def job_list(request):
    rows = [(job, jobs.kind_label(job.kind)) for job in
            permissions.visible(Job, request.user).defer("params")[:LIST_SIZE]]
    return render(request, "jobs/job_list.html", {
        "rows": rows, "ttl_hours": settings.JOB_RESULT_TTL_HOURS,
        "may_run_periodic": permissions.can_run_periodic_jobs(request.user)})


@login_required
@require_safe
def job_detail(request, pk: int):
    job = _own(request, pk)
    return render(request, "jobs/job_detail.html", {
        "job": job, "label": jobs.kind_label(job.kind), "rows_text": rows_text(job),
        "links": jobs.kind_links(job) if job.finished else []})


@login_required
@require_safe
def job_status(request, pk: int):
    """The job's state and progress as JSON, for the page's script."""
    job = _own(request, pk)
    return JsonResponse({
        "id": job.pk,
        "kind": job.kind,
        "state": job.state,
        "state_label": job.get_state_display(),
        "finished": job.finished,
        "rows_done": job.rows_done,
        "rows_total": job.rows_total,
        "percent": job.percent,
        "rows_text": rows_text(job),
        "message": job.message,  # while running: the step; when done: the outcome
        "error": job.error,
        "download_url": reverse("jobs:download", args=[job.pk]) if job.downloadable else None,
    })


@login_required
@require_safe
def job_download(request, pk: int):
    job = _own(request, pk)
    path = jobs.result_path(job) if job.downloadable else None
    if path is None:
        return _no_result(request, job,
                          _("没有可下载的结果：任务尚未完成、已失败，或结果已过期清理。"))
    try:
        handle = path.open("rb")
    except FileNotFoundError:
        logger.error("The result %s of job %s is missing", path, job.pk)
        return _no_result(request, job, _("结果文件已不存在，请重新提交。"))
    return FileResponse(handle, as_attachment=True, filename=job.result_filename,
                        content_type=job.content_type)


def _no_result(request, job: Job, message: str):
    """A 404 that says why there is nothing to download, leading back to the job's page."""
    return render(request, "errors/work.html", {
        "status": 404, "title": _("没有可下载的结果"), "message": message,
        "home": reverse("jobs:detail", args=[job.pk])}, status=404)


def _require_periodic(request) -> None:
    if not permissions.can_run_periodic_jobs(request.user):
        raise PermissionDenied(_("只有巡察办工作人员可以运行定时任务。"))


@login_required
@require_safe
def periodic(request):
    """The periodic work: when the schedule runs it, its latest runs, start it now."""
    _require_periodic(request)
    return _periodic_page(request)


def _periodic_page(request, *, forms: dict | None = None, status: int = 200):
    forms = forms or {}
    visible = permissions.visible(Job, request.user).defer("params")
    kinds = []
    for kind in periodic_jobs.SETTINGS:
        kinds.append({
            "kind": kind,
            "label": jobs.kind_label(kind),
            "schedule": periodic_jobs.schedule_text(kind),
            "runs": list(visible.filter(kind=kind)[:PERIODIC_RUNS]),
            "form": forms.get(kind) or PeriodicRunForm(
                dry_run=kind == periodic_jobs.REMINDERS_JOB, auto_id=f"id_{kind}_%s"),
        })
    return render(request, "jobs/periodic.html", {
        "kinds": kinds, "sweep": periodic_jobs.sweep_text(),
        "ttl_hours": settings.JOB_RESULT_TTL_HOURS}, status=status)


@login_required
@require_POST
def run_periodic(request, kind: str):
    """Start a periodic kind now, as the user's own job, and follow it on its page."""
    _require_periodic(request)
    if kind not in periodic_jobs.SETTINGS:
        raise Http404
    form = PeriodicRunForm(request.POST, dry_run=kind == periodic_jobs.REMINDERS_JOB,
                           auto_id=f"id_{kind}_%s")
    if not form.is_valid():
        return _periodic_page(request, forms={kind: form}, status=400)
    job = jobs.submit(kind, request.user, form.params())
    request.session[jobs.SESSION_FLAG] = True
    return redirect("jobs:detail", job.pk)
