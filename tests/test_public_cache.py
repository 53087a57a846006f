"""The public pages' cache (rectify.public.page_cache): a published version's answers are kept
and replayed without a query, until publishing or withdrawing changes them; nothing a
signed-in reader is shown reaches anyone else.

The cache here is the tests' own (each process's memory; Redis when ``REDIS_URL`` is set, as
in ``.ci/run``'s PostgreSQL pass), emptied before each test (``tests/conftest.py``).
"""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bureaus.models import PartyGroup
from rectify.models import Publication
from rectify.models.choices import WithholdGround
from rectify.public import public_views
from rectify.services import public_cache
from rectify.services.publishing import withdraw_publication
from rectify.services.records import save_record

pytestmark = pytest.mark.django_db

SECRET = "在办案件涉及的问题甲"
REASON = "通报中的整改结果数据有误，需更正后重新发布。"
#: Headers a replayed answer must carry as the view made them.
KEPT_HEADERS = ("Content-Type", "ETag", "Last-Modified", "Content-Disposition",
                "Content-Language", "Content-Length")


@pytest.fixture(autouse=True)
def page_cache_on(settings):
    settings.PUBLIC_PAGE_CACHE = True


@pytest.fixture
def published(small_round, small_notice, publish, staff_user):
    """The small notice published to both audiences, one task withheld from the public."""
    task = small_round.tasks.get(title="综合改革成效不明显")
    task.title = SECRET
    task.withhold_ground = WithholdGround.OPEN_CASE
    task.withhold_note = "案件尚在审查调查中"
    save_record(task, staff_user)
    return publish(small_notice, staff_user)


def urls(publication) -> dict[str, str]:
    pk = publication.pk
    return {
        "page": publication.get_absolute_url(),
        "json": reverse("public:notice_json", args=[pk]),
        "csv": reverse("public:notice_csv", args=[pk]),
        "docx": reverse("public:notice_docx", args=[pk]),
        "list": reverse("public:notice_list"),
        "feed": reverse("public:feed"),
    }


def get(client, url, **extra):
    """The answer and the number of queries it took."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **extra)
    return response, len(queries)


def headers(response) -> dict[str, str | None]:
    return {name: response.get(name) for name in KEPT_HEADERS}


def test_anonymous_answers_are_replayed_without_a_query(client, published):
    for name, url in urls(published).items():
        first, first_queries = get(client, url)
        assert first.status_code == 200, name
        assert first_queries > 0, name
        again, queries = get(client, url)
        assert (again.status_code, queries) == (200, 0), name
        assert again.content == first.content, name
        assert headers(again) == headers(first), name
        if name in ("page", "json", "csv", "docx"):
            assert again["ETag"] and again["Last-Modified"], name


def test_conditional_requests_get_304_from_the_kept_answer(client, published):
    for name in ("page", "json", "csv", "docx"):
        url = urls(published)[name]
        # The first request is conditional already: the whole answer is rendered and kept,
        # and the reader gets the 304.
        tag = client.get(url)["ETag"]
        cache.clear()
        first, _queries = get(client, url, HTTP_IF_NONE_MATCH=tag)
        assert first.status_code == 304, name
        again, queries = get(client, url, HTTP_IF_NONE_MATCH=tag)
        assert (again.status_code, queries) == (304, 0), name
        assert again["ETag"] == tag, name
        since, queries = get(client, url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
        assert (since.status_code, queries) == (304, 0), name
        whole, queries = get(client, url, HTTP_IF_NONE_MATCH='"other"')
        assert (whole.status_code, queries) == (200, 0), name


def test_withdrawal_invalidates_every_kept_answer(client, published, staff_user):
    for url in urls(published).values():
        client.get(url)
    withdraw_publication(published, staff_user, REASON, "王局长")
    assert client.get(urls(published)["page"]).status_code == 410
    assert REASON in client.get(urls(published)["page"]).content.decode()
    for name in ("json", "csv", "docx"):
        response = client.get(urls(published)[name])
        assert response.status_code == 410, name
        assert not response.has_header("ETag"), name
    assert published.title not in client.get(urls(published)["list"]).content.decode()
    assert f"/notices/{published.pk}/" not in client.get(urls(published)["feed"]).content.decode()


def test_gone_answers_are_not_kept(client, published, staff_user):
    withdraw_publication(published, staff_user, REASON, "王局长")
    client.get(urls(published)["page"])
    response, queries = get(client, urls(published)["page"])
    assert response.status_code == 410 and queries > 0


def test_publishing_again_changes_the_round_pages_and_the_list_not_the_data(
        client, published, small_notice, publish, staff_user):
    old = urls(published)
    for url in old.values():
        client.get(url)
    second = publish(small_notice, staff_user)
    page, queries = get(client, old["page"])
    assert queries > 0
    assert "查看最新版本（第2版" in page.content.decode()
    listed = client.get(old["list"]).content.decode()
    assert "本轮第2版" in listed
    assert second.get_absolute_url() in client.get(old["feed"]).content.decode()
    # The old version's own data did not change: still answered from the cache.
    for name in ("json", "csv", "docx"):
        response, queries = get(client, old[name])
        assert (response.status_code, queries) == (200, 0), name


def test_a_change_during_rendering_is_never_kept_as_current(client, published, staff_user,
                                                            monkeypatch):
    """The generations are read before the page is: a withdrawal that lands while a page is
    being rendered makes that copy useless, even though it was stored afterwards."""
    latest = public_views._latest

    def meanwhile(versions):
        public_cache.round_changed(published.round_id, withdrawn_pk=published.pk)
        return latest(versions)

    monkeypatch.setattr(public_views, "_latest", meanwhile)
    client.get(urls(published)["page"])
    monkeypatch.setattr(public_views, "_latest", latest)
    _response, queries = get(client, urls(published)["page"])
    assert queries > 0


def test_the_party_version_is_never_served_to_the_public(client, published, auditor_client):
    page = urls(published)["page"]
    for _twice in range(2):
        party = auditor_client.get(page)
        assert party.status_code == 200 and SECRET in party.content.decode()
        assert "private" in party["Cache-Control"]
        assert party.context["audience"] == "party"
    for name in ("json", "csv"):
        assert SECRET in auditor_client.get(urls(published)[name]).content.decode("utf-8-sig")
    for name, url in urls(published).items():
        for _twice in range(2):
            public = client.get(url)
            assert public.status_code == 200
            if name != "docx":
                assert SECRET not in public.content.decode("utf-8-sig"), name
    # And the other way round: the public copies do not reach the party reader.
    for _twice in range(2):
        assert SECRET in auditor_client.get(page).content.decode()
        assert SECRET in auditor_client.get(urls(published)["json"]).content.decode()


def test_signed_in_readers_get_their_own_header(client, published, auditor_client,
                                                clerk_user):
    """The body is kept, never the header: a signed-in reader's links are not shown to the
    public, and the public's page is not shown to them."""
    page = urls(published)["page"]
    clerk = Client()
    clerk.force_login(clerk_user)
    for reader in (auditor_client, clerk):
        assert "修改密码" in reader.get(page).content.decode()
    anonymous = client.get(page).content.decode()
    assert "修改密码" not in anonymous and "管理后台" not in anonymous
    assert "修改密码" in clerk.get(page).content.decode()
    assert "管理后台" in auditor_client.get(page).content.decode()
    assert "管理后台" not in clerk.get(page).content.decode()


def test_a_signed_in_reader_gets_the_body_from_the_cache(published, auditor_client):
    page = urls(published)["page"]
    first, first_queries = get(auditor_client, page)
    again, queries = get(auditor_client, page)
    assert again.content == first.content
    assert queries <= first_queries
    public_version = auditor_client.get(page, {"audience": "public"}).content.decode()
    assert SECRET not in public_version
    assert SECRET in auditor_client.get(page).content.decode()


def test_other_queries_are_answered_but_not_kept(client, published):
    for url, query in ((urls(published)["page"], {"utm": "x"}),
                       (urls(published)["list"], {"q": "问题"}),
                       (urls(published)["list"], {"page": "0001"}),
                       (urls(published)["json"], {"audience": "nobody"})):
        assert client.get(url, query).status_code == 200
        _response, queries = get(client, url, data=query)
        assert queries > 0, (url, query)


def test_a_party_group_renamed_changes_the_list(client, published):
    url = urls(published)["list"]
    client.get(url)
    group = PartyGroup.objects.get(pk=published.round.party_group_id)
    group.short_name = "测试市教育局（更名）"
    group.save()
    response, queries = get(client, url)
    assert queries > 0 and "（更名）" in response.content.decode()


def test_off_without_the_setting(client, published, settings):
    settings.PUBLIC_PAGE_CACHE = False
    page = urls(published)["page"]
    client.get(page)
    _response, queries = get(client, page)
    assert queries > 0


@pytest.fixture
def unreachable_cache(settings):
    settings.CACHES = {"default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:9/0",
        "OPTIONS": {"socket_connect_timeout": 0.5},
    }}


def test_pages_are_served_when_the_cache_is_down(client, published, unreachable_cache):
    for name, url in urls(published).items():
        assert client.get(url).status_code == 200, name


def test_a_withdrawal_the_cache_cannot_hear_of_is_refused(published, staff_user,
                                                          unreachable_cache):
    with pytest.raises(Exception):  # noqa: B017 -- redis' ConnectionError
        withdraw_publication(published, staff_user, REASON, "王局长")
    assert not Publication.objects.get(pk=published.pk).is_withdrawn


def test_redis_url_sets_the_cache_and_the_broker(monkeypatch):
    from rectify import settings as project_settings

    assert project_settings.redis_database("redis://127.0.0.1:6379", 0) == (
        "redis://127.0.0.1:6379/0")
    assert project_settings.redis_database("redis://:pw@redis.local:6380/4", 1) == (
        "redis://:pw@redis.local:6380/5")
    for bad in ("http://127.0.0.1:6379/1", "redis://127.0.0.1:6379/x", "redis:///1"):
        with pytest.raises(ImproperlyConfigured, match="REDIS_URL"):
            project_settings.redis_database(bad, 0)


def settings_with(**env) -> dict:
    """The cache, broker and page-cache settings a fresh process reads from ``env``."""
    import json
    import os
    import subprocess
    import sys

    clean = {k: v for k, v in os.environ.items()
             if k not in {"REDIS_URL", "CACHE_URL", "CELERY_BROKER_URL", "PUBLIC_PAGE_CACHE"}}
    script = ("import json, rectify.settings as s; print(json.dumps({"
              "'cache': s.CACHES['default'], 'broker': s.CELERY_BROKER_URL, "
              "'pages': s.PUBLIC_PAGE_CACHE}))")
    result = subprocess.run([sys.executable, "-c", script], env={**clean, **env},
                            capture_output=True, text=True, timeout=60, check=True)
    return json.loads(result.stdout)


def test_settings_from_redis_url():
    plain = settings_with()
    assert plain["cache"]["BACKEND"].endswith("LocMemCache")
    assert plain["broker"].startswith("filesystem://")
    assert plain["pages"] is False  # one process's memory cannot be invalidated in others
    redis = settings_with(REDIS_URL="redis://10.0.0.5:6379/3")
    assert redis["cache"] == {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                              "LOCATION": "redis://10.0.0.5:6379/3"}
    assert redis["broker"] == "redis://10.0.0.5:6379/4"
    assert redis["pages"] is True
    given = settings_with(REDIS_URL="redis://10.0.0.5:6379/3",
                          CACHE_URL="redis://10.0.0.6:6379/1",
                          CELERY_BROKER_URL="redis://10.0.0.7:6379/2", PUBLIC_PAGE_CACHE="0")
    assert given["cache"]["LOCATION"] == "redis://10.0.0.6:6379/1"
    assert given["broker"] == "redis://10.0.0.7:6379/2"
    assert given["pages"] is False
