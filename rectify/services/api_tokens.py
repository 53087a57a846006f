"""API tokens: issue, list, revoke, check — django-rest-knox's hashed secrets in
:class:`~rectify.models.ApiToken`.

``issue_token`` returns the secret once (only its digest is stored); the expiry is
``API_TOKEN_TTL_DAYS`` days unless the owner chose another. ``check_token`` finds a token by
its secret and says whether it is valid, expired or unknown (an unknown secret and a revoked
token are the same: a revoked token is deleted). ``record_use`` notes the last use, at most
once a minute per token. ``revoke_token`` revokes one of the user's own tokens (another's does
not exist for the user); ``revoke_all`` every token of a user: when the password changes —
by the user, by a reset, by an admin or by ``changepassword`` — ``revoke_on_password_change``
(connected in ``rectify.apps``) calls it.
"""

from __future__ import annotations

import binascii
import datetime
import enum
from hmac import compare_digest

from django.conf import settings
from django.db.models.signals import post_save
from django.utils import timezone
from knox.crypto import hash_token
from knox.settings import CONSTANTS

from rectify.models import ApiToken

#: ``record_use`` writes the last use at most this often per token.
LAST_USE_PRECISION = datetime.timedelta(minutes=1)


def default_days() -> int:
    return settings.API_TOKEN_TTL_DAYS


def issue_token(user, name: str, days: int | None = None) -> tuple[ApiToken, str]:
    """A new token for ``user``, valid ``days`` days (the setting's default when None): the
    record and its secret, which is not stored and cannot be shown again. The user's expired
    tokens are deleted at the same time."""
    days = default_days() if days is None else days
    if days < 1:
        raise ValueError("a token is valid at least one day")
    delete_expired(user)
    return ApiToken.objects.create(user=user, expiry=datetime.timedelta(days=days),
                                   name=name.strip())


def user_tokens(user):
    return ApiToken.objects.filter(user=user).order_by("-created", "-id")


def delete_expired(user) -> int:
    deleted, _by_model = ApiToken.objects.filter(user=user, expiry__lte=timezone.now()).delete()
    return deleted


def revoke_token(user, token_id) -> bool:
    """Revoke one of ``user``'s tokens; False if the user has no such token."""
    deleted, _by_model = ApiToken.objects.filter(user=user, pk=token_id).delete()
    return bool(deleted)


def revoke_all(user) -> int:
    deleted, _by_model = ApiToken.objects.filter(user=user).delete()
    return deleted


class TokenState(enum.Enum):
    VALID = "valid"
    EXPIRED = "expired"
    UNKNOWN = "unknown"  # never issued, or revoked


def check_token(secret: str) -> tuple[TokenState, ApiToken | None]:
    """The token whose secret this is, and whether it may be used."""
    candidates = ApiToken.objects.filter(
        token_key=secret[:CONSTANTS.TOKEN_KEY_LENGTH]).select_related("user")
    for token in candidates:
        try:
            digest = hash_token(secret)
        except (TypeError, ValueError, binascii.Error):
            return TokenState.UNKNOWN, None
        if compare_digest(digest, token.digest):
            if token.expired:
                return TokenState.EXPIRED, token
            return TokenState.VALID, token
    return TokenState.UNKNOWN, None


def record_use(token: ApiToken) -> None:
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USE_PRECISION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now


def revoke_on_password_change(sender, instance, created=False, **kwargs) -> None:
    """``post_save`` of the user model: a password set (``set_password`` leaves the new one in
    ``_password`` until the save is done) or made unusable revokes every token of the user.
    A login that only re-hashes the same password (a hasher upgrade) clears ``_password``
    before saving, and keeps the tokens."""
    if created:
        return
    if getattr(instance, "_password", None) is not None or not instance.has_usable_password():
        revoke_all(instance)


def connect_signals() -> None:
    post_save.connect(revoke_on_password_change, sender=settings.AUTH_USER_MODEL,
                      dispatch_uid="rectify.api_tokens.revoke_on_password_change")
