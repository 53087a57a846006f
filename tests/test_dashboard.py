"""The dashboard (/dashboard/, 统计): who sees what, every count a link to the task list it
counts, downloads that say what the tables say, a bounded number of queries, no inline code."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.test import Client
from openpyxl import load_workbook

from bureaus.models import PartyGroup
from rectify.models import FigureKind, OutcomeFigure, RectificationTask
from tests.seed_helpers import demo_client
from tests.test_security_headers import assert_strict_policy, inline_code

XINYE = "中共新野县教育体育局党组"
XUCHANG = "中共许昌市教育局党组"
COUNT_TABLES = ("completion", "status", "attention")


class Tables(HTMLParser):
    """The page's ``<table class="stats">``: {id: [[(text, href), …] per row]} and headers."""

    def __init__(self):
        super().__init__()
        self.tables: dict[str, list[list[tuple[str, str]]]] = {}
        self.headers: dict[str, list[str]] = {}
        self.current = None
        self.row = None
        self.cell = None
        self.in_head = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and "stats" in (attrs.get("class") or ""):
            self.current = attrs["id"].removeprefix("t-")
            self.tables[self.current], self.headers[self.current] = [], []
        elif self.current and tag == "thead":
            self.in_head = True
        elif self.current and tag == "tr" and not self.in_head:
            self.row = []
        elif self.current and tag in ("td", "th"):
            self.cell = ["", ""]
        elif self.cell is not None and tag == "a":
            self.cell[1] = attrs["href"]

    def handle_endtag(self, tag):
        if tag == "table":
            self.current = None
        elif tag == "thead":
            self.in_head = False
        elif self.current and tag in ("td", "th") and self.cell is not None:
            text = self.cell[0].strip()
            if self.in_head:
                self.headers[self.current].append(text)
            else:
                self.row.append((text, self.cell[1]))
            self.cell = None
        elif self.current and tag == "tr" and self.row is not None:
            self.tables[self.current].append(self.row)
            self.row = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell[0] += data


def tables_of(response) -> Tables:
    parser = Tables()
    parser.feed(response.content.decode())
    return parser


def row_names(parsed: Tables, table: str) -> list[str]:
    return [row[0][0] for row in parsed.tables[table]]


@pytest.fixture
def seed(seeded):
    return seeded


def short(name: str) -> str:
    return str(PartyGroup.objects.get(name=name))


def test_anonymous_readers_are_sent_to_the_login(seed):
    for address in ("/dashboard/", "/dashboard/export.csv", "/dashboard/export.xlsx"):
        response = Client().get(address)
        assert response.status_code == 302 and response["Location"].startswith(
            "/accounts/login/"), address


def test_staff_and_auditors_see_both_seed_bureaus(seed):
    for user in ("staff", "auditor"):
        parsed = tables_of(demo_client(user).get("/dashboard/"))
        assert row_names(parsed, "completion") == sorted(
            [short(XINYE), short(XUCHANG)]) + ["合计"]
        assert parsed.tables["completion"][-1][1][0] == str(RectificationTask.objects.count())


def test_a_clerk_sees_only_its_bureaus(seed):
    client = demo_client("clerk_xinye")
    parsed = tables_of(client.get("/dashboard/"))
    assert row_names(parsed, "completion") == [short(XINYE), "合计"]
    xinye_tasks = RectificationTask.objects.filter(round__party_group__name=XINYE).count()
    assert parsed.tables["completion"][-1][1][0] == str(xinye_tasks)
    assert short(XUCHANG) not in client.get("/dashboard/export.csv").content.decode()


def test_a_clerk_cannot_filter_another_bureau(seed):
    other = PartyGroup.objects.get(name=XUCHANG)
    response = demo_client("clerk_xinye").get(f"/dashboard/?party_group={other.pk}")
    page = response.content.decode()
    assert response.status_code == 200
    assert "筛选条件有误" in page and "被巡察党组织" in page
    assert 'class="stats"' not in page  # no numbers
    assert demo_client("clerk_xinye").get(
        f"/dashboard/export.csv?party_group={other.pk}").status_code == 400


def test_a_bad_year_names_the_field(seed):
    page = demo_client("staff").get("/dashboard/?year=abc").content.decode()
    assert "年度（反馈日期）" in page and 'class="stats"' not in page


@pytest.mark.parametrize("user, query", [("staff", ""), ("staff", "?year=2023"),
                                         ("clerk_xinye", ""), ("clerk_xuchang", "")])
def test_every_count_links_to_the_task_list_it_counts(seed, user, query):
    client = demo_client(user)
    parsed = tables_of(client.get(f"/dashboard/{query}"))
    checked = 0
    for name in COUNT_TABLES:
        for row in parsed.tables[name]:
            for text, href in row[1:]:
                if text.endswith("%") or text == "—":
                    continue  # a rate, beside the two counts it divides
                assert href.startswith("/work/"), (name, row, text)
                listed = client.get(href)
                assert listed.status_code == 200
                assert listed.context["count"] == int(text), (name, row[0][0], href)
                checked += 1
    assert checked >= 10


def test_the_numbers_agree_with_the_statistics(seed):
    parsed = tables_of(demo_client("staff").get("/dashboard/"))
    xuchang = next(row for row in parsed.tables["completion"] if row[0][0] == short(XUCHANG))
    tasks = RectificationTask.objects.filter(round__party_group__name=XUCHANG)
    completed = tasks.filter(status__in=["completed", "completed_longterm"]).count()
    assert [cell[0] for cell in xuchang[1:4]] == [str(tasks.count()), str(completed),
                                                  str(tasks.count() - completed)]
    assert xuchang[4][0] == f"{round(completed / tasks.count() * 100, 1)}%"


def test_outcome_figures_are_listed(seed):
    task = RectificationTask.objects.filter(round__party_group__name=XUCHANG).first()
    OutcomeFigure.objects.create(round=task.round, task=task, kind=FigureKind.FUNDS,
                                 value=Decimal("7.132"))
    parsed = tables_of(demo_client("staff").get("/dashboard/"))
    assert parsed.tables["figures"] == [[("追缴/退缴/清退资金", ""), ("7.132", ""), ("万元", "")]]
    assert tables_of(demo_client("clerk_xinye").get("/dashboard/")).tables.get("figures") is None


def test_the_trend_is_drawn_from_the_seed_history(seed):
    parsed = tables_of(demo_client("staff").get("/dashboard/"))
    trend = parsed.tables["trend"]
    assert len(trend) > 12  # months since the Xuchang feedback, back-filled by seed_demo
    first, last = trend[0], trend[-1]
    assert first[2][0] == "0"  # nothing completed at the feedback
    assert last[1][0] == str(RectificationTask.objects.count())


def _page_cells(parsed: Tables, name: str) -> list[list[str]]:
    return [[text.removesuffix("%").replace("—", "") for text, _href in row]
            for row in parsed.tables[name]]


def _same(text: str):
    """A number as a number (Excel keeps 79.0 as 79), anything else as it reads."""
    try:
        return Decimal(text).normalize()
    except ArithmeticError:
        return text


@pytest.mark.parametrize("user", ["staff", "clerk_xinye"])
def test_the_downloads_match_the_tables(seed, user):
    client = demo_client(user)
    parsed = tables_of(client.get("/dashboard/?year=2023"))
    response = client.get("/dashboard/export.csv?year=2023")
    assert response["Content-Type"].startswith("text/csv")
    sections = response.content.decode("utf-8-sig").strip().split("\r\n\r\n")
    by_title = {}
    for section in sections:
        rows = list(csv.reader(io.StringIO(section)))
        by_title[rows[0][0]] = rows[1:]
    book = load_workbook(io.BytesIO(client.get("/dashboard/export.xlsx?year=2023").content))
    for name in parsed.tables:
        title = {"completion": "各单位整改完成情况", "status": "整改状态",
                 "attention": "各单位逾期与待审核", "trend": "完成率走势",
                 "figures": "整改成效"}[name]
        expected = _page_cells(parsed, name)
        assert by_title[title][0] == parsed.headers[name]
        assert by_title[title][1:] == expected, name
        sheet = book[title]
        values = [[_same("" if v is None else str(v)[:10]) for v in row]
                  for row in sheet.iter_rows(min_row=3, values_only=True)]
        assert values == [[_same(v) for v in row] for row in expected], name
    one = client.get("/dashboard/export.csv?table=status").content.decode("utf-8-sig")
    assert one.startswith("整改状态") and "各单位" not in one


def test_no_inline_code_and_a_strict_policy(seed):
    for user in ("staff", "clerk_xinye"):
        response = demo_client(user).get("/dashboard/")
        assert_strict_policy(response)
        assert inline_code(response) == []
        page = response.content.decode()
        assert "/static/vendor/chartjs/chart.umd.js" in page and "cdn" not in page.lower()
        assert response["Cache-Control"] == "private, no-store" or "no-store" in response[
            "Cache-Control"]


def test_the_header_links_the_dashboard(seed):
    page = demo_client("clerk_xinye").get("/work/").content.decode()
    assert 'href="/dashboard/"' in page


@pytest.mark.django_db
def test_a_bounded_number_of_queries(small_round, make_round, other_bureau, staff_user,
                                     clerk_user, django_assert_max_num_queries):
    from rectify.services import trends

    trends.take_snapshot()
    for user in (staff_user, clerk_user):
        client = Client()
        client.force_login(user)
        client.get("/dashboard/")
        with django_assert_max_num_queries(QUERY_BOUND):
            assert client.get("/dashboard/").status_code == 200
    for n in range(12):  # many rounds, bureaus, tasks and snapshot days
        bureau = other_bureau if n % 2 else small_round.party_group
        rnd = make_round(party_group=bureau)
        RectificationTask.objects.bulk_create(
            RectificationTask(round=rnd, title=f"问题{k}", position=k) for k in range(1, 30))
        OutcomeFigure.objects.create(round=rnd, kind=FigureKind.SYSTEMS, value=Decimal(2))
    trends.backfill(small_round.feedback_date, small_round.feedback_date.replace(year=2024))
    for user in (staff_user, clerk_user):
        client = Client()
        client.force_login(user)
        with django_assert_max_num_queries(QUERY_BOUND):
            assert client.get("/dashboard/").status_code == 200
        with django_assert_max_num_queries(QUERY_BOUND):
            assert client.get(f"/dashboard/?party_group={small_round.party_group_id}"
                              "&year=2023").status_code == 200


#: Session and user, roles, the filters' choices, the statistics (8), the trend, the header.
QUERY_BOUND = 18
