"""Records for the API tests: two bureaus, each with a round, a category, a task with two
measures and a notice; bureau A's notice is published (public and party-only versions),
bureau A also has an unpublished draft round, bureau B has nothing published. With
``evidence=True`` each bureau's task also has a PDF as evidence (point ``EVIDENCE_ROOT`` at
a temporary directory first: ``use_evidence_root``)."""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.functional import empty

from bureaus.models import PartyGroup
from rectify.choices import Status
from rectify.models import (
    Evidence,
    InspectionRound,
    Measure,
    Notice,
    ProblemCategory,
    Publication,
    RectificationTask,
)
from rectify.models.work import evidence_storage
from rectify.services.evidence import add_evidence
from rectify.services.publishing import publish_notice

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
    return Bureau(group, rnd, category, task, measures, notice)


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


# -- evidence files ---------------------------------------------------------------------------


def use_evidence_root(settings, root) -> None:
    """Store evidence under ``root`` (a test's ``tmp_path``): the setting, and the lazy
    storage made to read it anew. Call ``reset_evidence_storage`` after the test."""
    settings.EVIDENCE_ROOT = root
    reset_evidence_storage()


def reset_evidence_storage() -> None:
    evidence_storage._wrapped = empty


def make_pdf() -> bytes:
    """A minimal well-formed one-page PDF."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n"
              % (len(objects) + 1, xref))
    return out.getvalue()


#: A Windows executable's start: what a ``.exe`` renamed ``.pdf`` begins with.
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 56 + b"This program cannot be run in DOS mode."


def pdf_upload(name: str = "整改报告.pdf", content: bytes | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, make_pdf() if content is None else content,
                              content_type="application/pdf")


def add_pdf_evidence(task: RectificationTask, user, name: str = "整改报告.pdf") -> Evidence:
    """A PDF as evidence of ``task`` (through the service, as an upload would be)."""
    return add_evidence(task, pdf_upload(name), user, "佐证材料")
