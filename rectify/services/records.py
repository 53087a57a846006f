"""Saving records: validation, the version the caller read, the sign-off lock, and an
attributed history row — the one write path of every surface, the importers included."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from rectify.models import RectificationTask
from rectify.rules import lifecycle
from rectify.services import search_index


class StaleRecord(ValidationError):
    """Someone else saved the record after this copy was read; ``current`` is their version."""

    def __init__(self, current: models.Model, message: str | None = None):
        self.current = current
        super().__init__(
            message or _(
                "该记录已被他人修改（当前版本 {version}），您的修改未保存，请查看最新内容后重试。"
            ).format(version=getattr(current, "version", "?")),
            code="stale",
        )


def attribute(obj: models.Model, user=None, reason: str = "") -> None:
    """Mark who makes the next save and why; django-simple-history writes it to the row."""
    if user is not None and getattr(user, "is_authenticated", False):
        obj._history_user = user
    if reason:
        obj._change_reason = reason


def is_versioned(obj_or_model) -> bool:
    """Whether records of this model carry a ``version`` bumped on every save."""
    return any(f.name == "version" for f in obj_or_model._meta.concrete_fields)


def check_version(obj: models.Model, expected_version: int | None) -> models.Model:
    """Lock ``obj``'s row for the rest of the transaction and return it as stored now.

    Raises :class:`StaleRecord` when ``expected_version`` is given and differs from the
    stored one. Must run inside ``transaction.atomic()``.
    """
    current = type(obj)._default_manager.select_for_update().get(pk=obj.pk)
    if expected_version is not None and current.version != expected_version:
        raise StaleRecord(current)
    return current


def unlocked_task(task_id: int) -> RectificationTask:
    """The task as stored now, locked for the rest of the transaction; refused
    (``lifecycle.TaskLocked``) when it is signed off. Must run inside ``transaction.atomic()``.
    """
    task = RectificationTask._default_manager.select_for_update().get(pk=task_id)
    lifecycle.ensure_unlocked(task)
    return task


def _ensure_unlocked(obj: models.Model, current: models.Model | None) -> None:
    """Refuse a write under a signed-off task, read as stored now and locked for the rest of
    the transaction (staff may have signed it off since the caller read it)."""
    if isinstance(obj, RectificationTask):
        if current is not None:
            lifecycle.ensure_unlocked(current)
        return
    task_id = getattr(obj, "task_id", None)
    if task_id is not None and hasattr(obj, "task"):
        unlocked_task(task_id)


def save_record(
    obj: models.Model,
    user=None,
    reason: str = "",
    *,
    validate: bool = True,
    expected_version: int | None = None,
    move: str | None = None,
):
    """Validate (``full_clean``) and save one record, writing its history row.

    A versioned record's ``version`` is bumped on every save; with ``expected_version`` (the
    version the editor read), a save over someone else's newer change raises
    :class:`StaleRecord`. A task that is signed off, and its measures, progress entries and
    evidence, are refused (``lifecycle.TaskLocked``) unless the save is a lifecycle ``move``
    (sign-off, reopen), which the lifecycle has checked.
    """
    if validate:
        obj.full_clean()
    attribute(obj, user, reason)
    with transaction.atomic():
        current = None
        if obj.pk and is_versioned(obj):
            current = check_version(obj, expected_version)
            obj.version = current.version + 1
        if move is None:
            _ensure_unlocked(obj, current)
        search_index.note_stored(obj, current)  # the search row changes only with its text
        obj.save()
    return obj


def delete_record(
    obj: models.Model, user=None, reason: str = "", *, expected_version: int | None = None
) -> None:
    """Delete one record, attributed; refused with :class:`StaleRecord` like ``save_record``."""
    attribute(obj, user, reason)
    with transaction.atomic():
        current = None
        if is_versioned(obj):
            current = check_version(obj, expected_version)
        _ensure_unlocked(obj, current)
        obj.delete()
