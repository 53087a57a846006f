"""API tokens for scripts (``Authorization: Token …``): a new one for a user name and password,
and the revocation of the token a request is made with."""

from __future__ import annotations

from django.contrib.auth import authenticate, user_logged_in, user_logged_out
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from rectify.api.api_authentication import ApiTokenAuthentication
from rectify.api.record_serializers import StrictFieldsMixin
from rectify.services import api_tokens


class TokenRequestSerializer(StrictFieldsMixin, serializers.Serializer):
    username = serializers.CharField(max_length=150, label=gettext_lazy("用户名"))
    password = serializers.CharField(max_length=128, trim_whitespace=False,
                                     write_only=True, label=gettext_lazy("密码"),
                                     style={"input_type": "password"})
    name = serializers.CharField(max_length=100, required=False, label=gettext_lazy("名称"),
                                 help_text=gettext_lazy("令牌的名称，便于在“API 令牌”页识别；"
                                                        "默认“API 登录”"))


TokenResponse = inline_serializer("IssuedToken", {
    "token": serializers.CharField(help_text=gettext_lazy(
        "令牌本身：只在这里返回一次，之后无法再查看")),
    "id": serializers.IntegerField(),
    "name": serializers.CharField(),
    "created": serializers.DateTimeField(),
    "expiry": serializers.DateTimeField(help_text=gettext_lazy("到期时间；到期后请求返回 401")),
})


class ObtainTokenView(APIView):
    """A new API token for scripts, given the user name and password; each call issues another
    one, valid ``API_TOKEN_TTL_DAYS`` days (or until revoked, or the password changes).

    Failed attempts count towards the login lockout (django-axes), like the admin's login.
    """

    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_scope = "token"  # API_TOKEN_RATE per address, before any password is hashed
    serializer_class = TokenRequestSerializer

    @extend_schema(summary=gettext_lazy("获取新的 API 令牌"), request=TokenRequestSerializer,
                   responses={
                       200: TokenResponse,
                       400: OpenApiResponse(description=gettext_lazy("用户名或密码错误")),
                       429: OpenApiResponse(
                           description=gettext_lazy("失败次数过多，已锁定；或请求过于频繁")),
                   },
                   auth=[])
    def post(self, request):
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        http_request = request._request  # django-axes watches the plain request
        user = authenticate(http_request, username=serializer.validated_data["username"],
                            password=serializer.validated_data["password"])
        if user is None:
            raise exceptions.ValidationError(
                {"non_field_errors": [_("用户名或密码不正确。")]}, code="authorization")
        user_logged_in.send(sender=type(user), request=http_request, user=user)
        name = serializer.validated_data.get("name", "").strip() or _("API 登录")
        token, secret = api_tokens.issue_token(user, name)
        return Response({"token": secret, "id": token.pk, "name": token.name,
                         "created": serializers.DateTimeField().to_representation(token.created),
                         "expiry": serializers.DateTimeField().to_representation(token.expiry)})


class RevokeTokenView(APIView):
    """Revoke the API token this request is made with (a script's logout)."""

    permission_classes = [IsAuthenticated]
    authentication_classes = [ApiTokenAuthentication]

    @extend_schema(summary=gettext_lazy("撤销本次请求所用的 API 令牌"), request=None,
                   responses={
                       204: OpenApiResponse(description=gettext_lazy("已撤销")),
                       401: OpenApiResponse(description=gettext_lazy(
                           "未提供令牌，或令牌无效、已过期、已撤销")),
                   })
    def post(self, request):
        api_tokens.revoke_token(request.user, request.auth.pk)
        user_logged_out.send(sender=type(request.user), request=request._request,
                             user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
