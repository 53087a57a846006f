"""The API token of a user for scripts (``Authorization: Token …``), given the password."""

from __future__ import annotations

from django.contrib.auth import authenticate, user_logged_in
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions, serializers
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from rectify.api.record_serializers import StrictFieldsMixin


class TokenRequestSerializer(StrictFieldsMixin, serializers.Serializer):
    username = serializers.CharField(max_length=150, label=gettext_lazy("用户名"))
    password = serializers.CharField(max_length=128, trim_whitespace=False,
                                     write_only=True, label=gettext_lazy("密码"),
                                     style={"input_type": "password"})


class ObtainTokenView(APIView):
    """A user's API token for scripts (``Authorization: Token …``), given the password.

    Failed attempts count towards the login lockout (django-axes), like the admin's login.
    """

    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_scope = "token"  # API_TOKEN_RATE per address, before any password is hashed
    serializer_class = TokenRequestSerializer

    @extend_schema(summary=gettext_lazy("获取 API 令牌"), request=TokenRequestSerializer,
                   responses={
                       200: inline_serializer("Token", {"token": serializers.CharField()}),
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
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})
