"""Backup and restore (``manage.py backup`` / ``restore``, ``rectify.services.backups``): one
archive with the database and every evidence file, checked member by member on restore."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import stat
import struct
import zipfile
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from rectify.models import Evidence, Measure, RectificationTask
from rectify.services.api_tokens import issue_token
from rectify.services.backups import current_counts
from rectify.services.tasks import add_progress_entry, update_progress
from tests.conftest import PASSWORD
from tests.evidence_helpers import add_pdf_evidence, stored_files

# Not inside a test transaction: a restore runs on its own, and the wipe (flush) that makes the
# installation new cannot run inside a transaction with pending constraint checks.
pytestmark = [pytest.mark.usefixtures("evidence_root"), pytest.mark.django_db(transaction=True)]


@pytest.fixture
def records(small_round, clerk_user, staff_user):
    """A round with work on one task: progress, a progress entry, two evidence files, a
    token; so the task has history rows by two users."""
    task = RectificationTask.objects.get(title="三年攻坚存在短板")
    update_progress(task, clerk_user, "已完成排查。")
    add_progress_entry(RectificationTask.objects.get(pk=task.pk), clerk_user, "召开专题会。")
    first = add_pdf_evidence(task, clerk_user, "整改报告.pdf")
    second = add_pdf_evidence(task, clerk_user, "会议纪要.pdf")
    _token, secret = issue_token(clerk_user, "台账同步")
    return task, [first, second], secret


def run(command: str, *args) -> str:
    out = io.StringIO()
    call_command(command, *args, stdout=out, stderr=out)
    return out.getvalue()


def make_backup(tmp_path) -> tuple[Path, str]:
    archive = tmp_path / "rectify.zip"
    return archive, run("backup", "--output", str(archive))


def wipe(evidence_root) -> None:
    """A new installation: an emptied (migrated) database and no evidence files."""
    call_command("flush", interactive=False, verbosity=0)
    shutil.rmtree(evidence_root, ignore_errors=True)
    assert not get_user_model().objects.exists() and not RectificationTask.objects.exists()


def manifest_of(archive) -> dict:
    with zipfile.ZipFile(archive) as opened:
        return json.loads(opened.read("manifest.json"))


def history(task_pk: int) -> list[tuple]:
    return list(RectificationTask.history.filter(id=task_pk).order_by("history_id").values_list(
        "history_id", "history_date", "history_type", "history_user__username",
        "history_change_reason", "progress", "version"))


def test_restore_brings_back_the_rows_the_history_the_logins_and_the_files(
        records, tmp_path, evidence_root, client):
    task, evidence, secret = records
    contents = {e.pk: (evidence_root / e.file.name).read_bytes() for e in evidence}
    counts, task_history = current_counts(), history(task.pk)
    assert len(task_history) >= 2 and counts["rectify.historicalevidence"] == 2

    archive, said = make_backup(tmp_path)
    assert "备份完成" in said
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600  # password hashes inside
    wipe(evidence_root)

    said = run("restore", str(archive))
    assert "恢复完成" in said and "校验全部通过" in said
    assert current_counts() == counts
    assert history(task.pk) == task_history
    # The clerk's API token still answers (its hash came back with the rows).
    api = client.get(reverse("api:task-detail", args=[task.pk]),
                     HTTP_AUTHORIZATION=f"Token {secret}")
    assert api.status_code == 200 and api.json()["id"] == task.pk
    assert len(stored_files(evidence_root)) == 2

    # The clerk signs in with the old password and downloads the same bytes.
    response = client.post(reverse("login"), {"username": "clerk_a", "password": PASSWORD})
    assert response.status_code == 302
    for pk, content in contents.items():
        download = client.get(reverse("work:evidence", args=[pk]))
        assert download.status_code == 200
        assert b"".join(download.streaming_content) == content

    # New rows get fresh ids (the sequences follow the restored keys on PostgreSQL).
    newest = Measure.objects.order_by("-pk").first().pk
    added = Measure.objects.create(task=task, position=9, text="新增措施。")
    assert added.pk > newest


def test_the_manifest_lists_every_member_with_its_checksum(records, tmp_path):
    _task, evidence, _secret = records
    archive, _said = make_backup(tmp_path)
    manifest = manifest_of(archive)
    members = {m["name"]: m for m in manifest["members"]}
    with zipfile.ZipFile(archive) as opened:
        assert set(opened.namelist()) == {*members, "manifest.json"}
        for name, member in members.items():
            content = opened.read(name)
            assert member["size"] == len(content)
            assert member["sha256"] == hashlib.sha256(content).hexdigest()
    for row in evidence:
        row.refresh_from_db()
        assert members[f"evidence/{row.file.name}"]["sha256"] == row.sha256
    assert manifest["counts"]["rectify.evidence"] == 2
    assert manifest["counts"]["auth.user"] == 2
    assert manifest["database_vendor"] in {"sqlite", "postgresql"}
    assert "0001_initial" in manifest["migrations"]["rectify"]
    assert manifest["evidence_problems"] == []


def _nothing_restored(evidence_root) -> None:
    assert not get_user_model().objects.exists()
    assert not RectificationTask.objects.exists() and not Evidence.objects.exists()
    assert stored_files(evidence_root) == []


def test_a_changed_byte_in_an_evidence_file_is_refused_naming_it(records, tmp_path,
                                                                 evidence_root):
    _task, evidence, _secret = records
    target = evidence[1]
    archive, _said = make_backup(tmp_path)
    raw = archive.read_bytes()
    # Evidence is stored uncompressed: the member's bytes follow its local header.
    with zipfile.ZipFile(archive) as opened:
        info = opened.getinfo(f"evidence/{target.file.name}")
    name_length, extra_length = struct.unpack("<HH", raw[info.header_offset + 26:
                                                         info.header_offset + 30])
    offset = info.header_offset + 30 + name_length + extra_length + info.file_size // 2
    archive.write_bytes(raw[:offset] + bytes([raw[offset] ^ 0x01]) + raw[offset + 1:])
    wipe(evidence_root)

    with pytest.raises(CommandError) as refused:
        run("restore", str(archive))
    assert f"evidence/{target.file.name}" in str(refused.value)
    assert "未恢复任何数据" in str(refused.value)
    _nothing_restored(evidence_root)


def test_data_that_does_not_match_the_manifest_is_refused(records, tmp_path, evidence_root):
    archive, _said = make_backup(tmp_path)
    # Rewrite the archive with one byte of the data changed and the manifest as it was.
    with zipfile.ZipFile(archive) as opened:
        members = {name: opened.read(name) for name in opened.namelist()}
    members["data.jsonl"] = members["data.jsonl"].replace(b"clerk_a", b"clerk_b", 1)
    with zipfile.ZipFile(archive, "w") as rewritten:
        for name, content in members.items():
            rewritten.writestr(name, content)
    wipe(evidence_root)

    with pytest.raises(CommandError) as refused:
        run("restore", str(archive))
    assert "data.jsonl" in str(refused.value) and "SHA-256" in str(refused.value)
    _nothing_restored(evidence_root)


def test_restore_refuses_an_installation_with_data(records, tmp_path, evidence_root):
    archive, _said = make_backup(tmp_path)
    counts = current_counts()
    RectificationTask.objects.filter(title="党建工作边缘化").update(title="已改动")

    with pytest.raises(CommandError) as refused:
        run("restore", str(archive))
    assert "已有数据" in str(refused.value) and "空数据库" in str(refused.value)
    assert current_counts() == counts
    assert RectificationTask.objects.filter(title="已改动").exists()


def test_a_missing_or_altered_evidence_file_is_reported_not_skipped(records, tmp_path,
                                                                     evidence_root):
    _task, (first, second), _secret = records
    (evidence_root / first.file.name).unlink()
    (evidence_root / second.file.name).write_bytes(b"%PDF-1.4 changed")
    archive = tmp_path / "rectify.zip"

    with pytest.raises(CommandError) as reported:
        run("backup", "--output", str(archive))
    message = str(reported.value)
    assert "备份已写入" in message and "2 个佐证材料文件" in message
    assert first.file.name in message and "不存在" in message
    assert second.file.name in message and "不符" in message
    problems = {p["evidence"]: p["problem"] for p in manifest_of(archive)["evidence_problems"]}
    assert problems == {first.pk: "missing", second.pk: "altered"}


def test_backup_does_not_overwrite_and_names_a_directory_output(records, tmp_path):
    archive, _said = make_backup(tmp_path)
    before = archive.read_bytes()
    with pytest.raises(CommandError, match="已存在"):
        run("backup", "--output", str(archive))
    assert archive.read_bytes() == before

    folder = tmp_path / "daily"
    folder.mkdir()
    run("backup", "--output", str(folder))
    [written] = list(folder.iterdir())
    assert written.name.startswith("rectify-backup-") and written.suffix == ".zip"
