"""A user's background jobs: the list (/jobs/), one job's page with its progress bar
(/jobs/<id>/, refreshed from /jobs/<id>/status/, JSON), and the result's download.

Only the user who asked for a job sees it (``permissions.visible``); anyone else gets 404,
as if it did not exist. The result is read from the private folder ``JOB_RESULT_DIR``.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from rectify.models import Job
from rectify.rules import permissions
from rectify.services import jobs

logger = logging.getLogger(__name__)

#: Jobs shown on the list, newest first.
LIST_SIZE = 30


def _own(request, pk: int) -> Job:
    return get_object_or_404(permissions.visible(Job, request.user), pk=pk)


def rows_text(job: Job) -> str:
    if job.rows_total is None:
        return _("已完成 {done} 行").format(done=job.rows_done)
    return _("已完成 {done} / {total} 行").format(done=job.rows_done, total=job.rows_total)


@login_required
@require_safe
def job_list(request):
    rows = [(job, jobs.kind_label(job.kind)) for job in
            permissions.visible(Job, request.user).defer("params")[:LIST_SIZE]]
    return render(request, "jobs/job_list.html", {
        "rows": rows, "ttl_hours": settings.JOB_RESULT_TTL_HOURS})


@login_required
@require_safe
def job_detail(request, pk: int):
    job = _own(request, pk)
    return render(request, "jobs/job_detail.html", {
        "job": job, "label": jobs.kind_label(job.kind), "rows_text": rows_text(job)})


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
        "message": job.message,
        "error": job.error,
        "download_url": reverse("jobs:download", args=[job.pk]) if job.downloadable else None,
    })


@login_required
@require_safe
def job_download(request, pk: int):
    job = _own(request, pk)
    path = jobs.result_path(job)
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
