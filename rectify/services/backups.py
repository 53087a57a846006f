"""Backup and restore: one ZIP archive with the whole database and every evidence file.

The archive holds three kinds of member:

- ``data.jsonl``: every row of every installed app (users, groups and their permissions,
  the records, their history, tokens, django-axes' logs, the admin log), in Django's JSON
  lines serialization. Primary keys are kept; content types and permissions, whose ids
  differ from one database to another, are named by their natural keys and not stored
  themselves (``migrate`` creates them). The dump is therefore independent of the database:
  a backup of PostgreSQL restores into SQLite and the other way round. Sessions are left out,
  and so are the search's rows (derived from the records: the restore builds them again).
- ``evidence/<name>``: each evidence file (``Evidence.file``), stored as it is.
- ``manifest.json``, written last: every other member with its size and SHA-256, the rows per
  model, the applied migrations, the app version (``git describe`` when the code is a git
  checkout), the database vendor, the time, and the evidence files that were missing or did
  not match their recorded checksum when the backup was made.

The archive contains password hashes and every evidence file: ``backup`` writes it with
permissions 0600, and it must be kept like the database itself.

``restore`` refuses an installation that already has data, verifies every member against the
manifest before anything is written, runs ``migrate``, loads the rows in one transaction,
copies the evidence files into ``EVIDENCE_ROOT`` and checks each against ``Evidence.sha256``;
any failure leaves the database as it was and removes the files it copied.

The dump is read in one transaction (on PostgreSQL ``REPEATABLE READ``), so that the rows and
the list of evidence files are one consistent state even while the site is in use. Rows are
streamed to a temporary file next to the archive, never held in memory. Restoring writes
rows as they are, inserted in batches as Django's ``loaddata`` would save them one by one (raw:
no signal, no ``auto_now``; constraints checked at the end; sequences reset): not through
``records.save_record``, no history row is added, and the history tables are restored like
any other.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.management import call_command
from django.core.management.color import no_style
from django.core.serializers.json import DjangoJSONEncoder
from django.core.serializers.jsonl import Serializer as JsonlSerializer
from django.db import DEFAULT_DB_ALIAS, connection, models, router, transaction
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from rectify.models import Evidence
from rectify.models.worklog import evidence_storage
from rectify.services import public_cache, search_index

FORMAT = "rectify-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DATA = "data.jsonl"
EVIDENCE_PREFIX = "evidence/"
#: Not in the dump: created by ``migrate`` (content types, permissions), worthless in
#: another installation (sessions), or derived from the records and built again by the
#: restore (the search's rows).
LEFT_OUT = frozenset({"contenttypes.contenttype", "auth.permission", "sessions.session",
                      "rectify.tasksearchtext", "rectify.publishedsearchtext"})
CHUNK = 1024 * 1024
#: Rows inserted in one statement (at most; SQLite's parameter limit may make it fewer).
LOAD_BATCH = 1000
#: How often (in files) the evidence progress is reported.
PROGRESS_EVERY = 500
#: An evidence file's name as ``evidence_name`` makes it, and as an older upload may have it:
#: relative, made of plain segments (no "..", no backslash).
_SAFE_NAME = re.compile(r"^(?!.*(?:^|/)\.\.?(?:/|$))[\w.\-]+(?:/[\w.\-]+)*$")

Progress = Callable[[str], None]


class BackupError(Exception):
    """A backup or a restore that cannot go on; the message (Chinese) says why and names the
    member or file concerned."""


@dataclass
class BackupResult:
    path: Path
    size: int
    counts: dict[str, int]
    evidence_files: int = 0
    evidence_bytes: int = 0
    #: Evidence files missing or changed at backup time (see the module docstring).
    problems: list[dict] = field(default_factory=list)


@dataclass
class RestoreResult:
    manifest: dict
    counts: dict[str, int]
    evidence_files: int = 0
    evidence_bytes: int = 0
    #: The problems the backup itself recorded (missing or changed evidence files).
    problems: list[dict] = field(default_factory=list)
    #: Notes for the reader (e.g. the backup was made with older migrations).
    notes: list[str] = field(default_factory=list)


def _quiet(_message: str) -> None:
    pass


# -- what is backed up ----------------------------------------------------------------------


def backed_up_models() -> list[type[models.Model]]:
    """Every concrete model of every installed app but ``LEFT_OUT``, in an order where a
    model comes after the models it refers to (where there is no cycle)."""
    app_list = {}
    for app_config in apps.get_app_configs():
        chosen = [model for model in app_config.get_models()
                  if not model._meta.proxy and model._meta.managed
                  and model._meta.label_lower not in LEFT_OUT
                  and router.allow_migrate_model(DEFAULT_DB_ALIAS, model)]
        if chosen:
            app_list[app_config] = chosen
    return serializers.sort_dependencies(app_list.items(), allow_cycles=True)


class _ExactEncoder(DjangoJSONEncoder):
    """Times to the microsecond (Django's encoder cuts them to milliseconds, which would
    change every history date and let rows of one millisecond tie)."""

    def default(self, o):
        if isinstance(o, datetime.datetime | datetime.time):
            if isinstance(o, datetime.time) and timezone.is_aware(o):
                raise ValueError("JSON can't represent timezone-aware times.")
            text = o.isoformat()
            return text[:-6] + "Z" if text.endswith("+00:00") else text
        return super().default(o)


class _DumpSerializer(JsonlSerializer):
    """JSON lines, with content types and permissions named by their natural keys (their ids
    differ between databases) and every other reference by its primary key (kept); times
    to the microsecond."""

    def _init_options(self):
        super()._init_options()
        self.json_kwargs["cls"] = _ExactEncoder

    def handle_fk_field(self, obj, field):
        model = field.remote_field.model
        if issubclass(model, ContentType):
            value = getattr(obj, field.get_attname())
            self._current[field.name] = (
                None if value is None else ContentType.objects.get_for_id(value).natural_key())
            return
        self.use_natural_foreign_keys = issubclass(model, Permission)
        super().handle_fk_field(obj, field)

    def handle_m2m_field(self, obj, field):
        self.use_natural_foreign_keys = issubclass(field.remote_field.model, Permission)
        super().handle_m2m_field(obj, field)


def _rows(model: type[models.Model]) -> Iterable[models.Model]:
    queryset = model._base_manager.order_by("pk")
    prefetches = []
    for m2m in model._meta.many_to_many:
        if not m2m.remote_field.through._meta.auto_created:
            continue
        if issubclass(m2m.remote_field.model, Permission):
            prefetches.append(Prefetch(m2m.name, Permission.objects.select_related(
                "content_type").order_by("pk")))
        else:
            prefetches.append(Prefetch(m2m.name, m2m.remote_field.model._base_manager
                                       .only("pk").order_by("pk")))
    if prefetches:
        queryset = queryset.prefetch_related(*prefetches)
    return queryset.iterator(chunk_size=2000)


def _counted(rows: Iterable, counts: dict[str, int], label: str) -> Iterable:
    for row in rows:
        counts[label] += 1
        yield row


def current_counts() -> dict[str, int]:
    """Rows per backed-up model in the database now (tables not created yet count 0)."""
    tables = set(connection.introspection.table_names())
    return {model._meta.label_lower: (model._base_manager.count()
                                      if model._meta.db_table in tables else 0)
            for model in backed_up_models()}


def applied_migrations() -> dict[str, list[str]]:
    applied: dict[str, list[str]] = {}
    for app_label, name in MigrationRecorder(connection).applied_migrations():
        applied.setdefault(app_label, []).append(name)
    return {app_label: sorted(names) for app_label, names in sorted(applied.items())}


def app_version() -> str | None:
    """``git describe`` of the code, when it is a git checkout and git is installed."""
    try:
        done = subprocess.run(["git", "describe", "--always", "--tags", "--dirty"],
                              cwd=settings.BASE_DIR, capture_output=True, text=True,
                              timeout=10, check=True)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() or None


def _sha256_of(path: Path) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def _model_name(label: str) -> str:
    try:
        return str(apps.get_model(label)._meta.verbose_name)
    except LookupError:
        return label


# -- backup ---------------------------------------------------------------------------------


def default_archive_name(now: datetime.datetime | None = None) -> str:
    now = timezone.localtime(now or timezone.now())
    return f"rectify-backup-{now:%Y%m%d-%H%M%S}.zip"


def backup(output: Path | str, progress: Progress = _quiet) -> BackupResult:
    """Write the archive to ``output`` (a new file; or a directory, where it gets a dated
    name). Evidence files that are missing or differ from their recorded checksum do not stop
    the backup: they are listed in the manifest and in the result's ``problems``."""
    output = Path(output)
    if output.is_dir():
        output = output / default_archive_name()
    if output.exists():
        raise BackupError(_("备份文件“{path}”已存在，不会覆盖；请换一个文件名。").format(
            path=output))
    if not output.parent.is_dir():
        raise BackupError(_("备份目录“{path}”不存在。").format(path=output.parent))
    work = Path(tempfile.mkdtemp(prefix=".rectify-backup-", dir=output.parent))  # mode 0700
    partial = work / "archive.zip"
    try:
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as raw, zipfile.ZipFile(raw, "w", allowZip64=True) as archive:
            result = _write_archive(archive, work, progress)
        os.chmod(partial, 0o600)
        os.replace(partial, output)
    except OSError as error:
        raise BackupError(_("无法写入备份文件“{path}”：{error}").format(
            path=output, error=error.strerror or error))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    result.path = output
    result.size = output.stat().st_size
    return result


def _write_archive(archive: zipfile.ZipFile, work: Path, progress: Progress) -> BackupResult:
    members: list[dict] = []
    counts: dict[str, int] = {}
    problems: list[dict] = []
    evidence_files = evidence_bytes = 0
    outer = connection.in_atomic_block
    with transaction.atomic():
        if connection.vendor == "postgresql" and not outer:
            # One snapshot for every read below: the rows and the files agree.
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        dump = work / DATA
        serializer = _DumpSerializer()
        with open(dump, "w", encoding="utf-8") as stream:
            for model in backed_up_models():
                label = model._meta.label_lower
                counts[label] = 0
                serializer.serialize(_counted(_rows(model), counts, label), stream=stream)
                if counts[label]:
                    progress(_("数据：{model}（{label}）{count} 行").format(
                        model=_model_name(label), label=label, count=counts[label]))
        sha256, size = _sha256_of(dump)
        archive.write(dump, DATA, compress_type=zipfile.ZIP_DEFLATED)
        members.append({"name": DATA, "size": size, "sha256": sha256})
        progress(_("数据共 {rows} 行，{size} 字节。").format(
            rows=sum(counts.values()), size=size))
        dump.unlink()

        rows = Evidence._base_manager.order_by("pk").values_list("pk", "file", "sha256")
        total = rows.count()
        for done, (pk, name, expected) in enumerate(rows.iterator(chunk_size=2000), start=1):
            member, problem = _add_evidence_file(archive, pk, name, expected)
            if member:
                members.append(member)
                evidence_files += 1
                evidence_bytes += member["size"]
            if problem:
                problems.append(problem)
                progress(problem_message(problem))
            if done % PROGRESS_EVERY == 0 or done == total:
                progress(_("佐证材料：{done}/{total} 个文件").format(done=done, total=total))

        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "created_at": timezone.now().isoformat(),
            "app_version": app_version(),
            "database_vendor": connection.vendor,
            "migrations": applied_migrations(),
            "counts": counts,
            "members": members,
            "evidence_problems": problems,
        }
    archive.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1),
                     compress_type=zipfile.ZIP_DEFLATED)
    return BackupResult(path=Path(), size=0, counts=counts, evidence_files=evidence_files,
                        evidence_bytes=evidence_bytes, problems=problems)


def _add_evidence_file(archive: zipfile.ZipFile, pk: int, name: str,
                       expected: str) -> tuple[dict | None, dict | None]:
    """Add one evidence file, hashing it on the way; returns its manifest entry (None when
    it could not be read) and the problem found (None when the file is as recorded)."""
    problem = {"evidence": pk, "name": name, "expected_sha256": expected}
    if not name or not _SAFE_NAME.match(name):
        return None, {**problem, "problem": "bad-name"}
    path = Path(evidence_storage.path(name))
    try:
        with open(path, "rb") as source:
            info = zipfile.ZipInfo.from_file(path, EVIDENCE_PREFIX + name)
            info.compress_type = zipfile.ZIP_STORED  # PDFs, images, Office files: compressed
            digest, size = hashlib.sha256(), 0
            with archive.open(info, "w") as target:
                while chunk := source.read(CHUNK):
                    digest.update(chunk)
                    size += len(chunk)
                    target.write(chunk)
    except FileNotFoundError:
        return None, {**problem, "problem": "missing"}
    except OSError as error:
        return None, {**problem, "problem": "unreadable", "error": str(error.strerror or error)}
    member = {"name": EVIDENCE_PREFIX + name, "size": size, "sha256": digest.hexdigest(),
              "evidence": pk}
    if member["sha256"] != expected:
        return member, {**problem, "problem": "altered", "actual_sha256": member["sha256"]}
    return member, None


def problem_message(problem: dict) -> str:
    """One evidence problem recorded at backup time, in words."""
    texts = {
        "missing": _("佐证材料 #{evidence} 的文件“{name}”不存在。"),
        "unreadable": _("佐证材料 #{evidence} 的文件“{name}”无法读取。"),
        "altered": _("佐证材料 #{evidence} 的文件“{name}”与记录的 SHA-256 不符（文件已被改动）。"),
        "bad-name": _("佐证材料 #{evidence} 的文件名“{name}”无效。"),
    }
    text = texts.get(problem.get("problem"), texts["unreadable"])
    return text.format(evidence=problem.get("evidence"), name=problem.get("name"))


# -- restore --------------------------------------------------------------------------------


def read_manifest(archive: zipfile.ZipFile) -> dict:
    try:
        manifest = json.loads(archive.read(MANIFEST).decode("utf-8"))
    except KeyError:
        raise BackupError(_("备份文件中没有 {name}，不是本系统的备份。").format(name=MANIFEST))
    except (ValueError, UnicodeDecodeError, zipfile.BadZipFile, zlib.error, EOFError):
        raise BackupError(_("备份文件中的 {name} 已损坏。").format(name=MANIFEST))
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(_("{name} 不是本系统备份的清单。").format(name=MANIFEST))
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(_("备份格式版本 {version} 不受支持（本系统读取版本 {supported}）。")
                          .format(version=manifest.get("format_version"),
                                  supported=FORMAT_VERSION))
    return manifest


def restore(path: Path | str, progress: Progress = _quiet) -> RestoreResult:
    """Restore the archive at ``path`` into this installation, which must hold no data."""
    path = Path(path)
    try:
        archive = zipfile.ZipFile(path)
    except FileNotFoundError:
        raise BackupError(_("备份文件“{path}”不存在。").format(path=path))
    except (zipfile.BadZipFile, OSError):
        raise BackupError(_("“{path}”不是有效的备份文件（ZIP 格式）。").format(path=path))
    with archive:
        manifest = read_manifest(archive)
        members = _check_members(archive, manifest)
        notes = _check_migrations(manifest)
        _check_empty()
        progress(_("正在校验备份文件中的 {count} 个成员…").format(count=len(members)))
        work = Path(tempfile.mkdtemp(prefix="rectify-restore-"))
        try:
            for member in members:
                _verify_member(archive, member, work / DATA if member["name"] == DATA else None)
            progress(_("校验通过。正在迁移数据库…"))
            call_command("migrate", interactive=False, verbosity=0)
            result = _load(archive, manifest, members, work / DATA, progress)
        finally:
            shutil.rmtree(work, ignore_errors=True)
    result.notes = notes
    return result


def _check_members(archive: zipfile.ZipFile, manifest: dict) -> list[dict]:
    members = manifest.get("members")
    if not isinstance(members, list) or not all(
            isinstance(m, dict) and isinstance(m.get("name"), str) for m in members):
        raise BackupError(_("{name} 中的成员列表无效。").format(name=MANIFEST))
    listed = {m["name"] for m in members}
    present = {name for name in archive.namelist() if not name.endswith("/")} - {MANIFEST}
    for name in sorted(present - listed):
        raise BackupError(_("备份文件中的“{name}”不在清单中。").format(name=name))
    for name in sorted(listed - present):
        raise BackupError(_("清单中的“{name}”不在备份文件中。").format(name=name))
    if DATA not in listed:
        raise BackupError(_("备份文件中没有数据（{name}）。").format(name=DATA))
    for name in sorted(listed - {DATA}):
        if not (name.startswith(EVIDENCE_PREFIX)
                and _SAFE_NAME.match(name.removeprefix(EVIDENCE_PREFIX))):
            raise BackupError(_("备份文件中的“{name}”名称无效。").format(name=name))
    return members


def _check_migrations(manifest: dict) -> list[str]:
    """Refuse a backup made by a newer version (migrations this code does not know)."""
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    archived = {(app_label, name) for app_label, names in (manifest.get("migrations") or {}).items()
                for name in names}
    unknown = sorted(archived - known)
    if unknown:
        raise BackupError(_("备份来自较新的版本（本系统没有迁移 {names}），请先升级本系统再恢复。")
                          .format(names="、".join(f"{a}.{n}" for a, n in unknown[:5])))
    if archived and known - archived:
        return [_("备份来自较早的版本：迁移到当前版本后载入。")]
    return []


def _check_empty() -> None:
    """Refuse to restore over data: any row of a backed-up model counts."""
    filled = [(label, count) for label, count in current_counts().items() if count]
    if filled:
        listed = "；".join(_("{model} {count} 行").format(model=_model_name(label), count=count)
                          for label, count in filled[:5])
        raise BackupError(_("本系统的数据库中已有数据（{listed}），恢复只能在新安装的空数据库中"
                            "进行。请换一个空数据库（运行 migrate 后即可恢复），不会覆盖现有数据。")
                          .format(listed=listed))


def _verify_member(archive: zipfile.ZipFile, member: dict, extract_to: Path | None) -> None:
    """Compare a member's bytes with its size and SHA-256 in the manifest (and write it to
    ``extract_to`` on the way, when given)."""
    name = member["name"]
    digest, size = hashlib.sha256(), 0
    target = open(extract_to, "wb") if extract_to else None  # noqa: SIM115
    try:
        with archive.open(name) as source:
            while chunk := source.read(CHUNK):
                digest.update(chunk)
                size += len(chunk)
                if target:
                    target.write(chunk)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError):
        raise BackupError(_("备份文件中的“{name}”已损坏（校验失败），未恢复任何数据。")
                          .format(name=name))
    finally:
        if target:
            target.close()
    if size != member.get("size") or digest.hexdigest() != member.get("sha256"):
        raise BackupError(_("备份文件中的“{name}”与清单记录的 SHA-256 不符（已被改动或损坏），"
                            "未恢复任何数据。").format(name=name))


def _load(archive: zipfile.ZipFile, manifest: dict, members: list[dict], dump: Path,
          progress: Progress) -> RestoreResult:
    expected = dict(manifest.get("counts") or {})
    total = sum(expected.values())
    created: list[Path] = []
    try:
        with transaction.atomic():
            if total:
                progress(_("正在载入 {rows} 行数据…").format(rows=total))
                load_rows(dump, progress)
            counts = current_counts()
            for label, count in expected.items():
                if counts.get(label, 0) != count:
                    raise BackupError(_("载入后 {model}（{label}）有 {actual} 行，"
                                        "清单记录 {count} 行；已撤销恢复。").format(
                        model=_model_name(label), label=label, actual=counts.get(label, 0),
                        count=count))
            progress(_("已载入 {rows} 行数据。").format(rows=sum(counts.values())))
            search_index.rebuild()  # the search's rows, left out of the dump
            files, size = _copy_evidence(archive, members, created, progress)
            problems = _verify_evidence(manifest)
            public_cache.forget_all()  # pages kept from a database before this one
    except BaseException:
        for path in created:
            path.unlink(missing_ok=True)
        raise
    return RestoreResult(manifest=manifest, counts=counts, evidence_files=files,
                         evidence_bytes=size, problems=problems)


def load_rows(dump: Path, progress: Progress = _quiet) -> dict[str, int]:
    """Insert the rows of a JSON lines dump, in batches of ``LOAD_BATCH`` per model, as they
    are (primary keys kept, ``auto_now`` fields as stored, no signals); then check the
    foreign keys and reset the sequences. Run inside a transaction."""
    counts: dict[str, int] = {}
    loaded: list[type[models.Model]] = []
    batch: list = []
    with open(dump, encoding="utf-8") as stream, connection.constraint_checks_disabled():
        for item in serializers.deserialize("jsonl", stream):
            if batch and (type(item.object) is not type(batch[0].object)
                          or len(batch) >= LOAD_BATCH):
                _insert(batch, counts, loaded, progress)
                batch = []
            batch.append(item)
        if batch:
            _insert(batch, counts, loaded, progress)
        if loaded:
            last = loaded[-1]._meta.label_lower
            progress(_("已载入 {model}（{label}）{count} 行").format(
                model=_model_name(last), label=last, count=counts[last]))
        tables = [model._meta.db_table for model in loaded]
        tables += [m2m.remote_field.through._meta.db_table for model in loaded
                   for m2m in model._meta.many_to_many]
        connection.check_constraints(table_names=tables)
    statements = connection.ops.sequence_reset_sql(no_style(), loaded)
    if statements:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
    return counts


def _insert(batch: list, counts: dict[str, int], loaded: list, progress: Progress) -> None:
    model = type(batch[0].object)
    label = model._meta.label_lower
    if model not in loaded:
        if loaded:
            previous = loaded[-1]._meta.label_lower
            progress(_("已载入 {model}（{label}）{count} 行").format(
                model=_model_name(previous), label=previous, count=counts[previous]))
        loaded.append(model)
        counts[label] = 0
    objects = [item.object for item in batch]
    fields = model._meta.local_concrete_fields
    size = max(connection.ops.bulk_batch_size(fields, objects) or 1, 1)
    for start in range(0, len(objects), size):
        model._base_manager._insert(objects[start:start + size], fields=fields,
                                    using=DEFAULT_DB_ALIAS, raw=True)
    links: dict[type[models.Model], list] = {}
    for item in batch:
        for name, values in (item.m2m_data or {}).items():
            m2m = model._meta.get_field(name)
            through = m2m.remote_field.through
            source = through._meta.get_field(m2m.m2m_field_name()).attname
            target = through._meta.get_field(m2m.m2m_reverse_field_name()).attname
            links.setdefault(through, []).extend(
                through(**{source: item.object.pk, target: value}) for value in values)
    for through, rows in links.items():
        through._base_manager.bulk_create(rows, batch_size=LOAD_BATCH)
    counts[label] += len(objects)


def _copy_evidence(archive: zipfile.ZipFile, members: list[dict], created: list[Path],
                   progress: Progress) -> tuple[int, int]:
    evidence = [m for m in members if m["name"] != DATA]
    files = size = 0
    for done, member in enumerate(evidence, start=1):
        name = member["name"].removeprefix(EVIDENCE_PREFIX)
        path = Path(evidence_storage.path(name))
        if path.exists():
            if _sha256_of(path)[0] != member["sha256"]:
                raise BackupError(_("佐证材料目录中已有不同的文件“{name}”，未覆盖；已撤销恢复。")
                                  .format(name=name))
        else:
            _write_evidence(archive, member, path, created)
        files += 1
        size += member["size"]
        if done % PROGRESS_EVERY == 0 or done == len(evidence):
            progress(_("佐证材料：已复制 {done}/{total} 个文件").format(
                done=done, total=len(evidence)))
    return files, size


def _write_evidence(archive: zipfile.ZipFile, member: dict, path: Path,
                    created: list[Path]) -> None:
    try:
        _make_dirs(path.parent)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL,
                     settings.FILE_UPLOAD_PERMISSIONS or 0o640)
        created.append(path)
        with os.fdopen(fd, "wb") as target, archive.open(member["name"]) as source:
            shutil.copyfileobj(source, target, CHUNK)
    except OSError as error:
        raise BackupError(_("无法写入佐证材料“{path}”：{error}；已撤销恢复。").format(
            path=path, error=error.strerror or error))


def _make_dirs(directory: Path) -> None:
    mode = settings.FILE_UPLOAD_DIRECTORY_PERMISSIONS or 0o750
    missing = []
    while not directory.exists():
        missing.append(directory)
        directory = directory.parent
    for path in reversed(missing):
        path.mkdir(mode=mode)
        os.chmod(path, mode)  # mkdir's mode is narrowed by the umask


def _verify_evidence(manifest: dict) -> list[dict]:
    """Each evidence row's file, now in ``EVIDENCE_ROOT``, against ``Evidence.sha256``.
    What the backup already found wrong is returned (reported, not fatal)."""
    known = {problem.get("evidence"): problem
             for problem in manifest.get("evidence_problems") or [] if isinstance(problem, dict)}
    rows = Evidence._base_manager.order_by("pk").values_list("pk", "file", "sha256")
    for pk, name, expected in rows.iterator(chunk_size=2000):
        if pk in known:
            continue
        try:
            actual = _sha256_of(Path(evidence_storage.path(name)))[0]
        except (OSError, ValueError):
            raise BackupError(_("佐证材料 #{evidence} 的文件“{name}”不在备份中；已撤销恢复。")
                              .format(evidence=pk, name=name))
        if actual != expected:
            raise BackupError(_("恢复后佐证材料 #{evidence} 的文件“{name}”与记录的 SHA-256 不符；"
                                "已撤销恢复。").format(evidence=pk, name=name))
    return list(known.values())
