"""The one permission rule: who may see and who may change which records.

Every "may this user do this to this record" question of every surface — the admin, the
API, the work pages, the public pages, the ledger, the importer and the commands — is
answered here, and nothing else looks at a user's roles (``rectify.rules.roles`` only names
and creates the groups):

====================  =====================================  ==================================
who                   sees (``visible``)                     changes (``editable``)
====================  =====================================  ==================================
inspection staff      everything                             everything; status, sign-off,
                                                             review, reopen, imports
auditor               everything                             nothing
bureau clerk          its bureaus' party groups, rounds,     its bureaus' tasks (the progress
                      categories, tasks, measures, notices,  only), their measures, progress
                      outcome figures                        entries, evidence, proposals,
                                                             outcome figures; its rounds'
                                                             下一步工作打算 (report)
bureau leader         as a clerk                             as a clerk; and decides the first
                                                             level of a two-level review
anyone else           nothing (publications: see below)      nothing
====================  =====================================  ==================================

A bureau is a party group; a clerk (单位联络员) or a leader (单位负责人) is a user in that group,
and its bureaus are the party groups it is a member of. A record outside what a user may see
does not exist for that user: every surface answers 404, never 403.

Publications (the frozen published versions) follow the public pages' rule: staff and
auditors read every published version (党内通报 too), everyone else — clerks and anonymous
readers — only what was published to the public (向社会通报), from which withheld tasks were
removed when it was published. Nobody changes a publication; staff may only withdraw one
(撤回, ``can_withdraw``), which the public surfaces then answer as gone (410).

Background jobs (``Job``: a large export and its result file) are seen by the user who asked
for them and by nobody else, staff included: another user gets 404. The jobs the schedule
started (Celery beat: reminders, statistics snapshots; no user asked) are the system's, seen
by the inspection staff, who may also start that periodic work themselves
(``can_run_periodic_jobs``).

Whether a *signed-off* task may still be changed is not a question of who asks: it is locked
for everyone until staff reopen it (``rectify.rules.lifecycle``).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models

from rectify.models import Job, Measure, OutcomeFigure, Publication, RectificationTask
from rectify.models.base import ScopedQuerySet
from rectify.rules import roles


@dataclass(frozen=True)
class Access:
    """What one user may do, computed from its roles and memberships (cached per user)."""

    staff: bool
    auditor: bool
    party_group_ids: frozenset[int]
    leader: bool = False

    @property
    def reads_all(self) -> bool:
        """Staff and auditors see every bureau (and the party version of notices)."""
        return self.staff or self.auditor

    @property
    def is_bureau(self) -> bool:
        """Works for one or more bureaus (a clerk or a leader)."""
        return bool(self.party_group_ids)

    @property
    def leads(self) -> frozenset[int]:
        """The bureaus whose first-level review this user decides (a leader's bureaus)."""
        return self.party_group_ids if self.leader else frozenset()

    @property
    def may_write(self) -> bool:
        return self.staff or self.is_bureau


def access_for(user) -> Access:
    """The user's access; asks for a bureau user's party groups only when its roles do not
    say all."""
    staff, auditor = roles.is_staff_member(user), roles.is_auditor(user)
    ids = frozenset() if staff or auditor else roles.bureau_party_group_ids(user)
    return Access(staff=staff, auditor=auditor, party_group_ids=ids,
                  leader=bool(ids) and roles.is_leader(user))


def _queryset(records) -> models.QuerySet:
    if isinstance(records, type) and issubclass(records, models.Model):
        return records._default_manager.all()
    return records


# -- which rows ---------------------------------------------------------------------------------


def visible(records, user) -> models.QuerySet:
    """The rows of ``records`` (a model or a queryset) that ``user`` may see."""
    qs = _queryset(records)
    if qs.model is Job:  # a background job and its result: only the user who asked
        if not getattr(user, "is_authenticated", False):
            return qs.none()
        if access_for(user).staff:  # and the system's (the schedule's) for the staff
            return qs.filter(models.Q(requested_by=user) | models.Q(requested_by__isnull=True))
        return qs.filter(requested_by=user)
    access = access_for(user)
    if qs.model is Publication:
        return qs.all() if access.reads_all else qs.public()
    if access.reads_all:
        return qs.all()
    if isinstance(qs, ScopedQuerySet):
        return qs.of_party_groups(access.party_group_ids)
    return qs.none()


def editable(records, user) -> models.QuerySet:
    """The rows of ``records`` that ``user`` may change: all for staff, its bureaus' for a
    clerk where the bureau edits that kind of record, none for anyone else."""
    qs = _queryset(records)
    if qs.model is Job:
        return qs.none()  # written by the jobs service only
    access = access_for(user)
    if qs.model is Publication:
        return qs.none()  # frozen
    if access.staff:
        return qs.all()
    if isinstance(qs, ScopedQuerySet) and qs.clerks_edit:
        if qs.model is OutcomeFigure:  # a bureau's are its tasks'; a round's own are staff's
            qs = qs.filter(task__isnull=False)
        return qs.of_party_groups(access.party_group_ids)
    return qs.none()


# -- the same rule in words, for views, forms and services --------------------------------------


def reads_all(user) -> bool:
    """Staff and auditors: every bureau, every published version, the whole review queue."""
    return access_for(user).reads_all


def reads_party_version(user) -> bool:
    """Who reads the party version (党内通报) of a notice: staff and auditors."""
    return access_for(user).reads_all


def may_write(user) -> bool:
    """Whether ``user`` may change anything at all (staff, or a bureau's clerk)."""
    return access_for(user).may_write


def is_staff(user) -> bool:
    """Inspection staff (巡察办工作人员): every change, the sign-off, the imports."""
    return access_for(user).staff


def can_add(user, model: type[models.Model]) -> bool:
    """Staff add any record; a bureau's clerk or leader adds measures and outcome figures (to
    its own bureaus' tasks: ``can_change`` of the task)."""
    access = access_for(user)
    return access.staff or (access.is_bureau and model in (Measure, OutcomeFigure))


def can_change(user, obj: models.Model) -> bool:
    """Whether ``obj`` is among the records ``user`` may change (one query, none for staff)."""
    access = access_for(user)
    if access.staff:
        return True
    if not access.is_bureau:
        return False
    return editable(type(obj), user).filter(pk=obj.pk).exists()


def can_delete(user, obj: models.Model) -> bool:
    """Staff delete anything; a clerk deletes its own bureaus' measures, evidence and
    outcome figures."""
    from rectify.models import Evidence

    if access_for(user).staff:
        return True
    return isinstance(obj, Measure | Evidence | OutcomeFigure) and can_change(user, obj)


def can_review(user) -> bool:
    """Setting the canonical status, approving or returning a proposal, signing off (销号)
    and reopening: staff only; a bureau proposes (``can_propose_status``)."""
    return access_for(user).staff


def can_decide_proposals(user) -> bool:
    """Who decides status proposals at some level: staff (the office's level) and bureau
    leaders (the first level of their bureaus' tasks; ``leads_bureau_of``). Which level a
    given proposal waits at is the lifecycle's question."""
    access = access_for(user)
    return access.staff or bool(access.leads)


def led_party_group_ids(user) -> frozenset[int]:
    """The bureaus whose first-level review ``user`` decides (empty unless a leader)."""
    return access_for(user).leads


def can_propose_status(user, task) -> bool:
    """A clerk or leader proposes a status for its own bureaus' tasks; staff may too."""
    return can_change(user, task)


def leads_bureau_of(user, task) -> bool:
    """Whether ``user`` is a leader (单位负责人) of ``task``'s bureau: who decides the first
    level of a two-level review, and whom that bureau's escalated warnings reach."""
    return task.round.party_group_id in access_for(user).leads


def can_request_extension(user, task) -> bool:
    """A bureau's clerk or leader asks for more time (申请延期) on its own tasks; staff may
    too."""
    return can_change(user, task)


def can_decide_extension(user) -> bool:
    """Approving or refusing an extension: the inspection office (staff)."""
    return access_for(user).staff


def can_edit_round_report(user, round_) -> bool:
    """Who writes a round's own part of its rectification report (整改情况报告: the
    下一步工作打算, ``InspectionRound.next_steps``): staff, and the round's bureau — its
    clerks and leaders, who report to the inspection body. Auditors only read; a bureau never
    writes another bureau's round, nor any other field of its own (the rest is staff's)."""
    access = access_for(user)
    return access.staff or round_.party_group_id in access.party_group_ids


def can_import(user) -> bool:
    """Importing a notice or an edited ledger writes many records at once: staff only."""
    return access_for(user).staff


def can_run_periodic_jobs(user) -> bool:
    """Starting the periodic work (reminders, statistics snapshots) now, besides its
    schedule, and following the runs the schedule started: staff only."""
    return access_for(user).staff


def can_publish(user) -> bool:
    """Publishing a notice version: staff only."""
    return access_for(user).staff


def can_withdraw(user) -> bool:
    """Withdrawing a published version (撤回), with a reason and its approver: staff only."""
    return access_for(user).staff


def writable_fields(user, model: type[models.Model]) -> frozenset[str] | None:
    """The fields ``user`` may write on a record of ``model`` it may change (None: all).

    A bureau's clerk writes only the progress and the outcome paragraph of a task (its status
    is proposed, never set).
    """
    if access_for(user).staff:
        return None
    if model is RectificationTask:
        return frozenset({"progress", "outcome"})
    return None


def bureau_users(party_group, *, leaders: bool | None = None) -> models.QuerySet:
    """The active users who work for ``party_group``: its clerks and leaders (``leaders``
    True: only its leaders; False: only its clerks)."""
    from django.contrib.auth import get_user_model

    names = {None: roles.BUREAU_ROLES, True: (roles.LEADER,), False: (roles.CLERK,)}[leaders]
    return get_user_model().objects.filter(
        is_active=True, groups__name__in=names, party_groups=party_group).distinct()


def staff_users() -> models.QuerySet:
    """The active inspection staff (superusers included): whom the office's warnings and
    second-level proposals reach."""
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(
        models.Q(groups__name=roles.STAFF) | models.Q(is_superuser=True),
        is_active=True).distinct()


@dataclass(frozen=True)
class BureauMember:
    """An active user working for a bureau, and which of the bureau roles it has there."""

    user: object
    clerk: bool
    leader: bool


def bureau_members(party_group_ids) -> dict[int, list[BureauMember]]:
    """For many bureaus at once (the daily reminders): each one's active clerks and leaders,
    by user name, with their roles — what ``bureau_users`` says for one bureau. Two queries,
    whatever the number of bureaus."""
    from django.contrib.auth import get_user_model

    user_model = get_user_model()
    rows = (user_model.objects.filter(is_active=True, groups__name__in=roles.BUREAU_ROLES,
                                      party_groups__in=list(party_group_ids))
            .values_list("pk", "party_groups", "groups__name"))
    found: dict[tuple[int, int], set[str]] = {}
    for user_id, party_group_id, role in rows:
        found.setdefault((party_group_id, user_id), set()).add(role)
    users = user_model.objects.in_bulk({user_id for _pg, user_id in found})
    members: dict[int, list[BureauMember]] = {}
    for (party_group_id, user_id), names in found.items():
        members.setdefault(party_group_id, []).append(BureauMember(
            users[user_id], clerk=roles.CLERK in names, leader=roles.LEADER in names))
    for listed in members.values():
        listed.sort(key=lambda member: member.user.get_username())
    return members
