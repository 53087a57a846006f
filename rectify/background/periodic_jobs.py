"""The periodic work as background jobs: the day's reminders (kind ``send_reminders``, on
``rectify.services.reminders.send_reminders``) and the day's statistics snapshot (kind
``snapshot_statistics``, on ``rectify.services.trends.take_snapshot``).

Celery beat starts them daily (``celery_app.beat_schedule``) as jobs of the system — no user
asked, ``Job.requested_by`` is empty and the inspection staff see them — through
:func:`start_scheduled`, which submits one job per kind and day (``Job.schedule_key``): a
message beat sent twice, or one delivered again after a worker died, finds the day's job and
starts nothing. Staff may also start either now from ``/jobs/periodic/``, as their own job.

Neither kind needs :meth:`~rectify.services.jobs.Progress.commit` to run once: a reminder is
sent once per recipient, bureau and day (its ``ReminderLog`` row is written with the mail; a
second run skips it, and says so), and a snapshot replaces that day's rows.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rectify.background.celery_app import DAILY
from rectify.models import Job
from rectify.services import jobs
from rectify.services.reminders import send_reminders
from rectify.services.trends import take_snapshot

REMINDERS_JOB = "send_reminders"
SNAPSHOT_JOB = "snapshot_statistics"
#: The periodic kinds, in the order the page lists them, and their time's setting.
SETTINGS = dict(DAILY)

LABELS = {REMINDERS_JOB: gettext_lazy("发送整改提醒"),
          SNAPSHOT_JOB: gettext_lazy("保存统计快照")}


def start_scheduled(kind: str, today: datetime.date | None = None) -> Job:
    """The system's job of ``kind`` for ``today`` (the local date): submitted the first time,
    found again every other time."""
    if kind not in SETTINGS:
        raise ValueError(f"{kind!r} is not a periodic kind")
    today = today or timezone.localdate()
    return jobs.submit(kind, None, {"date": today.isoformat()},
                       key=f"{kind}:{today.isoformat()}")


def sweep() -> int:
    """The hourly housekeeping: job results older than ``JOB_RESULT_TTL_HOURS``."""
    return jobs.sweep()


def schedule_text(kind: str) -> str:
    """"每天 07:30", or that beat does not start it (its setting is empty)."""
    at = getattr(settings, SETTINGS[kind], "")
    if not at:
        return _("未按计划运行（{setting} 为空）").format(setting=SETTINGS[kind])
    return _("每天 {time}").format(time=at)


def sweep_text() -> str:
    minute = settings.SWEEP_JOBS_MINUTE
    if not minute:
        return _("未按计划运行（SWEEP_JOBS_MINUTE 为空）")
    return _("每小时第 {minute} 分钟").format(minute=int(minute))


def _day(job: Job) -> datetime.date:
    value = job.params.get("date")
    if not value:
        return timezone.localdate()
    try:
        return datetime.date.fromisoformat(value)
    except (TypeError, ValueError):
        raise jobs.JobError(_("日期“{value}”无效，应为 YYYY-MM-DD，未运行。").format(value=value))


class _MailLines:
    """The reminders' lines (one per mail sent, to be sent, or failed): counted as the job's
    progress and kept for its report."""

    def __init__(self, progress):
        self.progress = progress
        self.lines: list[str] = []

    def write(self, line: str) -> None:
        self.lines.append(line)
        self.progress(len(self.lines))


def run_reminders(job: Job, out, progress) -> jobs.Output:
    """The day's reminders (``params``: ``date``, ``dry_run``); the report lists every mail."""
    day, dry_run = _day(job), bool(job.params.get("dry_run"))
    progress(0, step=_("正在计算预警、写入站内通知并发送提醒邮件"))
    lines = _MailLines(progress)
    result = send_reminders(day, dry_run=dry_run, stdout=lines)
    if dry_run:
        summary = _("{date}（试运行，未发送任何邮件）：将发送 {sent} 封提醒邮件；"
                    "今天已发送过而跳过 {already} 封；收件人未填写电子邮箱 {without} 人次。")
    else:
        summary = _("{date}：已发送 {sent} 封提醒邮件；今天已发送过而跳过 {already} 封；"
                    "收件人未填写电子邮箱 {without} 人次。")
    summary = summary.format(date=day.isoformat(), sent=len(result.sent),
                             already=len(result.already_sent),
                             without=len(result.without_email))
    if result.failed:
        failed = "\n".join(f"{mail}：{error}" for mail, error in result.failed[:10])
        raise jobs.JobError(_(
            "{count} 封提醒邮件发送失败（其余照常处理）：\n{failed}\n{summary}\n"
            "请检查邮件服务器设置或收件人邮箱；再次运行时只会补发失败的邮件。"
        ).format(count=len(result.failed), failed=failed, summary=summary))
    report = [summary, "", *lines.lines,
              *(_("未填写电子邮箱：{mail}").format(mail=mail) for mail in result.without_email),
              *(_("今天已发送过：{mail}").format(mail=mail) for mail in result.already_sent)]
    out.write(("\n".join(report) + "\n").encode("utf-8"))
    return jobs.Output(filename=_("整改提醒-{date}.txt").format(date=day.isoformat()),
                       content_type="text/plain; charset=utf-8", message=summary)


def run_snapshot(job: Job, out, progress) -> jobs.Output:
    """The day's statistics of every round (``params``: ``date``), replacing that day's."""
    day = _day(job)
    progress(0, step=_("正在统计各巡察轮次"))
    rows = take_snapshot(day)
    progress(rows, rows)
    return jobs.Output(message=_(
        "已保存 {date} 的统计快照：{rows} 个巡察轮次（同一天再次运行会替换当天的快照）。"
    ).format(date=day.isoformat(), rows=rows))


def links(job: Job) -> list[tuple[str, str]]:
    result = [(_("定时任务"), reverse("jobs:periodic"))]
    if job.kind == SNAPSHOT_JOB:
        result.append((_("查看统计"), reverse("dashboard:index")))
    return result
