"""Shared fixtures: named users per role and small rounds built in code."""

from __future__ import annotations

import datetime
import os
from pathlib import Path

import pytest

from bureaus.models import PartyGroup
from rectify.models import InspectionRound, Measure, ProblemCategory, RectificationTask
from rectify.models.choices import NumberingStyle
from rectify.rules import roles

PASSWORD = "rectify-test-pw-2024"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Tests create many users: hash their passwords quickly (never in production)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def make_user(django_user_model, username: str, role: str | None, *, is_staff: bool = False):
    user = django_user_model.objects.create_user(username, password=PASSWORD, is_staff=is_staff)
    if role:
        user.groups.add(roles.ensure_roles()[role])
    return user


@pytest.fixture
def staff_user(db, django_user_model):
    return make_user(django_user_model, "staff", roles.STAFF, is_staff=True)


@pytest.fixture
def auditor_user(db, django_user_model):
    return make_user(django_user_model, "auditor", roles.AUDITOR, is_staff=True)


@pytest.fixture
def bureau(db):
    return PartyGroup.objects.create(name="中共测试市教育局党组", short_name="测试市教育局")


@pytest.fixture
def other_bureau(db):
    return PartyGroup.objects.create(name="中共测试市卫健委党组", short_name="测试市卫健委")


@pytest.fixture
def clerk_user(db, django_user_model, bureau):
    user = make_user(django_user_model, "clerk_a", roles.CLERK)
    bureau.members.add(user)
    return user


@pytest.fixture
def make_round(db, bureau):
    def _make(**kwargs) -> InspectionRound:
        kwargs.setdefault("party_group", bureau)
        kwargs.setdefault("inspecting_body", "市委第三巡察组")
        kwargs.setdefault("kind", "常规巡察")
        kwargs.setdefault("feedback_date", datetime.date(2023, 2, 28))
        return InspectionRound.objects.create(**kwargs)

    return _make


@pytest.fixture
def small_round(make_round):
    """(一) category → 1. category → tasks, plus a task straight under (一), measures on one."""
    rnd = make_round(
        numbering_style=NumberingStyle.NESTED,
        level_formats=["({cn})", "{n}.", "{n})", "{circled}"],
    )
    top = ProblemCategory.objects.create(round=rnd, title="政治责任扛得不牢")
    sub = ProblemCategory.objects.create(round=rnd, parent=top, title="要求不到位")
    t1 = RectificationTask.objects.create(round=rnd, category=sub, title="三年攻坚存在短板")
    RectificationTask.objects.create(round=rnd, category=sub, title="综合改革成效不明显")
    RectificationTask.objects.create(round=rnd, category=top, title="党建工作边缘化")
    Measure.objects.create(task=t1, position=1, text="全面开展排查。")
    Measure.objects.create(task=t1, position=2, text="建立工作台账。")
    return rnd


# -- public pages (tests/test_public_*.py) ----------------------------------------------------


@pytest.fixture
def seeded(db, settings):
    """Both seed notices imported and published by ``seed_demo``, with its demo users.

    Returns the publications keyed ``"xinye"`` and ``"xuchang"``.
    """
    import io

    from django.core.management import call_command

    from rectify.models import Publication

    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())
    return {
        "xinye": Publication.objects.get(round__party_group__name="中共新野县教育体育局党组"),
        "xuchang": Publication.objects.get(round__party_group__name="中共许昌市教育局党组"),
    }


@pytest.fixture
def publish():
    """Publish a notice through the service: ``publish(notice, user, public=True, ...)``."""
    from rectify.services.publishing import publish_notice

    def _publish(notice, user=None, *, public: bool = True, party: bool = True,
                 approved_by: str = "张三"):
        return publish_notice(notice, user, approved_by=approved_by, for_party=party,
                              for_public=public)

    return _publish


@pytest.fixture
def small_notice(small_round):
    """A notice around ``small_round``."""
    from rectify.models import Notice

    return Notice.objects.create(
        round=small_round, title="中共测试市教育局党组关于巡察整改情况的通报",
        opening="开头。", problems_heading="二、问题整改情况",
        closing="联系方式：电话：0000-1234567。", signature="中共测试市教育局党组",
        date=datetime.date(2023, 7, 18),
    )


@pytest.fixture
def staff_client(staff_user):
    """A client of its own, logged in as inspection staff (``client`` stays anonymous)."""
    from django.test import Client

    logged_in = Client()
    logged_in.force_login(staff_user)
    return logged_in


@pytest.fixture
def auditor_client(auditor_user):
    from django.test import Client

    logged_in = Client()
    logged_in.force_login(auditor_user)
    return logged_in


@pytest.fixture
def evidence_root(settings, tmp_path):
    """Evidence files go to a temporary ``EVIDENCE_ROOT`` (the storage follows the setting:
    rectify.models.worklog); returns that directory."""
    settings.EVIDENCE_ROOT = tmp_path / "evidence"
    return settings.EVIDENCE_ROOT


# -- the API (tests/test_api_*.py) ------------------------------------------------------------


@pytest.fixture
def other_clerk(db, django_user_model, other_bureau):
    """A clerk of ``other_bureau`` (bureau B): the outsider to ``bureau``'s records."""
    user = make_user(django_user_model, "clerk_b", roles.CLERK)
    other_bureau.members.add(user)
    return user


@pytest.fixture
def api_client():
    """``api_client(user)``: a client that sends ``user``'s API token (anonymous for None)."""
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    def _client(user=None):
        client = APIClient()
        if user is not None:
            token, _created = Token.objects.get_or_create(user=user)
            client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return _client


# -- browser tests (tests/test_*_browser.py) ---------------------------------------------------

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
#: Screenshots and PDFs of the browser tests, for a human to look at.
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


@pytest.fixture
def seeded_site(live_server):
    """The live server with both seed notices published and the demo users."""
    import io

    from django.core.management import call_command

    call_command("seed_demo", "--force", stdout=io.StringIO())
    return live_server.url


@pytest.fixture
def browser(seeded_site, monkeypatch):
    """Headless Debian Chromium driven by Playwright; never downloads a browser."""
    if not os.path.exists(CHROMIUM):
        pytest.fail(
            f"{CHROMIUM} is missing: install Debian's chromium "
            "(apt-get update -q && apt-get install -y -q chromium), as .ci/run does. "
            "Do not run `playwright install`.",
            pytrace=False,
        )
    # Playwright's sync API keeps an event loop in this thread; the ORM calls of the test's
    # own teardown are plain synchronous code.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
