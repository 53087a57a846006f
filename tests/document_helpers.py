"""Helpers of the document tests: a notice page's printed blocks, a .docx's paragraphs, a
PDF's text (pdftotext, which the tests need: .ci/run installs poppler-utils)."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import tempfile
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import docx
import pytest

from tests.public_helpers import squash

BLOCK_TAGS = {"h1", "h2", "h3", "h4", "h5", "h6", "p", "li"}
VOID_TAGS = {"br", "meta", "link", "input", "img", "hr", "wbr"}


class _Blocks(HTMLParser):
    """The text of each block (heading, paragraph, list item) of the page's notice article,
    in order, without the screen's status badges and 统计口径 notes; and the withheld-tasks
    footnote."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.in_article = 0
        self.skip = 0
        self.blocks: list[str] = []
        self.current: list[str] | None = None
        self.footnote: list[str] | None = None
        self.in_footnote = False

    def handle_starttag(self, tag, attrs):
        if tag in VOID_TAGS:
            return
        attrs = dict(attrs)
        classes = (attrs.get("class") or "").split()
        if tag == "article" and "notice" in classes:
            self.in_article = 1
            return
        if self.in_article:
            self.in_article += 1
        if self.skip or "badge" in classes or "status-basis" in classes:
            self.skip += 1
            return
        if attrs.get("id") == "withheld-note":
            self.in_footnote = True
            self.footnote = []
        if self.in_article and tag in BLOCK_TAGS:
            self.current = []

    def handle_endtag(self, tag):
        if tag in VOID_TAGS:
            return
        if self.skip:
            self.skip -= 1
            if self.in_article:
                self.in_article -= 1
            return
        if self.in_footnote and tag == "p":
            self.in_footnote = False
        if self.in_article:
            if tag in BLOCK_TAGS and self.current is not None:
                self.blocks.append("".join(self.current))
                self.current = None
            self.in_article -= 1

    def handle_data(self, data):
        if self.skip:
            return
        if self.current is not None:
            self.current.append(data)
        if self.in_footnote and self.footnote is not None:
            self.footnote.append(data)


def page_blocks(html: str | bytes) -> list[str]:
    """What the notice page prints, one squashed string per block, in order; the public
    version's footnote on withheld tasks last (where the document prints it)."""
    if isinstance(html, bytes):
        html = html.decode("utf-8")
    parser = _Blocks()
    parser.feed(html)
    blocks = [squash(text) for text in parser.blocks]
    if parser.footnote:
        blocks.append(squash("".join(parser.footnote)))
    return [block for block in blocks if block]


def open_docx(data: bytes):
    return docx.Document(io.BytesIO(data))


def docx_blocks(data: bytes) -> list[str]:
    """The .docx's body paragraphs, one squashed string each, in order."""
    return [squash(p.text) for p in open_docx(data).paragraphs if p.text.strip()]


def require_tool(name: str) -> str:
    """The path of a program the test needs; a clear failure (never a skip) without it."""
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is missing: install Debian's poppler-utils "
                    "(apt-get install -y -q poppler-utils), as .ci/run does.", pytrace=False)
    return path


def _poppler(tool: str, data: bytes, *args: str) -> str:
    with tempfile.TemporaryDirectory(prefix="rectify-pdf-test-") as tmp:
        path = Path(tmp) / "document.pdf"
        path.write_bytes(data)
        result = subprocess.run([require_tool(tool), *args, str(path), *(
            ["-"] if tool == "pdftotext" else [])], capture_output=True, check=True, timeout=60)
    return result.stdout.decode("utf-8")


def pdf_text(data: bytes, *, first: int | None = None, last: int | None = None) -> str:
    args = ["-enc", "UTF-8"]
    if first:
        args += ["-f", str(first)]
    if last:
        args += ["-l", str(last)]
    return _poppler("pdftotext", data, *args)


def pdf_words(data: bytes, *, first: int, last: int) -> list[list[tuple]]:
    """Each page's words with their boxes in points: ``(x_min, y_min, x_max, y_max, text)``
    (``pdftotext -bbox``)."""
    html = _poppler("pdftotext", data, "-bbox", "-f", str(first), "-l", str(last))
    pages = []
    for page in html.split("<page ")[1:]:
        words = re.findall(r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" '
                           r'yMax="([\d.]+)">([^<]*)</word>', page)
        pages.append([(*(float(v) for v in word[:4]), unescape(word[4])) for word in words])
    return pages


def pdf_info(data: bytes) -> dict[str, str]:
    lines = _poppler("pdfinfo", data).splitlines()
    return {key.strip(): value.strip() for key, _sep, value in
            (line.partition(":") for line in lines)}


def pdf_pages(data: bytes) -> int:
    return int(pdf_info(data)["Pages"])
