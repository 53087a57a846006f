"""Saving records with validation and an attributed history row."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from rectify.models import RectificationTask


class StaleRecord(ValidationError):
    """Someone else saved the record after this copy was read; ``current`` is their version."""

    def __init__(self, current: models.Model):
        self.current = current
        super().__init__(
            _(
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


def save_record(
    obj: models.Model,
    user=None,
    reason: str = "",
    *,
    validate: bool = True,
    expected_version: int | None = None,
):
    """Validate (``full_clean``) and save one record, writing its history row.

    A task's ``version`` is bumped on every save; with ``expected_version`` (the version the
    editor read), a save over someone else's newer change raises :class:`StaleRecord`.
    """
    if validate:
        obj.full_clean()
    attribute(obj, user, reason)
    with transaction.atomic():
        if isinstance(obj, RectificationTask) and obj.pk:
            current = RectificationTask.objects.select_for_update().get(pk=obj.pk)
            if expected_version is not None and current.version != expected_version:
                raise StaleRecord(current)
            obj.version = current.version + 1
        obj.save()
    return obj


def delete_record(obj: models.Model, user=None, reason: str = "") -> None:
    attribute(obj, user, reason)
    obj.delete()
