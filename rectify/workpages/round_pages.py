"""A round's page (/work/rounds/<id>/) and its documents: the rectification report
(整改情况报告, ``report.docx``) and the plan's three lists (整改方案, ``plan.xlsx`` and
``plan.docx``), built from the records as they are now by ``rectify.documents``.

Who (``rectify.rules.permissions``): whoever may see the round — staff, auditors, the round's
bureau — reads the page and downloads its documents; anyone else gets 404. Staff and the
round's bureau (its clerks and leaders) write its 下一步工作打算 (``can_edit_round_report``);
auditors read it (403 on a POST). A save over a newer version is refused (409) showing who
saved it and what it says now, with the user's text kept in the form.

A round of more than ``DOCUMENT_BACKGROUND_TASKS`` tasks does not hold the request: its
document is a background job (``rectify.services.jobs``, kind ``ROUND_DOCUMENT_JOB``, built
by :func:`write_document`), and the user is taken to the job's page with its progress bar.
"""

from __future__ import annotations

import tempfile

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from rectify.documents.gongwen_docx import render_docx
from rectify.documents.round_plan import build_plan, plan_filename, write_plan_xlsx
from rectify.documents.round_report import build_report, report_filename
from rectify.models import InspectionRound, Publication, RectificationTask
from rectify.rules import due_dates, permissions
from rectify.rules.history import stale_message
from rectify.services import jobs
from rectify.services.next_steps import save_next_steps
from rectify.services.records import StaleRecord
from rectify.workpages import work_forms as forms
from rectify.workpages.work_views import _add_errors

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: The background job that builds a large round's document (registered by rectify.background).
ROUND_DOCUMENT_JOB = "round_document"
#: The documents of a round: name -> content type.
DOCUMENTS = {"report.docx": DOCX, "plan.docx": DOCX, "plan.xlsx": XLSX}


def _visible_round(request, pk: int) -> InspectionRound:
    """A round the user may see (else 404), with its party group."""
    rounds = due_dates.with_final_published(
        permissions.visible(InspectionRound, request.user)).select_related("party_group")
    return get_object_or_404(rounds, pk=pk)


@login_required
def round_page(request, pk: int):
    """The round: its timetable, its documents, its published notice, and its
    下一步工作打算 (a form for those who may write it)."""
    rnd = _visible_round(request, pk)
    may_edit = permissions.can_edit_round_report(request.user, rnd)
    status = 200
    if request.method == "POST":
        if not may_edit:
            raise PermissionDenied(_("下一步工作打算由巡察办工作人员和本单位联络员、负责人填写。"))
        form = forms.NextStepsForm(request.POST)
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                save_next_steps(rnd, request.user, data["next_steps"],
                                expected_version=data["version"])
            except StaleRecord as error:
                form.add_error(None, stale_message(
                    error.current, {"next_steps": data["next_steps"]}, data["version"]))
                rnd = _visible_round(request, pk)
                status = 409
            except ValidationError as error:
                _add_errors(form, error)
                rnd = _visible_round(request, pk)
            else:
                messages.success(request, _("下一步工作打算已保存，重新下载整改情况报告即可看到。"))
                return redirect("work:round", pk=rnd.pk)
    elif request.method in ("GET", "HEAD"):
        form = forms.NextStepsForm(initial={"version": rnd.version,
                                            "next_steps": rnd.next_steps})
    else:
        return HttpResponseNotAllowed(["GET", "POST"])
    today = timezone.localdate()
    publication = (permissions.visible(Publication, request.user).current()
                   .filter(round=rnd).order_by("-version").first())
    return render(request, "work/round_page.html", {
        "round": rnd, "may_edit": may_edit, "form": form if may_edit else None,
        "milestones": due_dates.milestones(rnd, today, final_published=rnd.final_published),
        "task_count": RectificationTask.objects.filter(round=rnd).count(),
        "publication": publication,
        "next_steps": [line for line in rnd.next_steps.splitlines() if line.strip()],
    }, status=status)


def write_document(rnd: InspectionRound, document: str, out, *, next_steps_url: str = "",
                   progress=None) -> tuple[str, str]:
    """Write one of the round's ``DOCUMENTS`` to ``out``: (the download's name, its type).

    ``progress(done, total)`` hears of the tasks read (all of them once the records are in;
    the rendering that follows is a fraction of the time)."""
    total = RectificationTask.objects.filter(round=rnd).count() if progress else 0
    if progress:
        progress(0, total)
    if document == "plan.xlsx":
        write_plan_xlsx(rnd, out)
        name = plan_filename(rnd, "xlsx")
    else:
        if document == "report.docx":
            built = build_report(rnd, next_steps_url=next_steps_url)
            name = report_filename(rnd)
        else:
            built = build_plan(rnd)
            name = plan_filename(rnd, "docx")
        if progress:
            progress(total, total)
        out.write(render_docx(built))
    if progress:
        progress(total, total)
    return name, DOCUMENTS[document]


def _document(request, pk: int, document: str):
    """The document now, or for a large round a background job and its page."""
    rnd = _visible_round(request, pk)
    next_steps_url = request.build_absolute_uri(reverse("work:round", kwargs={"pk": rnd.pk}))
    count = RectificationTask.objects.filter(round=rnd).count()
    if count > settings.DOCUMENT_BACKGROUND_TASKS:
        job = jobs.submit(ROUND_DOCUMENT_JOB, request.user,
                          {"round": rnd.pk, "document": document,
                           "next_steps_url": next_steps_url}, total=count)
        request.session[jobs.SESSION_FLAG] = True
        return redirect("jobs:detail", job.pk)
    out = tempfile.TemporaryFile()  # noqa: SIM115 -- FileResponse closes (and so deletes) it
    name, content_type = write_document(rnd, document, out, next_steps_url=next_steps_url)
    out.seek(0)
    return FileResponse(out, as_attachment=True, filename=name, content_type=content_type)


@login_required
@require_safe
def report_docx(request, pk: int):
    """整改情况报告-<round>.docx: the report from the records as they are now."""
    return _document(request, pk, "report.docx")


@login_required
@require_safe
def plan_docx(request, pk: int):
    """整改方案-<round>.docx: the three lists as one landscape table."""
    return _document(request, pk, "plan.docx")


@login_required
@require_safe
def plan_xlsx(request, pk: int):
    """整改方案-<round>.xlsx: the three lists as one print-ready sheet."""
    return _document(request, pk, "plan.xlsx")
