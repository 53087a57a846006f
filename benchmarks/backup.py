"""Backup and restore time, peak memory and archive size for a generated dataset.

Run: ``.venv/bin/python benchmarks/backup.py [--tasks 5000] [--files 500] [--file-kb 200]
[--target-url postgres://…/empty_db]``. Builds a throwaway SQLite database (a temporary file,
migrated, filled with ``bulk_create``: tasks in rounds of 100 with 4 measures each, one
history row per task and measure, and ``--files`` evidence files of random bytes), then runs
``manage.py backup`` and ``manage.py restore`` (into a new SQLite file, or into the empty
database ``--target-url``) as separate processes and prints:

* the rows and evidence bytes of the dataset;
* the backup time, its peak RSS (GNU time; with ``DEBUG`` off), and the archive's size
  (data member: uncompressed and compressed);
* the restore time (checks, migrate, load, copy, verify) and its peak RSS.

Asserts nothing.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def build(database: Path, evidence_root: Path, tasks: int, files: int, file_kb: int) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ["EVIDENCE_ROOT"] = str(evidence_root)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rectify.settings")
    os.environ.setdefault("DEBUG", "1")
    import django

    django.setup()
    from django.core.management import call_command

    from benchmarks.ledger import fill

    call_command("migrate", verbosity=0)
    fill(tasks)

    from django.contrib.auth import get_user_model
    from django.db import transaction

    from rectify.models import Evidence, Measure, RectificationTask

    get_user_model().objects.create_user("bench-clerk", password="bench-password-2024")
    with transaction.atomic():
        for model in (RectificationTask, Measure):
            model.history.bulk_history_create(list(model.objects.all()), batch_size=2000,
                                              default_change_reason="benchmark")
        task_ids = list(RectificationTask.objects.values_list("pk", flat=True))
        rows = []
        for i in range(files):
            name = f"2024/06/{i:032x}.pdf"
            path = evidence_root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            content = b"%PDF-1.4\n" + os.urandom(file_kb * 1024)
            path.write_bytes(content)
            rows.append(Evidence(task_id=task_ids[i % len(task_ids)], file=name,
                                 original_name=f"材料{i}.pdf", extension="pdf",
                                 content_type="application/pdf", size=len(content),
                                 sha256=hashlib.sha256(content).hexdigest()))
        Evidence.objects.bulk_create(rows, batch_size=1000)


def run(args: list[str], env: dict) -> tuple[float, float, str]:
    """Run ``manage.py args``; its wall time, peak RSS (MB) and output."""
    # GNU time measures the command itself (a forked child's own maximum would include the
    # pages of this process, which holds the whole generated dataset).
    with tempfile.NamedTemporaryFile("r") as rss:
        start = time.perf_counter()
        done = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", rss.name, sys.executable,
                               str(ROOT / "manage.py"), *args], env=env, text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        seconds = time.perf_counter() - start
        if done.returncode:
            raise SystemExit(f"manage.py {' '.join(args)} failed:\n{done.stdout}")
        kilobytes = int(rss.read().split()[-1])
    return seconds, kilobytes / 1024, done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=5_000)
    parser.add_argument("--files", type=int, default=500)
    parser.add_argument("--file-kb", type=int, default=200)
    parser.add_argument("--target-url", help="an empty database to restore into "
                                             "(default: a new SQLite file)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="backup-bench-") as tmp:
        tmp = Path(tmp)
        start = time.perf_counter()
        build(tmp / "source.sqlite3", tmp / "evidence", args.tasks, args.files, args.file_kb)
        from rectify.services.backups import current_counts

        rows = sum(current_counts().values())
        print(f"dataset: {args.tasks} tasks, {args.tasks * 4} measures, {rows} rows in all "
              f"(history included), {args.files} evidence files of {args.file_kb} KB "
              f"({time.perf_counter() - start:.1f} s to build)")

        # As in production: DEBUG off (with it on, Django keeps the last 9,000 queries).
        env = {**os.environ, "DEBUG": "0", "SECRET_KEY": "benchmark-" + "x" * 50}
        archive = tmp / "backup.zip"
        seconds, rss, _ = run(["backup", "-v0", "--output", str(archive)], env)
        with zipfile.ZipFile(archive) as opened:
            data = opened.getinfo("data.jsonl")
        print(f"backup: {seconds:.1f} s, peak RSS {rss:.0f} MB; archive "
              f"{archive.stat().st_size / 2**20:.1f} MB (data {data.file_size / 2**20:.1f} MB "
              f"→ {data.compress_size / 2**20:.1f} MB compressed)")

        target = args.target_url or f"sqlite:///{tmp / 'restored.sqlite3'}"
        env = {**env, "DATABASE_URL": target, "EVIDENCE_ROOT": str(tmp / "restored-evidence")}
        seconds, rss, output = run(["restore", "-v0", str(archive)], env)
        vendor = target.split(":", 1)[0]
        print(f"restore into {vendor}: {seconds:.1f} s, peak RSS {rss:.0f} MB "
              f"(migrate, load, copy and verify)")
        print(output.strip().splitlines()[-1])


if __name__ == "__main__":
    main()
