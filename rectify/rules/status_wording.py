"""How a task's status is shown: once, and never against the printed words.

A task has a canonical status (three values, what statistics count) and, for tasks imported
from a notice, the result as the notice printed it ("已完成部分整改，长期坚持"). Every page
(the public notice and its changes, the work pages, the admin) shows the printed result as
printed where there is one, else the status; the ledger keeps both columns, its header notes
saying which one the statistics count. The canonical status is added only where it
adds something, as a small note worded as what it is — the basis of the statistics
("统计口径：正在推进") — so that it cannot read as a second, contradicting result:

- the printed words say the status (they are the status's label, or begin with it, as
  "正在推进，2023年底前完成"): no note;
- they word it otherwise ("已完成整改，长期推进" for 已完成，长期坚持) or say something the
  three values cannot ("已完成部分整改，长期坚持", counted as 正在推进): the note;
- the page is not in Chinese: the note, since the printed words stay Chinese and the note is
  then the only translation a reader gets.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import cache

from django.utils import translation
from django.utils.translation import gettext as _

from rectify.models.choices import Status

CHINESE = "zh-hans"


@dataclass(frozen=True)
class StatusWording:
    status: str  # the canonical value, e.g. "in_progress" (for a colour class)
    text: str  # what is shown: the printed result, else the status's label
    printed: bool  # ``text`` is the printed result
    basis: str  # "" or the note "统计口径：正在推进"


def fold(text: str) -> str:
    """Width, spacing and the comma's shapes folded: "已完成,长期坚持" says "已完成，长期坚持"."""
    folded = unicodedata.normalize("NFKC", text)
    return "".join(folded.split()).replace("、", ",").rstrip("。.")


@cache
def _chinese_label(status: str) -> str:
    with translation.override(CHINESE):
        return fold(str(Status(status).label))


def says_status(status: str, result_text: str) -> bool:
    """Whether the printed words state the status itself (its Chinese label, perhaps with
    more after it)."""
    try:
        label = _chinese_label(status)
    except ValueError:  # not one of the three: nothing to compare
        return False
    return fold(result_text).startswith(label)


def status_wording(status: str, result_text: str = "") -> StatusWording:
    """The one way a task's status is shown; ``result_text`` is the printed result."""
    try:
        label = str(Status(status).label)
    except ValueError:
        label = status
    result_text = (result_text or "").strip()
    if not result_text:
        return StatusWording(status, label, False, "")
    in_chinese = (translation.get_language() or CHINESE).lower().startswith("zh")
    if in_chinese and says_status(status, result_text):
        return StatusWording(status, result_text, True, "")
    return StatusWording(status, result_text, True,
                         _("统计口径：{status}").format(status=label))
