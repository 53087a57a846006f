"""Deadline extensions (申请延期): who may ask for a later due date and who decides, and which
requests and decisions are allowed. The services (``rectify.services.deadline_extensions``)
lock the task, ask here, then write.

* **Asking**: a bureau's clerk or leader for its own tasks, or staff
  (``permissions.can_request_extension``); not on a completed or signed-off task, and not
  while another request waits. The reason is required; the new date must be after the task's
  current due date (its extended date, else its deadline, else the round's end of
  concentrated rectification) and not in the past. A date after the round's end of
  concentrated rectification is allowed, but the reason must say why: without one the message
  names the round's end.
* **Deciding**: the inspection office (``permissions.can_decide_extension``), not on its own
  request; only a pending request; ``approve`` or ``refuse``, a refusal with a comment. An
  approval changes the task's due date, so a signed-off task is refused (reopen it first),
  and so is a request whose date is no longer after the current due date (staff moved the
  deadline since: approving would shorten it); a refusal changes nothing of the task and is
  allowed.

Every refusal is a :class:`~rectify.rules.lifecycle.MoveRefused` whose messages are keyed by
the field they are about (``new_deadline``, ``reason``, ``decision``, ``comment``), in the
user's language.
"""

from __future__ import annotations

import datetime

from django.db.models import Count, DateField, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext

from rectify.models import DeadlineExtension, RectificationTask
from rectify.models.choices import ExtensionStatus, Status
from rectify.rules import due_dates, lifecycle, permissions
from rectify.rules.lifecycle import MoveRefused

APPROVE, REFUSE = "approve", "refuse"
DECISIONS = (APPROVE, REFUSE)


def _date(day: datetime.date | None) -> str:
    return day.isoformat() if day else ""


def check_request(task: RectificationTask, user, new_deadline: datetime.date | None,
                  reason: str, *, pending: DeadlineExtension | None = None) -> str:
    """Refuse a request unless allowed; returns the reason, stripped. ``task`` is the row as
    stored now (locked); ``pending`` its waiting request, if any."""
    if not permissions.can_request_extension(user, task):
        raise MoveRefused(gettext("申请延期只能由本单位联络员、单位负责人或巡察办工作人员办理。"),
                          code="not_allowed")
    lifecycle.ensure_unlocked(task)
    if task.status in Status.done():
        raise MoveRefused(gettext("任务已完成，不能申请延期。"), code="done")
    if pending is not None:
        raise MoveRefused(gettext(
            "该任务已有一项待审批的延期申请（申请延期至 {date}），请等待审批后再申请。").format(
            date=_date(pending.new_deadline)), code="pending")
    errors: dict[str, str] = {}
    reason = (reason or "").strip()
    current = due_dates.current_due(task)
    round_end = task.round.rectification_end_date
    if new_deadline is None:
        errors["new_deadline"] = gettext("请填写申请延期至的日期。")
    elif current is not None and new_deadline <= current:
        errors["new_deadline"] = gettext(
            "申请延期至的日期须晚于当前时限（{date}）。").format(date=_date(current))
    elif new_deadline < timezone.localdate():
        errors["new_deadline"] = gettext("申请延期至的日期不能早于今天。")
    if not reason:
        if new_deadline and round_end and new_deadline > round_end:
            errors["reason"] = gettext(
                "申请延期至 {date}，晚于本轮集中整改结束日期（{end}），须填写延期理由，"
                "说明为何超出集中整改期限。").format(date=_date(new_deadline),
                                                   end=_date(round_end))
        else:
            errors["reason"] = gettext("请填写延期理由。")
    if errors:
        raise MoveRefused(errors)
    return reason


def check_decision(task: RectificationTask, user, pending: DeadlineExtension | None,
                   decision: str, comment: str) -> str:
    """Refuse a decision unless allowed; returns the comment, stripped."""
    if not permissions.can_decide_extension(user):
        raise MoveRefused(gettext("延期申请只能由巡察办工作人员审批。"), code="not_allowed")
    if decision not in DECISIONS:
        raise MoveRefused({"decision": gettext(
            "审批结果须为 approve（批准）或 refuse（不批准）。")})
    if pending is None:
        raise MoveRefused(gettext("该任务没有待审批的延期申请，可能已被他人处理。"),
                          code="no_pending")
    if pending.requested_by_id is not None and pending.requested_by_id == getattr(
            user, "pk", None):
        raise MoveRefused(gettext("不能审批自己提出的延期申请，请由其他工作人员审批。"),
                          code="own_request")
    comment = (comment or "").strip()
    if decision == REFUSE and not comment:
        raise MoveRefused({"comment": gettext("不批准延期时须填写审批意见，说明理由。")})
    if decision == APPROVE:
        lifecycle.ensure_unlocked(task)
        current = due_dates.current_due(task)
        if current is not None and pending.new_deadline <= current:
            # The deadline was moved since the request: approving would shorten it.
            raise MoveRefused({"decision": gettext(
                "申请延期至的日期（{date}）已不晚于当前时限（{current}），批准将缩短时限；"
                "请选择不批准并说明情况。").format(date=_date(pending.new_deadline),
                                             current=_date(current))})
    return comment


def request_reason(new_deadline: datetime.date, reason: str) -> str:
    """The task's history line of a request."""
    return gettext("申请延期至 {date}：{reason}").format(date=_date(new_deadline), reason=reason)


def decision_reason(extension: DeadlineExtension, decision: str, comment: str) -> str:
    """The task's history line of a decision."""
    if decision == APPROVE:
        text = gettext("批准延期至 {date}").format(date=_date(extension.new_deadline))
    else:
        text = gettext("不批准延期至 {date}").format(date=_date(extension.new_deadline))
    return gettext("{action}：{comment}").format(action=text, comment=comment) if comment \
        else text


def with_extension_counts(tasks: QuerySet) -> QuerySet:
    """``tasks`` with ``extension_count`` (approved extensions) and
    ``pending_extension_deadline`` (the date a waiting request asks for, else None), computed
    in SQL: no query per task."""
    of_task = DeadlineExtension.objects.filter(task=OuterRef("pk")).order_by()
    approved = (of_task.filter(status=ExtensionStatus.APPROVED).values("task")
                .annotate(n=Count("pk")).values("n"))
    pending = (of_task.filter(status=ExtensionStatus.PENDING)
               .order_by("-requested_at", "-pk").values("new_deadline")[:1])
    return tasks.annotate(
        extension_count=Coalesce(Subquery(approved, output_field=IntegerField()), Value(0)),
        pending_extension_deadline=Subquery(pending, output_field=DateField()))
