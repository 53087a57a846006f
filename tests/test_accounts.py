"""The account pages for every role: password change from the header, password reset by
e-mail, the language switch, and the user's own API tokens — and a password change by any path
(the page, a reset, the admin, ``changepassword``) revoking the user's tokens."""

from __future__ import annotations

import datetime
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from rectify.models import ApiToken
from rectify.services import api_tokens
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Zhenggai-2025-xin"


def api_status(secret: str) -> int:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    return client.get(reverse("api:task-list")).status_code


def header_link(html: str, text: str) -> str:
    header = html[html.index("<header"):html.index("</header>")]
    match = re.search(r'<a href="([^"]+)">' + re.escape(text) + "</a>", header)
    assert match, f"no link {text!r} in the header"
    return match.group(1)


# -- password change ---------------------------------------------------------------------------

@pytest.mark.parametrize("who", ["clerk_user", "leader_user"])
def test_password_change_from_the_header(client, who, request):
    user = request.getfixturevalue(who)
    secret = api_tokens.issue_token(user, "script")[1]
    client.force_login(user)
    url = header_link(client.get(reverse("work:index")).content.decode(), "修改密码")
    assert url == "/accounts/password_change/"
    page = client.get(url)
    assert page.status_code == 200
    assert "旧密码" in page.content.decode()  # the form, in Chinese, not the admin's login
    response = client.post(url, {"old_password": PASSWORD, "new_password1": NEW_PASSWORD,
                                 "new_password2": NEW_PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("accounts:password_change_done")
    assert "密码已修改" in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert client.get(reverse("work:index")).status_code == 200  # still signed in
    assert api_status(secret) == 401  # the old token is revoked


def test_password_change_refuses_a_wrong_old_password(client, clerk_user):
    secret = api_tokens.issue_token(clerk_user, "script")[1]
    client.force_login(clerk_user)
    response = client.post(reverse("accounts:password_change"), {
        "old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 200
    assert "旧密码不正确" in response.content.decode()
    clerk_user.refresh_from_db()
    assert clerk_user.check_password(PASSWORD)
    assert api_status(secret) == 200


def test_password_change_needs_a_login(client):
    response = client.get(reverse("accounts:password_change"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_every_surface_links_the_account_pages(client, staff_user, small_notice, publish):
    client.force_login(staff_user)
    for url in (reverse("work:index"), reverse("ledger:index")):
        html = client.get(url).content.decode()
        assert header_link(html, "修改密码") == "/accounts/password_change/"
        assert header_link(html, "API 令牌") == "/accounts/tokens/"
    admin = client.get(reverse("admin:index")).content.decode()
    tools = admin[admin.index('id="user-tools"'):]
    assert 'href="/accounts/password_change/"' in tools
    assert 'href="/accounts/tokens/"' in tools
    assert 'action="/i18n/setlang/"' in tools
    publication = publish(small_notice)
    public = client.get(reverse("public:notice_detail", args=[publication.pk])).content.decode()
    assert header_link(public, "修改密码") == "/accounts/password_change/"
    assert "/i18n/setlang/" not in public  # the public pages stay in Chinese


# -- password reset ----------------------------------------------------------------------------

def test_password_reset_by_email(client, clerk_user, mailoutbox, settings):
    settings.SITE_URL = "https://rectify.example.gov.cn"
    clerk_user.email = "clerk@example.gov.cn"
    clerk_user.save()
    secret = api_tokens.issue_token(clerk_user, "script")[1]
    login_page = client.get(reverse("login")).content.decode()
    assert 'href="/accounts/password_reset/"' in login_page
    response = client.post(reverse("accounts:password_reset"),
                           {"email": "clerk@example.gov.cn"}, follow=True)
    assert "重置链接已发送" in response.content.decode()
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["clerk@example.gov.cn"]
    assert "重置密码" in mail.subject
    link = re.search(r"https://rectify\.example\.gov\.cn(/accounts/reset/\S+/)", mail.body)
    assert link, mail.body
    form = client.get(link.group(1), follow=True)
    assert "设置新密码" in form.content.decode()
    response = client.post(form.redirect_chain[-1][0], {
        "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}, follow=True)
    assert "密码已重置" in response.content.decode()
    clerk_user.refresh_from_db()
    assert clerk_user.check_password(NEW_PASSWORD)
    assert api_status(secret) == 401
    # The link works once.
    again = client.get(link.group(1), follow=True).content.decode()
    assert "该重置链接无效" in again


def test_password_reset_for_an_unknown_address_sends_nothing(client, clerk_user, mailoutbox):
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.cn"},
                           follow=True)
    assert "重置链接已发送" in response.content.decode()  # says nothing of who exists
    assert mailoutbox == []


def test_development_prints_mail_to_the_console(settings):
    from rectify import settings as project_settings

    if project_settings.DEBUG:
        assert project_settings.EMAIL_BACKEND.endswith("console.EmailBackend")


# -- language switch ---------------------------------------------------------------------------

def test_language_switch_changes_the_work_page_and_back(client, clerk_user):
    client.force_login(clerk_user)
    html = client.get(reverse("work:index")).content.decode()
    header = html[html.index("<header"):html.index("</header>")]
    assert 'action="/i18n/setlang/"' in header and 'name="language"' in header
    assert "<script" not in header and "style=" not in header and "onchange" not in header
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/work/"})
    assert response.status_code == 302 and response["Location"] == "/work/"
    html = client.get("/work/").content.decode()
    assert '<html lang="en">' in html and "Log out" in html
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/work/"})
    html = client.get("/work/").content.decode()
    assert '<html lang="zh-hans">' in html and "退出" in html


def test_language_switch_in_the_admin(client, staff_user):
    client.force_login(staff_user)
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/admin/"})
    assert response["Location"] == "/admin/"
    tools = client.get("/admin/").content.decode().split('id="user-tools"')[1]
    assert "Change password" in tools and "API tokens" in tools and "Log out" in tools


def test_account_pages_speak_english(client, clerk_user):
    client.force_login(clerk_user)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get(reverse("accounts:password_change")).content.decode()
    assert "Change password" in html and "修改密码" not in html
    html = client.get(reverse("accounts:tokens")).content.decode()
    assert "API tokens" in html and "令牌" not in html


# -- API tokens on the user's page -------------------------------------------------------------

def test_create_token_on_the_page_shows_the_secret_once(client, clerk_user, settings):
    settings.API_TOKEN_TTL_DAYS = 90
    client.force_login(clerk_user)
    page = client.get(reverse("accounts:tokens"))
    assert page.status_code == 200
    assert 'value="90" selected' in page.content.decode()  # the default from the settings
    response = client.post(reverse("accounts:tokens"), {"name": "台账同步", "days": "30"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    secret = re.search(r'id="new-token-secret"[^>]*value="([0-9a-f]{64})"', html).group(1)
    token = ApiToken.objects.get(user=clerk_user)
    assert token.name == "台账同步"
    assert abs((token.expiry - timezone.now()) - datetime.timedelta(days=30)) < datetime.timedelta(
        minutes=1)
    assert secret not in (token.digest, token.token_key)
    assert "请立即复制并妥善保存" in html
    listed = client.get(reverse("accounts:tokens")).content.decode()
    assert secret not in listed and "台账同步" in listed and "从未使用" in listed
    assert api_status(secret) == 200
    listed = client.get(reverse("accounts:tokens")).content.decode()
    used = timezone.localtime(ApiToken.objects.get().last_used_at).strftime("%Y-%m-%d %H:%M")
    assert "从未使用" not in listed and used in listed


def test_create_token_refuses_a_missing_name_or_odd_validity(client, clerk_user):
    client.force_login(clerk_user)
    response = client.post(reverse("accounts:tokens"), {"name": " ", "days": "30"})
    assert response.status_code == 400
    assert "请填写令牌的名称" in response.content.decode()
    response = client.post(reverse("accounts:tokens"), {"name": "x", "days": "100000"})
    assert response.status_code == 400
    assert "请从列表中选择有效期" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_revoke_on_the_page(client, clerk_user):
    token, secret = api_tokens.issue_token(clerk_user, "script")
    client.force_login(clerk_user)
    response = client.post(reverse("accounts:token_revoke", args=[token.pk]), follow=True)
    assert "令牌已撤销" in response.content.decode()
    assert api_status(secret) == 401
    assert client.get(reverse("accounts:token_revoke", args=[token.pk])).status_code == 405


def test_another_users_token_cannot_be_revoked(client, clerk_user, other_clerk):
    token, secret = api_tokens.issue_token(other_clerk, "theirs")
    client.force_login(clerk_user)
    response = client.post(reverse("accounts:token_revoke", args=[token.pk]))
    assert response.status_code == 404
    assert api_status(secret) == 200
    assert "theirs" not in client.get(reverse("accounts:tokens")).content.decode()


def test_expired_token_is_listed_as_expired_and_refused(client, clerk_user):
    token, secret = api_tokens.issue_token(clerk_user, "old")
    ApiToken.objects.filter(pk=token.pk).update(
        expiry=timezone.now() - datetime.timedelta(minutes=1))
    assert api_status(secret) == 401
    client.force_login(clerk_user)
    assert "已过期" in client.get(reverse("accounts:tokens")).content.decode()
    api_tokens.issue_token(clerk_user, "new")  # a new token clears the expired ones
    assert list(ApiToken.objects.values_list("name", flat=True)) == ["new"]


# -- every password change revokes the tokens --------------------------------------------------

def test_admin_setting_a_password_revokes_the_tokens(client, staff_user, clerk_user):
    secret = api_tokens.issue_token(clerk_user, "script")[1]
    kept = api_tokens.issue_token(staff_user, "mine")[1]
    staff_user.is_superuser = True
    staff_user.save()
    client.force_login(staff_user)
    url = reverse("admin:auth_user_password_change", args=[clerk_user.pk])
    response = client.post(url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD,
                                 "usable_password": "true"})
    assert response.status_code == 302, response.content.decode()[:2000]
    clerk_user.refresh_from_db()
    assert clerk_user.check_password(NEW_PASSWORD)
    assert api_status(secret) == 401
    assert api_status(kept) == 200  # only the user's own


def test_changepassword_command_revokes_the_tokens(clerk_user, monkeypatch):
    secret = api_tokens.issue_token(clerk_user, "script")[1]
    monkeypatch.setattr("getpass.getpass", lambda prompt="": NEW_PASSWORD)
    call_command("changepassword", clerk_user.username)
    assert api_status(secret) == 401


def test_a_login_or_other_save_keeps_the_tokens(client, clerk_user):
    secret = api_tokens.issue_token(clerk_user, "script")[1]
    response = client.post(reverse("login"), {"username": clerk_user.username,
                                              "password": PASSWORD})
    assert response.status_code == 302
    clerk_user.refresh_from_db()
    clerk_user.first_name = "张"
    clerk_user.save()
    assert api_status(secret) == 200


def test_a_rehash_on_login_keeps_the_tokens(clerk_user, settings):
    from django.contrib.auth.hashers import make_password

    get_user_model().objects.filter(pk=clerk_user.pk).update(
        password=make_password(PASSWORD, hasher="md5"))
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher",
                                 "django.contrib.auth.hashers.MD5PasswordHasher"]
    secret = api_tokens.issue_token(clerk_user, "script")[1]
    user = get_user_model().objects.get(pk=clerk_user.pk)
    assert user.check_password(PASSWORD)  # upgrades the hash, saving the user
    assert get_user_model().objects.get(pk=user.pk).password.startswith("pbkdf2_")
    assert api_status(secret) == 200
