"""Import published rectification notices: read a file, parse its text, load the records.

``read_notice_file`` turns a .txt/.docx upload into text, ``parse_notice`` turns text into a
:class:`~rectify.importer.parsed.ParsedNotice`; both are pure Python (no Django). The loader
(:mod:`rectify.importer.loader`) writes a parsed notice into the database.
"""

from rectify.importer.parsed import Doubt, ParsedMeasure, ParsedNode, ParsedNotice
from rectify.importer.parser import parse_notice
from rectify.importer.reader import NoticeReadError, read_notice_file

__all__ = [
    "Doubt",
    "NoticeReadError",
    "ParsedMeasure",
    "ParsedNode",
    "ParsedNotice",
    "parse_notice",
    "read_notice_file",
]
