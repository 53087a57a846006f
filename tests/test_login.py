"""The login outside the admin: every role signs in there; repeated failures are throttled."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = reverse("login")


def test_anonymous_ledger_visit_is_sent_to_the_login_page(client):
    response = client.get(reverse("ledger:index"))
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN + "?next=")


def test_a_clerk_signs_in_and_reaches_its_ledger(client, clerk_user):
    page = client.get(LOGIN)
    assert page.status_code == 200 and "登录" in page.content.decode()
    response = client.post(LOGIN, {"username": "clerk_a", "password": PASSWORD,
                                   "next": reverse("ledger:index")})
    assert response.status_code == 302 and response["Location"] == reverse("ledger:index")
    assert client.get(reverse("ledger:index")).status_code == 200


def test_wrong_password_shows_a_chinese_message(client, clerk_user):
    response = client.post(LOGIN, {"username": "clerk_a", "password": "wrong"})
    assert response.status_code == 200
    assert "请输入一个正确的" in response.content.decode()


def test_repeated_failures_lock_the_login(client, clerk_user, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(LOGIN, {"username": "clerk_a", "password": "wrong"})
    locked = client.post(LOGIN, {"username": "clerk_a", "password": PASSWORD})
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session


def test_logout_is_a_post(client, clerk_user):
    client.force_login(clerk_user)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("ledger:index")).status_code == 302
