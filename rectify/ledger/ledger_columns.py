"""The ledger's columns, declared once: the export writes them, the import reads them back.

A :class:`Column` names its header, width, how to read the value from a :class:`LedgerRow`,
whether an auditor's edit of it may be imported, and its kind (how its cells are written,
parsed and compared). Text cells are neutralised against spreadsheet formula injection on
export and restored on import, so a round trip changes nothing (``rectify.rules.cell_text``).
"""

from __future__ import annotations

import datetime
import unicodedata
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from rectify.models import RectificationTask
from rectify.models.choices import Status
from rectify.rules.numbering import measures_text

# Kinds of cells.
TEXT = "text"
MEASURES = "measures"
STATUS = "status"
DATE = "date"
DATETIME = "datetime"
INTEGER = "integer"
VERSION = "version"

TEXT_KINDS = frozenset({TEXT, MEASURES, STATUS, VERSION})

LEDGER_SHEET = _("台账")
SUMMARY_SHEET = _("汇总")
HISTORY_SHEET = _("历史记录")

@dataclass(slots=True)
class LedgerRow:
    """One task as the ledger shows it: the task with its place in the tree and its measures.

    ``task`` is a :class:`RectificationTask` or a row of its fields under the same names (the
    export reads rows); ``measures`` are ``(pk, version, text)`` in print order; ``signer``
    is the user name of whoever signed the task off.
    """

    task: Any
    number: str
    category_path: str
    measures: list[tuple[int, int, str]]
    round_label: str
    signer: str = ""

    @classmethod
    def of_task(cls, task: RectificationTask, measures, *, number: str = "",
                category_path: str = "", round_label: str = "") -> LedgerRow:
        signer = task.signed_off_by.get_username() if task.signed_off_by_id else ""
        return cls(task, number, category_path, list(measures), round_label, signer)


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


def status_text(task) -> str:
    """The printed result where there is one ("正在推进,2023年底前完成"), else the status."""
    if task.result_text:
        return task.result_text
    labels = _status_labels()
    return labels.get(task.status) or task.status


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


def local_datetime(value: datetime.datetime | None) -> datetime.datetime | None:
    """An aware time as the local wall-clock time to the second (Excel has no time zones)."""
    if value is None:
        return None
    return value.astimezone(timezone.get_current_timezone()).replace(tzinfo=None, microsecond=0)


@dataclass(frozen=True)
class Column:
    """One ledger column: header, width (characters), getter, editable on import, kind.

    ``field`` is the task field an editable column writes (for validation messages);
    ``hidden`` columns are written but not shown (the version check).
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

    @property
    def label(self) -> str:
        return str(self.header)

    def value(self, row: LedgerRow) -> Any:
        return self.getter(row)

    def header_names(self) -> set[str]:
        """The header as written in any of the site's languages (a ledger exported in English
        is read back as well as one in Chinese), normalised."""
        return {normalise_header(name) for name in in_all_languages(self.header)}


def in_all_languages(text: str | Promise) -> set[str]:
    """A translatable text in each of the site's languages."""
    names = {str(text)}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            names.add(str(text))
    return names


def normalise_header(text: Any) -> str:
    """Width and spacing folded: ``（一）`` equals ``(一)``, ``任务 ID`` equals ``任务ID``."""
    return "".join(unicodedata.normalize("NFKC", str(text or "")).split())


COLUMNS: list[Column] = [
    Column("round", _("巡察轮次"), 24, lambda r: r.round_label, wrap=True),
    Column("number", _("序号"), 10, lambda r: r.number),
    Column("category", _("问题类别"), 28, lambda r: r.category_path, wrap=True),
    Column("title", _("问题"), 48, lambda r: r.task.title, wrap=True),
    Column("measures", _("整改措施"), 60,
           lambda r: measures_text([text for _pk, _version, text in r.measures]),
           editable=True, kind=MEASURES, wrap=True),
    Column("leader", _("责任领导"), 12, lambda r: r.task.responsible_leader, editable=True,
           field="responsible_leader", wrap=True),
    Column("department", _("责任科室"), 16, lambda r: r.task.responsible_department,
           editable=True, field="responsible_department", wrap=True),
    Column("deadline", _("整改时限"), 12, lambda r: r.task.deadline, editable=True, kind=DATE,
           field="deadline"),
    Column("progress", _("整改进展"), 40, lambda r: r.task.progress, editable=True,
           field="progress", wrap=True),
    Column("status", _("整改状态"), 16, lambda r: status_text(r.task), editable=True,
           kind=STATUS, field="status", wrap=True),
    Column("completion_date", _("完成时间"), 12, lambda r: r.task.completion_date,
           editable=True, kind=DATE, field="completion_date"),
    Column("signed_off", _("销号"), 20, signed_off_text, wrap=True),
    Column("updated_at", _("最后更新"), 19, lambda r: local_datetime(r.task.updated_at),
           kind=DATETIME),
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

BY_KEY = {column.key: column for column in COLUMNS}
ID_COLUMN = BY_KEY["id"]
VERSION_COLUMN = BY_KEY["version"]
EDITABLE = [column for column in COLUMNS if column.editable]
READ_ONLY = [column for column in COLUMNS if not column.editable]
