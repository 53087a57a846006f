"""Publications: the frozen versions of notices that readers see (发布的通报版本)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext, pgettext_lazy
from simple_history.models import HistoricalRecords

from rectify.models.base import AppendOnlyHistory
from rectify.models.choices import Audience, NoticeKind

#: The only fields a published version may still change: its withdrawal (撤回), once.
WITHDRAWAL_FIELDS = frozenset({"withdrawn_at", "withdrawn_by", "withdrawn_by_name",
                               "withdrawal_reason", "withdrawal_approved_by"})


class PublicationQuerySet(models.QuerySet):
    """Which publications a reader may see, shaped once for the page, the feed and the data."""

    def public(self) -> PublicationQuerySet:
        """Published to the public (向社会通报)."""
        return self.filter(for_public=True)

    def current(self) -> PublicationQuerySet:
        """Not withdrawn (撤回): the versions that lists, feeds and searches show."""
        return self.filter(withdrawn_at__isnull=True)

    def latest_per_notice(self) -> PublicationQuerySet:
        """Only the newest version of each notice among this queryset's rows."""
        newer = self.filter(notice=models.OuterRef("notice"), pk__gt=models.OuterRef("pk"))
        return self.exclude(models.Exists(newer))


class Publication(models.Model):
    """One published version of a notice, frozen: what readers see until the next version.

    ``snapshot`` holds everything the party version of the page shows (tree with derived
    numbers, measures, results, statuses, texts, and which tasks are withheld and why);
    ``public_snapshot`` is the same with the withheld tasks removed, computed at publishing
    time, so no public surface ever holds a withheld task. Versions are numbered per round.
    """

    notice = models.ForeignKey("rectify.Notice", verbose_name=_("通报"),
                               on_delete=models.PROTECT, related_name="publications")
    round = models.ForeignKey("rectify.InspectionRound", verbose_name=_("巡察轮次"),
                              on_delete=models.PROTECT, related_name="publications")
    version = models.PositiveIntegerField(_("版本号"), help_text=_("同一巡察轮次内依次编号"))
    date = models.DateField(_("成文日期"))
    title = models.CharField(_("标题"), max_length=300)
    kind = models.CharField(_("通报类型"), max_length=20, choices=NoticeKind.choices)
    issuer = models.CharField(_("发布单位"), max_length=200)
    for_party = models.BooleanField(_("党内通报"), default=True)
    for_public = models.BooleanField(_("向社会通报"), default=False)
    approved_by = models.CharField(_("审批人（主要负责人）"), max_length=100)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("发布人"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    published_by_name = models.CharField(_("发布人用户名"), max_length=150, blank=True)
    published_at = models.DateTimeField(_("发布时间"), default=timezone.now)
    snapshot = models.JSONField(_("党内版本内容"))
    public_snapshot = models.JSONField(_("公开版本内容"), null=True, blank=True)
    search_text = models.TextField(_("公开版本检索文本"), blank=True)
    party_search_text = models.TextField(_("党内版本检索文本"), blank=True)
    # The withdrawal (撤回): the only change a published version ever takes, once.
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("撤回人"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    withdrawn_by_name = models.CharField(_("撤回人用户名"), max_length=150, blank=True)
    withdrawal_reason = models.TextField(_("撤回理由"), blank=True)
    withdrawal_approved_by = models.CharField(_("撤回审批人"), max_length=100, blank=True)

    objects = PublicationQuerySet.as_manager()
    # Who published and who withdrew each version; the frozen content is not copied.
    history = HistoricalRecords(bases=[AppendOnlyHistory], excluded_fields=[
        "snapshot", "public_snapshot", "search_text", "party_search_text"])

    class Meta:
        verbose_name = _("已发布通报")
        verbose_name_plural = pgettext_lazy("plural", "已发布通报")
        ordering = ["-date", "-published_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["round", "version"],
                                    name="publication_unique_round_version"),
            models.CheckConstraint(condition=Q(for_party=True) | Q(for_public=True),
                                   name="publication_has_audience"),
            models.CheckConstraint(condition=Q(for_public=False) | Q(public_snapshot__isnull=False),
                                   name="publication_public_has_snapshot"),
        ]
        indexes = [models.Index(fields=["for_public", "-date"], name="publication_public_date")]

    def __str__(self) -> str:
        return _("{title}（第{version}版）").format(title=self.title, version=self.version)

    def save(self, *args, **kwargs):
        """A published version is frozen: once stored, only its withdrawal may be saved."""
        if not self._state.adding:
            fields = kwargs.get("update_fields")
            if fields is None or not set(fields) <= WITHDRAWAL_FIELDS:
                raise PermissionError("a published version is frozen; only its withdrawal "
                                      "may be saved (update_fields)")
        return super().save(*args, **kwargs)

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    def clean(self) -> None:
        if not (self.for_party or self.for_public):
            raise ValidationError(_("请至少选择一种发布范围：党内通报或向社会通报。"))
        if not (self.approved_by or "").strip():
            raise ValidationError({"approved_by": _("请填写审批人（主要负责人）。")})

    def get_absolute_url(self) -> str:
        return reverse("public:notice_detail", args=[self.pk])

    @property
    def audiences(self) -> list[str]:
        return [a for a, on in ((Audience.PARTY, self.for_party),
                                (Audience.PUBLIC, self.for_public)) if on]

    def get_audiences_display(self) -> str:
        return pgettext("list separator", "、").join(str(Audience(a).label) for a in self.audiences)

    def audience_for(self, party_reader: bool, wanted: str | None = None) -> str | None:
        """The version a reader gets: ``wanted`` if allowed, else the fullest allowed one.

        None when the reader may see no version of this publication.
        """
        allowed = []
        if party_reader and self.for_party:
            allowed.append(Audience.PARTY)
        if self.for_public:
            allowed.append(Audience.PUBLIC)
        if wanted in allowed:
            return wanted
        return allowed[0] if allowed else None

    def content(self, audience: str) -> dict:
        """The frozen content of one version; never the party content for the public."""
        if audience == Audience.PUBLIC:
            if not self.for_public or self.public_snapshot is None:
                raise PermissionError("not published to the public")
            return self.public_snapshot
        if not self.for_party:
            raise PermissionError("not published to the party")
        return self.snapshot
