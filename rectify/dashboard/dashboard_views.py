"""The dashboard (统计, /dashboard/): the statistics of the tasks a user may see — staff and
auditors every bureau's, a clerk or leader its own bureaus' — selected by round, party group
and year, as charts drawn from the tables below them, with CSV and Excel downloads of the same
tables. The numbers come from ``rectify.services.statistics`` and ``rectify.services.trends``.
"""

from __future__ import annotations

import csv
import io
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe
from openpyxl import Workbook
from openpyxl.styles import Font

from rectify.dashboard.dashboard_tables import Table, build
from rectify.models import RectificationTask
from rectify.rules import permissions
from rectify.services import statistics, trends
from rectify.services.filtersets import TaskFilterSet

#: The dashboard's filters (of the shared task FilterSet).
FILTERS = ("round", "party_group", "year")
#: Characters that make a spreadsheet cell a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _selection(request):
    """The filter form and, when valid, the tables; otherwise the errors, naming the fields."""
    data = {name: request.GET[name] for name in FILTERS if request.GET.get(name)}
    tasks = permissions.visible(RectificationTask, request.user)
    filterset = TaskFilterSet(data, queryset=tasks, request=request)
    if not filterset.is_valid():
        errors = [f"{filterset.form[name].label}：{' '.join(messages)}"
                  for name, messages in filterset.errors.items()]
        return filterset, None, errors
    today = timezone.localdate()
    stats = statistics.compute(filterset.qs, today, categories=False)  # not shown
    points = trends.series(request.user, data, request=request)
    return filterset, build(stats, points, data), []


@login_required
@require_safe
def dashboard(request):
    filterset, tables, errors = _selection(request)
    chosen = {name: request.GET[name] for name in FILTERS if request.GET.get(name)}
    query = urlencode(chosen)
    return render(request, "dashboard/dashboard.html", {
        "form": filterset.form, "tables": tables, "errors": errors,
        "active_filters": len(chosen), "filters_open": bool(chosen or errors),
        "today": timezone.localdate(), "query": query,
    })


def _safe(value):
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _chosen(request, tables: list[Table]) -> list[Table]:
    name = request.GET.get("table")
    return [t for t in tables if t.name == name] if name else tables


@login_required
@require_safe
def export_csv(request):
    filterset, tables, errors = _selection(request)
    if errors:
        return HttpResponse("\n".join(errors), status=400,
                            content_type="text/plain; charset=utf-8")
    out = io.StringIO()
    out.write("\ufeff")  # Excel reads the BOM as UTF-8
    writer = csv.writer(out)
    for table in _chosen(request, tables):
        writer.writerow([_safe(table.title)])
        writer.writerow(table.columns)
        for row in table.all_rows():
            writer.writerow([_safe(cell.value) for cell in row])
        writer.writerow([])
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="dashboard.csv"'
    return response


@login_required
@require_safe
def export_xlsx(request):
    filterset, tables, errors = _selection(request)
    if errors:
        return HttpResponse("\n".join(errors), status=400,
                            content_type="text/plain; charset=utf-8")
    book = Workbook()
    book.remove(book.active)
    for table in _chosen(request, tables):
        sheet = book.create_sheet(table.title[:31])
        sheet.append([_safe(table.title)])
        sheet["A1"].font = Font(bold=True, size=13)
        sheet.append(table.columns)
        for cell in sheet[2]:
            cell.font = Font(bold=True)
        for row in table.all_rows():
            sheet.append([_safe(cell.value) for cell in row])
        sheet.column_dimensions["A"].width = 36
    if not book.sheetnames:
        book.create_sheet(_("统计"))
    out = io.BytesIO()
    book.save(out)
    response = HttpResponse(
        out.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = 'attachment; filename="dashboard.xlsx"'
    return response
