"""A notice's summary paragraph (统计概要): the staff's words around numbers computed from the
round's records (``rectify.services.statistics``), e.g. "本轮巡察反馈问题53个，已完成44个，
正在推进9个，完成率83.0%。建立完善制度12项，追缴/退缴/清退资金7.132万元。"

The template's placeholders are ``rectify.models.notices.SUMMARY_PLACEHOLDERS``; the notice
refuses an unknown one (and numbers typed in place of one). Publishing renders the paragraph
once and freezes it in the snapshot (``rectify.services.snapshot``): later changes to the
records do not change a published version.

Counted: every task of the round — withheld ones too, as the notice's other counts — and the
figures of those tasks and the round's own.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import translation

from rectify.models import FigureKind, Notice, RectificationTask
from rectify.models.notices import PLACEHOLDER_RE
from rectify.services import statistics

#: The language notices are printed in.
NOTICE_LANGUAGE = "zh-hans"

#: Printed for a rate with nothing to divide by (a round without tasks).
NO_RATE = "—"


def number_text(value: Decimal | int) -> str:
    """``Decimal("7.1320")`` → ``"7.132"``, ``Decimal("12.0000")`` → ``"12"``."""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def rate_text(rate: float | None) -> str:
    """A fraction as notices print it, one decimal: 0.83 → ``"83.0%"``."""
    return NO_RATE if rate is None else f"{rate * 100:.1f}%"


def figures_text(figures: list[statistics.Figure]) -> str:
    """"建立完善制度12项，追缴/退缴/清退资金7.132万元。" ("" without figures)."""
    parts = [f"{figure.label}{number_text(figure.value)}{figure.unit}" for figure in figures
             if figure.value]
    return "，".join(parts) + "。" if parts else ""


def values(counts: statistics.Counts) -> dict[str, str]:
    """What each placeholder prints for ``counts``."""
    printed = {name: str(getattr(counts, name)) for name in (
        "tasks", "completed", "in_progress", "on_time", "overdue", "signed_off", "extended")}
    printed["completion_rate"] = rate_text(counts.completion_rate)
    printed["on_time_rate"] = rate_text(counts.on_time_rate)
    printed["figures"] = figures_text(counts.figures)
    for kind in FigureKind:
        if kind != FigureKind.OTHER:
            printed[kind.value] = number_text(counts.figure(kind))
    return printed


def render(template: str, counts: statistics.Counts) -> str:
    """``template`` with its placeholders replaced by the numbers of ``counts``."""
    return render_values(template, values(counts))


def render_values(template: str, printed: dict[str, str]) -> str:
    """``template`` with its placeholders replaced by ``printed`` (one paragraph: its lines
    joined; an unknown placeholder is left as it is)."""
    text = PLACEHOLDER_RE.sub(lambda match: printed.get(match.group(1), match.group(0)),
                              template or "")
    return "".join(line.strip() for line in text.splitlines())


def round_counts(notice: Notice, today: datetime.date | None = None) -> statistics.Counts:
    """The counts of the notice's round (:data:`statistics.QUERIES` queries), the figures
    named in the notice's language whatever the reader's (the admin's preview in English)."""
    with translation.override(NOTICE_LANGUAGE):
        return statistics.compute(RectificationTask.objects.filter(round_id=notice.round_id),
                                  today).total


def summary(notice: Notice, today: datetime.date | None = None) -> str:
    """The paragraph ``notice`` prints now ("" when it prints none)."""
    if not notice.show_summary or not (notice.summary_template or "").strip():
        return ""
    return render(notice.summary_template, round_counts(notice, today))
