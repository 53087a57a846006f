"""The statistics service (rectify.services.statistics): counts and rates of a selection of
tasks, outcome-figure sums, and breakdowns by party group and by top-level category, in a
fixed number of queries; under the one permission rule."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from rectify.models import FigureKind, OutcomeFigure, RectificationTask
from rectify.models.choices import Status
from rectify.services import statistics, workflow

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2024, 3, 1)


@pytest.fixture
def tasks(small_round, staff_user):
    """Three tasks: one completed on time, one completed late, one open and overdue."""
    small_round.rectification_end = datetime.date(2023, 8, 31)
    small_round.save()
    t1, t2, t3 = RectificationTask.objects.filter(round=small_round).order_by("pk")
    workflow.set_status(t1, Status.COMPLETED, staff_user,
                        completion_date=datetime.date(2023, 6, 30))
    t2.deadline = datetime.date(2023, 5, 31)
    t2.save()
    workflow.set_status(t2, Status.COMPLETED_LONGTERM, staff_user,
                        completion_date=datetime.date(2023, 7, 15))
    return t1, t2, t3


def test_counts_and_rates(tasks, staff_user):
    stats = statistics.for_user(staff_user, today=TODAY)
    total = stats.total
    assert (total.tasks, total.completed, total.in_progress) == (3, 2, 1)
    assert total.completion_rate == pytest.approx(2 / 3)
    assert (total.on_time, total.on_time_rate) == (1, 0.5)
    assert total.overdue == 1  # the open task, due 2023-08-31


def test_figures_are_summed_by_kind(tasks, staff_user, small_round):
    t1, t2, _t3 = tasks
    OutcomeFigure.objects.create(round=small_round, task=t1, kind=FigureKind.SYSTEMS,
                                 value=Decimal(3))
    OutcomeFigure.objects.create(round=small_round, task=t2, kind=FigureKind.SYSTEMS,
                                 value=Decimal(2))
    OutcomeFigure.objects.create(round=small_round, kind=FigureKind.FUNDS,
                                 value=Decimal("0.63"))
    stats = statistics.for_user(staff_user, today=TODAY)
    figures = {(f.label, f.unit): f.value for f in stats.total.figures}
    assert figures == {("建立完善制度", "项"): Decimal(5), ("追缴/退缴/清退资金", "万元"):
                       Decimal("0.63")}
    # By top-level category: t1 and t2 are under (一)'s subcategory, the round's own figure
    # belongs to no category.
    [top] = [g for g in stats.by_category if g.name == "政治责任扛得不牢"]
    assert top.counts.tasks == 3 and top.counts.figure(FigureKind.SYSTEMS) == 5


def test_a_clerk_counts_only_its_bureaus(tasks, other_clerk, clerk_user):
    assert statistics.for_user(other_clerk, today=TODAY).total.tasks == 0
    assert statistics.for_user(clerk_user, today=TODAY).total.tasks == 3


def test_a_filter_naming_another_bureau_is_refused(tasks, other_clerk, small_round):
    with pytest.raises(ValidationError) as refused:
        statistics.for_user(other_clerk, {"round": small_round.pk})
    assert "round" in refused.value.message_dict


def test_a_fixed_number_of_queries(tasks, staff_user, django_assert_max_num_queries):
    statistics.for_user(staff_user, today=TODAY)  # the user's roles, cached
    with django_assert_max_num_queries(statistics.QUERIES):
        statistics.for_user(staff_user, today=TODAY)


def test_the_seed_by_party_group_adds_up(seeded, django_assert_max_num_queries):
    from tests.seed_helpers import demo_user

    staff = demo_user("staff")
    statistics.for_user(staff)
    with django_assert_max_num_queries(statistics.QUERIES):
        stats = statistics.for_user(staff)
    assert stats.total.tasks == RectificationTask.objects.count()
    assert len(stats.by_party_group) == 2
    for name in ("tasks", "completed", "overdue", "signed_off"):
        assert sum(getattr(g.counts, name) for g in stats.by_party_group) == getattr(
            stats.total, name)
    assert sum(g.counts.tasks for g in stats.by_category) == stats.total.tasks
    xinye = statistics.for_user(staff, {"party_group": stats.by_party_group[0].id})
    assert xinye.total.tasks == stats.by_party_group[0].counts.tasks


# -- outcome figures: the record and its rule ---------------------------------------------------


def test_a_figure_checks_its_value_and_unit(small_round):
    task = RectificationTask.objects.filter(round=small_round).first()
    cases = [
        ({"kind": FigureKind.SYSTEMS, "value": Decimal(-1)}, "value"),
        ({"kind": FigureKind.SYSTEMS, "value": Decimal("1.5")}, "value"),
        ({"kind": FigureKind.FUNDS, "value": Decimal(1), "unit": "元"}, "unit"),
        ({"kind": FigureKind.OTHER, "value": Decimal(1)}, "label"),
    ]
    for fields, bad in cases:
        figure = OutcomeFigure(round=small_round, task=task, **fields)
        with pytest.raises(ValidationError) as refused:
            figure.full_clean()
        assert bad in refused.value.message_dict, fields
    figure = OutcomeFigure(round=small_round, task=task, kind=FigureKind.FUNDS,
                           value=Decimal("0.63"))
    figure.full_clean()
    assert figure.unit == "万元"


def test_a_clerk_changes_its_tasks_figures_not_the_rounds(small_round, clerk_user,
                                                         other_clerk):
    from rectify.rules import permissions

    task = RectificationTask.objects.filter(round=small_round).first()
    own = OutcomeFigure.objects.create(round=small_round, task=task, kind=FigureKind.LEADS,
                                       value=Decimal(2))
    rounds = OutcomeFigure.objects.create(round=small_round, kind=FigureKind.LEADS,
                                          value=Decimal(5))
    assert permissions.can_change(clerk_user, own) and permissions.can_delete(clerk_user, own)
    assert not permissions.can_change(clerk_user, rounds)
    assert set(permissions.visible(OutcomeFigure, clerk_user)) == {own, rounds}
    assert not permissions.visible(OutcomeFigure, other_clerk).exists()
    assert not permissions.can_change(other_clerk, own)
