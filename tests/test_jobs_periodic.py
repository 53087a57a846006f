"""The periodic work as jobs: the reminders and the statistics snapshot, started daily by
Celery beat as jobs of the system (seen by the staff, once per kind and day) or now by staff
from /jobs/periodic/, with a progress page and an outcome; the hourly sweep.

Jobs run eagerly here (``tests/conftest.py``); ``tests/test_jobs_worker.py`` runs a real
worker.
"""

from __future__ import annotations

import datetime

import pytest
from celery.schedules import crontab
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from rectify.background import job_tasks, periodic_jobs
from rectify.background.celery_app import SCHEDULED_TASK, SWEEP_TASK, app, beat_schedule
from rectify.models import Job, JobState, RectificationTask, ReminderLog, StatisticsSnapshot
from rectify.rules import roles
from rectify.services import jobs
from tests.conftest import make_user

TODAY = datetime.date(2024, 6, 1)
REMINDERS, SNAPSHOT = periodic_jobs.REMINDERS_JOB, periodic_jobs.SNAPSHOT_JOB


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def overdue(make_round, clerk_user):
    """One overdue task of the clerk's bureau (the clerk has an address): one reminder."""
    clerk_user.email = "clerk@example.cn"
    clerk_user.save()
    rnd = make_round(feedback_date=datetime.date(2024, 1, 1))
    return RectificationTask.objects.create(round=rnd, title="逾期的问题",
                                            deadline=TODAY - datetime.timedelta(days=3))


# -- the schedule ----------------------------------------------------------------------------


def test_the_beat_schedule_names_the_tasks_that_start_the_periodic_jobs():
    schedule = app.conf.beat_schedule
    assert set(schedule) == {REMINDERS, SNAPSHOT, "sweep_jobs"}
    assert schedule[REMINDERS]["task"] == schedule[SNAPSHOT]["task"] == SCHEDULED_TASK
    assert schedule[REMINDERS]["args"] == [REMINDERS]
    assert schedule[SNAPSHOT]["args"] == [SNAPSHOT]
    assert schedule["sweep_jobs"]["task"] == SWEEP_TASK
    for entry in schedule.values():
        assert entry["task"] in app.tasks  # a name a worker knows
    assert schedule[REMINDERS]["schedule"] == crontab(hour=7, minute=30)
    assert schedule[SNAPSHOT]["schedule"] == crontab(hour=23, minute=50)
    assert schedule["sweep_jobs"]["schedule"] == crontab(minute=5)
    assert app.conf.timezone == "Asia/Shanghai"  # the times are local


def test_the_times_come_from_the_settings(settings):
    settings.REMINDERS_AT, settings.SNAPSHOT_AT, settings.SWEEP_JOBS_MINUTE = "6:05", "", "40"
    schedule = beat_schedule(settings)
    assert set(schedule) == {REMINDERS, "sweep_jobs"}  # an empty time: not scheduled
    assert schedule[REMINDERS]["schedule"] == crontab(hour=6, minute=5)
    assert schedule["sweep_jobs"]["schedule"] == crontab(minute=40)


@pytest.mark.parametrize("name, value", [("REMINDERS_AT", "7"), ("SNAPSHOT_AT", "24:00"),
                                         ("SWEEP_JOBS_MINUTE", "60")])
def test_a_bad_time_is_refused_when_the_settings_load(monkeypatch, name, value):
    import importlib

    from django.core.exceptions import ImproperlyConfigured

    import rectify.settings

    monkeypatch.setenv(name, value)
    with pytest.raises(ImproperlyConfigured, match=name):
        importlib.reload(rectify.settings)
    monkeypatch.delenv(name)
    importlib.reload(rectify.settings)


def test_a_beat_message_starts_the_days_job_of_the_system_once(overdue, staff_user,
                                                                 monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args: TODAY)
    job_tasks.start_scheduled_job.apply(args=[REMINDERS])
    job = Job.objects.get()
    assert (job.kind, job.requested_by, job.schedule_key) == (REMINDERS, None,
                                                              "send_reminders:2024-06-01")
    assert job.params == {"date": "2024-06-01"}
    assert (job.state, job.attempts, job.rows_done) == (JobState.DONE, 1, 1)
    assert job.message == ("2024-06-01：已发送 1 封提醒邮件；今天已发送过而跳过 0 封；"
                           "收件人未填写电子邮箱 1 人次。")  # the office (staff): no address
    assert [m.to for m in mail.outbox] == [["clerk@example.cn"]]
    # The same message again (beat sent it twice, or it came back after a worker died).
    job_tasks.start_scheduled_job.apply(args=[REMINDERS])
    assert Job.objects.count() == 1 and len(mail.outbox) == 1
    job_tasks.start_scheduled_job.apply(args=[SNAPSHOT])
    snapshot = Job.objects.get(kind=SNAPSHOT)
    assert snapshot.state == JobState.DONE and snapshot.requested_by is None
    assert StatisticsSnapshot.objects.filter(date=TODAY).count() == 1


def test_the_hourly_sweep_deletes_old_results(settings, staff_user):
    job = jobs.submit(REMINDERS, staff_user, {"date": TODAY.isoformat(), "dry_run": True})
    job.refresh_from_db()
    assert job.result_file
    Job.objects.filter(pk=job.pk).update(
        finished_at=timezone.now() - datetime.timedelta(hours=settings.JOB_RESULT_TTL_HOURS + 1))
    assert job_tasks.sweep_jobs.apply().get() == 1
    job.refresh_from_db()
    assert job.result_file == ""


# -- who sees the system's jobs -------------------------------------------------------------


def test_the_systems_jobs_are_seen_by_the_staff_only(db, staff_user, auditor_user, clerk_user,
                                                      monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args: TODAY)
    job = periodic_jobs.start_scheduled(SNAPSHOT)
    url = reverse("jobs:detail", args=[job.pk])
    page = client_for(staff_user).get(url).content.decode()
    assert "保存统计快照" in page and "系统按计划启动的任务。" in page
    assert "已保存 2024-06-01 的统计快照" in page
    listing = client_for(staff_user).get(reverse("jobs:list")).content.decode()
    assert url in listing and "系统（按计划）" in listing
    for user in (auditor_user, clerk_user):
        client = client_for(user)
        assert client.get(url).status_code == 404
        assert client.get(reverse("jobs:status", args=[job.pk])).status_code == 404
        assert url not in client.get(reverse("jobs:list")).content.decode()


def test_a_staff_members_own_run_is_not_another_staff_members(db, staff_user,
                                                                django_user_model):
    job = jobs.submit(SNAPSHOT, staff_user, {"date": None})
    other = make_user(django_user_model, "staff_2", roles.STAFF, is_staff=True)
    assert client_for(other).get(reverse("jobs:detail", args=[job.pk])).status_code == 404


# -- the page --------------------------------------------------------------------------------


def test_staff_start_the_reminders_from_the_page_and_follow_them(overdue, staff_user):
    client = client_for(staff_user)
    page = client.get(reverse("jobs:periodic")).content.decode()
    assert "发送整改提醒" in page and "每天 07:30" in page and "每天 23:50" in page
    assert "每小时第 5 分钟" in page and "尚未运行过" in page
    response = client.post(reverse("jobs:run_periodic", args=[REMINDERS]),
                           {"date": "2024-06-01", "dry_run": "on"})
    job = Job.objects.get()
    assert response["Location"] == reverse("jobs:detail", args=[job.pk])
    assert (job.requested_by, job.params) == (staff_user, {"date": "2024-06-01",
                                                           "dry_run": True})
    assert job.state == JobState.DONE
    assert not mail.outbox and not ReminderLog.objects.exists()  # a dry run
    page = client.get(response["Location"]).content.decode()
    assert "2024-06-01（试运行，未发送任何邮件）：将发送 1 封提醒邮件" in page
    assert f'href="{reverse("jobs:periodic")}"' in page
    report = client.get(reverse("jobs:download", args=[job.pk]))
    text = b"".join(report.streaming_content).decode()
    assert "将发送：测试市教育局 → clerk_a <clerk@example.cn>：1 项" in text
    page = client.get(reverse("jobs:periodic")).content.decode()
    assert reverse("jobs:detail", args=[job.pk]) in page and "尚未运行过" in page  # snapshot


def test_staff_start_a_snapshot_from_the_page(small_round, staff_user):
    client = client_for(staff_user)
    response = client.post(reverse("jobs:run_periodic", args=[SNAPSHOT]), {"date": ""})
    job = Job.objects.get()
    assert job.params == {"date": None}
    assert (job.state, job.rows_done, job.rows_total) == (JobState.DONE, 1, 1)
    today = timezone.localdate()
    assert StatisticsSnapshot.objects.filter(date=today).count() == 1
    page = client.get(response["Location"]).content.decode()
    assert f"已保存 {today.isoformat()} 的统计快照：1 个巡察轮次" in page
    assert "已完成 1 / 1 个巡察轮次" not in page  # finished: the outcome, no bar
    assert f'href="{reverse("dashboard:index")}"' in page


def test_a_bad_date_is_refused_naming_the_field(staff_user):
    response = client_for(staff_user).post(reverse("jobs:run_periodic", args=[SNAPSHOT]),
                                           {"date": "2024-13-01"})
    assert response.status_code == 400
    assert "请填写有效的日期，例如 2024-06-30。" in response.content.decode()
    assert not Job.objects.exists()


def test_only_staff_run_the_periodic_work(auditor_user, clerk_user):
    for user in (auditor_user, clerk_user):
        client = client_for(user)
        assert client.get(reverse("jobs:periodic")).status_code == 403
        assert client.post(reverse("jobs:run_periodic", args=[SNAPSHOT])).status_code == 403
    assert not Job.objects.exists()


def test_an_unknown_kind_is_a_404(staff_user):
    url = reverse("jobs:run_periodic", args=["ledger_export"])
    assert client_for(staff_user).post(url).status_code == 404


def test_failed_reminders_fail_the_job_in_chinese(overdue, staff_user, monkeypatch):
    from django.core.mail import EmailMessage

    def refuse(self, *args, **kwargs):
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr(EmailMessage, "send", refuse)
    job = jobs.submit(REMINDERS, staff_user, {"date": TODAY.isoformat()})
    job.refresh_from_db()
    assert job.state == JobState.FAILED
    assert job.error.startswith("1 封提醒邮件发送失败（其余照常处理）：\n"
                                "测试市教育局 → clerk_a <clerk@example.cn>：1 项：mail server down")
    assert "再次运行时只会补发失败的邮件" in job.error
    assert not ReminderLog.objects.exists()  # the next run tries again


def test_the_periodic_page_takes_the_same_queries_for_few_and_many_jobs(
        db, staff_user, django_assert_max_num_queries):
    client = client_for(staff_user)
    counts = []
    for runs in (1, 30):
        Job.objects.bulk_create(Job(kind=kind, requested_by=None if i % 2 else staff_user,
                                    state=JobState.DONE, message="完成")
                                for i in range(runs) for kind in (REMINDERS, SNAPSHOT))
        with django_assert_max_num_queries(8) as captured:
            assert client.get(reverse("jobs:periodic")).status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1]
