"""The user's notifications (站内通知) on the work pages: the list, opening one (read, then
its task's page) and marking one or all read. Only the user's own: another user's
notification does not exist here (404, nothing changed)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from rectify.models import Notification
from rectify.services import notifications

PAGE_SIZE = 30


@login_required
@require_safe
def notification_list(request):
    """Newest first; ``?show=unread`` for the unread ones only (the default: all)."""
    unread_only = request.GET.get("show") == "unread"
    items = notifications.of(request.user)
    if unread_only:
        items = items.unread()
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "work/notifications.html", {
        "page": page, "unread_only": unread_only,
        "query": "show=unread" if unread_only else "",
    })


def _read(request, pk: int) -> Notification:
    try:
        return notifications.mark_read(pk, request.user)
    except Notification.DoesNotExist:
        raise Http404(_("该通知不存在，或不是发给您的通知，未做任何更改。"))


@login_required
@require_safe
def notification_open(request, pk: int):
    """The link of a notification, in the list and in the reminder e-mails: marks it read and
    shows its task (the list, for one without a task)."""
    note = _read(request, pk)
    if note.task_id:
        return redirect(reverse("work:task", kwargs={"pk": note.task_id}))
    return redirect("work:notifications")


def _back(request):
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()},
                                                  request.is_secure()):
        return redirect(target)
    return redirect("work:notifications")


@login_required
@require_POST
def notification_read(request, pk: int):
    _read(request, pk)
    messages.success(request, _("已标为已读。"))
    return _back(request)


@login_required
@require_POST
def notification_read_all(request):
    count = notifications.mark_all_read(request.user)
    messages.success(request, _("已将 {n} 条通知标为已读。").format(n=count))
    return _back(request)
