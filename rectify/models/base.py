"""What every record model shares, below any rule: the way from a row to its bureau, and an
append-only history.

The models import nothing above them. Who may see or change a row is decided by the rule in
``rectify.rules.permissions``, which uses :meth:`ScopedQuerySet.of_party_groups` to narrow a
queryset to a user's bureaus; the history rows written here are read and worded by
``rectify.rules.history``.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db import models


class ScopedQuerySet(models.QuerySet):
    """A queryset that knows the way from its rows to their bureau's party group.

    ``party_group_lookup`` is that way (``"round__party_group"``, ``"pk"`` for party groups
    themselves); ``clerks_edit`` says whether the bureau's own users may change its rows.
    """

    party_group_lookup: str = "round__party_group"
    clerks_edit: bool = False

    def of_party_groups(self, ids: Iterable[int]) -> models.QuerySet:
        """The rows that belong to the party groups ``ids`` (none for no ids)."""
        ids = sorted(ids)
        if not ids:
            return self.none()
        lookup = self.party_group_lookup
        key = f"{lookup}__in" if lookup == "pk" else f"{lookup}_id__in"
        return self.filter(**{key: ids})


class AppendOnlyHistory(models.Model):
    """Abstract base of every historical model: a history row is written once, never edited."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionDenied("History is append-only")
        return super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionDenied("History is append-only")
