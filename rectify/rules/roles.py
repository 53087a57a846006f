"""Roles as Django groups: inspection staff, auditors, bureau clerks and bureau leaders.

A user's role comes from the groups below (a superuser counts as staff); the bureaus of a
clerk or a leader are the party groups it is a member of (``PartyGroup.members``). Staff and
auditors see every bureau. A bureau leader (单位负责人) works like a clerk and also decides the
first level of a round reviewed in two levels. ``ensure_roles()`` creates the groups with
their admin permissions.

The answers are kept on the user object, so that a request asks the database at most once for
the roles and once for a clerk's party groups (see ``rectify.rules.permissions``).
"""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission

STAFF = "巡察办工作人员"
AUDITOR = "审计人员"
CLERK = "单位联络员"
LEADER = "单位负责人"
#: The roles that work for the bureaus they are members of.
BUREAU_ROLES = (CLERK, LEADER)

_APPS = ("rectify", "bureaus")


def ensure_roles() -> dict[str, Group]:
    """Create or refresh the four groups; idempotent."""
    perms = Permission.objects.filter(content_type__app_label__in=_APPS)
    staff, _ = Group.objects.get_or_create(name=STAFF)
    staff.permissions.set(perms)
    auditor, _ = Group.objects.get_or_create(name=AUDITOR)
    auditor.permissions.set(perms.filter(codename__startswith="view_"))
    clerk, _ = Group.objects.get_or_create(name=CLERK)
    leader, _ = Group.objects.get_or_create(name=LEADER)
    return {STAFF: staff, AUDITOR: auditor, CLERK: clerk, LEADER: leader}


def role_names(user) -> frozenset[str]:
    """The role groups of ``user`` (empty for anonymous and inactive users); one query, cached."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", True):
        return frozenset()
    cached = getattr(user, "_rectify_roles", None)
    if cached is None:
        names = set(user.groups.filter(name__in=[STAFF, AUDITOR, *BUREAU_ROLES])
                    .values_list("name", flat=True))
        if user.is_superuser:
            names.add(STAFF)
        cached = frozenset(names)
        user._rectify_roles = cached
    return cached


def has_role(user, role: str) -> bool:
    return role in role_names(user)


def is_staff_member(user) -> bool:
    """Inspection staff (巡察办工作人员), or a superuser: may see and change everything."""
    return STAFF in role_names(user)


def is_auditor(user) -> bool:
    """Auditors (审计人员) read everything and change nothing."""
    return AUDITOR in role_names(user)


def is_party_reader(user) -> bool:
    """Staff and auditors read everything, including the party version (党内通报)."""
    return bool(role_names(user) & {STAFF, AUDITOR})


def is_clerk(user) -> bool:
    """In the clerk group (单位联络员); its bureaus are ``bureau_party_group_ids(user)``."""
    return CLERK in role_names(user)


def is_leader(user) -> bool:
    """In the bureau leader group (单位负责人); its bureaus are ``bureau_party_group_ids``."""
    return LEADER in role_names(user)


def bureau_party_group_ids(user) -> frozenset[int]:
    """The party groups a clerk or a leader works for: its memberships, if it has one of the
    two bureau roles.

    Empty for everyone else (a member without the role, or the role without a membership,
    gets no bureau). One query, cached on the user.
    """
    if not role_names(user) & set(BUREAU_ROLES):
        return frozenset()
    cached = getattr(user, "_rectify_party_group_ids", None)
    if cached is None:
        cached = frozenset(user.party_groups.values_list("pk", flat=True))
        user._rectify_party_group_ids = cached
    return cached
