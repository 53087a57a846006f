"""The importer never crashes and stays linear: arbitrary text, binary junk, big inputs.

Plain pytest + hypothesis, no database; the whole file runs in well under 30 seconds.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path

import docx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rectify.notice_import import NoticeReadError, ParsedNotice, parse_notice, read_notice_file
from rectify.notice_import import label_marks as marks

BOOKMARK = re.compile(r"\[bookmark:[^\]\n]*\]", re.IGNORECASE)
SEEDS = Path(__file__).resolve().parent.parent / "fixtures" / "notices"
XUCHANG = SEEDS / "001_eae98d11af12162c.txt"

# Fragments that steer generated text into the parser's interesting corners.
FRAGMENTS = [
    "一、", "（一）", "(二)", "1.", "2、", "１．", "1)", "（1）", "①", "④", "⑴", "⒈", "十一、",
    "整改情况：", "整改结果：", "整改措施", "整改进展情况:", "完成情况：已完成", "整改成效：",
    "整改时限：", "一是", "二是", "十一是", "三是", "已完成", "正在推进，2023年底前完成",
    "已完成部分整改,长期坚持", "\n", "\n\n", "\r\n", "。", "，", "；", " ", "\u3000", "\t",
    "欢迎监督。电话：0374-2699812", "2024年10月10日", "二〇二三年五月二十日", "中共某某党组",
    "【通报】关于整改情况的通报", "您当前的位置", "[bookmark: _GoBack]", "[bookmark:",
    "，共3项整改任务", "（共2个问题）", "关于", "方面", "问题整改情况", "整体推进情况",
    "下一步工作打算", "2022年11月21日至12月30日", "市委第三巡察组对", "反馈", "3个月的集中整改",
    "（已完成）", "经过整改，", "\x00", "\ufeff", "\u200b", "\ud800", "😀", "abc", "123",
]


def assert_sane(notice: ParsedNotice) -> None:
    assert isinstance(notice, ParsedNotice)
    data = notice.to_dict()
    json.dumps(data)  # JSON-safe (dates as strings)
    assert data["task_count"] == notice.task_count
    for doubt in notice.doubts:
        assert isinstance(doubt.line, int) and doubt.message
        assert "内部错误" not in doubt.message
    for task in notice.iter_tasks():
        assert task.status in (None, "in_progress", "completed", "completed_longterm")
        assert not BOOKMARK.search(task.title)


@settings(deadline=None, max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=400))
def test_arbitrary_text_never_raises(text):
    assert_sane(parse_notice(text))


@settings(deadline=None, max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=8)), max_size=80))
def test_notice_like_text_never_raises(parts):
    assert_sane(parse_notice("".join(parts)))


@settings(deadline=None, max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=600), st.sampled_from(["a.txt", "a.docx", "a", "a.pdf", None]))
def test_binary_junk_only_raises_read_errors(data, name):
    try:
        text = read_notice_file(data, name)
    except NoticeReadError as exc:
        assert exc.message
        return
    assert isinstance(text, str) and "\r" not in text
    assert_sane(parse_notice(text))


@settings(deadline=None, max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(min_size=0, max_size=300))
def test_zip_looking_junk_is_a_read_error(tail):
    with pytest.raises(NoticeReadError):
        read_notice_file(b"PK\x03\x04" + tail, "a.docx")


def test_corrupted_docx_bytes_only_raise_read_errors():
    document = docx.Document()
    for line in XUCHANG.read_text(encoding="utf-8").split("\n")[:40]:
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    data = bytearray(buffer.getvalue())
    for offset in range(200, len(data), max(1, len(data) // 25)):
        damaged = bytes(data[:offset]) + b"\xff" * 16 + bytes(data[offset + 16:])
        try:
            text = read_notice_file(damaged, "a.docx")
        except NoticeReadError:
            continue
        assert_sane(parse_notice(text))


def test_docx_round_trip_through_a_zip_archive():
    text = XUCHANG.read_text(encoding="utf-8")
    document = docx.Document()
    for line in text.split("\n"):
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    assert zipfile.is_zipfile(io.BytesIO(buffer.getvalue()))
    assert read_notice_file(buffer.getvalue(), "a.docx") == text


# ----------------------------------------------------------------------------------------
# Linear work on big inputs


def _big_notice(megabytes: float) -> str:
    """The Xuchang tree repeated until the text has the given size."""
    lines = XUCHANG.read_text(encoding="utf-8").split("\n")
    head, body, tail = lines[:16], "\n".join(lines[16:380]), lines[380:]
    copies = int(megabytes * 1024 * 1024 / len(body.encode())) + 1
    return "\n".join([*head, *([body] * copies), *tail])


class _Counter:
    """Counts calls of the per-line recognisers while a parse runs."""

    def __init__(self, monkeypatch) -> None:
        self.calls = 0
        for name in ("match_heading", "match_label", "find_measure_ordinal",
                     "measure_ordinal_at_start", "split_at_inline_labels"):
            original = getattr(marks, name)

            def counted(*args, _original=original, **kwargs):
                self.calls += 1
                return _original(*args, **kwargs)

            monkeypatch.setattr(marks, name, counted)


def test_work_grows_linearly_with_the_input(monkeypatch):
    counter = _Counter(monkeypatch)
    small, large = _big_notice(0.5), _big_notice(2)
    parse_notice(small)
    small_calls, counter.calls = counter.calls, 0
    parse_notice(large)
    per_char_small = small_calls / len(small)
    per_char_large = counter.calls / len(large)
    assert per_char_large <= per_char_small * 1.1


def test_ten_megabytes_parse_completely():
    text = _big_notice(10)
    assert len(text.encode()) >= 10 * 1024 * 1024
    parsed = parse_notice(text)
    copies = parsed.task_count // 53
    assert copies > 100 and parsed.task_count == 53 * copies
    assert_sane(parsed)


PATHOLOGICAL = {
    "one huge line of measure ordinals": "一是" * 1_000_000,
    "huge whitespace run": " " * 3_000_000 + "1.",
    "unterminated bookmarks": "[bookmark: " * 300_000,
    "marks without line breaks": "(一)1.1)①" * 300_000,
    "a hundred thousand empty headings": "1.\n" * 150_000,
    "labels and ordinals on one line": "整改情况：一是" * 300_000,
    "nested bookmarks": "[bookma[bookmark: x]rk: y]" * 100_000,
}


@pytest.mark.parametrize("name", list(PATHOLOGICAL))
def test_pathological_inputs_end_in_a_sane_result(name, monkeypatch):
    """Timings are printed by benchmarks/importer.py; here: a result, and bounded work."""
    counter = _Counter(monkeypatch)
    text = PATHOLOGICAL[name]
    assert_sane(parse_notice(text))
    assert counter.calls <= 4 * text.count("\n") + 1000
