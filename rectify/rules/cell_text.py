"""Text written into spreadsheet cells: neutralised against formula injection.

A text cell that would start with ``= + - @``, a tab or a carriage return is read by
spreadsheet programs as a formula (or hides its start); written with a leading ``'`` it is
plain text when opened, and :func:`restore` takes the prefix off again when a workbook is read
back, so a round trip changes nothing. The one home of the rule: the ledger (export and
import) and the round's plan workbook (``rectify.documents.round_plan``) use it.
"""

from __future__ import annotations

#: First characters that make a spreadsheet read a text cell as a formula (or hide it).
DANGEROUS_START = frozenset("=+-@\t\r")
#: The neutralising prefix: a text cell that would start with one of the characters above (or
#: with the prefix itself) is written with it in front, and read back without it.
QUOTE = "'"


def neutralise(text: str) -> str:
    """``=SUM(A1)`` -> ``'=SUM(A1)``: never a formula when opened, restored on import."""
    if text and (text[0] in DANGEROUS_START or text[0] == QUOTE):
        return QUOTE + text
    return text


def restore(text: str) -> str:
    """Undo :func:`neutralise` (only a prefix that it could have added is removed)."""
    if len(text) > 1 and text[0] == QUOTE and (text[1] in DANGEROUS_START or text[1] == QUOTE):
        return text[1:]
    return text
