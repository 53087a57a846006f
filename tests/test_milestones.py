"""Round milestones close when reached, and a round without an end of rectification is
flagged instead of silently giving its tasks no warning."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from rectify.models import InspectionRound
from rectify.rules import due_dates
from rectify.services.records import save_record
from tests.seed_helpers import demo_client, demo_user

TODAY = datetime.date(2023, 9, 1)


def labels(points) -> dict[str, tuple[str, str]]:
    return {point.label: (point.countdown, point.done) for point in points}


def test_the_report_milestone_closes_when_staff_record_it(make_round, staff_user):
    rnd = make_round(feedback_date=datetime.date(2023, 2, 28), rectification_months=6)
    before = labels(due_dates.milestones(rnd, TODAY))
    assert before["报送整改情况报告"] == ("已逾期 126 天", "")
    rnd.report_submitted_on = datetime.date(2023, 4, 20)
    save_record(rnd, staff_user)
    points = due_dates.milestones(rnd, TODAY)
    assert labels(points)["报送整改情况报告"] == ("", "已报送 2023-04-20")
    assert labels(points)["集中整改结束"] == ("已逾期 4 天", "")
    assert points[1].passed


def test_a_published_final_notice_closes_every_milestone(make_round):
    rnd = make_round(feedback_date=datetime.date(2023, 2, 28), rectification_months=3)
    points = due_dates.milestones(rnd, TODAY, final_published=True)
    assert labels(points)["报送整改情况报告"] == ("", "终期通报已发布")
    assert labels(points)["集中整改结束"] == ("", "终期通报已发布")
    assert all(point.passed for point in points)


def test_a_report_date_before_the_feedback_is_refused(make_round, staff_user):
    rnd = make_round(feedback_date=datetime.date(2023, 2, 28))
    rnd.report_submitted_on = datetime.date(2023, 1, 1)
    with pytest.raises(ValidationError) as refused:
        save_record(rnd, staff_user)
    assert refused.value.message_dict == {
        "report_submitted_on": ["整改情况报告报送日期不能早于反馈日期。"]}
    assert InspectionRound.objects.get(pk=rnd.pk).report_submitted_on is None


def test_seed_rounds_on_the_work_list(seeded):
    """Xuchang's final notice is published: its milestones are done, not overdue. Xinye's
    round has no end of rectification: it is flagged."""
    html = demo_client("staff").get(reverse("work:index")).content.decode()
    cards = [part.split("</article>")[0]
             for part in html.split('<article class="round-card">')[1:]]
    xuchang = next(card for card in cards if "许昌" in card)
    xinye = next(card for card in cards if "新野" in card)
    assert "终期通报已发布" in xuchang and "已逾期" not in xuchang
    assert "未设整改期限" not in xuchang
    assert "未设整改期限" in xinye and "终期通报已发布" not in xinye


def test_the_round_admin_flags_a_round_without_an_end(seeded):
    client = demo_client("staff")
    xinye = InspectionRound.objects.get(party_group__name="中共新野县教育体育局党组")
    xuchang = InspectionRound.objects.get(party_group__name="中共许昌市教育局党组")
    page = client.get(reverse("admin:rectify_inspectionround_change", args=[xinye.pk]))
    assert "未设整改期限" in page.content.decode()
    page = client.get(reverse("admin:rectify_inspectionround_change", args=[xuchang.pk]))
    assert "未设整改期限" not in page.content.decode()
    assert "2023-05-28" in page.content.decode()


def test_a_withdrawn_final_notice_closes_nothing(seeded):
    from rectify.services.publishing import withdraw_publication

    staff = demo_user("staff")
    withdraw_publication(seeded["xuchang"], staff, "内容有误，重新审定后发布", "张某某")
    html = demo_client("staff").get(reverse("work:index")).content.decode()
    cards = [part.split("</article>")[0]
             for part in html.split('<article class="round-card">')[1:]]
    xuchang = next(card for card in cards if "许昌" in card)
    assert "终期通报已发布" not in xuchang and "已逾期" in xuchang
