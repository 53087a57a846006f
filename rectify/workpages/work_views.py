"""The work pages (/work/): a bureau clerk's tasks and task page, staff's review queue and
per-bureau overview.

Who sees what is the one rule (``rectify.rules.permissions``): a task outside what the user may see
is 404 on every page and action; one it may see but not change is 403. Views only parse the
request, call a service and choose the response: on bad input the task page comes back with
the submitted form and its errors (400), on a stale form with the other person's change (409),
and nothing is stored.
"""

from __future__ import annotations

import logging
from functools import wraps

from csp.decorators import csp_exempt
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import FileResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from rectify.models import (
    Evidence,
    InspectionRound,
    Measure,
    OutcomeFigure,
    ProblemCategory,
    RectificationTask,
)
from rectify.models.choices import ExtensionStatus, ReviewLevel, ReviewLevels, Status
from rectify.rules import due_dates as deadlines
from rectify.rules import lifecycle, numbering, permissions
from rectify.rules.history import stale_message, task_history_entries
from rectify.rules.problem_tree import PrintOrderPages, numbers_for
from rectify.services import deadline_extensions as extension_services
from rectify.services import filtersets, notifications, search_index, workflow
from rectify.services import outcome_figures as figure_services
from rectify.services import tasks as task_services
from rectify.services.evidence_files import StorageUnavailable, add_evidence, delete_evidence
from rectify.services.filtersets import TaskFilterSet
from rectify.services.overview import bureau_overview
from rectify.services.records import StaleRecord, delete_record, save_record
from rectify.workpages import work_forms as forms

logger = logging.getLogger(__name__)

PAGE_SIZE = 50


# -- lookups under the rule -------------------------------------------------------------------


def _visible_task(request, pk: int) -> RectificationTask:
    tasks = deadlines.with_due_dates(permissions.visible(RectificationTask, request.user))
    tasks = tasks.select_related(
        "round", "round__party_group", "category", "signed_off_by", "proposed_by")
    return get_object_or_404(tasks, pk=pk)


def _task_for_change(request, pk: int) -> RectificationTask:
    """A task the user may see (else 404) and change (else 403)."""
    task = _visible_task(request, pk)
    if not permissions.can_change(request.user, task):
        raise PermissionDenied(_("您没有修改该整改任务的权限。"))
    return task


def _task_for_review(request, pk: int) -> RectificationTask:
    task = _visible_task(request, pk)
    if not permissions.can_review(request.user):
        raise PermissionDenied(_("审核和销号由巡察办工作人员办理。"))
    return task


def _task_for_decision(request, pk: int) -> RectificationTask:
    """A task whose proposal the user may decide at some level (staff, a bureau leader); the
    lifecycle then says whether at this task's level."""
    task = _visible_task(request, pk)
    if not permissions.can_decide_proposals(request.user):
        raise PermissionDenied(_("状态提议由单位负责人（两级审核的第一级）和巡察办工作人员审核。"))
    return task


#: A message tagged ``section-<anchor>`` is shown in that section of the task page, where the
#: redirect puts the user, not at the top.
MEASURES_SECTION = "section-measures"
FIGURES_SECTION = "section-figures"


def _task_url(task, anchor: str = "") -> str:
    url = reverse("work:task", kwargs={"pk": task.pk})
    return f"{url}#{anchor}" if anchor else url


# -- the task list ----------------------------------------------------------------------------


@login_required
@require_safe
def task_list(request):
    """The user's tasks (a clerk: its bureaus'), filtered, with deadlines and warnings, and
    the milestones of its rounds."""
    today = timezone.localdate()
    tasks = permissions.visible(RectificationTask, request.user)
    filterset = TaskFilterSet(request.GET or None, queryset=tasks, request=request)
    valid = not filterset.is_bound or filterset.is_valid()
    # Read a page at a time, round by round: only the page's tasks are sorted, annotated and
    # numbered, whatever the number of tasks.
    rows = PrintOrderPages(filterset.qs if valid else RectificationTask.objects.none(),
                           rows=lambda page: deadlines.with_due_dates(page, today)
                           .select_related("round", "round__party_group"))
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    _number(page.object_list, today)
    search = filterset.form.cleaned_data.get("q", "") if valid and filterset.is_bound else ""
    hits = search_index.task_hits(page, search)  # where the words were found besides the title
    for task in page:
        task.search_hit = hits.get(task.pk)
    rounds = (deadlines.with_final_published(permissions.visible(InspectionRound, request.user))
              .select_related("party_group").order_by("-feedback_date", "-pk")[:20])
    query = request.GET.copy()
    query.pop("page", None)
    active = filtersets.active_filters(filterset.form)
    filtered_round = filterset.form.cleaned_data.get("round") if valid and filterset.is_bound \
        else None
    return render(request, "work/task_list.html", {
        "filterset": filterset, "valid": valid, "active_filters": active,
        "filters_open": bool(active) or not valid, "page": page, "count": page.paginator.count,
        "rounds": [(rnd, deadlines.milestones(rnd, today, final_published=rnd.final_published))
                   for rnd in rounds],
        "query": query.urlencode(), "access": permissions.access_for(request.user),
        "warnings": deadlines.Warning, "warning_help": deadlines.WARNING_HELP,
        "filtered_round": filtered_round, "search": search,
    })


@login_required
@require_safe
def round_categories(request):
    """The category options of one round (``?round=<id>``), as the filter forms offer them,
    for their script (``static/rectify/round-categories.js``): ``{"options": [{"value",
    "label"}]}``. Only categories the user may see: another bureau's round has none."""
    try:
        round_id = int(request.GET.get("round", ""))
    except ValueError:
        return JsonResponse({"error": _("巡察轮次无效。"), "options": []}, status=400)
    options = filtersets.round_categories(
        permissions.visible(ProblemCategory, request.user), round_id)
    return JsonResponse({"options": [{"value": pk, "label": label} for pk, label in options]})


def _number(tasks, today) -> None:
    """Give each task (annotated with its due date) its whole derived number ((一)1.1)①),
    the printed label where that differs, and its countdown (only these tasks are
    numbered: a page's, not their whole rounds)."""
    numbers = numbers_for(tasks)
    for task in tasks:
        node = numbers.get(("task", task.pk))
        task.number = node.number_path if node else ""
        task.label_flagged = bool(node and node.label_flagged)
        task.countdown = deadlines.countdown(task.due_on, today) if task.warning else ""


# -- the task page ----------------------------------------------------------------------------


def _page_forms(task) -> dict:
    version = {"version": task.version}
    return {
        "progress_form": forms.ProgressForm(initial={**version, "progress": task.progress,
                                                     "outcome": task.outcome}),
        "entry_form": forms.EntryForm(),
        "measure_form": forms.MeasureForm(),
        "figure_form": forms.FigureForm(),
        "evidence_form": forms.EvidenceForm(),
        "proposal_form": forms.ProposalForm(initial=version),
        "withdraw_form": forms.WithdrawForm(initial=version),
        "review_form": forms.ReviewForm(
            initial=version, first_level=lifecycle.pending_level(task) == ReviewLevel.BUREAU),
        "reopen_form": forms.ReopenForm(initial=version),
        "extension_form": forms.ExtensionForm(initial=version),
        "extension_decision_form": forms.ExtensionDecisionForm(initial=version),
    }


def _extension_context(request, task) -> dict:
    """The extension panel: the requests, the one waiting, and what this user may do."""
    extensions = list(task.extensions.select_related("requested_by", "decided_by"))
    pending = next((item for item in extensions if item.is_pending), None)
    open_ = not task.signed_off_at and task.status not in Status.done()
    return {
        "extensions": extensions, "pending_extension": pending,
        "extensions_approved": sum(item.status == ExtensionStatus.APPROVED
                                   for item in extensions),
        "round_end": task.round.rectification_end_date,
        "can_request_extension": open_ and pending is None
        and permissions.can_request_extension(request.user, task),
        "can_decide_extension": pending is not None
        and permissions.can_decide_extension(request.user),
    }


def _since(last_seen, user, rows, when: str, who: str) -> tuple[list, int]:
    """``rows`` as a list, each new since ``last_seen`` (and not by ``user``) flagged
    ``is_new``; with the number flagged."""
    rows, count = list(rows), 0
    if last_seen is None:
        return rows, 0
    name = user.get_username()
    for row in rows:
        author = getattr(row, who, None)
        author = author if isinstance(author, str) else getattr(author, "get_username",
                                                                lambda: "")()
        row.is_new = getattr(row, when) > last_seen and author != name
        count += row.is_new
    return rows, count


def _task_page(request, task: RectificationTask, *, status: int = 200, stale: str = "",
               last_seen=None, **bound_forms):
    """The task page; ``bound_forms`` replace the empty ones (kept input and its errors).
    ``last_seen``: the user's previous visit, whose later changes by others are marked."""
    access = permissions.access_for(request.user)
    user = request.user
    entries, new_entries = _since(last_seen, user,
                                  task.progress_entries.select_related("author"),
                                  "created_at", "author")
    evidence, new_evidence = _since(
        last_seen, user, _with_previews(task.evidence.select_related("uploaded_by")),
        "uploaded_at", "uploaded_by")
    reviews, new_reviews = _since(last_seen, user,
                                  task.reviews.select_related("reviewer", "proposed_by"),
                                  "created_at", "reviewer")
    history, new_history = _since(last_seen, user, task_history_entries(task), "when", "user")
    node = numbers_for([task]).get(("task", task.pk))
    due = task.due_on  # the task comes from _visible_task, with its due date
    measures = list(Measure.objects.filter(task=task).order_by("position", "pk"))
    context = {
        "task": task, "number": node.number if node else "",
        "path": [ancestor.obj for ancestor in node.path] if node else [],
        "due": due, "warning": task.warning, "locked": lifecycle.locked_message(task)
        if task.signed_off_at else "", "moves": lifecycle.allowed_moves(task, request.user),
        "next_measure_label": numbering.measure_label(len(measures) + 1, len(measures) + 1),
        "countdown": deadlines.countdown(due), "warning_help": deadlines.WARNING_HELP,
        "measures": measures, "measure_order": ",".join(str(m.pk) for m in measures),
        "figures": list(task.figures.order_by("kind", "pk")),
        "entries": entries, "evidence": evidence, "reviews": reviews, "history": history,
        "last_seen": last_seen,
        "changes_since": new_entries + new_evidence + new_reviews + new_history,
        "can_change": permissions.can_change(request.user, task) and not task.signed_off_at,
        "can_review": permissions.can_review(request.user),
        "can_decide": bool({"approve", "return"} & lifecycle.allowed_moves(task, request.user)),
        "two_levels": task.round.review_levels == ReviewLevels.TWO,
        "milestones": deadlines.milestones(task.round, final_published=deadlines.final_published(
            task.round)),
        "access": access, "stale": stale, "errors": _error_summary(bound_forms.values()),
        **_extension_context(request, task), **_page_forms(task), **bound_forms,
    }
    return render(request, "work/task_detail.html", context, status=status)


def _error_summary(bound_forms) -> list[str]:
    """Every error of the submitted forms, with its field's label, for the top of the page
    (the form itself may sit further down, or be hidden once the task is signed off)."""
    summary = []
    for form in bound_forms:
        for name, errors in form.errors.items():
            label = form.fields[name].label if name in form.fields else ""
            summary.extend(f"{label}：{error}" if label else error for error in errors)
    return summary


@login_required
@require_safe
def task_detail(request, pk: int):
    """The task page; opening it records the visit (its notifications are read with it) and
    marks what others changed since the previous one."""
    task = _visible_task(request, pk)
    return _task_page(request, task, last_seen=notifications.mark_seen(task, request.user))


def _submit(request, task, form_name: str, form, action, *, success: str, anchor: str,
            stale_fields: tuple[str, ...] = ()):
    """Validate ``form`` and call ``action(cleaned_data)`` (a service call) in one
    transaction: all or nothing. On success, redirect to the task page with a message;
    otherwise show the page again with ``form`` bound: its errors or the service's (400), or
    the other person's change (409, naming the stored values of ``stale_fields``)."""
    if not form.is_valid():
        return _task_page(request, task, status=400, **{form_name: form})
    data = form.cleaned_data
    try:
        with transaction.atomic():
            action(data)
    except StaleRecord as error:
        submitted = {name: data[name] for name in stale_fields}
        message = stale_message(error.current, submitted, data.get("version"))
        form.add_error(None, message)
        task.refresh_from_db()
        return _task_page(request, task, status=409, stale=message, **{form_name: form})
    except ValidationError as error:
        _add_errors(form, error)
        task.refresh_from_db()
        return _task_page(request, task, status=400, **{form_name: form})
    messages.success(request, success, extra_tags=f"section-{anchor}")
    return redirect(_task_url(task, anchor))


def _add_errors(form, error: ValidationError) -> None:
    """Put a service's errors on the form: next to the field they name, else on top."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


@login_required
@require_POST
def task_progress(request, pk: int):
    """The task's progress summary (整改进展), the one task field a clerk writes."""
    task = _task_for_change(request, pk)

    def action(data):
        task_services.update_progress(task, request.user, data["progress"], data["outcome"],
                                      expected_version=data["version"])

    return _submit(request, task, "progress_form", forms.ProgressForm(request.POST), action,
                   success=_("整改进展已保存。"), anchor="progress",
                   stale_fields=("progress", "outcome"))


@login_required
@require_POST
def entry_add(request, pk: int):
    task = _task_for_change(request, pk)
    return _submit(request, task, "entry_form", forms.EntryForm(request.POST),
                   lambda data: task_services.add_progress_entry(task, request.user,
                                                                 data["text"], data["date"]),
                   success=_("进展记录已添加。"), anchor="entries")


# -- measures ---------------------------------------------------------------------------------


@login_required
@require_POST
def measure_add(request, pk: int):
    task = _task_for_change(request, pk)
    form = forms.MeasureForm(request.POST, instance=Measure(task=task))

    def action(data):
        save_record(form.instance, request.user, _("添加整改措施"))
        _tell_ordinal(request, form.instance)

    return _submit(request, task, "measure_form", form, action,
                   success=_("整改措施已添加。"), anchor="measures")


def _tell_ordinal(request, measure: Measure) -> None:
    removed = getattr(measure, "removed_ordinal", "")
    if removed:
        messages.info(request, _("已去掉措施开头的序号“{ordinal}”：序号按措施的顺序自动生成。")
                      .format(ordinal=removed), extra_tags=MEASURES_SECTION)

def _measure_for_change(request, pk: int) -> Measure:
    measure = get_object_or_404(permissions.visible(Measure, request.user)
                                .select_related("task", "task__round"), pk=pk)
    if not permissions.can_change(request.user, measure):
        raise PermissionDenied(_("您没有修改该整改措施的权限。"))
    return measure


@login_required
def measure_edit(request, pk: int):
    """A page of its own: one measure's text, responsible unit and due date."""
    measure = _measure_for_change(request, pk)

    def save(form, version):
        save_record(form.instance, request.user, _("修改整改措施"), expected_version=version)
        _tell_ordinal(request, form.instance)

    return _edit_page(request, measure, forms.MeasureEditForm, forms.MeasureForm.Meta.fields,
                      save, success=_("整改措施已保存。"), section=MEASURES_SECTION,
                      anchor="measures", template="work/measure_form.html", name="measure")


def _edit_page(request, obj, form_class, fields, save, *, success: str, section: str,
               anchor: str, template: str, name: str):
    """The page of one record of a task (a measure, a figure): its form (GET), or the change
    (POST) through ``save(form, version)``, answered with the task page's section message, a
    stale save (409) or the refusal (400) on the form."""
    if request.method == "POST":
        form = form_class(request.POST, instance=obj)
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                save(form, data["version"])
            except StaleRecord as error:
                submitted = {field: data[field] for field in fields}
                form.add_error(None, stale_message(error.current, submitted, data["version"]))
                status = 409
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, success, extra_tags=section)
                return redirect(_task_url(obj.task, anchor))
    elif request.method in ("GET", "HEAD"):
        form = form_class(instance=obj, initial={"version": obj.version})
        status = 200
    else:
        return _not_allowed()
    task = obj.task
    locked = lifecycle.locked_message(task) if task.signed_off_at else ""
    return render(request, template, {"form": form, name: obj, "task": task, "locked": locked},
                  status=status)


def _not_allowed():
    from django.http import HttpResponseNotAllowed

    return HttpResponseNotAllowed(["GET", "POST"])


@login_required
@require_POST
def measure_delete(request, pk: int):
    measure = _measure_for_change(request, pk)
    task = _visible_task(request, measure.task_id)
    return _submit(request, task, "delete_form", forms.DeleteForm(request.POST),
                   lambda data: delete_record(measure, request.user, _("删除整改措施"),
                                              expected_version=data["version"]),
                   success=_("整改措施已删除。"), anchor="measures")


@login_required
@require_POST
def measure_reorder(request, pk: int):
    task = _task_for_change(request, pk)
    form = forms.ReorderForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("措施顺序无效，请刷新页面后重试。"),
                       extra_tags=MEASURES_SECTION)
        return redirect(_task_url(task, "measures"))
    try:
        order = form.new_order()
        task_services.reorder_measures(task, order, request.user)
    except ValidationError as error:  # StaleRecord too: someone added or removed a measure
        messages.error(request, " ".join(error.messages), extra_tags=MEASURES_SECTION)
    else:
        messages.success(request, _("整改措施顺序已调整。"), extra_tags=MEASURES_SECTION)
    return redirect(_task_url(task, "measures"))


# -- outcome figures --------------------------------------------------------------------------


@login_required
@require_POST
def figure_add(request, pk: int):
    """An outcome figure (整改成效数据) of the task."""
    task = _task_for_change(request, pk)
    if not permissions.can_add(request.user, OutcomeFigure):
        raise PermissionDenied(_("您没有填报整改成效数据的权限。"))
    form = forms.FigureForm(request.POST, instance=OutcomeFigure(task=task, round=task.round))
    return _submit(request, task, "figure_form", form,
                   lambda data: figure_services.add_figure(form.instance, request.user),
                   success=_("整改成效数据已添加。"), anchor="figures")


def _figure_for_change(request, pk: int) -> OutcomeFigure:
    """A task's figure the user may see (else 404: a round's own figures are the admin's)
    and change (else 403)."""
    figure = get_object_or_404(permissions.visible(OutcomeFigure, request.user)
                               .filter(task__isnull=False)
                               .select_related("task", "task__round", "round"), pk=pk)
    if not permissions.can_change(request.user, figure):
        raise PermissionDenied(_("您没有修改该整改成效数据的权限。"))
    return figure


@login_required
def figure_edit(request, pk: int):
    """A page of its own: one figure's kind, value, unit, name and note."""
    figure = _figure_for_change(request, pk)
    return _edit_page(
        request, figure, forms.FigureEditForm, forms.FigureForm.Meta.fields,
        lambda form, version: figure_services.change_figure(
            form.instance, request.user, expected_version=version),
        success=_("整改成效数据已保存。"), section=FIGURES_SECTION, anchor="figures",
        template="work/figure_form.html", name="figure")


@login_required
@require_POST
def figure_delete(request, pk: int):
    figure = _figure_for_change(request, pk)
    if not permissions.can_delete(request.user, figure):
        raise PermissionDenied(_("您没有删除该整改成效数据的权限。"))
    task = _visible_task(request, figure.task_id)
    return _submit(request, task, "delete_form", forms.DeleteForm(request.POST),
                   lambda data: figure_services.delete_figure(
                       figure, request.user, expected_version=data["version"]),
                   success=_("整改成效数据已删除。"), anchor="figures")


# -- evidence ---------------------------------------------------------------------------------


@login_required
@require_POST
def evidence_add(request, pk: int):
    task = _task_for_change(request, pk)
    return _submit(request, task, "evidence_form", forms.EvidenceForm(request.POST, request.FILES),
                   lambda data: add_evidence(task, data["file"], request.user,
                                             data["description"]),
                   success=_("佐证材料已上传。"), anchor="evidence")


#: What an inline preview may load: nothing runs, nothing is fetched, only its own frame of
#: the work pages may show it.
INLINE_CSP = "sandbox; default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; " \
             "frame-ancestors 'self'"


def preview_kind(content_type: str) -> str:
    """``"image"`` or ``"pdf"`` for a (checked) content type shown inline; ``""`` otherwise."""
    if content_type.startswith("image/"):
        return "image"
    if content_type == "application/pdf":
        return "pdf"
    return ""


def _with_previews(evidence) -> list[Evidence]:
    items = list(evidence)
    for item in items:
        item.preview = preview_kind(item.content_type or "")
    return items


def _files_without_site_policy(view):
    """A served evidence file carries only its own policy (an image preview's sandbox), not
    the site's Content-Security-Policy: Chrome's PDF viewer does not run under the site's
    ``object-src 'none'``, and a download is no page. Pages the view renders keep it."""
    exempt = csp_exempt()

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if isinstance(response, FileResponse) and "Content-Security-Policy" not in response:
            return exempt(lambda: response)()
        return response

    return wrapped


@login_required
@require_safe
@_files_without_site_policy
def evidence_download(request, pk: int):
    """The file under the name it was uploaded with, to whoever may see the task; 404 for
    everyone else. An attachment, except with ``?inline=1`` for an image or PDF (by its checked
    content type): an image is shown inline, sandboxed and framable only by the work pages; a
    PDF opens inline in its own tab (the browser's PDF viewer does not run in a sandbox, so
    it gets no sandbox and may not be framed)."""
    evidence = get_object_or_404(permissions.visible(Evidence, request.user), pk=pk)
    inline = request.GET.get("inline") == "1" and bool(preview_kind(evidence.content_type or ""))
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError:  # gone for good (a restore without EVIDENCE_ROOT): 404, saying so
        logger.error("Evidence %s: the stored file %s is missing", evidence.pk,
                     evidence.file.name)
        return render(request, "errors/work.html", {
            "status": 404, "title": _("文件已丢失"), "home": _task_url(evidence.task),
            "message": _("佐证材料“{name}”的文件已丢失，请联系管理员。").format(
                name=evidence.original_name)}, status=404)
    except OSError:  # the store fails now (permissions, I/O): 503, try again later
        logger.error("Evidence %s: the stored file %s cannot be read", evidence.pk,
                     evidence.file.name, exc_info=True)
        raise StorageUnavailable from None
    response = FileResponse(handle, as_attachment=not inline, filename=evidence.original_name,
                            content_type=evidence.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    if inline and preview_kind(evidence.content_type or "") == "image":
        response["Content-Security-Policy"] = INLINE_CSP
        response["X-Frame-Options"] = "SAMEORIGIN"
    return response


@login_required
@require_POST
def evidence_delete(request, pk: int):
    evidence = get_object_or_404(permissions.visible(Evidence, request.user)
                                 .select_related("task", "task__round"), pk=pk)
    if not permissions.can_change(request.user, evidence):
        raise PermissionDenied(_("您没有删除该佐证材料的权限。"))
    task = _visible_task(request, evidence.task_id)
    # Nothing to fill in: the evidence is named by the URL.
    return _submit(request, task, "delete_form", forms.PageForm(request.POST),
                   lambda data: delete_evidence(evidence, request.user),
                   success=_("佐证材料已删除。"), anchor="evidence")


# -- proposals, review, reopening -------------------------------------------------------------


@login_required
@require_POST
def proposal(request, pk: int):
    """A clerk proposes completion with a note, a completion date and (if the task has none
    yet) evidence, all in one step: if anything is refused, nothing is stored."""
    task = _task_for_change(request, pk)
    return _submit(request, task, "proposal_form",
                   forms.ProposalForm(request.POST, request.FILES),
                   lambda data: workflow.submit_proposal(
                       task, request.user, data["status"], data["note"],
                       completion_date=data["completion_date"], upload=data.get("file"),
                       description=data.get("description", ""),
                       expected_version=data["version"]),
                   success=_("状态提议已提交，等待单位负责人审核（第一级）。")
                   if lifecycle.first_level(task, request.user) == ReviewLevel.BUREAU
                   else _("状态提议已提交，等待巡察办审核。"), anchor="proposal")


@login_required
@require_POST
def proposal_withdraw(request, pk: int):
    task = _task_for_change(request, pk)
    return _submit(request, task, "withdraw_form", forms.WithdrawForm(request.POST),
                   lambda data: workflow.withdraw_proposal(
                       task, request.user, expected_version=data["version"]),
                   success=_("状态提议已撤回。"), anchor="proposal")


@login_required
@require_POST
def review(request, pk: int):
    """Decide the pending proposal at its level: the bureau leader passes it on to the office
    or returns it; staff approve it (a completion is signed off) or return it."""
    task = _task_for_decision(request, pk)
    at_bureau = lifecycle.pending_level(task) == ReviewLevel.BUREAU
    form = forms.ReviewForm(request.POST, first_level=at_bureau)
    approving = request.POST.get("decision") == forms.ReviewForm.APPROVE
    decide = workflow.approve if approving else workflow.return_proposal
    return _submit(request, task, "review_form", form,
                   lambda data: decide(task, request.user, data["comment"],
                                       expected_version=data["version"]),
                   success=(_("已审核通过，报巡察办审核。") if at_bureau else _("已审核通过。"))
                   if approving else _("已退回，单位联络员将在任务页看到审核意见。"),
                   anchor="proposal")


@login_required
@require_POST
def reopen(request, pk: int):
    task = _task_for_review(request, pk)
    return _submit(request, task, "reopen_form", forms.ReopenForm(request.POST),
                   lambda data: workflow.reopen(task, request.user, data["reason"],
                                                       expected_version=data["version"]),
                   success=_("任务已重新打开，状态改为正在推进。"), anchor="proposal")


# -- deadline extensions ----------------------------------------------------------------------


@login_required
@require_POST
def extension_request(request, pk: int):
    """The bureau (or staff) asks for a later due date with a reason."""
    task = _visible_task(request, pk)
    if not permissions.can_request_extension(request.user, task):
        raise PermissionDenied(_("您没有为该整改任务申请延期的权限。"))
    return _submit(request, task, "extension_form", forms.ExtensionForm(request.POST),
                   lambda data: extension_services.request_extension(
                       task, request.user, data["new_deadline"], data["reason"],
                       expected_version=data["version"]),
                   success=_("延期申请已提交，等待巡察办审批。"), anchor="extension")


@login_required
@require_POST
def extension_decision(request, pk: int):
    """Staff approve the pending request (the due date moves) or refuse it with a comment."""
    task = _visible_task(request, pk)
    if not permissions.can_decide_extension(request.user):
        raise PermissionDenied(_("延期申请由巡察办工作人员审批。"))
    form = forms.ExtensionDecisionForm(request.POST)
    approving = request.POST.get("decision") == forms.ExtensionDecisionForm.APPROVE
    return _submit(request, task, "extension_decision_form", form,
                   lambda data: extension_services.decide_extension(
                       task, request.user, data["decision"], data["comment"],
                       expected_version=data["version"]),
                   success=_("已批准延期，任务时限已更新。") if approving
                   else _("已不批准延期申请，单位将在任务页看到审批意见。"),
                   anchor="extension")


# -- staff pages ------------------------------------------------------------------------------


@login_required
@require_safe
def review_queue(request):
    """The proposals waiting for the user's decision, oldest first: at the office's level for
    staff, at the first level of its bureaus for a leader; auditors read every pending one."""
    access = permissions.access_for(request.user)
    deciding = permissions.can_decide_proposals(request.user)
    if not (access.reads_all or deciding):
        raise PermissionDenied(_("审核队列仅供巡察办工作人员、单位负责人和审计人员查看。"))
    today = timezone.localdate()
    visible = permissions.visible(RectificationTask, request.user)
    waiting = (lifecycle.waiting_for(visible, request.user) if deciding
               else visible.exclude(proposed_status=""))
    # One page at a time: the count, then only the page's tasks read, annotated and numbered
    # (the evidence count as a subquery, so the page's query groups nothing).
    evidence = (Evidence.objects.filter(task=OuterRef("pk")).order_by()
                .values("task").annotate(n=Count("pk")).values("n"))
    rows = (deadlines.with_due_dates(waiting, today)
            .select_related("round", "round__party_group", "proposed_by")
            .annotate(evidence_count=Coalesce(Subquery(evidence), 0))
            .order_by("proposed_at", "pk"))
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    tasks = list(page.object_list)
    _number(tasks, today)
    at_bureaus = (lifecycle.waiting_at(visible, ReviewLevel.BUREAU).count()
                  if permissions.can_review(request.user) else 0)
    return render(request, "work/review_queue.html", {
        "tasks": tasks, "page": page, "access": access, "deciding": deciding,
        "at_bureaus": at_bureaus})


@login_required
@require_safe
def overview(request):
    """Per bureau: tasks by status and by deadline colour, awaiting review, signed off."""
    rounds = (permissions.visible(InspectionRound, request.user).select_related("party_group")
              .order_by("-feedback_date", "-pk"))
    return render(request, "work/overview.html", {
        "overview": bureau_overview(request.user), "warnings": deadlines.Warning,
        "warning_help": deadlines.WARNING_HELP,
        "access": permissions.access_for(request.user), "rounds": _with_links(rounds),
    })


#: Stands for a round's id in an address reversed once for all rounds.
_ANY_ROUND = 2_147_483_647


def _with_links(rounds) -> list[InspectionRound]:
    """The rounds, each with the addresses of its page and documents (``links``): reversed
    once per address, not once per round (a province has hundreds)."""
    names = {"page": "work:round", "report": "work:round_report",
             "plan_xlsx": "work:round_plan_xlsx", "plan_docx": "work:round_plan_docx"}
    patterns = {key: reverse(name, args=[_ANY_ROUND]) for key, name in names.items()}
    rounds = list(rounds)
    for rnd in rounds:
        pk = str(rnd.pk)
        rnd.links = {key: pattern.replace(str(_ANY_ROUND), pk)
                     for key, pattern in patterns.items()}
    return rounds
