"""Publishing a notice (发布通报): freeze what readers see as a new version of the round."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from rectify.models import InspectionRound, Notice, Publication
from rectify.models.publications import WITHDRAWAL_FIELDS
from rectify.rules import permissions
from rectify.services import public_cache, search_index
from rectify.services.records import attribute, save_record
from rectify.services.snapshot import build_snapshot, public_content, search_text


def publish_notice(
    notice: Notice,
    user=None,
    *,
    approved_by: str,
    for_party: bool = True,
    for_public: bool = True,
    published_at=None,
) -> Publication:
    """Publish ``notice`` as the next version of its round, in one transaction.

    Records who approved it (the bureau's principal, 主要负责人), who published it and when,
    and freezes the content: later changes to the records do not change this version.
    The notice's own ``approved_by`` is updated through ``save_record`` (with history).
    """
    approved_by = (approved_by or "").strip()
    errors = {}
    if not approved_by:
        errors["approved_by"] = _("请填写审批人（主要负责人）。")
    if not (for_party or for_public):
        errors["__all__"] = _("请至少选择一种发布范围：党内通报或向社会通报。")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        # One publisher at a time per round, so that version numbers never collide; the
        # notice as stored now, not as the caller last read it.
        round_ = InspectionRound.objects.select_for_update().get(pk=notice.round_id)
        notice = Notice.objects.select_for_update().get(pk=notice.pk)
        snapshot = build_snapshot(notice)
        public = public_content(snapshot) if for_public else None
        last = Publication.objects.filter(round=round_).aggregate(v=Max("version"))["v"]
        authenticated = getattr(user, "is_authenticated", False)
        publication = Publication(
            notice_id=notice.pk,
            round=round_,
            version=(last or 0) + 1,
            date=notice.date,
            title=snapshot["notice"]["title"],
            kind=notice.kind,
            issuer=snapshot["issuer"]["name"],
            for_party=for_party,
            for_public=for_public,
            approved_by=approved_by[:100],
            published_by=user if authenticated else None,
            published_by_name=user.get_username() if authenticated else "",
            published_at=published_at or timezone.now(),
            snapshot=snapshot,
            public_snapshot=public,
            search_text=search_text(public) if public else "",
            party_search_text=search_text(snapshot),
        )
        publication.full_clean()
        attribute(publication, user, _("发布通报（第{version}版）").format(
            version=publication.version))
        publication.save()
        search_index.index_publication(publication)  # what the public list's search finds
        if notice.approved_by != approved_by[:100]:
            notice.approved_by = approved_by[:100]
            save_record(notice, user, _("发布通报（第{version}版）").format(
                version=publication.version))
        # The round's other pages and the list change (rectify.services.public_cache).
        public_cache.round_changed(round_.pk)
    return publication


def withdraw_publication(publication: Publication, user, reason: str,
                         approved_by: str) -> Publication:
    """Withdraw a published version (撤回): staff only, with a reason and its approver.

    The version's content stays stored but no surface shows it any more (the public pages
    answer 410 Gone with when and why). Who withdrew it, when, why and who approved it are
    kept on the version and in its history row. Refused, writing nothing, when the reason or
    the approver is missing or the version was already withdrawn.
    """
    if not permissions.can_withdraw(user):
        raise PermissionDenied(_("只有巡察办工作人员可以撤回已发布的通报。"))
    reason = (reason or "").strip()
    approved_by = (approved_by or "").strip()
    errors = {}
    if not reason:
        errors["reason"] = _("请填写撤回理由。")
    if not approved_by:
        errors["approved_by"] = _("请填写撤回审批人（主要负责人）。")
    elif len(approved_by) > 100:
        errors["approved_by"] = _("撤回审批人不能超过100个字符。")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        current = Publication.objects.select_for_update().get(pk=publication.pk)
        if current.is_withdrawn:
            raise ValidationError({"__all__": _(
                "第{version}版已于{when}撤回，不能再次撤回。").format(
                    version=current.version,
                    when=timezone.localtime(current.withdrawn_at).strftime("%Y-%m-%d %H:%M"))},
                code="withdrawn")
        current.withdrawn_at = timezone.now()
        current.withdrawn_by = user
        current.withdrawn_by_name = user.get_username()
        current.withdrawal_reason = reason
        current.withdrawal_approved_by = approved_by
        attribute(current, user, _("撤回通报（第{version}版）：{reason}").format(
            version=current.version, reason=reason)[:100])
        current.save(update_fields=sorted(WITHDRAWAL_FIELDS))
        # No cache may answer with it any more: refused if the cache cannot be told.
        public_cache.round_changed(current.round_id, withdrawn_pk=current.pk)
    for field in WITHDRAWAL_FIELDS:
        setattr(publication, field, getattr(current, field))
    return publication
