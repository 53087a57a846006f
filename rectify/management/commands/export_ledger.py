"""Export the Excel ledger (整改台账) of any selection of tasks to a file.

The filters are the task FilterSet's (``rectify.services.filtersets.TaskFilterSet``), the same
as the API's
and the /ledger/ page's, offered as options: ``--round 3 --status in_progress --overdue true
--deadline-before 2024-06-30 --q 台账``. Without ``--user`` every task is in reach (whoever
runs the command has the server); with it, what that user may see.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.http import QueryDict
from django_filters import ModelChoiceFilter

from rectify.ledger.ledger_export import write_ledger
from rectify.ledger.ledger_forms import describe
from rectify.models import RectificationTask
from rectify.rules import permissions
from rectify.services.filtersets import TaskFilterSet

SUFFIX_WORDS = {"after": "不早于，YYYY-MM-DD", "before": "不晚于，YYYY-MM-DD", "min": "最小",
                "max": "最大"}


def filter_keys() -> dict[str, list[str]]:
    """The query keys of each filter of the task FilterSet (a date range has two)."""
    form = TaskFilterSet(queryset=RectificationTask.objects.none()).form
    keys = {}
    for name, field in form.fields.items():
        suffixes = getattr(field.widget, "suffixes", None)
        keys[name] = [f"{name}_{suffix}" for suffix in suffixes] if suffixes else [name]
    return keys


def _related_model(model, path: str):
    for part in path.split("__"):
        model = model._meta.get_field(part).related_model
    return model


def unscoped(filterset: TaskFilterSet) -> TaskFilterSet:
    """Let the related-record filters name any record (their choices are otherwise what the
    requesting user may see, and a command has no request)."""
    for item in filterset.filters.values():
        if isinstance(item, ModelChoiceFilter) and callable(item.queryset):
            model = _related_model(filterset._meta.model, item.field_name)
            item.queryset = model._default_manager.all()
    return filterset


class Command(BaseCommand):
    help = "导出整改台账（Excel）：筛选条件与 API、台账页面相同。"

    def add_arguments(self, parser):
        parser.add_argument("-o", "--output", required=True, help="输出文件（.xlsx）")
        parser.add_argument("--history", action="store_true", help="附历史记录工作表")
        parser.add_argument("--user", help="按该用户的权限导出（默认导出全部任务）")
        form = TaskFilterSet(queryset=RectificationTask.objects.none()).form
        for name, keys in filter_keys().items():
            label = str(form.fields[name].label or name)
            for key in keys:
                suffix = key[len(name) + 1:] if key != name else ""
                words = SUFFIX_WORDS.get(suffix, suffix)
                label_here = f"{label}（{words}）" if suffix else label
                parser.add_argument(f"--{key.replace('_', '-')}", dest=f"filter_{key}",
                                    metavar="VALUE", help=label_here)

    def _progress(self, verbosity: int):
        """On a terminal, "已导出 N / M 行" on stderr about once a second (None elsewhere)."""
        if verbosity < 1 or not self.stderr.isatty():
            return None
        last = [0.0]

        def show(done: int, total: int) -> None:
            now = time.monotonic()
            if now - last[0] >= 1 or done == total:
                last[0] = now
                self.stderr.write(f"\r已导出 {done} / {total} 行", ending="\n" if done == total
                                  else "")
                self.stderr.flush()

        return show

    def handle(self, *args, output: str, history: bool = False, user=None, **options):
        path = Path(output)
        if path.suffix.lower() != ".xlsx":
            raise CommandError(f"{output}：输出文件须以 .xlsx 结尾。")
        query = QueryDict(mutable=True)
        for keys in filter_keys().values():
            for key in keys:
                value = options.get(f"filter_{key}")
                if value not in (None, ""):
                    query[key] = value
        if user:
            account = get_user_model().objects.filter(
                **{get_user_model().USERNAME_FIELD: user}).first()
            if account is None:
                raise CommandError(f"没有用户“{user}”。")
            tasks = permissions.visible(RectificationTask, account)
            filterset = TaskFilterSet(query or None, queryset=tasks,
                                      request=SimpleNamespace(user=account))
        else:
            filterset = unscoped(TaskFilterSet(query or None,
                                               queryset=RectificationTask.objects.all()))
        if filterset.is_bound and not filterset.is_valid():
            problems = []
            for name, errors in filterset.form.errors.items():
                options_named = "/".join(f"--{k.replace('_', '-')}" for k in
                                         filter_keys().get(name, [name]))
                problems.extend(f"{options_named}：{error}" for error in errors)
            raise CommandError("筛选条件有误：" + "；".join(problems))
        selection = describe(filterset)
        start = time.perf_counter()
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(suffix=".xlsx", dir=path.parent)
        try:
            with os.fdopen(handle, "wb") as out:
                count = write_ledger(out, filterset.qs, selection=selection, history=history,
                                     progress=self._progress(options.get("verbosity", 1)))
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        self.stdout.write(
            f"export_ledger：已导出 {count} 项整改任务到 {path}"
            f"（{selection or '全部任务'}，用时 {time.perf_counter() - start:.1f} 秒）。"
        )
