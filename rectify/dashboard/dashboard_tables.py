"""The dashboard's tables: one structure that the page renders (each chart is drawn from the
table below it), and the CSV and Excel downloads write — so a download says what the page says.

Every count links to the work list (``/work/``) filtered to the tasks it counts: the
dashboard's own filters plus the row's party group and the count's condition.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.http import QueryDict
from django.urls import reverse
from django.utils.translation import gettext as _

from rectify.models.choices import Status
from rectify.services.statistics import Counts, Statistics
from rectify.services.trends import Point

#: What each count selects in the work list's filters.
CONDITIONS: dict[str, dict[str, str]] = {
    "tasks": {},
    "completed": {"completed": "true"},
    "in_progress": {"status": Status.IN_PROGRESS},
    "open_on_time": {"status": Status.IN_PROGRESS, "overdue": "false"},
    "overdue": {"overdue": "true"},
    "awaiting_review": {"proposed": "true"},
    "signed_off": {"signed_off": "true"},
    "extended": {"extended": "true"},
}


@dataclass
class Cell:
    """One cell: ``value`` is what the download writes, ``text`` what the page shows,
    ``href`` the task list it counts (counts only), ``count`` whether it is a count."""

    value: object
    text: str = ""
    href: str = ""
    count: bool = False

    def __post_init__(self):
        if not self.text:
            self.text = "" if self.value is None else str(self.value)


@dataclass
class Table:
    name: str
    title: str
    columns: list[str]
    rows: list[list[Cell]] = field(default_factory=list)
    footer: list[Cell] | None = None
    chart: str = ""  # bar, doughnut, line: drawn from the table
    plot: tuple[int, ...] = ()  # the columns the chart draws (the first names the rows)
    note: str = ""

    def all_rows(self) -> list[list[Cell]]:
        return [*self.rows, *([self.footer] if self.footer else [])]


def percent(rate: float | None) -> Cell:
    if rate is None:
        return Cell(None, "—")
    value = Decimal(str(round(rate * 100, 1)))
    return Cell(value, f"{value}%")


class Links:
    """The work-list address of a count, from the dashboard's filters."""

    def __init__(self, filters: dict[str, str]):
        self.base = {name: value for name, value in filters.items() if value}
        self.url = reverse("work:index")

    def __call__(self, count_name: str, party_group: int | None = None) -> str:
        query = QueryDict(mutable=True)
        query.update(self.base)
        if party_group is not None:
            query["party_group"] = str(party_group)
        for name, value in CONDITIONS[count_name].items():
            query[name] = value
        encoded = query.urlencode()
        return f"{self.url}?{encoded}" if encoded else self.url

    def cell(self, counts: Counts, name: str, party_group: int | None = None) -> Cell:
        value = (counts.in_progress - counts.overdue if name == "open_on_time"
                 else getattr(counts, name))
        return Cell(value, href=self(name, party_group), count=True)


def build(stats: Statistics, points: list[Point], filters: dict[str, str]) -> list[Table]:
    """The dashboard's tables for ``stats`` and the trend ``points``."""
    link = Links(filters)
    total = stats.total
    groups = stats.by_party_group

    completion = Table(
        "completion", _("各单位整改完成情况"),
        [_("被巡察党组织"), _("任务"), _("已完成"), _("正在推进"), _("完成率（%）")],
        chart="bar", plot=(0, 2, 3))
    for group in groups:
        c = group.counts
        completion.rows.append([Cell(group.name), link.cell(c, "tasks", group.id),
                                link.cell(c, "completed", group.id),
                                link.cell(c, "in_progress", group.id), percent(c.completion_rate)])
    completion.footer = [Cell(_("合计")), link.cell(total, "tasks"),
                         link.cell(total, "completed"), link.cell(total, "in_progress"),
                         percent(total.completion_rate)]

    status = Table("status", _("整改状态"), [_("状态"), _("任务")], chart="doughnut", plot=(0, 1))
    status.rows = [[Cell(_("已完成（含长期坚持）")), link.cell(total, "completed")],
                   [Cell(_("正在推进，未逾期")), link.cell(total, "open_on_time")],
                   [Cell(_("正在推进，已逾期")), link.cell(total, "overdue")]]
    status.footer = [Cell(_("合计")), link.cell(total, "tasks")]

    attention = Table(
        "attention", _("各单位逾期与待审核"),
        [_("被巡察党组织"), _("已逾期"), _("待审核"), _("已销号"), _("已批准延期")],
        chart="bar", plot=(0, 1, 2))
    for group in groups:
        c = group.counts
        attention.rows.append([Cell(group.name), link.cell(c, "overdue", group.id),
                               link.cell(c, "awaiting_review", group.id),
                               link.cell(c, "signed_off", group.id),
                               link.cell(c, "extended", group.id)])
    attention.footer = [Cell(_("合计")), link.cell(total, "overdue"),
                        link.cell(total, "awaiting_review"), link.cell(total, "signed_off"),
                        link.cell(total, "extended")]

    trend = Table(
        "trend", _("完成率走势"),
        [_("日期"), _("任务"), _("已完成"), _("已逾期"), _("完成率（%）")],
        chart="line", plot=(0, 4),
        note=_("每日统计快照（每月末一行及最近一天）；历史日期的数字是当日的记录，不链接到今天的任务清单。"))
    for point in monthly(points):
        trend.rows.append([Cell(point.date, point.date.isoformat()), Cell(point.tasks),
                           Cell(point.completed), Cell(point.overdue),
                           percent(point.completion_rate)])

    figures = Table("figures", _("整改成效"), [_("类别"), _("数值"), _("单位")],
                    note=_("成效数据之和：所选任务的，以及所选巡察轮次整体的。"))
    for figure in total.figures:
        figures.rows.append([Cell(figure.label), Cell(figure.value, _number(figure.value)),
                             Cell(figure.unit)])
    return [completion, status, attention, trend, figures]


def monthly(points: list[Point]) -> list[Point]:
    """The last point of each month, and the last point."""
    chosen = []
    for index, point in enumerate(points):
        following = points[index + 1] if index + 1 < len(points) else None
        if following is None or (following.date.year, following.date.month) != (
                point.date.year, point.date.month):
            chosen.append(point)
    return chosen


def _number(value: Decimal) -> str:
    return f"{value.normalize():f}"
