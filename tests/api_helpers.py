"""Records for the API tests: two bureaus, each with a round, a category, a task with two
measures and an outcome figure, a figure of the round as a whole, and a notice; bureau A's
notice is published (public and party-only versions), bureau A also has an unpublished draft
round, bureau B has nothing published. With
``evidence=True`` each bureau's task also has a PDF as evidence (point ``EVIDENCE_ROOT`` at
a temporary directory first: the ``evidence_root`` fixture)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from bureaus.models import PartyGroup
from rectify.models import (
    Evidence,
    InspectionRound,
    Measure,
    Notice,
    OutcomeFigure,
    ProblemCategory,
    Publication,
    RectificationTask,
)
from rectify.models.choices import Status
from rectify.services.publishing import publish_notice
from tests.evidence_helpers import add_pdf_evidence

FEEDBACK = datetime.date(2023, 2, 28)


@dataclass
class Bureau:
    group: PartyGroup
    round: InspectionRound
    category: ProblemCategory
    task: RectificationTask
    measures: list[Measure]
    notice: Notice
    evidence: Evidence | None = None
    figures: list[OutcomeFigure] = field(default_factory=list)  # the task's, the round's


def make_bureau_records(group: PartyGroup, label: str) -> Bureau:
    rnd = InspectionRound.objects.create(party_group=group, inspecting_body=f"{label}巡察组",
                                         kind="常规巡察", feedback_date=FEEDBACK)
    category = ProblemCategory.objects.create(round=rnd, title=f"{label}类别")
    task = RectificationTask.objects.create(
        round=rnd, title=f"{label}问题", status=Status.COMPLETED,
        completion_date=datetime.date(2023, 5, 1), proposed_status=Status.COMPLETED_LONGTERM,
        proposal_note="长期坚持。",
    )
    measures = [Measure.objects.create(task=task, position=i, text=f"{label}措施{i}")
                for i in (1, 2)]
    notice = Notice.objects.create(round=rnd, title=f"{label}通报",
                                   date=datetime.date(2023, 7, 18))
    figures = [
        OutcomeFigure.objects.create(round=rnd, task=task, kind="systems", value=Decimal(12)),
        OutcomeFigure.objects.create(round=rnd, kind="funds", value=Decimal("0.63")),
    ]
    return Bureau(group, rnd, category, task, measures, notice, figures=figures)


@dataclass
class World:
    a: Bureau
    b: Bureau
    draft_round: InspectionRound
    draft_task: RectificationTask
    public: Publication
    party_only: Publication


def make_world(bureau: PartyGroup, other_bureau: PartyGroup, publisher, *,
               evidence: bool = False) -> World:
    a = make_bureau_records(bureau, "甲")
    b = make_bureau_records(other_bureau, "乙")
    if evidence:
        a.evidence = add_pdf_evidence(a.task, publisher, "甲佐证.pdf")
        b.evidence = add_pdf_evidence(b.task, publisher, "乙佐证.pdf")
    draft_round = InspectionRound.objects.create(party_group=bureau, inspecting_body="甲草稿组",
                                                 feedback_date=FEEDBACK)
    draft_task = RectificationTask.objects.create(round=draft_round, title="甲草稿问题")
    public = publish_notice(a.notice, publisher, approved_by="张三", for_public=True)
    party_only = publish_notice(a.notice, publisher, approved_by="张三", for_public=False)
    return World(a, b, draft_round, draft_task, public, party_only)
