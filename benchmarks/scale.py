"""Every surface at province scale: one line per surface, its queries and its median time.

Run: ``.venv/bin/python benchmarks/scale.py --tasks 6000 [--runs 3]
[--server postgres://postgres@127.0.0.1:5432] [--database NAME] [--keep] [--reuse]
[--only TEXT]``.

Creates a scratch database on that PostgreSQL server (``rectify_bench_scale`` unless
``--database``; dropped afterwards unless ``--keep``; ``--reuse`` migrates a kept one and
measures it again without rebuilding; ``--only`` times the surfaces whose name contains TEXT),
migrates it and fills it with the project's own models, shaped like a province: one party
group per 200 tasks (300 at 60,000), rounds of 100 tasks (600 at 60,000), each round a
two-level category tree (3 × 3), 4 measures a task, a history record per task, a published
notice for one round in 50, a pending proposal for one task in 200, a clerk and a leader per
party group. Then, as staff (and as one bureau's clerk where said), it times every list, page,
export and command the issues name, warm-up first (which also counts the queries), then
``--runs`` interleaved runs; a surface slower than 5 s is timed once.

Prints ``surface<TAB>queries<TAB>median ms`` per surface, then
``scale: N tasks, slowest SURFACE MS ms``. Asserts nothing; writes no file.
"""

from __future__ import annotations

import argparse
import datetime
import io
import os
import statistics as stats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks import scratch_database  # noqa: E402

DATABASE = "rectify_bench_scale"
TASKS_PER_ROUND = 100
TASKS_PER_GROUP = 200
MEASURES_PER_TASK = 4
PUBLISHED_EVERY = 50  # rounds
PROPOSAL_EVERY = 200  # tasks
SLOW_SECONDS = 5.0

SECTORS = ["教育", "卫生健康", "住房城乡建设", "交通运输", "农业农村", "市场监管", "财政", "民政"]
TOPICS = [
    "学校食堂食材采购管理不规范，教师参与校外有偿补课问题仍有发生",
    "落实全面从严治党主体责任不到位，监督检查流于形式",
    "专项资金使用不规范，项目验收把关不严",
    "基层党组织建设薄弱，“三会一课”制度落实不严格",
    "干部选拔任用程序不规范，个人有关事项报告核查不到位",
    "政府采购和招投标管理存在漏洞，合同履约监管缺位",
]
MEASURE = ("第{k}项措施：组织专题学习，建立问题清单、任务清单、责任清单，明确责任领导和完成时限，"
           "定期调度整改进展，确保整改到位、取得实效。")
PROGRESS = "已召开专题会议研究部署，制定整改方案，明确责任分工；目前正在逐项推进。"


# -- the province ---------------------------------------------------------------------------


def build(tasks: int) -> None:
    """Party groups, rounds, trees, tasks, measures, history, users, proposals, notices."""
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from simple_history.utils import bulk_create_with_history

    from bureaus.models import PartyGroup
    from rectify.models import InspectionRound, Measure, ProblemCategory, RectificationTask
    from rectify.models.choices import ReviewLevel, Status
    from rectify.rules import roles

    statuses = [Status.IN_PROGRESS, Status.COMPLETED, Status.COMPLETED_LONGTERM]
    group_count = max(2, tasks // TASKS_PER_GROUP)
    groups = PartyGroup.objects.bulk_create(
        PartyGroup(name=f"中共示例省{SECTORS[i % len(SECTORS)]}第{i}单位党组",
                   short_name=f"{SECTORS[i % len(SECTORS)]}第{i}单位")
        for i in range(1, group_count + 1)
    )
    User = get_user_model()
    role_groups = roles.ensure_roles()
    for index, group in enumerate(groups):
        clerk = User.objects.create_user(f"clerk{index}", password="x")
        leader = User.objects.create_user(f"leader{index}", password="x")
        clerk.groups.add(role_groups[roles.CLERK])
        leader.groups.add(role_groups[roles.LEADER])
        group.members.add(clerk, leader)
    staff = User.objects.create_user("bench_staff", password="x", is_staff=True)
    staff.groups.add(role_groups[roles.STAFF])

    made = 0
    round_no = 0
    while made < tasks:
        round_no += 1
        feedback = datetime.date(2022, 1, 15) + datetime.timedelta(days=round_no * 3 % 1000)
        with transaction.atomic():
            rnd = InspectionRound.objects.create(
                party_group=groups[round_no % group_count],
                inspecting_body=f"省委第{round_no % 12 + 1}巡视组", kind="常规巡视",
                feedback_date=feedback, rectification_months=3 + round_no % 10,
                review_levels=2 if round_no % 4 == 0 else 1,
            )
            tops = ProblemCategory.objects.bulk_create(
                ProblemCategory(round=rnd, position=i, title=f"{SECTORS[i]}领域第{i}方面问题")
                for i in range(1, 4))
            subs = ProblemCategory.objects.bulk_create(
                ProblemCategory(round=rnd, parent=top, position=j, title=f"第{j}类具体问题")
                for top in tops for j in range(1, 4))
            count = min(TASKS_PER_ROUND, tasks - made)
            new = []
            for i in range(count):
                number = made + i
                proposal = number % PROPOSAL_EVERY == 0
                new.append(RectificationTask(
                    round=rnd, category=subs[i % len(subs)], position=1 + i // len(subs),
                    title=f"{TOPICS[number % len(TOPICS)]}（第{number + 1}项）",
                    responsible_leader="张某某", responsible_department="办公室",
                    deadline=feedback + datetime.timedelta(days=60 + i),
                    status=statuses[number % 3], progress=PROGRESS,
                    completion_date=(feedback + datetime.timedelta(days=50)
                                     if number % 3 else None),
                    proposed_status=Status.COMPLETED if proposal else "",
                    proposal_level=ReviewLevel.OFFICE if proposal else None,
                    proposed_at=datetime.datetime.now(datetime.UTC) if proposal else None,
                ))
            created = bulk_create_with_history(new, RectificationTask,
                                               default_change_reason="基准数据")
            if created and created[0].pk is None:  # a backend that returns no keys
                created = list(rnd.tasks.order_by("pk"))
            Measure.objects.bulk_create(
                Measure(task=task, position=k, text=MEASURE.format(k=k))
                for task in created for k in range(1, MEASURES_PER_TASK + 1))
        made += count
    # bulk_create saves no record one by one: the search's rows are built here at once.
    from rectify.services.search_index import refresh_tasks

    refresh_tasks(RectificationTask.objects.values_list("pk", flat=True))
    publish(staff)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def publish(user) -> None:
    """A notice for one round in ``PUBLISHED_EVERY``, published to the party and the public."""
    from rectify.models import InspectionRound, Notice
    from rectify.models.choices import NoticeKind
    from rectify.services.publishing import publish_notice

    for rnd in InspectionRound.objects.order_by("pk")[::PUBLISHED_EVERY]:
        notice = Notice.objects.create(
            round=rnd, kind=NoticeKind.PROGRESS, date=rnd.feedback_date
            + datetime.timedelta(days=90),
            title=f"中共{rnd.party_group.short_name}党组关于巡视整改进展情况的通报",
            opening="根据有关规定，现将巡视整改进展情况予以公布。",
            signature=rnd.party_group.name)
        publish_notice(notice, user, approved_by="李某某")


# -- the surfaces ---------------------------------------------------------------------------


def surfaces(staff_client, clerk_client) -> dict:
    """Name -> callable, for every surface this build has (a 404 means not built yet)."""
    from django.core.management import call_command

    from rectify.models import InspectionRound, Publication

    publication = Publication.objects.filter(for_public=True).order_by("-pk").first()
    round_id = InspectionRound.objects.order_by("pk").values_list("pk", flat=True).first()

    def get(client, address, ok=(200,)):
        def run():
            response = client.get(address)
            if response.status_code not in ok:
                raise LookupError(f"{address}: HTTP {response.status_code}")
            if getattr(response, "streaming", False):
                for _chunk in response.streaming_content:
                    pass
            return response
        return run

    def command(name, *args, **options):
        def run():
            call_command(name, *args, stdout=io.StringIO(), stderr=io.StringIO(), **options)
        return run

    cases = {
        "/work/ (staff)": get(staff_client, "/work/"),
        "/work/ (clerk)": get(clerk_client, "/work/"),
        "/work/?q=教师 (staff)": get(staff_client, "/work/?q=%E6%95%99%E5%B8%88"),
        "/work/overview/": get(staff_client, "/work/overview/"),
        "/work/review/": get(staff_client, "/work/review/"),
        "/ledger/ page": get(staff_client, "/ledger/"),
        f"/ledger/?export (round {round_id})": get(
            staff_client, f"/ledger/?round={round_id}&export=1", ok=(200, 302)),
        "/ledger/?export (everything)": get(staff_client, "/ledger/?export=1", ok=(200, 302)),
        "admin task list": get(staff_client, "/admin/rectify/rectificationtask/"),
        "admin task search q=教师": get(staff_client,
                                       "/admin/rectify/rectificationtask/?q=%E6%95%99%E5%B8%88"),
        "admin round list": get(staff_client, "/admin/rectify/inspectionround/"),
        "/api/tasks/": get(staff_client, "/api/tasks/"),
        "/api/tasks/?page_size=200": get(staff_client, "/api/tasks/?page_size=200"),
        "/api/tasks/?q=教师": get(staff_client, "/api/tasks/?q=%E6%95%99%E5%B8%88"),
        "/api/tasks/?q=学校食堂": get(
            staff_client, "/api/tasks/?q=%E5%AD%A6%E6%A0%A1%E9%A3%9F%E5%A0%82"),
        "/api/tasks/?q=整改": get(
            staff_client, "/api/tasks/?q=%E6%95%B4%E6%94%B9"),
        "/api/measures/?q=教师": get(staff_client, "/api/measures/?q=%E6%95%99%E5%B8%88"),
        "/api/rounds/": get(staff_client, "/api/rounds/"),
        "/api/statistics/": get(staff_client, "/api/statistics/"),
        "/dashboard/": get(staff_client, "/dashboard/"),
        "/notices/": get(staff_client, "/notices/"),
        "/notices/?q=食堂 (public)": get(staff_client.__class__(),
                                        "/notices/?q=%E9%A3%9F%E5%A0%82"),
        f"/work/?round={round_id} (staff)": get(staff_client, f"/work/?round={round_id}"),
        "/notices/?q=教师 (public)": get(staff_client.__class__(),
                                       "/notices/?q=%E6%95%99%E5%B8%88"),
        "send_reminders --dry-run": command("send_reminders", "--dry-run"),
    }
    if publication is not None:
        cases["/notices/<id>/ (public)"] = get(staff_client.__class__(),
                                               f"/notices/{publication.pk}/")
        for suffix in ("docx", "pdf"):
            cases[f"/notices/<id>.{suffix}"] = get(staff_client.__class__(),
                                                    f"/notices/{publication.pk}.{suffix}")
    return cases


def measure(runs: int, tasks: int, only: str = "") -> None:
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    settings.ALLOWED_HOSTS = ["*"]
    User = get_user_model()
    staff_client, clerk_client = Client(), Client()
    staff_client.force_login(User.objects.get(username="bench_staff"))
    clerk_client.force_login(User.objects.get(username="clerk0"))
    cases = {name: case for name, case in surfaces(staff_client, clerk_client).items()
             if only in name}
    queries: dict[str, int] = {}
    times: dict[str, list[float]] = {}
    for name, case in list(cases.items()):  # warm-up: counts the queries, drops the missing
        connection.queries_log.clear()  # a full log (after building) would count nothing
        try:
            with CaptureQueriesContext(connection) as captured:
                begin = time.perf_counter()
                case()
                times[name] = [time.perf_counter() - begin]
        except LookupError as missing:
            print(f"# skipped {name}: {missing}", file=sys.stderr)
            del cases[name]
            continue
        queries[name] = len(captured)
    fast = [name for name in cases if times[name][0] < SLOW_SECONDS]
    for name in fast:
        times[name] = []
    for _ in range(runs):  # interleaved
        for name in fast:
            begin = time.perf_counter()
            cases[name]()
            times[name].append(time.perf_counter() - begin)
    slowest, slowest_ms = "", 0.0
    for name in cases:
        median_ms = stats.median(times[name]) * 1000
        print(f"{name}\t{queries[name]}\t{median_ms:.0f}", flush=True)
        if median_ms > slowest_ms:
            slowest, slowest_ms = name, median_ms
    print(f"scale: {tasks} tasks, slowest {slowest} {slowest_ms:.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=6_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    parser.add_argument("--reuse", action="store_true", help="measure a kept database again")
    parser.add_argument("--database", default=DATABASE, help="the scratch database's name")
    parser.add_argument("--only", default="", help="time only the surfaces naming this text")
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = f"{args.server}/{args.database}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rectify.settings")
    os.environ.setdefault("DEBUG", "1")
    import django

    django.setup()
    from django.core.management import call_command

    from rectify.models import RectificationTask

    if not args.reuse:
        scratch_database.recreate(args.server, args.database)
    try:
        call_command("migrate", verbosity=0)
        if not args.reuse:
            start = time.perf_counter()
            build(args.tasks)
            print(f"# built {args.tasks} tasks in {time.perf_counter() - start:.0f} s",
                  file=sys.stderr)
        measure(args.runs, RectificationTask.objects.count(), args.only)
    finally:
        if not args.keep:
            scratch_database.drop(args.server, args.database)


if __name__ == "__main__":
    main()
