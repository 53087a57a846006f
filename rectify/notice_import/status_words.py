"""Map printed result phrases (整改结果) to canonical statuses and read deadlines in them."""

from __future__ import annotations

import calendar
import datetime
import functools
import re

from rectify.notice_import.parsed_notice import COMPLETED, COMPLETED_LONGTERM, IN_PROGRESS

_PARTIAL_OR_ONGOING = ("部分", "正在", "推进中", "整改中", "未完成", "尚未", "未整改", "进行中",
                       "阶段性")
_DONE = ("已完成", "完成整改", "已整改", "基本完成", "整改完成", "已全部完成", "整改到位",
         "已办结", "已销号", "已落实", "全部完成", "按期完成", "已解决", "已全部整改")
_LONG_TERM = ("长期", "持续", "坚持", "常态")
_ONGOING = ("持续推进", "持续整改", "推进", "落实中")

#: Characters stripped from the end of a printed result ("已完成。" -> "已完成").
RESULT_TRAILING = "。．.；;，,、 \t\u3000"

#: How a short status phrase opens ("已完成", "正在推进", "持续推进，2024年底前完成").
STATUS_STARTS = (
    "已", "正在", "基本", "完成", "全部完成", "长期", "持续", "整改中", "整改完成", "立行立改",
    "按期", "未", "尚未", "部分", "阶段性", "推进中", "落实中", "进行中", "常态", "整改到位",
)
#: Longest text read as a status phrase after a label that may also introduce measures.
STATUS_PHRASE_MAX = 30
#: Printed deadlines that name no date but are no error either ("整改时限：长期坚持").
_OPEN_ENDED = ("长期", "持续", "常态", "立行立改", "立即", "即知即改", "已完成", "动态")


@functools.lru_cache(maxsize=512)
def canonical_status(text: str) -> str | None:
    """The canonical status of a printed result, or None when it cannot be told.

    Rules (in order): partial or ongoing wording -> in_progress; a "done" phrase with
    长期/持续/坚持 -> completed_longterm; a "done" phrase alone -> completed; bare
    长期坚持/长期推进 -> completed_longterm; 持续推进 and the like -> in_progress.
    """
    t = re.sub(r"\s+", "", text or "")
    if not t:
        return None
    if any(word in t for word in _PARTIAL_OR_ONGOING):
        return IN_PROGRESS
    done = any(word in t for word in _DONE) or t.startswith("完成")
    if done:
        if any(word in t for word in _LONG_TERM):
            return COMPLETED_LONGTERM
        return COMPLETED
    if "长期坚持" in t or "长期推进" in t or t.startswith("长期"):
        return COMPLETED_LONGTERM
    if any(word in t for word in _ONGOING):
        return IN_PROGRESS
    return None


def is_status_phrase(text: str) -> bool:
    """A short phrase that is only a status ("已完成。", "持续推进，2024年6月底前完成").

    Used where a label such as 整改进展/整改情况 may introduce either measures or the result:
    only a short text without a full stop inside, opening like a status and mapping to a
    canonical status, counts as the result.
    """
    t = (text or "").strip().rstrip(RESULT_TRAILING)
    if not t or len(t) > STATUS_PHRASE_MAX or "。" in t or t.startswith("一是"):
        return False
    if not t.startswith(STATUS_STARTS):
        return False
    return canonical_status(t) is not None


def is_open_ended_deadline(text: str) -> bool:
    """A deadline such as 长期坚持 / 持续推进 / 立行立改 that names no date on purpose."""
    t = re.sub(r"\s+", "", text or "")
    return bool(t) and len(t) <= 20 and t.startswith(_OPEN_ENDED)


_DATE_FULL_RE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]")
_MONTH_RE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(底|末|份|上旬|中旬|下旬)?")
_YEAR_END_RE = re.compile(r"(\d{4})\s*年\s*(?:年\s*)?(?:底|末|内)")
_HALF_RE = re.compile(r"(\d{4})\s*年\s*(上|下)半年")
_QUARTER_RE = re.compile(r"(\d{4})\s*年\s*(?:第\s*)?([一二三四1-4])\s*季度")
_SHORT_DATE_RE = re.compile(r"(?<![\d年])(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]")
_SHORT_MONTH_RE = re.compile(r"(?<![\d年])(\d{1,2})\s*月\s*(底|末|份|上旬|中旬|下旬)")
_BARE_YEAR_END_RE = re.compile(r"(?<![\d年])(?:年底|年末|年内)")
_DEADLINE_HINT_RE = re.compile(r"前|底|末|以内|截止|时限|期限|内完成")


def _safe_date(year: int, month: int, day: int) -> datetime.date | None:
    try:
        return datetime.date(year, month, day)
    except (ValueError, OverflowError):
        return None


def _month_end(year: int, month: int, part: str | None) -> datetime.date | None:
    if not 1 <= month <= 12 or not 1 <= year <= 9999:
        return None
    if part == "上旬":
        return _safe_date(year, month, 10)
    if part == "中旬":
        return _safe_date(year, month, 20)
    return _safe_date(year, month, calendar.monthrange(year, month)[1])


def parse_deadline(
    text: str, default_year: int | None = None, *, require_hint: bool = True
) -> datetime.date | None:
    """The deadline named in a result such as "正在推进，2023年底前完成" (None if none).

    Only phrases that read as a deadline (前/底/以内/时限…) count; a bare completion date
    is not a deadline (unless ``require_hint`` is False, e.g. after "整改时限："). When several
    dates are named the latest one wins.
    """
    if not text or len(text) > 500:
        return None
    if require_hint and not _DEADLINE_HINT_RE.search(text):
        return None
    buf = list(text)
    found: list[datetime.date] = []

    def consume(pattern: re.Pattern[str], build) -> None:
        current = "".join(buf)
        for m in pattern.finditer(current):
            value = build(m)
            if value is not None:
                found.append(value)
            buf[m.start():m.end()] = [" "] * (m.end() - m.start())

    consume(_DATE_FULL_RE, lambda m: _safe_date(int(m[1]), int(m[2]), int(m[3])))
    consume(_MONTH_RE, lambda m: _month_end(int(m[1]), int(m[2]), m[3]))
    consume(_YEAR_END_RE, lambda m: _safe_date(int(m[1]), 12, 31))
    consume(_HALF_RE, lambda m: _safe_date(int(m[1]), 6 if m[2] == "上" else 12,
                                           30 if m[2] == "上" else 31))

    def quarter(m: re.Match[str]) -> datetime.date | None:
        q = "一二三四".find(m[2]) + 1 if m[2] in "一二三四" else int(m[2])
        return _month_end(int(m[1]), q * 3, None)

    consume(_QUARTER_RE, quarter)
    if default_year:
        consume(_SHORT_DATE_RE, lambda m: _safe_date(default_year, int(m[1]), int(m[2])))
        consume(_SHORT_MONTH_RE, lambda m: _month_end(default_year, int(m[1]), m[2]))
        consume(_BARE_YEAR_END_RE, lambda m: _safe_date(default_year, 12, 31))
    return max(found) if found else None
