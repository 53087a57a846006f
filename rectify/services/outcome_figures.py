"""Outcome figures (整改成效数据) of a task or of a round: add, change, delete.

Every write goes through ``save_record`` / ``delete_record``: the model's ``clean()`` (kind,
unit, whole numbers, the task of the round), the version the editor read, the sign-off lock
(a signed-off task's figures are locked with it, as its measures are; a round's own figures
have no task and no lock) and a history row with the user. Who may do it is asked by the
surfaces (``rectify.rules.permissions``: ``can_add``, ``can_change``, ``can_delete``).
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from rectify.models import OutcomeFigure
from rectify.services.records import delete_record, save_record


def add_figure(figure: OutcomeFigure, user, reason: str = "") -> OutcomeFigure:
    """Save a new figure (its round follows its task), entered by ``user``."""
    if figure.task_id and not figure.round_id:
        figure.round_id = figure.task.round_id
    if getattr(user, "is_authenticated", False):
        figure.author = user
    return save_record(figure, user, reason or _("填报整改成效数据"))


def change_figure(figure: OutcomeFigure, user, *, expected_version: int | None = None,
                  reason: str = "") -> OutcomeFigure:
    """Save the changes made to ``figure``; refused (``StaleRecord``) over a newer version."""
    return save_record(figure, user, reason or _("修改整改成效数据"),
                       expected_version=expected_version)


def delete_figure(figure: OutcomeFigure, user, *, expected_version: int | None = None,
                  reason: str = "") -> None:
    """Delete ``figure``, attributed; refused like a change."""
    delete_record(figure, user, reason or _("删除整改成效数据"),
                  expected_version=expected_version)
