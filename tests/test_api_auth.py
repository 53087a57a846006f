"""Authentication: tokens for scripts, sessions for the browser, lockout after repeated
failures (django-axes) on every login — the admin's, the browsable API's, the token
endpoint — and validated passwords."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def small_failure_limit(settings):
    settings.AXES_FAILURE_LIMIT = 3


def token_request(client, username, password, **extra):
    return client.post(reverse("api:token"), {"username": username, "password": password},
                       format="json", **extra)


def test_token_for_scripts(staff_user):
    client = APIClient()
    response = token_request(client, "staff", PASSWORD)
    assert response.status_code == 200
    key = response.data["token"]
    assert Token.objects.get(user=staff_user).key == key
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get(reverse("api:task-list")).status_code == 200
    assert token_request(APIClient(), "staff", PASSWORD).data["token"] == key  # the same one


def test_wrong_password_is_a_400_without_detail(staff_user):
    response = token_request(APIClient(), "staff", "wrong")
    assert response.status_code == 400
    assert response.data == {"non_field_errors": ["用户名或密码不正确。"]}
    assert token_request(APIClient(), "staff", "x", ).status_code == 400
    response = APIClient().post(reverse("api:token"), {"username": "staff"}, format="json")
    assert response.status_code == 400 and "password" in response.data


def test_bad_token_is_401():
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    assert client.get(reverse("api:task-list")).status_code == 401


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


def test_token_command_for_scripts(staff_user, capsys):
    call_command("drf_create_token", "staff")
    assert Token.objects.filter(user=staff_user).exists()


def test_admin_password_change_validates_the_password(client, staff_user):
    client.force_login(staff_user)
    response = client.post(reverse("admin:password_change"), {
        "old_password": PASSWORD, "new_password1": "12345678", "new_password2": "12345678"})
    assert response.status_code == 200  # the form again, with the validators' messages
    staff_user.refresh_from_db()
    assert staff_user.check_password(PASSWORD)
