"""Fast: query counts that do not grow with the notice, and conditional GETs answered 304."""

from __future__ import annotations

import pytest
from django.urls import reverse

from rectify.services.snapshot import build_snapshot
from tests.public_helpers import make_big_round

pytestmark = pytest.mark.django_db

#: A notice's page, JSON or CSV: the publication, and the round's versions (page only).
#: Logged-in readers add the session, the user and the role check.
PAGE_QUERIES = 2
PAGE_QUERIES_LOGGED_IN = 5
#: The snapshot: the notice with round and party group, categories, tasks, measures.
SNAPSHOT_QUERIES = 4
#: The list: count, page, years, party groups of the filter.
LIST_QUERIES = 4
#: A search adds one: the tasks of the page's notices that hold the words.
SEARCH_QUERIES = LIST_QUERIES + 1


@pytest.fixture
def big(bureau, publish):
    notice = make_big_round(bureau, 500)
    return publish(notice)


def test_generated_notice_has_500_tasks(big):
    assert big.snapshot["counts"]["tasks"] == 500


@pytest.mark.parametrize("which", ["xuchang", "big"])
def test_notice_page_queries_do_not_grow_with_tasks(client, seeded, big, which,
                                                    django_assert_max_num_queries):
    publication = seeded["xuchang"] if which == "xuchang" else big
    tasks = publication.snapshot["counts"]["tasks"]
    assert tasks == (53 if which == "xuchang" else 500)
    for url in (publication.get_absolute_url(),
                reverse("public:notice_json", args=[publication.pk]),
                reverse("public:notice_csv", args=[publication.pk]),
                reverse("public:notice_changes", args=[publication.pk])):
        with django_assert_max_num_queries(PAGE_QUERIES):
            response = client.get(url)
        assert response.status_code == 200, url


@pytest.mark.parametrize("which", ["xuchang", "big"])
def test_logged_in_page_queries_do_not_grow_with_tasks(demo_staff_client, seeded, big, which,
                                                       django_assert_max_num_queries):
    publication = seeded["xuchang"] if which == "xuchang" else big
    with django_assert_max_num_queries(PAGE_QUERIES_LOGGED_IN):
        response = demo_staff_client.get(publication.get_absolute_url())
    assert response.context["audience"] == "party"


def test_snapshot_needs_four_queries_at_any_size(seeded, big, django_assert_num_queries):
    for publication in (seeded["xinye"], seeded["xuchang"], big):
        notice = publication.notice
        with django_assert_num_queries(SNAPSHOT_QUERIES):
            build_snapshot(notice)


def test_list_and_feed_queries_are_bounded(client, seeded, big, django_assert_max_num_queries):
    with django_assert_max_num_queries(LIST_QUERIES):
        assert client.get(reverse("public:notice_list")).status_code == 200
    with django_assert_max_num_queries(SEARCH_QUERIES):
        assert client.get(reverse("public:notice_list"), {"q": "问题"}).status_code == 200
    with django_assert_max_num_queries(2):
        assert client.get(reverse("public:feed")).status_code == 200


def test_etag_and_last_modified_then_304(client, seeded):
    publication = seeded["xinye"]
    urls = [publication.get_absolute_url(),
            reverse("public:notice_json", args=[publication.pk]),
            reverse("public:notice_csv", args=[publication.pk])]
    for url in urls:
        first = client.get(url)
        assert first.status_code == 200
        etag, modified = first["ETag"], first["Last-Modified"]
        assert etag and modified
        assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
        assert client.get(url, HTTP_IF_MODIFIED_SINCE=modified).status_code == 304
        assert client.get(url, HTTP_IF_NONE_MATCH='"other"').status_code == 200


def test_etag_differs_between_versions_and_audiences(client, staff_client, small_notice,
                                                     publish):
    first = publish(small_notice)
    second = publish(small_notice)
    public1 = client.get(first.get_absolute_url())["ETag"]
    public2 = client.get(second.get_absolute_url())["ETag"]
    party1 = staff_client.get(first.get_absolute_url())["ETag"]
    assert len({public1, public2, party1}) == 3
    assert staff_client.get(first.get_absolute_url(),
                            HTTP_IF_NONE_MATCH=public1).status_code == 200
    assert "Cookie" in staff_client.get(first.get_absolute_url())["Vary"]


def test_feed_answers_if_modified_since(client, seeded):
    response = client.get(reverse("public:feed"))
    modified = response["Last-Modified"]
    assert client.get(reverse("public:feed"), HTTP_IF_MODIFIED_SINCE=modified).status_code == 304
