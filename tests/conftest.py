"""Shared fixtures: named users per role and small rounds built in code."""

from __future__ import annotations

import datetime
import os
import sys
from pathlib import Path

import pytest

from bureaus.models import PartyGroup
from rectify.models import InspectionRound, Measure, ProblemCategory, RectificationTask
from rectify.models.choices import NumberingStyle
from rectify.rules import roles

PASSWORD = "rectify-test-pw-2024"
#: Tests create many users: their passwords are hashed quickly (never in production).
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with no rate-limit counters (rectify.throttling keeps them there)."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(scope="session", autouse=True)
def documents_cache(tmp_path_factory):
    """Rendered documents (rectify.documents.rendered_files) go to a directory of the test
    session, never to the project's var/. Shared by the session: a file is named by its
    publication's id and publishing time, so a test never reads another test's file."""
    from django.conf import settings

    settings.DOCUMENTS_CACHE_ROOT = tmp_path_factory.mktemp("documents")
    return settings.DOCUMENTS_CACHE_ROOT


@pytest.fixture(autouse=True)
def eager_jobs(settings, tmp_path_factory):
    """Background jobs run at once, in the test's own process and transaction (Celery's
    ``task_always_eager``), their results in a temporary folder. ``tests/test_jobs_worker.py``
    runs a real worker instead."""
    from rectify.background.celery_app import app

    settings.JOB_RESULT_DIR = tmp_path_factory.mktemp("job-results")
    # The app reads the Django settings under the CELERY_ namespace: its keys carry the prefix.
    eager = app.conf.CELERY_TASK_ALWAYS_EAGER
    app.conf.CELERY_TASK_ALWAYS_EAGER = True
    yield
    app.conf.CELERY_TASK_ALWAYS_EAGER = eager


@pytest.fixture(autouse=True)
def default_language():
    """Each test starts and ends in the default language: a request with an English
    Accept-Language leaves English active in the thread (LocaleMiddleware activates it)."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


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
def leader_user(db, django_user_model, bureau):
    """The leader (单位负责人) of ``bureau``: decides the first level of a two-level review."""
    user = make_user(django_user_model, "leader_a", roles.LEADER)
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


class SessionSeed:
    """The seed data (``seed_demo``), built once per session in an open outer transaction.

    What Django's ``TestCase.setUpTestData`` does for one class, for every test that uses
    ``seeded``: ``seed_demo`` runs inside an atomic block that stays open while such tests run;
    each test's own transaction is then a savepoint inside it, so whatever a test changes is
    rolled back to the freshly seeded state. Before any other test runs, the block is rolled
    back, so every other test still starts from an empty database.
    ``pytest_collection_modifyitems`` below puts the seeded tests next to each other, so the
    block is built once per session (once per run of consecutive seeded tests in general).

    The block is opened and closed by ``pytest_runtest_setup``, before the test's fixtures
    start its transaction, and once the test database exists (``django_db_setup``).
    Transactional tests (``transactional_db``, ``live_server``) flush the database after
    each test and cannot run inside a transaction: ``seeded`` seeds their database itself.
    """

    def __init__(self):
        self.blocker = None  # django_db_blocker, once the test database exists
        self.wanted = False  # whether the test about to run uses the block
        self.atomic = None  # the open outer atomic block holding the seed

    @staticmethod
    def used_by(item) -> bool:
        return "_session_seed" in getattr(item, "fixturenames", ()) and not _transactional(item)

    def want(self, wanted: bool) -> None:
        self.wanted = wanted
        self.sync()

    def attach(self, blocker) -> None:
        self.blocker = blocker
        self.sync()

    def detach(self) -> None:
        self.wanted = False
        self.sync()
        self.blocker = None

    def sync(self) -> None:
        if self.blocker is None or self.wanted == (self.atomic is not None):
            return
        with self.blocker.unblock():
            if self.wanted:
                self._open()
            else:
                self._close()

    def _open(self) -> None:
        from django.db import transaction

        atomic = transaction.atomic()
        atomic._from_testcase = True  # like TestCase's class-level block: no durable check
        atomic.__enter__()
        try:
            seed_demo()
        except BaseException:
            atomic.__exit__(*sys.exc_info())
            raise
        self.atomic = atomic

    def _close(self) -> None:
        from django.db import transaction

        atomic, self.atomic = self.atomic, None
        transaction.set_rollback(True)
        atomic.__exit__(None, None, None)


SESSION_SEED = SessionSeed()


def seed_demo() -> None:
    """Run ``seed_demo`` with the tests' password hashers (the demo users log in in tests)."""
    import io

    from django.core.management import call_command
    from django.test import override_settings

    with override_settings(PASSWORD_HASHERS=FAST_HASHERS):
        call_command("seed_demo", "--force", stdout=io.StringIO())


def _transactional(item) -> bool:
    """Whether pytest-django runs ``item`` as a TransactionTestCase (flushing afterwards)."""
    marker = item.get_closest_marker("django_db")
    if marker and _flushes(*marker.args, **marker.kwargs):
        return True
    return bool({"transactional_db", "live_server", "django_db_reset_sequences"}
                & set(item.fixturenames))


def _flushes(transaction: bool = False, reset_sequences: bool = False, *_args, **_kwargs) -> bool:
    """Read the ``django_db`` marker's arguments as pytest-django does."""
    return bool(transaction or reset_sequences)


@pytest.hookimpl(trylast=True)  # after pytest-django's ordering: db, transactional, no db
def pytest_collection_modifyitems(items):
    """Run the tests on the session seed one after another, where the first of them was."""
    seeded_tests = [item for item in items if SessionSeed.used_by(item)]
    if not seeded_tests:
        return
    first = items.index(seeded_tests[0])
    others = [item for item in items if not SessionSeed.used_by(item)]
    before = [item for item in items[:first] if not SessionSeed.used_by(item)]
    items[:] = before + seeded_tests + others[len(before):]


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    SESSION_SEED.want(SessionSeed.used_by(item))


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database, as pytest-django makes it; the session seed can be built in it."""
    SESSION_SEED.attach(django_db_blocker)
    yield
    SESSION_SEED.detach()


@pytest.fixture
def _session_seed(request, django_db_setup):
    """Whether this test runs on the session seed (see ``SessionSeed``)."""
    return SESSION_SEED.used_by(request.node) and SESSION_SEED.atomic is not None


@pytest.fixture
def seeded(_session_seed, db, settings):
    """Both seed notices imported and published by ``seed_demo``, with its demo users.

    Built once per session (see ``SessionSeed``); a transactional test builds its own.
    Returns the publications keyed ``"xinye"`` and ``"xuchang"``.
    """
    from rectify.models import Publication

    settings.DEBUG = True  # so that a test may run seed_demo again without --force
    if not _session_seed:
        seed_demo()
    return {
        "xinye": Publication.objects.get(round__party_group__name="中共新野县教育体育局党组"),
        "xuchang": Publication.objects.get(round__party_group__name="中共许昌市教育局党组"),
    }


@pytest.fixture
def demo_staff_client(seeded):
    """A client logged in as seed_demo's inspection staff account ``staff`` (``staff_user``
    would be a second user of that name next to the seed)."""
    from tests.seed_helpers import demo_client

    return demo_client("staff")


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
def other_leader(db, django_user_model, other_bureau):
    """The leader of ``other_bureau`` (bureau B)."""
    user = make_user(django_user_model, "leader_b", roles.LEADER)
    other_bureau.members.add(user)
    return user


@pytest.fixture
def api_client():
    """``api_client(user)``: a client that sends ``user``'s API token (anonymous for None).

    The token counts as just used: its last use is written at most once a minute, so that the
    query counts of the API tests are those of a script's steady state."""
    from rest_framework.test import APIClient

    from rectify.services import api_tokens

    secrets = {}

    def _client(user=None):
        client = APIClient()
        if user is not None:
            if user.pk not in secrets:
                token, secrets[user.pk] = api_tokens.issue_token(user, "tests")
                api_tokens.record_use(token)
            client.credentials(HTTP_AUTHORIZATION=f"Token {secrets[user.pk]}")
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
