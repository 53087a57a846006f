"""Reminder e-mails to bureau clerks: yellow and red tasks, once a day, ``send_reminders``."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from rectify.models import Notification, RectificationTask, ReminderLog
from rectify.models.choices import Status
from rectify.rules import roles
from rectify.rules.due_dates import Warning
from rectify.services.reminders import due_tasks, send_reminders

TODAY = datetime.date(2024, 6, 1)


def days(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = "https://rectify.example.cn"
    settings.DEFAULT_FROM_EMAIL = "rectify@example.cn"


@pytest.fixture
def tasks(make_round, other_bureau, clerk_user, other_clerk):
    """教育局 (clerk_a): overdue red, yellow by the round's end, red by 10 days, plus a green,
    a done one past its deadline and an undated one. 卫健委 (clerk_b): one yellow."""
    clerk_user.email, other_clerk.email = "a@example.cn", "b@example.cn"
    clerk_user.last_name, clerk_user.first_name = "张", "三"
    clerk_user.save()
    other_clerk.save()
    rnd = make_round(feedback_date=datetime.date(2024, 1, 1), rectification_end=days(18))
    made = {
        "overdue": RectificationTask.objects.create(
            round=rnd, deadline=days(-4), title="落实“第一议题”制度不到位，" + "学习流于形式" * 20),
        "yellow": RectificationTask.objects.create(round=rnd, title="选人用人工作不规范"),
        "red": RectificationTask.objects.create(round=rnd, deadline=days(10),
                                                title="财务管理存在漏洞 & 票据不全"),
        "green": RectificationTask.objects.create(round=rnd, deadline=days(21),
                                                  title="绿色任务不该出现"),
        "done": RectificationTask.objects.create(
            round=rnd, deadline=days(-30), status=Status.COMPLETED, title="已完成任务不该出现"),
        "undated": RectificationTask.objects.create(round=make_round(feedback_date=None),
                                                    title="无时限任务不该出现"),
    }
    other = make_round(party_group=other_bureau, feedback_date=datetime.date(2024, 1, 1),
                       rectification_end=days(20))
    made["other"] = RectificationTask.objects.create(round=other, title="卫健委的问题")
    return made


def test_due_tasks_are_yellow_and_red_by_due_date(tasks, bureau):
    items = due_tasks(bureau, TODAY)
    assert [item.task for item in items] == [tasks["overdue"], tasks["red"], tasks["yellow"]]
    assert [item.warning for item in items] == [Warning.RED, Warning.RED, Warning.YELLOW]
    assert [item.countdown for item in items] == ["已逾期 4 天", "还剩 10 天", "还剩 18 天"]
    assert items[2].due == days(18)  # the round's end
    assert items[0].overdue and not items[1].overdue
    assert items[0].url == f"https://rectify.example.cn/work/tasks/{tasks['overdue'].pk}/"
    assert [item.number for item in items] == ["一、", "三、", "二、"]


def test_mail_content_and_recipients(tasks, bureau, mailoutbox):
    result = send_reminders(TODAY)
    assert len(result.sent) == 2 and not result.already_sent and not result.without_email
    by_address = {mail.to[0]: mail for mail in mailoutbox}
    assert set(by_address) == {"a@example.cn", "b@example.cn"}
    mail = by_address["a@example.cn"]
    assert mail.to == ["a@example.cn"]
    assert mail.from_email == "rectify@example.cn"
    assert mail.subject == "【整改提醒】测试市教育局：3项整改任务临近时限或已逾期"
    body = mail.body
    assert body.startswith("张三，您好：")
    assert "中共测试市教育局党组有3项整改任务临近整改时限或已逾期（其中1项已逾期）" in body
    assert "2024年6月1日" in body
    assert "【红色】已逾期 4 天（整改时限：2024年5月28日）" in body
    assert "【红色】还剩 10 天" in body
    assert "【黄色】还剩 18 天（整改时限：2024年6月19日）" in body
    assert "巡察轮次：市委第三巡察组常规巡察 · 中共测试市教育局党组" in body
    assert "财务管理存在漏洞 & 票据不全" in body  # plain text: not HTML-escaped
    assert "学习流于形式" * 3 in body and "学习流于形式" * 20 not in body and "……" in body
    # Each task links to the clerk's notification of it, which opens the task page.
    for key in ("overdue", "yellow", "red"):
        note = Notification.objects.get(recipient__email="a@example.cn", task=tasks[key])
        assert f"查看：https://rectify.example.cn/work/notifications/{note.pk}/" in body
    assert body.index("已逾期 4 天") < body.index("还剩 10 天") < body.index("还剩 18 天")
    for absent in ("绿色任务不该出现", "已完成任务不该出现", "无时限任务不该出现", "卫健委的问题"):
        assert absent not in body
    other = by_address["b@example.cn"].body
    assert "卫健委的问题" in other and "选人用人" not in other and "教育局" not in other
    log = ReminderLog.objects.get(user__email="a@example.cn")
    assert (log.party_group, log.date, log.task_count) == (bureau, TODAY, 3)


def test_sent_once_a_day(tasks, mailoutbox):
    send_reminders(TODAY)
    assert len(mailoutbox) == 2
    again = send_reminders(TODAY)
    assert len(mailoutbox) == 2
    assert not again.sent and len(again.already_sent) == 2
    tomorrow = send_reminders(days(1))
    assert len(mailoutbox) == 4 and len(tomorrow.sent) == 2
    assert ReminderLog.objects.count() == 4


def test_dry_run_sends_and_logs_nothing(tasks, mailoutbox):
    out = io.StringIO()
    result = send_reminders(TODAY, dry_run=True, stdout=out)
    assert len(result.sent) == 2 and result.dry_run
    assert mailoutbox == [] and not ReminderLog.objects.exists()
    assert "将发送：测试市教育局 → clerk_a <a@example.cn>：3 项" in out.getvalue()


def test_clerk_without_email_is_skipped_and_reported(tasks, clerk_user, mailoutbox):
    clerk_user.email = ""
    clerk_user.save()
    result = send_reminders(TODAY)
    assert [mail.to for mail in mailoutbox] == [["b@example.cn"]]
    assert [(m.user, m.task_count) for m in result.without_email] == [(clerk_user, 3)]
    assert not ReminderLog.objects.filter(user=clerk_user).exists()


def test_only_active_clerks_of_the_bureau(tasks, bureau, clerk_user, staff_user,
                                          django_user_model, mailoutbox):
    staff_user.email = "staff@example.cn"
    staff_user.save()
    bureau.members.add(staff_user)  # a member without the clerk role
    gone = django_user_model.objects.create_user("gone", email="gone@example.cn",
                                                 is_active=False)
    gone.groups.add(roles.ensure_roles()[roles.CLERK])
    bureau.members.add(gone)
    send_reminders(TODAY)
    assert sorted(mail.to[0] for mail in mailoutbox) == [
        "a@example.cn", "b@example.cn", "staff@example.cn"]
    # Staff hear as the office, of the overdue task only — not as the bureau's member.
    staff_mail = next(mail for mail in mailoutbox if mail.to == ["staff@example.cn"])
    assert "落实“第一议题”制度不到位" in staff_mail.body
    assert "选人用人" not in staff_mail.body and "财务管理" not in staff_mail.body


def test_no_mail_when_nothing_is_due(tasks, mailoutbox):
    for task in tasks.values():
        task.status = Status.COMPLETED
        task.save()
    assert not send_reminders(TODAY).sent and mailoutbox == []


def test_failed_send_is_reported_and_retried(tasks, mailoutbox, monkeypatch):
    from django.core.mail import EmailMessage

    def broken(self, fail_silently=False):
        raise OSError("connection refused")

    monkeypatch.setattr(EmailMessage, "send", broken)
    result = send_reminders(TODAY)
    assert len(result.failed) == 2 and not result.sent
    assert not ReminderLog.objects.exists()  # the next run tries again
    monkeypatch.undo()
    assert len(send_reminders(TODAY).sent) == 2


# -- the command --------------------------------------------------------------------------------


def run(*args) -> str:
    out = io.StringIO()
    call_command("send_reminders", *args, stdout=out)
    return out.getvalue()


def test_command_summary(tasks, mailoutbox):
    out = run("--date", "2024-06-01")
    assert "send_reminders（2024-06-01）：已发送 2 封提醒邮件" in out
    assert "今天已发送过而跳过 0 封" in out
    assert len(mailoutbox) == 2
    out = run("--date", "2024-06-01")
    assert "已发送 0 封提醒邮件；今天已发送过而跳过 2 封" in out


def test_command_dry_run(tasks, mailoutbox):
    out = run("--date", "2024-06-01", "--dry-run")
    assert "试运行" in out and "将发送 2 封提醒邮件" in out
    assert mailoutbox == [] and not ReminderLog.objects.exists()


def test_command_limits_to_party_groups(tasks, other_bureau, mailoutbox):
    out = run("--date", "2024-06-01", "--party-group", str(other_bureau.pk))
    assert "已发送 1 封" in out
    assert [mail.to for mail in mailoutbox] == [["b@example.cn"]]


def test_command_reports_clerks_without_email(tasks, clerk_user, mailoutbox):
    clerk_user.email = ""
    clerk_user.save()
    out = run("--date", "2024-06-01")
    assert "收件人未填写电子邮箱 1 人次" in out
    assert "未填写电子邮箱：测试市教育局 → clerk_a：3 项" in out


def test_command_default_date_is_today(tasks, mailoutbox):
    run()
    assert ReminderLog.objects.filter(date=timezone.localdate()).exists() == bool(mailoutbox)


@pytest.mark.parametrize("value", ["2024-13-01", "明天", "01/06/2024"])
def test_command_bad_date(db, value):
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        run("--date", value)


def test_command_unknown_party_group(bureau):
    with pytest.raises(CommandError, match="没有编号为 999999 的党组织"):
        run("--party-group", str(bureau.pk), "--party-group", "999999")
    with pytest.raises(CommandError, match="不是党组织编号"):
        run("--party-group", "教育局")



# -- escalation: who hears of which tasks -------------------------------------------------------


@pytest.fixture
def leader(db, django_user_model, bureau):
    """The bureau leader (单位负责人) of 教育局."""
    user = django_user_model.objects.create_user("leader_a", email="leader@example.cn")
    user.groups.add(roles.ensure_roles()[roles.LEADER])
    bureau.members.add(user)
    return user


@pytest.fixture
def office(staff_user):
    staff_user.email = "office@example.cn"
    staff_user.save()
    return staff_user


def listed(mail) -> set[str]:
    """Which of the ``tasks`` fixture's three due tasks a mail lists."""
    names = {"overdue": "落实“第一议题”", "red": "财务管理存在漏洞", "yellow": "选人用人工作不规范"}
    return {key for key, words in names.items() if words in mail.body}


def test_escalation_by_colour(tasks, leader, office, mailoutbox):
    """Yellow reaches the clerk; red (≤ 10 days) the clerk and the leader; overdue the clerk,
    the leader and the office."""
    send_reminders(TODAY)
    mails = {mail.to[0]: mail for mail in mailoutbox}
    assert set(mails) == {"a@example.cn", "b@example.cn", "leader@example.cn",
                          "office@example.cn"}
    assert listed(mails["a@example.cn"]) == {"overdue", "red", "yellow"}
    assert listed(mails["leader@example.cn"]) == {"overdue", "red"}
    assert listed(mails["office@example.cn"]) == {"overdue"}
    assert (mails["leader@example.cn"].subject
            == "【整改提醒】测试市教育局：2项整改任务临近时限或已逾期")
    assert "有1项整改任务已逾期，" in mails["office@example.cn"].body
    # 卫健委's only task is yellow: its clerk alone hears, the office and 教育局's leader not.
    assert "卫健委的问题" not in mails["office@example.cn"].body
    assert "卫健委的问题" not in mails["leader@example.cn"].body


def test_escalation_once_per_person_bureau_and_day(tasks, leader, office, other_bureau,
                                                   mailoutbox):
    """The office gets one mail per bureau with overdue tasks, each person one a day."""
    other_round = tasks["other"].round
    RectificationTask.objects.create(round=other_round, deadline=days(-1), title="卫健委逾期")
    send_reminders(TODAY)
    office_mails = [mail for mail in mailoutbox if mail.to == ["office@example.cn"]]
    assert len(office_mails) == 2  # one for each bureau
    assert sorted(mail.subject for mail in office_mails) == [
        "【整改提醒】测试市卫健委：1项整改任务临近时限或已逾期",
        "【整改提醒】测试市教育局：1项整改任务临近时限或已逾期"]
    count = len(mailoutbox)
    again = send_reminders(TODAY)
    assert len(mailoutbox) == count and not again.sent
    assert ReminderLog.objects.filter(user=office, date=TODAY).count() == 2


def test_a_leader_who_is_also_clerk_gets_one_mail_with_everything(tasks, clerk_user,
                                                                  mailoutbox):
    clerk_user.groups.add(roles.ensure_roles()[roles.LEADER])
    send_reminders(TODAY)
    mails = [mail for mail in mailoutbox if mail.to == ["a@example.cn"]]
    assert len(mails) == 1 and listed(mails[0]) == {"overdue", "red", "yellow"}


def test_thresholds_come_from_the_settings(tasks, leader, settings, mailoutbox):
    """With red at 3 days and yellow at 12, the task due in 10 days is yellow (the clerk's
    only) and the one due in 18 days is not due at all."""
    settings.WARNING_RED_DAYS = 3
    settings.WARNING_YELLOW_DAYS = 12
    items = due_tasks(tasks["red"].round.party_group, TODAY)
    assert [(item.task, item.warning) for item in items] == [
        (tasks["overdue"], Warning.RED), (tasks["red"], Warning.YELLOW)]
    send_reminders(TODAY)
    mails = {mail.to[0]: mail for mail in mailoutbox}
    assert listed(mails["a@example.cn"]) == {"overdue", "red"}
    assert "【黄色】还剩 10 天" in mails["a@example.cn"].body
    assert "黄色为距整改时限12天以内，红色为距整改时限3天以内或已逾期" in mails["a@example.cn"].body
    assert listed(mails["leader@example.cn"]) == {"overdue"}
    assert "卫健委" not in "".join(mail.subject for mail in mailoutbox)  # due in 20 days


def test_queries_do_not_grow_with_the_number_of_bureaus(
        add_bureaus, office, django_assert_max_num_queries, mailoutbox):
    add_bureaus(1, 0)
    with CaptureQueriesContext(connection) as one:
        send_reminders(TODAY, dry_run=True)
    add_bureaus(5, 1)
    with django_assert_max_num_queries(len(one)):
        result = send_reminders(TODAY, dry_run=True)
    assert len(result.sent) == 12  # each bureau: its clerk and the office


@pytest.fixture
def add_bureaus(make_round, django_user_model):
    """``add_bureaus(n, start)``: n more bureaus, each with a clerk (with an address) and an
    overdue and a yellow task."""
    from bureaus.models import PartyGroup

    def _add(n: int, start: int) -> None:
        for i in range(start, start + n):
            group = PartyGroup.objects.create(name=f"中共测试{i}局党组")
            clerk = django_user_model.objects.create_user(f"clerk{i}", email=f"c{i}@x.cn")
            clerk.groups.add(roles.ensure_roles()[roles.CLERK])
            group.members.add(clerk)
            rnd = make_round(party_group=group, feedback_date=datetime.date(2024, 1, 1))
            RectificationTask.objects.create(round=rnd, deadline=days(-2), title="逾期")
            RectificationTask.objects.create(round=rnd, deadline=days(15), title="黄色")
    return _add


def test_sending_takes_the_same_queries_for_one_bureau_and_many(
        add_bureaus, office, django_assert_max_num_queries, mailoutbox):
    """The selection, the notifications, the day's log, one insert of the log rows: the
    same at 1 bureau (2 mails) and at 6 (12 mails), the mails through one connection."""
    add_bureaus(1, 0)
    with CaptureQueriesContext(connection) as one:
        assert len(send_reminders(TODAY).sent) == 2
    add_bureaus(5, 1)
    with django_assert_max_num_queries(len(one)):
        result = send_reminders(days(1))
    assert len(result.sent) == 12 and len(mailoutbox) == 14
    assert ReminderLog.objects.filter(date=days(1)).count() == 12
    assert Notification.objects.filter(recipient=office).count() == 6  # the overdue tasks


def test_failed_sends_among_many_cost_one_query(add_bureaus, office, monkeypatch,
                                                django_assert_max_num_queries, mailoutbox):
    """Two addresses fail among twelve: the others are sent and logged, the two are reported
    and their log rows removed in one query, and the next run sends those two only."""
    from django.core.mail import EmailMessage

    add_bureaus(6, 0)
    send = EmailMessage.send

    def flaky(self, fail_silently=False):
        if self.to[0] in ("c2@x.cn", "c4@x.cn"):
            raise OSError("mailbox unavailable")
        return send(self, fail_silently)

    with CaptureQueriesContext(connection) as clean:
        send_reminders(days(-1), dry_run=False)
    monkeypatch.setattr(EmailMessage, "send", flaky)
    with django_assert_max_num_queries(len(clean) + 1):
        result = send_reminders(TODAY)
    assert sorted(mail.user.email for mail, _error in result.failed) == ["c2@x.cn", "c4@x.cn"]
    assert len(result.sent) == 10
    assert not ReminderLog.objects.filter(date=TODAY, user__email__in=["c2@x.cn", "c4@x.cn"])
    monkeypatch.undo()
    again = send_reminders(TODAY)
    assert sorted(mail.user.email for mail in again.sent) == ["c2@x.cn", "c4@x.cn"]
    assert len(again.already_sent) == 10


def test_a_concurrent_run_keeps_its_mails(tasks, mailoutbox, monkeypatch):
    """Another run logs a mail between this run's reading of the day's log and its insert:
    this run's insert fails on the unique constraint, and it sends the other mails only."""
    from rectify.services import reminders

    claim = reminders._claim

    def racing(messages, today, result):
        mail = messages[0][0]
        ReminderLog.objects.create(party_group=mail.party_group, user=mail.user, date=today,
                                   task_count=mail.task_count)
        return claim(messages, today, result)

    monkeypatch.setattr(reminders, "_claim", racing)
    result = send_reminders(TODAY)
    assert len(result.sent) == 1 and len(result.already_sent) == 1
    assert len(mailoutbox) == 1
    assert ReminderLog.objects.filter(date=TODAY).count() == 2
