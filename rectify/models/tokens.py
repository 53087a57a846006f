"""A user's API tokens for scripts (``Authorization: Token …``).

The secret is django-rest-knox's: random, shown once when issued, stored only as its SHA-512
digest (``digest``; ``token_key`` is its first characters, for the lookup). Every token has a
name its owner gave it, an expiry (``API_TOKEN_TTL_DAYS`` by default) and the time it was last
used. Issued and revoked by ``rectify.services.api_tokens``; a password change revokes them all.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from knox.models import AbstractAuthToken
from knox.settings import CONSTANTS


class ApiToken(AbstractAuthToken):
    # A short id for the owner's page (/accounts/tokens/<id>/revoke/): the digest stays out of
    # URLs and pages.
    id = models.BigAutoField(primary_key=True)
    digest = models.CharField(max_length=CONSTANTS.DIGEST_LENGTH, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    created = models.DateTimeField(_("创建时间"), auto_now_add=True)
    expiry = models.DateTimeField(_("到期时间"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)

    class Meta:
        verbose_name = _("API 令牌")
        verbose_name_plural = _("API 令牌")
        ordering = ["-created", "-id"]

    def __str__(self) -> str:
        return self.name

    @property
    def expired(self) -> bool:
        return self.expiry is not None and self.expiry <= timezone.now()
