"""`manage.py import_notice`: JSON, dry run, import, and one clear error with exit status 2."""

from __future__ import annotations

import io
import json
from pathlib import Path

import docx
import pytest
from django.core.management import CommandError, call_command

from rectify.models import InspectionRound, Measure, RectificationTask

pytestmark = pytest.mark.django_db

SEEDS = Path(__file__).resolve().parent.parent / "fixtures" / "notices"
XUCHANG = SEEDS / "001_eae98d11af12162c.txt"


def run(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_notice", *map(str, args), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_json_dry_run_prints_the_tree_and_writes_nothing():
    out, _ = run(XUCHANG, "--dry-run", "--json")
    data = json.loads(out)
    assert data["title"] == "中共许昌市教育局党组关于巡察整改情况的通报"
    assert data["date"] == "2023-07-18"
    assert data["numbering"] == "nested"
    first = data["nodes"][0]
    assert (first["kind"], first["label"], first["number"]) == ("category", "(一)", "(一)")
    leaf = first["children"][0]["children"][0]["children"][0]
    assert leaf["kind"] == "task" and leaf["number"] == "①"
    assert leaf["result"] == "正在推进" and leaf["status"] == "in_progress"
    assert leaf["measures"][0]["text"] == "全面开展排查。"
    assert any("③" in d["message"] for d in data["doubts"])
    assert data["contacts"]["email"] == "xcsjyjdb@126.com"
    assert not InspectionRound.objects.exists()


def test_import_writes_the_round_in_one_go():
    out, err = run(XUCHANG)
    assert "已导入" in out and "53 项整改任务" in out
    assert "疑点" in err
    rnd = InspectionRound.objects.get()
    assert rnd.tasks.count() == 53
    assert Measure.objects.count() == 187
    with pytest.raises(CommandError) as exc:
        run(XUCHANG)
    assert exc.value.returncode == 2 and "已导入过" in str(exc.value)
    assert RectificationTask.objects.count() == 53


def test_gb18030_text_and_docx_import_the_same_notice(tmp_path):
    text = XUCHANG.read_text(encoding="utf-8")
    gb = tmp_path / "notice-gb.txt"
    gb.write_bytes(text.encode("gb18030"))
    document = docx.Document()
    for line in text.splitlines():
        document.add_paragraph(line)
    docx_path = tmp_path / "notice.docx"
    document.save(docx_path)
    from_gb = json.loads(run(gb, "--dry-run", "--json")[0])
    from_docx = json.loads(run(docx_path, "--dry-run", "--json")[0])
    from_utf8 = json.loads(run(XUCHANG, "--dry-run", "--json")[0])
    assert from_gb["nodes"] == from_utf8["nodes"]
    assert [n["title"] for n in from_docx["nodes"]] == [n["title"] for n in from_utf8["nodes"]]


def test_party_group_option_overrides_the_signature():
    run(XUCHANG, "--party-group", "中共许昌市教育局党组（测试）")
    assert InspectionRound.objects.get().party_group.name == "中共许昌市教育局党组（测试）"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.txt", b"", "空"),
        ("picture.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 200, ""),
        ("junk.txt", bytes(range(256)) * 40, ""),
        ("broken.docx", b"PK\x03\x04 this is not really a zip", ""),
        ("weather.txt", "今天天气很好。\n".encode(), "没有识别出任何整改任务"),
    ],
)
def test_bad_files_end_in_one_message_and_exit_status_2(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(CommandError) as exc:
        run(path)
    assert exc.value.returncode == 2
    assert str(path) in str(exc.value) and message in str(exc.value)
    assert not InspectionRound.objects.exists()


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError) as exc:
        run(tmp_path / "nope.txt")
    assert exc.value.returncode == 2 and "文件不存在" in str(exc.value)


def test_a_heading_read_as_chosen(tmp_path):
    path = tmp_path / "notice.txt"
    path.write_text("\n".join([
        "中共某县某局党组关于巡察整改情况的通报",
        "一、整改工作组织情况",
        "（一）食堂管理不规范。对食堂开展专项检查。",
        "二、问题整改情况",
        "1.会议过多。",
        "整改措施：精简会议。",
        "整改结果：已完成。",
    ]), encoding="utf-8")
    out = io.StringIO()
    call_command("import_notice", str(path), "--dry-run", "--as", "3=task", stdout=out,
                 stderr=io.StringIO())
    assert "试导入：2 项整改任务" in out.getvalue()
    with pytest.raises(CommandError, match="--as"):
        call_command("import_notice", str(path), "--dry-run", "--as", "3=problem")
