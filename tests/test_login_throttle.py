"""Throttling that protects the server, not just the account: failed logins are limited per
address as well as per user name (and refused before any password is hashed); the address is
read behind TRUSTED_PROXY_COUNT proxies; the token endpoint, the login page and anonymous API
reads are rate-limited (429 with Retry-After)."""

from __future__ import annotations

import pytest
from django.contrib.auth.backends import ModelBackend
from django.urls import reverse
from rest_framework.test import APIClient

from rectify.throttling import rate_limited
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def small_limits(settings):
    settings.AXES_FAILURE_LIMIT = 3
    settings.LOGIN_FAILURES_PER_ADDRESS = 5
    settings.API_TOKEN_RATE = ""  # each test sets the rate it is about
    settings.LOGIN_RATE = ""


@pytest.fixture
def hashing(monkeypatch):
    """Counts the logins that reached the password check (where the hashing happens)."""
    calls = []
    original = ModelBackend.authenticate

    def counting(self, request, username=None, password=None, **kwargs):
        calls.append(username)
        return original(self, request, username=username, password=password, **kwargs)

    monkeypatch.setattr(ModelBackend, "authenticate", counting)
    return calls


def token(client, username, password, **extra):
    return client.post(reverse("api:token"), {"username": username, "password": password},
                       format="json", **extra)


def test_many_user_names_from_one_address_are_stopped_before_hashing(staff_user, hashing):
    client = APIClient()
    for number in range(4):
        assert token(client, f"nobody{number}", "guess").status_code == 400
    assert token(client, "nobody4", "guess").status_code == 429  # the fifth failure locks
    assert len(hashing) == 5
    refused = token(client, "nobody99", "guess")
    assert refused.status_code == 429 and refused.json()["code"] == "locked_out"
    assert refused["Retry-After"]
    # Even the right password of a real user, from that address, is refused unhashed.
    assert token(client, "staff", PASSWORD).status_code == 429
    assert len(hashing) == 5
    # Another address is not concerned.
    assert token(client, "staff", PASSWORD, REMOTE_ADDR="10.9.9.9").status_code == 200


def test_the_login_page_stops_many_names_from_one_address(client, clerk_user, hashing):
    for number in range(5):
        client.post(reverse("login"), {"username": f"nobody{number}", "password": "guess"})
    response = client.post(reverse("login"), {"username": "clerk_a", "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert len(hashing) == 5


def test_one_user_cannot_lock_out_another_from_elsewhere_behind_a_proxy(staff_user, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    client = APIClient()
    # The attacker also forges an X-Forwarded-For entry: the proxy appends the real address.
    for _ in range(3):
        token(client, "staff", "wrong", HTTP_X_FORWARDED_FOR="198.51.100.7, 203.0.113.66",
              **proxy)
    assert token(client, "staff", PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.66",
                 **proxy).status_code == 429
    # The real user, through the same proxy from its own address, signs in.
    assert token(client, "staff", PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.10",
                 **proxy).status_code == 200


def test_without_trusted_proxies_x_forwarded_for_is_ignored(staff_user, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    client = APIClient()
    for number in range(3):
        token(client, "staff", "wrong", HTTP_X_FORWARDED_FOR=f"192.0.2.{number}")
    # Changing the header does not make a new address.
    assert token(client, "staff", PASSWORD,
                 HTTP_X_FORWARDED_FOR="192.0.2.200").status_code == 429


def test_token_endpoint_is_rate_limited_before_hashing(staff_user, settings, hashing):
    settings.API_TOKEN_RATE = "3/minute"
    client = APIClient()
    for _ in range(3):
        assert token(client, "staff", PASSWORD).status_code == 200
    response = token(client, "staff", PASSWORD)
    assert response.status_code == 429
    assert "请求过于频繁" in response.json()["detail"]
    assert 0 < int(response["Retry-After"]) <= 60
    assert len(hashing) == 3
    assert token(client, "staff", PASSWORD, REMOTE_ADDR="10.9.9.9").status_code == 200


def test_anonymous_api_reads_are_rate_limited(settings, staff_user):
    settings.API_ANON_RATE = "3/minute"
    client = APIClient()
    for _ in range(3):
        assert client.get("/api/publications/").status_code == 200
    response = client.get("/api/publications/")
    assert response.status_code == 429 and response["Retry-After"]
    assert "请求过于频繁" in response.json()["detail"]
    # A signed-in user is not an anonymous reader.
    client.force_authenticate(staff_user)
    assert client.get("/api/publications/").status_code == 200


def test_the_login_page_is_rate_limited(client, clerk_user, settings, hashing):
    settings.LOGIN_RATE = "3/minute"
    for _ in range(3):
        client.post(reverse("login"), {"username": "clerk_a", "password": "wrong"})
    response = client.post(reverse("login"), {"username": "clerk_a", "password": PASSWORD})
    assert response.status_code == 429
    assert "请求过于频繁" in response.content.decode() and response["Retry-After"]
    assert len(hashing) == 3
    assert client.get(reverse("login")).status_code == 200  # reading the form is not limited


def test_the_password_reset_form_is_rate_limited(client, clerk_user, settings, mailoutbox):
    settings.PASSWORD_RESET_RATE = "2/hour"
    clerk_user.email = "clerk@example.com"
    clerk_user.save()
    url = reverse("accounts:password_reset")
    for _ in range(2):
        assert client.post(url, {"email": "clerk@example.com"}).status_code == 302
    refused = client.post(url, {"email": "clerk@example.com"})
    assert refused.status_code == 429 and refused["Retry-After"]
    assert len(mailoutbox) == 2  # the third post sent nothing
    assert client.get(url).status_code == 200  # reading the form is not limited


def test_the_rate_limit_helper_reads_its_setting(rf, settings):
    """Any view is wrapped the same way (here the scope of PASSWORD_RESET_RATE)."""
    settings.PASSWORD_RESET_RATE = "2/hour"
    view = rate_limited("password_reset")(lambda request: "sent")
    request = rf.post("/accounts/password_reset/", {"email": "a@example.com"})
    assert [view(request), view(request)] == ["sent", "sent"]
    refused = view(request)
    assert refused.status_code == 429 and 0 < int(refused["Retry-After"]) <= 3600
    assert view(rf.post("/accounts/password_reset/", REMOTE_ADDR="10.1.1.1")) == "sent"
