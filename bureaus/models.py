"""Bureau party groups: the party organisations that an inspection round inspects."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from rectify.models.base import AppendOnlyHistory, ScopedQuerySet


class PartyGroupQuerySet(ScopedQuerySet):
    """Party groups; a clerk sees the ones it is a member of (rectify.rules.permissions)."""

    party_group_lookup = "pk"

    def find(self, name: str) -> PartyGroup | None:
        """Look a party group up by full or short name."""
        name = name.strip()
        return self.filter(models.Q(name=name) | models.Q(short_name=name)).first()


class PartyGroup(models.Model):
    """A bureau's party group (被巡察党组织), e.g. 中共许昌市教育局党组.

    Carries the public feedback contacts printed at the end of its notices.
    """

    name = models.CharField(_("全称"), max_length=200, unique=True)
    short_name = models.CharField(_("简称"), max_length=100, blank=True)
    region = models.CharField(_("地区"), max_length=100, blank=True)
    phone = models.CharField(_("反馈电话"), max_length=100, blank=True)
    postal_address = models.CharField(_("邮政信箱"), max_length=300, blank=True)
    email = models.EmailField(_("电子邮箱"), blank=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("联络员"), blank=True,
        related_name="party_groups",
        help_text=_("可以填报本单位整改任务的单位联络员"),
    )
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    history = HistoricalRecords(bases=[AppendOnlyHistory])
    objects = PartyGroupQuerySet.as_manager()

    class Meta:
        verbose_name = _("党组织")
        verbose_name_plural = pgettext_lazy("plural", "党组织")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.short_name or self.name

    def clean(self) -> None:
        self.name = self.name.strip()
        self.short_name = self.short_name.strip()
