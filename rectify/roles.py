"""Roles as Django groups: inspection staff, auditors and bureau clerks.

Clerks belong to one or more party groups (``PartyGroup.members``); staff and auditors see
every bureau. ``ensure_roles()`` creates the groups with their admin permissions.
"""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission

STAFF = "巡察办工作人员"
AUDITOR = "审计人员"
CLERK = "单位联络员"

_APPS = ("rectify", "bureaus")


def ensure_roles() -> dict[str, Group]:
    """Create or refresh the three groups; idempotent."""
    perms = Permission.objects.filter(content_type__app_label__in=_APPS)
    staff, _ = Group.objects.get_or_create(name=STAFF)
    staff.permissions.set(perms)
    auditor, _ = Group.objects.get_or_create(name=AUDITOR)
    auditor.permissions.set(perms.filter(codename__startswith="view_"))
    clerk, _ = Group.objects.get_or_create(name=CLERK)
    return {STAFF: staff, AUDITOR: auditor, CLERK: clerk}


def has_role(user, role: str) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return user.is_superuser and role == STAFF or user.groups.filter(name=role).exists()


def is_party_reader(user) -> bool:
    """Staff and auditors read the party version (党内通报) of published notices.

    One query per request at most: the answer is kept on the user object.
    """
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    cached = getattr(user, "_rectify_party_reader", None)
    if cached is None:
        cached = user.groups.filter(name__in=[STAFF, AUDITOR]).exists()
        user._rectify_party_reader = cached
    return cached
