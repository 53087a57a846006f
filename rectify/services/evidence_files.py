"""Adding and deleting evidence files (佐证材料) of a task.

A file is checked by content (``rectify.rules.file_checks.check_upload``) and stored under a
generated name in ``EVIDENCE_ROOT``; the user's file name is kept in ``original_name`` only.
Nothing is stored when anything fails: no row and no file. When the file store itself fails
(a read-only directory, a full disk: ``OSError``), :class:`StorageUnavailable` says so (the
surfaces answer 503) and the partial file is removed. One gap remains: when the
caller's own, outer transaction rolls back after ``add_evidence`` returned, the file stays
on disk without a row (Django has no rollback hook); such orphans are harmless, never
served, and may be swept by comparing ``EVIDENCE_ROOT`` with ``Evidence.file``.

Permission checks are the caller's (``rectify.rules.permissions``).
"""

from __future__ import annotations

import logging

from django.core.files import File
from django.db import transaction
from django.utils.translation import gettext as _

from rectify.models import Evidence, RectificationTask
from rectify.models.worklog import evidence_storage
from rectify.rules.file_checks import check_upload, display_name
from rectify.services.records import delete_record, save_record, unlocked_task

logger = logging.getLogger(__name__)


class StorageUnavailable(Exception):
    """The evidence store (``EVIDENCE_ROOT``) cannot take the file now: nothing was stored.
    Not the user's fault: the surfaces answer 503 and say so."""

    def __init__(self, message: str | None = None):
        super().__init__(message or _("文件存储暂不可用，请稍后重试或联系管理员。"))
        self.message = str(self.args[0])


@transaction.atomic
def add_evidence(task: RectificationTask, upload, user, description: str = "") -> Evidence:
    """Check ``upload`` (a Django ``UploadedFile``) and store it as evidence of ``task``.

    Raises :class:`ValidationError` (a Chinese message naming the file) when the task is
    signed off or the file is refused, :class:`StorageUnavailable` when the file store fails;
    then neither a row nor a file is left behind.
    """
    unlocked_task(task.pk)  # before the file is read: a signed-off task takes no evidence
    checked = check_upload(upload)
    name = display_name(upload.name)
    evidence = Evidence(
        task=task,
        original_name=name,
        extension=checked.extension,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        description=(description or "").strip(),
        uploaded_by=user if getattr(user, "is_authenticated", False) else None,
    )
    # Written to the storage, under a generated name, when the row is saved.
    evidence.file = upload if isinstance(upload, File) else File(upload, name=name)
    try:
        with transaction.atomic():
            save_record(evidence, user, _("上传佐证材料“{name}”").format(name=name))
    except OSError as exc:
        _delete_stored(evidence)
        logger.error("The evidence store cannot take a file of task %s", task.pk, exc_info=True)
        raise StorageUnavailable from exc
    except BaseException:
        _delete_stored(evidence)
        raise
    return evidence


@transaction.atomic
def delete_evidence(evidence: Evidence, user, reason: str = "") -> None:
    """Delete an evidence row (attributed, with a history row) and, once the transaction
    commits, its stored file. Refused while the task is signed off."""
    unlocked_task(evidence.task_id)
    stored = evidence.file.name
    why = _("删除佐证材料“{name}”").format(name=evidence.original_name)
    reason = (reason or "").strip()
    if reason:
        why = _("{action}：{reason}").format(action=why, reason=reason)
    delete_record(evidence, user, why)
    if stored:
        transaction.on_commit(lambda: _delete_file(stored), robust=True)


def _delete_stored(evidence: Evidence) -> None:
    """Remove the file of an evidence whose save failed, if it was written already."""
    field_file = evidence.file
    if field_file.name and getattr(field_file, "_committed", False):
        _delete_file(field_file.name)


def _delete_file(name: str) -> None:
    try:
        evidence_storage.delete(name)
    except OSError:
        logger.exception("Could not delete the evidence file %s", name)
