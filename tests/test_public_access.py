"""Who sees what: unpublished and party-only versions are 404 to the public, everywhere."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from rectify.models import Publication
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def endpoints(pk) -> list[str]:
    return [
        f"/notices/{pk}/",
        f"/notices/{pk}/changes/",
        f"/notices/{pk}.json",
        f"/notices/{pk}.csv",
        f"/notices/{pk}.docx",
        f"/notices/{pk}.pdf",
    ]


@pytest.fixture
def clerk_client(clerk_user):
    logged_in = Client()
    logged_in.force_login(clerk_user)
    return logged_in


@pytest.mark.parametrize("pk", ["999999", "0", "99999999999999999999", "9" * 40])
def test_unknown_publications_are_404(client, pk, seeded):
    for url in endpoints(pk):
        assert client.get(url).status_code == 404, url


@pytest.mark.parametrize("url", [
    "/notices/abc/", "/notices/-1/", "/notices/1.xml", "/notices/1/changes/?since=",
    "/notices/rounds/abc/", "/notices/rounds/999999/", "/notices/rounds/" + "9" * 30 + "/",
])
def test_malformed_addresses_are_404(client, seeded, url):
    assert client.get(url).status_code == 404


def test_an_unpublished_notice_and_round_are_not_public(client, staff_client, small_notice):
    round_url = reverse("public:round_latest", args=[small_notice.round_id])
    for reader in (client, staff_client):
        assert reader.get(round_url).status_code == 404
        list_page = reader.get(reverse("public:notice_list"), {"q": "测试市"})
        assert list(list_page.context["page"].object_list) == []
    feed = client.get(reverse("public:feed")).content.decode()
    assert small_notice.title not in feed
    # Its notice id is no publication id either.
    for url in endpoints(small_notice.pk):
        assert client.get(url).status_code == 404


def test_party_only_version_is_404_to_the_public_and_clerks(client, clerk_client, small_notice,
                                                            publish):
    publication = publish(small_notice, public=False)
    for reader in (client, clerk_client):
        for url in endpoints(publication.pk):
            assert reader.get(url).status_code == 404, url
            assert reader.get(url, {"audience": "party"}).status_code == 404, url
        assert reader.get(reverse("public:round_latest",
                                  args=[small_notice.round_id])).status_code == 404
        listed = reader.get(reverse("public:notice_list")).context["page"].object_list
        assert publication not in list(listed)
    assert small_notice.title not in client.get(reverse("public:feed")).content.decode()


def test_party_only_version_is_open_to_staff_and_auditors(staff_client, auditor_client,
                                                          small_notice, publish):
    publication = publish(small_notice, public=False)
    for reader in (staff_client, auditor_client):
        for url in endpoints(publication.pk):
            assert reader.get(url).status_code == 200, url
        response = reader.get(publication.get_absolute_url())
        assert response.context["audience"] == "party"
        assert "党内通报" in response.content.decode()
        listed = reader.get(reverse("public:notice_list")).context["page"].object_list
        assert [pub.pk for pub in listed] == [publication.pk]


def test_the_public_cannot_ask_for_the_party_version(client, small_notice, publish):
    publication = publish(small_notice)
    response = client.get(publication.get_absolute_url(), {"audience": "party"})
    assert response.status_code == 200
    assert response.context["audience"] == "public"


def test_a_later_party_only_version_does_not_hide_the_public_one(client, small_notice, publish):
    public = publish(small_notice)
    party = publish(small_notice, public=False)
    assert client.get(reverse("public:round_latest", args=[small_notice.round_id]))[
        "Location"] == public.get_absolute_url()
    listed = client.get(reverse("public:notice_list")).context["page"].object_list
    assert [pub.pk for pub in listed] == [public.pk]
    page = client.get(public.get_absolute_url()).content.decode()
    assert party.get_absolute_url() not in page
    assert client.get(reverse("public:notice_changes", args=[public.pk]),
                      {"since": party.pk}).status_code == 404


def test_pages_are_read_only(client, seeded):
    pk = seeded["xinye"].pk
    for url in [*endpoints(pk), reverse("public:notice_list")]:
        assert client.post(url).status_code == 405, url


def test_a_clerk_of_the_bureau_sees_only_the_public_version(django_user_model, bureau,
                                                            small_notice, publish):
    user = make_user(django_user_model, "clerk_b", "单位联络员")
    bureau.members.add(user)
    reader = Client()
    reader.force_login(user)
    publication = publish(small_notice)
    assert reader.get(publication.get_absolute_url()).context["audience"] == "public"
    assert Publication.objects.count() == 1
