"""The state the notice parser's passes share: the doubts found so far and style counters.

Every pass reports what it cannot place through :meth:`ParseContext.doubt` (a line number and
a Chinese message); beyond :data:`MAX_DOUBTS` the rest are only counted and summarised in one
last doubt by the orchestrator. The counters record how the notice prints its measures
(inline "一是…二是…" or one per paragraph), and ``default_year`` (the notice's year) completes
dates printed without one.
"""

from __future__ import annotations

from rectify.notice_import.parsed_notice import Doubt

#: Beyond this many doubts the rest are summarised in one last doubt.
MAX_DOUBTS = 2000
#: Characters of a paragraph quoted in a doubt.
EXCERPT = 30


class ParseContext:
    """Mutable state shared by the passes: doubts and style counters."""

    def __init__(self) -> None:
        self.doubts: list[Doubt] = []
        self.suppressed = 0
        self.inline_paragraphs = 0
        self.separate_paragraphs = 0
        self.default_year: int | None = None

    def doubt(self, line: int, message: str) -> None:
        if len(self.doubts) >= MAX_DOUBTS:
            self.suppressed += 1
            return
        self.doubts.append(Doubt(line=line, message=f"第{line}行：{message}"))


def excerpt(text: str) -> str:
    """The start of a paragraph, quoted in a doubt."""
    text = text.strip()
    return text if len(text) <= EXCERPT else text[:EXCERPT] + "……"
