"""The one permission rule: who may see and who may change which records.

Every surface asks the same querysets — the API, the admin, the public pages, and later the
exports and the clerks' forms:

====================  =====================================  ==================================
who                   sees (``visible_to``)                  changes (``editable_by``)
====================  =====================================  ==================================
inspection staff      everything                             everything
auditor               everything                             nothing
bureau clerk          its bureaus' party groups, rounds,     its bureaus' tasks (progress and
                      categories, tasks, measures, notices   status proposals only) and their
                                                             measures
anyone else           nothing (publications: see below)      nothing
====================  =====================================  ==================================

A bureau is a party group; a clerk is a user in the clerk group, and its bureaus are the party
groups it is a member of. A record outside what a user may see does not exist for that user:
every surface answers 404, never 403.

Publications follow the public pages' rule (``PublicationQuerySet.visible_to``): staff and
auditors read every published version, everyone else — clerks and anonymous readers too —
only what was published to the public (向社会通报), and there only the public content, from
which withheld tasks were removed when it was published.

What a clerk may change *on* a task it may edit (the progress, a status proposal; never the
canonical status, never a sign-off) is the API's and the forms' business; they ask
``can_add``, ``can_delete``, ``can_sign_off`` … below, which are the same rule in words.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models

from rectify import roles


@dataclass(frozen=True)
class Access:
    """What one user may do, computed from its roles and memberships (cached per user)."""

    staff: bool
    auditor: bool
    party_group_ids: frozenset[int]

    @property
    def reads_all(self) -> bool:
        """Staff and auditors see every bureau."""
        return self.staff or self.auditor

    @property
    def is_clerk(self) -> bool:
        return bool(self.party_group_ids)

    @property
    def may_write(self) -> bool:
        return self.staff or self.is_clerk


def access_for(user) -> Access:
    """The user's access; asks for a clerk's party groups only when its roles do not say all."""
    staff, auditor = roles.is_staff_member(user), roles.is_auditor(user)
    ids = frozenset() if staff or auditor else roles.clerk_party_group_ids(user)
    return Access(staff=staff, auditor=auditor, party_group_ids=ids)


class ScopedQuerySet(models.QuerySet):
    """A queryset that knows the way from its rows to their bureau's party group.

    ``party_group_lookup`` is that way (``"round__party_group"``, ``"pk"`` for party groups
    themselves); ``clerks_edit`` says whether a clerk may change rows of its own bureaus.
    """

    party_group_lookup: str = "round__party_group"
    clerks_edit: bool = False

    def _own_bureaus(self, access: Access) -> models.QuerySet:
        if not access.party_group_ids:
            return self.none()
        lookup = self.party_group_lookup
        key = f"{lookup}__in" if lookup == "pk" else f"{lookup}_id__in"
        return self.filter(**{key: sorted(access.party_group_ids)})

    def visible_to(self, user) -> models.QuerySet:
        """The rows ``user`` may see: all for staff and auditors, its bureaus' for a clerk."""
        access = access_for(user)
        if access.reads_all:
            return self.all()
        return self._own_bureaus(access)

    def editable_by(self, user) -> models.QuerySet:
        """The rows ``user`` may change: all for staff, its bureaus' for a clerk (if
        ``clerks_edit``), none for auditors and anyone else."""
        access = access_for(user)
        if access.staff:
            return self.all()
        if self.clerks_edit:
            return self._own_bureaus(access)
        return self.none()


# -- the same rule in words, for views and forms ------------------------------------------------


def can_add(user, model: type[models.Model]) -> bool:
    """Staff add any record; a clerk adds measures (to its own bureaus' tasks)."""
    access = access_for(user)
    if access.staff:
        return True
    from rectify.models import Measure

    return access.is_clerk and model is Measure


def can_change(user, obj: models.Model) -> bool:
    """Whether ``obj`` is among the records ``user`` may change (one query, none for staff)."""
    access = access_for(user)
    if access.staff:
        return True
    if not access.is_clerk:
        return False
    return type(obj)._default_manager.editable_by(user).filter(pk=obj.pk).exists()


def can_delete(user, obj: models.Model) -> bool:
    """Staff delete anything; a clerk deletes its own bureaus' measures, nothing else."""
    from rectify.models import Measure

    if access_for(user).staff:
        return True
    return isinstance(obj, Measure) and can_change(user, obj)


def can_change_status(user) -> bool:
    """The canonical status changes by staff only; clerks propose (``can_propose_status``)."""
    return access_for(user).staff


def can_sign_off(user) -> bool:
    """销号 is for inspection staff only."""
    return access_for(user).staff


def can_propose_status(user, task) -> bool:
    """A clerk proposes a status for its own bureaus' tasks; staff may too."""
    return can_change(user, task)


def clerk_fields(model: type[models.Model]) -> frozenset[str] | None:
    """The fields a clerk may write on a record of ``model`` it may change (None: all)."""
    from rectify.models import RectificationTask

    if model is RectificationTask:
        return frozenset({"progress"})
    return None
