"""A round's 下一步工作打算 (``InspectionRound.next_steps``): the part of its rectification
report (``rectify.documents.round_report``) written by people, not computed from the records.

Saved through ``save_record``: the round's ``clean()``, the version the editor read (a save
over a newer one is refused, ``StaleRecord``) and a history row with the user, as every other
change of a round. Who may write it is asked by the surfaces
(``rectify.rules.permissions.can_edit_round_report``).
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from rectify.models import InspectionRound
from rectify.services.records import save_record


@transaction.atomic
def save_next_steps(rnd: InspectionRound, user, text: str, *,
                    expected_version: int | None = None) -> InspectionRound:
    """Store ``text`` (paragraphs, one a line; surrounding blank lines dropped) as the
    round's 下一步工作打算."""
    rnd.next_steps = "\n".join(line.rstrip() for line in (text or "").strip().splitlines())
    return save_record(rnd, user, _("修改下一步工作打算"), expected_version=expected_version)
