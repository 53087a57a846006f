"""Authentication: tokens for scripts, sessions for the browser, lockout after repeated
failures (django-axes) on every login — the admin's, the browsable API's, the token
endpoint — and validated passwords."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from rectify.models import ApiToken
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def small_failure_limit(settings):
    settings.AXES_FAILURE_LIMIT = 3


def token_request(client, username, password, **extra):
    return client.post(reverse("api:token"), {"username": username, "password": password},
                       format="json", **extra)


def test_token_for_scripts_is_new_each_time_and_expires(staff_user, settings):
    settings.API_TOKEN_TTL_DAYS = 30
    client = APIClient()
    response = token_request(client, "staff", PASSWORD)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"token", "id", "name", "created", "expiry"}
    key = body["token"]
    stored = ApiToken.objects.get(user=staff_user)
    assert stored.pk == body["id"] and body["name"] == "API 登录"
    assert key not in (stored.digest, stored.token_key)  # only its hash is stored
    days = (stored.expiry - stored.created).total_seconds() / 86400
    assert 29.99 < days < 30.01
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get(reverse("api:task-list")).status_code == 200
    again = token_request(APIClient(), "staff", PASSWORD, ).json()["token"]
    assert again != key  # a new one each time; both work
    assert ApiToken.objects.filter(user=staff_user).count() == 2
    assert client.get(reverse("api:task-list")).status_code == 200


def test_token_request_may_name_the_token(staff_user):
    response = APIClient().post(reverse("api:token"), {
        "username": "staff", "password": PASSWORD, "name": "台账同步"}, format="json")
    assert response.json()["name"] == "台账同步"
    response = APIClient().post(reverse("api:token"), {
        "username": "staff", "password": PASSWORD, "expiry": "2099-01-01"}, format="json")
    assert response.status_code == 400 and "expiry" in response.json()


def test_revoke_endpoint_revokes_the_token_used(staff_user):
    first = token_request(APIClient(), "staff", PASSWORD).json()["token"]
    second = token_request(APIClient(), "staff", PASSWORD).json()["token"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {first}")
    assert client.post(reverse("api:token-revoke")).status_code == 204
    response = client.get(reverse("api:task-list"))
    assert response.status_code == 401
    assert response.json()["detail"] == "API 令牌无效或已撤销，请重新获取。"
    assert response.headers["WWW-Authenticate"] == "Token"
    other = APIClient()
    other.credentials(HTTP_AUTHORIZATION=f"Token {second}")
    assert other.get(reverse("api:task-list")).status_code == 200  # the other one stays
    assert APIClient().post(reverse("api:token-revoke")).status_code == 401


def test_expired_token_is_401_saying_so(staff_user):
    client = APIClient()
    key = token_request(client, "staff", PASSWORD).json()["token"]
    ApiToken.objects.filter(user=staff_user).update(
        expiry=timezone.now() - datetime.timedelta(seconds=1))
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    response = client.get(reverse("api:task-list"))
    assert response.status_code == 401
    assert response.json()["detail"] == "API 令牌已过期，请重新获取。"
    response = client.get(reverse("api:task-list"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.json()["detail"] == "The API token has expired; please get a new one."


def test_token_of_an_inactive_user_is_401(staff_user):
    client = APIClient()
    key = token_request(client, "staff", PASSWORD).json()["token"]
    staff_user.is_active = False
    staff_user.save()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get(reverse("api:task-list")).status_code == 401


def test_wrong_password_is_a_400_without_detail(staff_user):
    response = token_request(APIClient(), "staff", "wrong")
    assert response.status_code == 400
    assert response.data == {"non_field_errors": ["用户名或密码不正确。"]}
    assert token_request(APIClient(), "staff", "x", ).status_code == 400
    response = APIClient().post(reverse("api:token"), {"username": "staff"}, format="json")
    assert response.status_code == 400 and "password" in response.data


def test_bad_token_is_401():
    client = APIClient()
    for bad in ("not-a-token", "ü" * 64, "0" * 64):
        client.credentials(HTTP_AUTHORIZATION=f"Token {bad}")
        response = client.get(reverse("api:task-list"))
        assert response.status_code == 401
        assert response.json()["detail"] == "API 令牌无效或已撤销，请重新获取。"


def test_token_endpoint_locks_out_after_repeated_failures(staff_user):
    client = APIClient()
    for _ in range(3):
        token_request(client, "staff", "wrong")
    response = token_request(client, "staff", PASSWORD)
    assert response.status_code == 429
    assert response.json()["code"] == "locked_out"
    assert "锁定" in response.json()["detail"]
    # Another user from the same address is not locked out.
    get_user_model().objects.create_user("other", password=PASSWORD)
    assert token_request(client, "other", PASSWORD).status_code == 200


def test_success_resets_the_failure_count(staff_user):
    client = APIClient()
    for _ in range(2):
        token_request(client, "staff", "wrong")
    assert token_request(client, "staff", PASSWORD).status_code == 200
    for _ in range(2):
        token_request(client, "staff", "wrong")
    assert token_request(client, "staff", PASSWORD).status_code == 200


def test_admin_login_locks_out(client, staff_user):
    url = reverse("admin:login")
    for _ in range(3):
        response = client.post(url, {"username": "staff", "password": "wrong"})
    response = client.post(url, {"username": "staff", "password": PASSWORD})
    assert response.status_code == 429
    assert "锁定" in response.content.decode()


def test_browsable_api_login_works_and_locks_out(client, staff_user):
    url = reverse("rest_framework:login")
    response = client.post(url, {"username": "staff", "password": PASSWORD,
                                 "next": "/api/"})
    assert response.status_code == 302
    assert client.get("/api/tasks/", HTTP_ACCEPT="text/html").status_code == 200
    client.logout()
    for _ in range(3):
        client.post(url, {"username": "staff", "password": "wrong"})
    response = client.post(url, {"username": "staff", "password": PASSWORD})
    assert response.status_code == 429


def test_session_writes_need_the_csrf_token(staff_user, small_round):
    from rectify.models import RectificationTask

    client = APIClient(enforce_csrf_checks=True)
    client.force_login(staff_user)
    task = RectificationTask.objects.filter(round=small_round).first()
    response = client.patch(reverse("api:task-detail", args=[task.pk]),
                            {"progress": "x", "version": 1}, format="json")
    assert response.status_code == 403


def test_admin_password_change_validates_the_password(client, staff_user):
    client.force_login(staff_user)
    response = client.post(reverse("admin:password_change"), {
        "old_password": PASSWORD, "new_password1": "12345678", "new_password2": "12345678"})
    assert response.status_code == 200  # the form again, with the validators' messages
    staff_user.refresh_from_db()
    assert staff_user.check_password(PASSWORD)
