"""The ledger's columns, declared once: the export writes them, the import reads them back.

A :class:`Column` names its header, width, how to read the value from a :class:`LedgerRow`,
whether an auditor's edit of it may be imported, its kind (how its cells are written, parsed
and compared) and whether it is printed. Text cells are neutralised against spreadsheet
formula injection on export and restored on import, so a round trip changes nothing
(``rectify.rules.cell_text``).

:data:`LAYOUT` is the ledger as exported now: the printed columns first (序号 1…N, 编号 the
derived number, …, 销号), then the ones an auditor does not print (巡察轮次, 任务ID, the
extension details, the hidden 版本). :data:`PREVIOUS_LAYOUT` is the ledger as exported before
(序号 held the derived number, 整改状态 the printed result or the status): the import still
reads it (``ledger_sheet`` tells the two apart by their headers).
"""

from __future__ import annotations

import datetime
import unicodedata
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from django.conf import settings
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.text import capfirst
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from rectify.models import RectificationTask
from rectify.models.choices import Status
from rectify.rules.numbering import measures_text
from rectify.services import notice_summary, statistics

# Kinds of cells.
TEXT = "text"
MEASURES = "measures"
STATUS = "status"  # the status label (one of three spellings): set through the lifecycle
RESULT = "result"  # the printed result: may be cleared (the status replaces it), not rewritten
LEGACY_STATUS = "legacy_status"  # the previous layout's 整改状态: the printed result or status
SERIAL = "serial"  # the running 序号 1…N of the sheet: never compared on import
DATE = "date"
DATETIME = "datetime"
INTEGER = "integer"
VERSION = "version"

TEXT_KINDS = frozenset({TEXT, MEASURES, STATUS, RESULT, LEGACY_STATUS, VERSION})

LEDGER_SHEET = _("台账")
SUMMARY_SHEET = _("汇总")
HISTORY_SHEET = _("历史记录")

@dataclass(slots=True)
class LedgerRow:
    """One task as the ledger shows it: the task with its place in the tree and its measures.

    ``task`` is a :class:`RectificationTask` or a row of its fields under the same names (the
    export reads rows); ``measures`` are ``(pk, version, text)`` in print order; ``signer``
    is the user name of whoever signed the task off; ``party_group`` the round's party
    group (责任单位); ``figures`` the task's outcome figures summed by kind
    (``statistics.Figure``, in the statistics' order); ``evidence`` the names of its evidence
    files, oldest first; ``serial`` the row's running number in the sheet (0: none).
    """

    task: Any
    number: str
    category_path: str
    measures: list[tuple[int, int, str]]
    round_label: str
    signer: str = ""
    party_group: str = ""
    figures: list[statistics.Figure] = field(default_factory=list)
    evidence: list[str] = field(default_factory=list)
    serial: int = 0

    @classmethod
    def of_task(cls, task: RectificationTask, measures, *, number: str = "",
                category_path: str = "", round_label: str = "", party_group: str = "",
                figures=(), evidence=()) -> LedgerRow:
        signer = task.signed_off_by.get_username() if task.signed_off_by_id else ""
        return cls(task, number, category_path, list(measures), round_label, signer,
                   party_group, list(figures), list(evidence))


def measures_digest(measures: Iterable[tuple[int, int, Any]]) -> str:
    """A short fingerprint of a task's measures (which ones, at which version)."""
    key = ",".join(f"{pk}.{version}" for pk, version, *_ in measures)
    return format(zlib.crc32(key.encode()), "08x")


def row_version(task, measures: Iterable[tuple[int, int, Any]]) -> str:
    """The hidden 版本 cell: the task's version and its measures' fingerprint, e.g. ``3:1a2b…``.

    An import refuses a row whose version is not the task's current one: someone changed the
    task or its measures after the export.
    """
    return f"{task.version}:{measures_digest(measures)}"


def status_label(task) -> str:
    """The status as one of its three labels in the active language ("已完成，长期坚持"): one
    spelling per status, so that the autofilter lists exactly three."""
    return _status_labels().get(task.status) or task.status


def status_text(task) -> str:
    """The previous layout's 整改状态: the printed result where there is one
    ("正在推进,2023年底前完成"), else the status."""
    return task.result_text or status_label(task)


def figure_sums(rows: Iterable[tuple[str, str, str, Any]],
                labels: dict[str, str] | None = None) -> list[statistics.Figure]:
    """A task's outcome figures, ``(kind, label, unit, sum)`` per kind, as the statistics
    list them (``statistics.figures_of``: kind order, the unit of the kind); ``labels``: the
    kinds' labels, looked up once for many rows (``statistics.kind_labels``)."""
    sums = [{"kind": kind, "label": label, "unit": unit, "total": total}
            for kind, label, unit, total in rows]
    return statistics.figures_of(sums, labels) if sums else []


def outcome_text(row: LedgerRow) -> str:
    """整改成效: the task's outcome paragraph, then its figures as notices print them
    ("建立完善制度12项，挽回经济损失12.5万元。", ``notice_summary.figures_text``) on a line of
    their own."""
    parts = [row.task.outcome.strip(), notice_summary.figures_text(row.figures)]
    return "\n".join(part for part in parts if part)


def evidence_text(row: LedgerRow) -> str:
    """佐证材料: the evidence files' names, one per line."""
    return "\n".join(row.evidence)


def _status_labels() -> dict[str, str]:
    """The status labels in the active language (looked up once per language)."""
    language = translation.get_language() or ""
    labels = _STATUS_LABELS.get(language)
    if labels is None:
        labels = _STATUS_LABELS[language] = {value: str(label) for value, label in
                                             Status.choices}
    return labels


_STATUS_LABELS: dict[str, dict[str, str]] = {}


def signed_off_text(row: LedgerRow) -> str:
    if not row.task.signed_off_at:
        return ""
    when = timezone.localtime(row.task.signed_off_at).date().isoformat()
    return gettext("已销号（{user}，{date}）").format(user=row.signer, date=when)


def local_datetime(value: datetime.datetime | None, zone=None) -> datetime.datetime | None:
    """An aware time as the local wall-clock time to the second (Excel has no time zones);
    ``zone``: the current time zone, when the caller looked it up already."""
    if value is None:
        return None
    zone = zone or timezone.get_current_timezone()
    return value.astimezone(zone).replace(tzinfo=None, microsecond=0)


def _status_getter() -> Callable[[LedgerRow], str]:
    """:func:`status_label` with the active language's labels looked up once."""
    labels = _status_labels()
    return lambda r: labels.get(r.task.status) or r.task.status


def _updated_at_getter() -> Callable[[LedgerRow], datetime.datetime | None]:
    """The 最后更新 getter with the current time zone looked up once."""
    zone = timezone.get_current_timezone()
    return lambda r: local_datetime(r.task.updated_at, zone)


def row_getters(columns: Iterable[Column]) -> list[Callable[[LedgerRow], Any]]:
    """The columns' getters for writing many rows: what a getter would look up on every row
    (the active language, the time zone) is looked up once, here."""
    return [column.bind() if column.bind else column.getter for column in columns]


@dataclass(frozen=True)
class Column:
    """One ledger column: header, width (characters), getter, editable on import, kind.

    ``field`` is the task field an editable column writes (for validation messages);
    ``hidden`` columns are written but not shown (the version check); ``printed`` columns
    make the print area (they come first); ``centred`` cells are centred (short codes).
    """

    key: str
    header: str | Promise
    width: float
    getter: Callable[[LedgerRow], Any]
    editable: bool = False
    kind: str = TEXT
    field: str = ""
    hidden: bool = False
    wrap: bool = False
    printed: bool = False
    centred: bool = False
    bind: Callable[[], Callable[[LedgerRow], Any]] | None = None  # see row_getters
    note: str | Promise = ""  # the header cell's comment: what the column holds
    #: Headers earlier exports wrote, still read: English ledgers said "measure" before the
    #: headers were worded as headings ("Measures").
    former_headers: tuple[str | Promise, ...] = ()

    @property
    def label(self) -> str:
        return str(self.header)

    def value(self, row: LedgerRow) -> Any:
        return self.getter(row)

    def header_names(self) -> set[str]:
        """The header as written in any of the site's languages (a ledger exported in English
        is read back as well as one in Chinese), normalised."""
        return {normalise_header(name)
                for header in (self.header, *self.former_headers)
                for name in in_all_languages(header)}


def in_all_languages(text: str | Promise) -> set[str]:
    """A translatable text in each of the site's languages."""
    names = {str(text)}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            names.add(str(text))
    return names


def normalise_header(text: Any) -> str:
    """Width, spacing and case folded: ``（一）`` equals ``(一)``, ``任务 ID`` equals ``任务ID``,
    ``Inspection round`` equals ``inspection round`` (as English ledgers once wrote it)."""
    return "".join(unicodedata.normalize("NFKC", str(text or "")).split()).casefold()


COLUMNS: list[Column] = [
    # Printed (the print area), in the order of the paper ledger.
    Column("serial", _("序号"), 6, lambda r: r.serial, kind=SERIAL, printed=True,
           centred=True),
    Column("number", _("编号"), 11, lambda r: r.number, wrap=True, printed=True),
    Column("category", capfirst(_("问题类别")), 18, lambda r: r.category_path, wrap=True,
           printed=True),
    Column("title", _("问题"), 36, lambda r: r.task.title, wrap=True, printed=True),
    Column("measures", pgettext_lazy("heading", "整改措施"), 44,
           lambda r: measures_text([text for _pk, _version, text in r.measures]),
           editable=True, kind=MEASURES, wrap=True, printed=True,
           former_headers=(_("整改措施"),)),
    Column("leader", _("责任领导"), 10, lambda r: r.task.responsible_leader, editable=True,
           field="responsible_leader", wrap=True, printed=True),
    Column("party_group", _("责任单位"), 16, lambda r: r.party_group, wrap=True,
           printed=True),
    Column("department", _("责任科室"), 12, lambda r: r.task.responsible_department,
           editable=True, field="responsible_department", wrap=True, printed=True),
    Column("deadline", _("整改时限"), 11, lambda r: r.task.deadline, editable=True, kind=DATE,
           field="deadline", printed=True),
    Column("progress", _("整改进展"), 32, lambda r: r.task.progress, editable=True,
           field="progress", wrap=True, printed=True),
    Column("status", _("整改状态"), 10, lambda r: status_label(r.task), editable=True,
           kind=STATUS, field="status", wrap=True, printed=True, bind=_status_getter,
           note=_("统计口径：三种状态之一，统计按本列计数。通报原文所载的整改结果照录在“整改结果”列，"
                  "两列措辞不同时以本列为统计口径。")),
    # The printed words of the notice the task was imported from; cleared by a status change
    # (rectify.rules.lifecycle) or, on import, by clearing the cell (the status restated).
    Column("result", _("整改结果"), 14, lambda r: r.task.result_text, editable=True,
           kind=RESULT, field="result_text", wrap=True, printed=True,
           note=_("通报原文所载的整改结果，照录不改写；没有原文结果的任务留空。清空本格即以“整改状态”列为准。")),
    Column("completion_date", _("完成时间"), 11, lambda r: r.task.completion_date,
           editable=True, kind=DATE, field="completion_date", printed=True),
    Column("outcome", _("整改成效"), 30, outcome_text, wrap=True, printed=True),
    Column("evidence", _("佐证材料"), 20, evidence_text, wrap=True, printed=True),
    Column("signed_off", _("销号"), 14, signed_off_text, wrap=True, printed=True),
    # Not printed: where the row comes from and what the import checks.
    Column("round", capfirst(_("巡察轮次")), 24, lambda r: r.round_label, wrap=True),
    Column("updated_at", _("最后更新"), 19, lambda r: local_datetime(r.task.updated_at),
           kind=DATETIME, bind=_updated_at_getter),
    Column("id", _("任务ID"), 9, lambda r: r.task.pk, kind=INTEGER),
    # Deadline extensions (申请延期), for reading only: 原定整改时限 is the deadline, else the
    # round's end of concentrated rectification; an extension is asked for and approved on
    # the task's page, never through the ledger.
    Column("original_due", _("原定整改时限"), 12, lambda r: r.task.original_due_on, kind=DATE),
    Column("extended_deadline", _("延期后时限"), 12, lambda r: r.task.extended_deadline,
           kind=DATE),
    Column("extension_count", _("延期次数"), 9, lambda r: r.task.extension_count or 0,
           kind=INTEGER),
    Column("version", _("版本"), 14, lambda r: row_version(r.task, r.measures), kind=VERSION,
           hidden=True),
]


class Layout:
    """The columns of one version of the ledger, with the lookups the import needs."""

    def __init__(self, columns: list[Column]):
        self.columns = columns
        self.by_key = {column.key: column for column in columns}
        self.editable = [column for column in columns if column.editable]
        self.read_only = [column for column in columns if not column.editable]
        self.printed = [column for column in columns if column.printed]
        assert columns[:len(self.printed)] == self.printed, "printed columns come first"


#: The ledger as exported now.
LAYOUT = Layout(COLUMNS)

BY_KEY = LAYOUT.by_key
ID_COLUMN = BY_KEY["id"]
VERSION_COLUMN = BY_KEY["version"]
EDITABLE = LAYOUT.editable
READ_ONLY = LAYOUT.read_only
PRINTED = LAYOUT.printed

#: The ledger as exported before the print-ready layout (still imported): 序号 held the
#: derived number, 整改状态 the printed result or else the status (typing the status over a
#: printed result restated it), no 编号, 责任单位, 整改结果, 整改成效 or 佐证材料.
PREVIOUS_LAYOUT = Layout([
    BY_KEY["round"],
    replace(BY_KEY["number"], header=_("序号"), printed=False),
    *(replace(BY_KEY[key], printed=False) for key in (
        "category", "title", "measures", "leader", "department", "deadline", "progress")),
    replace(BY_KEY["status"], getter=lambda r: status_text(r.task), kind=LEGACY_STATUS,
            printed=False, bind=None),
    *(replace(BY_KEY[key], printed=False) for key in ("completion_date", "signed_off")),
    *(BY_KEY[key] for key in ("updated_at", "id", "original_due", "extended_deadline",
                              "extension_count", "version")),
])
#: Headers only the current layout has: either of these tells it from the previous one.
LAYOUT_MARKERS = [BY_KEY["number"], BY_KEY["result"]]
