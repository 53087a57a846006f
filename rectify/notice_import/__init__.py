"""Import published rectification notices: read a file, parse its text, load the records.

``read_notice_file`` turns a .txt/.docx upload into text, ``parse_notice`` turns text into a
:class:`~rectify.notice_import.parsed_notice.ParsedNotice`; both are pure Python (no Django).
The loader
(:mod:`rectify.notice_import.notice_loader`) writes a parsed notice into the database.
"""

from rectify.notice_import.notice_parser import parse_notice
from rectify.notice_import.notice_reader import NoticeReadError, read_notice_file
from rectify.notice_import.parsed_notice import Doubt, ParsedMeasure, ParsedNode, ParsedNotice

__all__ = [
    "Doubt",
    "NoticeReadError",
    "ParsedMeasure",
    "ParsedNode",
    "ParsedNotice",
    "parse_notice",
    "read_notice_file",
]
