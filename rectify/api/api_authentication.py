"""``Authorization: Token <secret>``: django-rest-knox's header and hashed tokens, with our
expiry, last use and messages (Chinese, or English with ``Accept-Language: en``).

An unknown or revoked token and an expired one are a 401 saying which; the expired token is
kept (its owner's page lists it as expired) until the owner gets a new one.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from knox.auth import TokenAuthentication
from rest_framework import exceptions

from rectify.services import api_tokens
from rectify.services.api_tokens import TokenState


class ApiTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, token: bytes):
        secret = token.decode("utf-8", errors="replace")
        state, api_token = api_tokens.check_token(secret)
        if state is TokenState.EXPIRED:
            raise exceptions.AuthenticationFailed(
                _("API 令牌已过期，请重新获取。"), code="token_expired")
        if state is not TokenState.VALID:
            raise exceptions.AuthenticationFailed(
                _("API 令牌无效或已撤销，请重新获取。"), code="token_invalid")
        if not api_token.user.is_active:
            raise exceptions.AuthenticationFailed(_("该用户已停用。"), code="user_inactive")
        api_tokens.record_use(api_token)
        return api_token.user, api_token


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "rectify.api.api_authentication.ApiTokenAuthentication"
    name = "tokenAuth"
    priority = 1

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": _("API 令牌，格式 “Token <令牌>”；从 /api/auth/token/ 或 "
                             "/accounts/tokens/ 获取，到期或修改密码后失效。"),
        }
