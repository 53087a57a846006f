"""How long a published 500-task notice takes to become a .docx and a PDF.

Run: ``.venv/bin/python benchmarks/documents.py [--tasks N] [--runs 3]``. Builds a throwaway
SQLite database of its own (a temporary file, migrated, filled with ``bulk_create``: one round
of N tasks under 5 × 2 categories, three measures of realistic length each, an outcome and a
result), publishes the notice through the service (its frozen snapshot), then prints the
median of ``--runs`` runs of:

* the .docx: the document built from the snapshot and written (``render_docx``), against a
  floor — python-docx writing the same lines as plain paragraphs of its default template;
* the PDF: the same document printed by Chromium (``render_pdf``), against a floor — Chromium
  printing a one-page document (its start-up and shut-down);
* the PDF's pages, and the files' sizes.

Goals (issue 15): the .docx under 5 s, the PDF under 15 s, on this machine. Asserts nothing.
"""

from __future__ import annotations

import argparse
import datetime
import io
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TITLE = "关于“第{n}项问题：落实全面从严治党主体责任不到位，制度执行不严格，监督检查流于形式”的问题"
MEASURES = (
    "组织专题学习，建立问题清单、任务清单、责任清单，明确责任领导和完成时限，定期调度整改进展。",
    "修订完善相关制度，细化审批流程，加强监督检查，对发现的问题及时通报并督促整改到位。",
    "举一反三开展自查自纠，建立长效机制，确保整改到位、取得实效，防止问题反弹回潮。",
)
OUTCOME = "经过整改，第{n}项问题得到有效解决，相关制度进一步健全，工作规范化水平明显提升。"


def setup_django(database: Path) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rectify.settings")
    os.environ.setdefault("DEBUG", "1")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def publish(tasks: int):
    """A round of ``tasks`` tasks, its notice, published to the party and the public."""
    from bureaus.models import PartyGroup
    from rectify.models import (
        InspectionRound,
        Measure,
        Notice,
        ProblemCategory,
        RectificationTask,
    )
    from rectify.models.choices import NumberingStyle, Status
    from rectify.services.publishing import publish_notice

    group = PartyGroup.objects.create(name="中共示例市教育局党组", short_name="示例市教育局")
    rnd = InspectionRound.objects.create(
        party_group=group, inspecting_body="市委第三巡察组", kind="常规巡察",
        feedback_date=datetime.date(2023, 2, 28), numbering_style=NumberingStyle.NESTED,
        level_formats=["({cn})", "{n}.", "{n})", "{circled}"], show_task_counts=True,
        show_results=True,
    )
    tops = ProblemCategory.objects.bulk_create(
        ProblemCategory(round=rnd, position=i + 1, title=f"关于第{i + 1}方面的问题")
        for i in range(5))
    subs = ProblemCategory.objects.bulk_create(
        ProblemCategory(round=rnd, parent=top, position=j + 1,
                        title=f"第{i + 1}方面第{j + 1}类具体问题")
        for i, top in enumerate(tops) for j in range(2))
    per_sub: dict[int, int] = {}
    rows = []
    statuses = list(Status)
    for n in range(tasks):
        sub = subs[n * len(subs) // tasks]
        per_sub[sub.pk] = per_sub.get(sub.pk, 0) + 1
        rows.append(RectificationTask(
            round=rnd, category=sub, position=per_sub[sub.pk], title=TITLE.format(n=n + 1),
            status=statuses[n % len(statuses)], outcome=OUTCOME.format(n=n + 1)))
    created = RectificationTask.objects.bulk_create(rows)
    Measure.objects.bulk_create(
        Measure(task=task, position=k + 1, text=text)
        for task in created for k, text in enumerate(MEASURES))
    notice = Notice.objects.create(
        round=rnd, title=f"中共示例市教育局党组关于巡察整改情况的通报（{tasks}项）",
        opening="根据市委巡察工作统一部署，市委第三巡察组对市教育局党组进行了常规巡察。" * 3,
        overall_heading="一、整体推进情况", overall="局党组高度重视巡察整改工作。" * 5,
        problems_heading="二、问题整改情况", closing="欢迎广大干部群众监督。",
        signature="中共示例市教育局党组", date=datetime.date(2023, 7, 18),
    )
    return publish_notice(notice, None, approved_by="张三")


def median_time(function, runs: int):
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def pdf_pages(data: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?!s)", data))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=500)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="documents-bench-") as tmp:
        start = time.perf_counter()
        setup_django(Path(tmp) / "bench.sqlite3")
        publication = publish(args.tasks)
        print(f"published: {args.tasks} tasks, 3 measures each "
              f"({time.perf_counter() - start:.1f} s to build)")

        import docx

        from rectify.documents import gongwen as gw
        from rectify.documents.gongwen_docx import render_docx
        from rectify.documents.gongwen_pdf import PdfUnavailable, chromium_path, render_pdf
        from rectify.documents.notice_document import publication_document

        def make_docx():
            # The whole way from the stored snapshot: read, map, write.
            publication.refresh_from_db()
            return render_docx(publication_document(publication, "party"))

        document = publication_document(publication, "party")
        lines = gw.document_lines(document)

        def floor_docx():
            plain = docx.Document()
            for line in lines:
                plain.add_paragraph(line)
            out = io.BytesIO()
            plain.save(out)
            return out.getvalue()

        docx_s, docx_bytes = median_time(make_docx, args.runs)
        floor_s, _ = median_time(floor_docx, args.runs)
        print(f"docx: {docx_s:.2f} s (median of {args.runs}), {len(docx_bytes) / 1024:.0f} KB, "
              f"{len(document.blocks)} blocks; floor (python-docx, plain paragraphs) "
              f"{floor_s:.2f} s, ratio {docx_s / floor_s:.2f}")

        one_page = gw.Document(blocks=[gw.Title("一页"), gw.Paragraph("正文。")])
        try:
            pdf_s, pdf_bytes = median_time(
                lambda: render_pdf(publication_document(publication, "party")), args.runs)
            pdf_floor, _ = median_time(lambda: render_pdf(one_page), args.runs)
        except PdfUnavailable as error:
            print(f"pdf: unavailable ({chromium_path()}): {error}")
            return
        print(f"pdf: {pdf_s:.2f} s (median of {args.runs}), {pdf_pages(pdf_bytes)} pages, "
              f"{len(pdf_bytes) / 1024 / 1024:.1f} MB; floor (Chromium printing one page) "
              f"{pdf_floor:.2f} s, ratio {pdf_s / pdf_floor:.2f}")
        print(f"goals: docx < 5 s {'met' if docx_s < 5 else 'MISSED'}, "
              f"pdf < 15 s {'met' if pdf_s < 15 else 'MISSED'}")


if __name__ == "__main__":
    main()
