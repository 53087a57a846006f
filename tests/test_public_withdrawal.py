"""Withdrawing a published version (撤回): staff only, with a reason and its approver; the
version is then gone (410) from its page, its open data and the API, and gone from the lists,
the search and the feed; the other versions of its round mark it as withdrawn."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation
from django.utils.http import http_date

from rectify.models import Publication
from rectify.services.publishing import withdraw_publication
from tests.api_helpers import make_world
from tests.public_helpers import page_text

pytestmark = pytest.mark.django_db

REASON = "通报中的整改结果数据有误，需更正后重新发布。"


@pytest.fixture(autouse=True)
def default_language_afterwards():
    """A request in English leaves its language active in the thread: do not leak it."""
    yield
    translation.deactivate()


def admin_url(name: str, *args) -> str:
    return reverse(f"admin:rectify_{name}", args=args)


@pytest.fixture
def versions(small_notice, publish, staff_user):
    """Two versions of the small notice (public and party); the second is withdrawn."""
    first = publish(small_notice, staff_user)
    second = publish(small_notice, staff_user)
    withdraw_publication(second, staff_user, REASON, "王局长")
    second.refresh_from_db()
    return first, second


def first_task_title(publication: Publication) -> str:
    return publication.public_snapshot["tree"][0]["children"][0]["children"][0]["title"]


# -- the service ------------------------------------------------------------------------------


def test_withdrawal_records_who_when_why_and_history(small_notice, publish, staff_user):
    publication = publish(small_notice, staff_user)
    withdraw_publication(publication, staff_user, f"  {REASON} ", " 王局长 ")
    publication.refresh_from_db()
    assert publication.is_withdrawn
    assert publication.withdrawn_by == staff_user
    assert publication.withdrawn_by_name == staff_user.get_username()
    assert (publication.withdrawal_reason, publication.withdrawal_approved_by) == (
        REASON, "王局长")
    published, withdrawn = publication.history.order_by("history_id")
    assert (published.history_type, published.history_user) == ("+", staff_user)
    assert published.history_change_reason == "发布通报（第1版）"
    assert (withdrawn.history_type, withdrawn.history_user) == ("~", staff_user)
    assert withdrawn.history_change_reason.startswith("撤回通报（第1版）")
    assert withdrawn.withdrawal_reason == REASON


@pytest.mark.parametrize(("reason", "approved_by", "field", "message"), [
    ("", "王局长", "reason", "请填写撤回理由。"),
    ("   ", "王局长", "reason", "请填写撤回理由。"),
    (REASON, " ", "approved_by", "请填写撤回审批人（主要负责人）。"),
])
def test_withdrawal_refuses_without_reason_or_approver(small_notice, publish, staff_user,
                                                       reason, approved_by, field, message):
    publication = publish(small_notice, staff_user)
    with pytest.raises(ValidationError) as refused:
        withdraw_publication(publication, staff_user, reason, approved_by)
    assert refused.value.message_dict[field] == [message]
    publication.refresh_from_db()
    assert not publication.is_withdrawn
    assert publication.history.count() == 1


def test_withdrawal_refuses_a_second_time(versions, staff_user):
    _first, second = versions
    when = second.withdrawn_at
    with pytest.raises(ValidationError) as refused:
        withdraw_publication(second, staff_user, "另一个理由", "李四")
    assert "已于" in refused.value.messages[0] and "不能再次撤回" in refused.value.messages[0]
    second.refresh_from_db()
    assert (second.withdrawn_at, second.withdrawal_reason) == (when, REASON)
    assert second.history.count() == 2


@pytest.mark.parametrize("who", ["auditor_user", "clerk_user", None])
def test_only_staff_withdraw(small_notice, publish, staff_user, request, who):
    publication = publish(small_notice, staff_user)
    user = request.getfixturevalue(who) if who else None
    with pytest.raises(PermissionDenied):
        withdraw_publication(publication, user, REASON, "王局长")
    publication.refresh_from_db()
    assert not publication.is_withdrawn
    assert publication.history.count() == 1


def test_a_published_version_is_otherwise_frozen(small_notice, publish):
    publication = publish(small_notice)
    publication.title = "改过的标题"
    with pytest.raises(PermissionError):
        publication.save()
    with pytest.raises(PermissionError):
        publication.save(update_fields=["title", "withdrawn_at"])
    assert Publication.objects.get().title == small_notice.title


# -- the public pages ---------------------------------------------------------------------------


def test_withdrawn_page_is_gone_with_when_and_why(client, versions):
    _first, second = versions
    response = client.get(second.get_absolute_url())
    assert response.status_code == 410
    assert not response.has_header("ETag") and not response.has_header("Last-Modified")
    text = page_text(response.content)
    assert "本版本已撤回" in text and REASON in text and "王局长" in text
    assert second.withdrawn_at.astimezone().strftime("%Y-%m-%d") in text
    assert first_task_title(second) not in text
    assert second.title not in text
    # A cache that revalidates the old 200 with its ETag gets the 410, not a 304.
    stale = client.get(second.get_absolute_url(), HTTP_IF_NONE_MATCH='"anything"')
    assert stale.status_code == 410
    changes = client.get(reverse("public:notice_changes", args=[second.pk]))
    assert changes.status_code == 410


def test_withdrawn_open_data_is_gone(client, versions):
    _first, second = versions
    data = client.get(reverse("public:notice_json", args=[second.pk]))
    assert data.status_code == 410
    body = data.json()
    assert body["withdrawal_reason"] == REASON and "tree" not in body
    assert first_task_title(second) not in data.content.decode()
    csv = client.get(reverse("public:notice_csv", args=[second.pk]))
    assert csv.status_code == 410
    assert first_task_title(second) not in csv.content.decode()


def test_the_other_version_marks_it_withdrawn(client, versions):
    first, second = versions
    response = client.get(first.get_absolute_url())
    assert response.status_code == 200
    nav = page_text(response.content, "versions")
    assert "已于" in nav and "撤回" in nav
    html = response.content.decode()
    assert f'href="{second.get_absolute_url()}"' in html
    assert f"?since={second.pk}" not in html  # never compared
    assert "较早版本" not in html  # the first is the current version again
    default = client.get(reverse("public:notice_changes", args=[first.pk]))
    assert default.status_code == 200


def test_other_versions_validators_change_with_the_withdrawal(client, small_notice, publish,
                                                              staff_user):
    first = publish(small_notice, staff_user)
    second = publish(small_notice, staff_user)
    before = client.get(first.get_absolute_url())
    etag, modified = before["ETag"], before["Last-Modified"]
    assert modified == http_date(second.published_at.timestamp())  # the newest version's
    assert client.get(first.get_absolute_url(), HTTP_IF_NONE_MATCH=etag).status_code == 304
    withdraw_publication(second, staff_user, REASON, "王局长")
    # The page now marks the second version withdrawn: a cached copy is not fresh any more.
    after = client.get(first.get_absolute_url(), HTTP_IF_NONE_MATCH=etag)
    assert after.status_code == 200 and after["ETag"] != etag
    assert "撤回" in page_text(after.content, "versions")
    second.refresh_from_db()
    assert after["Last-Modified"] == http_date(second.withdrawn_at.timestamp())
    assert client.get(first.get_absolute_url(),
                      HTTP_IF_NONE_MATCH=after["ETag"]).status_code == 304
    # Open data of the first version does not show the others: its validators stay.
    data = reverse("public:notice_json", args=[first.pk])
    assert client.get(data, HTTP_IF_NONE_MATCH=client.get(data)["ETag"]).status_code == 304
    since = client.get(reverse("public:notice_changes", args=[first.pk]),
                       {"since": second.pk}, HTTP_IF_MODIFIED_SINCE=after["Last-Modified"])
    assert since.status_code == 410


def test_list_search_feed_and_round_address_drop_it(client, versions):
    first, second = versions
    listing = client.get(reverse("public:notice_list")).content.decode()
    assert f'href="{first.get_absolute_url()}"' in listing
    assert f'href="{second.get_absolute_url()}"' not in listing
    found = client.get(reverse("public:notice_list"), {"q": first_task_title(first)})
    assert f'href="{first.get_absolute_url()}"' in found.content.decode()
    assert f'href="{second.get_absolute_url()}"' not in found.content.decode()
    feed = client.get(reverse("public:feed"))
    assert feed.status_code == 200
    assert second.get_absolute_url() not in feed.content.decode()
    assert first.get_absolute_url() in feed.content.decode()
    assert feed["Last-Modified"]  # the withdrawal counts as a change of the feed
    latest = client.get(reverse("public:round_latest", args=[first.round_id]))
    assert latest["Location"] == first.get_absolute_url()


def test_list_is_empty_when_the_only_version_is_withdrawn(client, small_notice, publish,
                                                          staff_user):
    only = publish(small_notice, staff_user)
    withdraw_publication(only, staff_user, REASON, "王局长")
    listing = client.get(reverse("public:notice_list")).content.decode()
    assert only.get_absolute_url() not in listing
    assert client.get(reverse("public:round_latest", args=[only.round_id])).status_code == 404


# -- the API ------------------------------------------------------------------------------------


def test_api_list_drops_it_and_detail_is_gone(api_client, versions, staff_user):
    first, second = versions
    for user in (None, staff_user):
        listing = api_client(user).get("/api/publications/")
        assert listing.status_code == 200
        ids = [row["id"] for row in listing.json()["results"]]
        assert first.pk in ids and second.pk not in ids
        detail = api_client(user).get(f"/api/publications/{second.pk}/")
        assert detail.status_code == 410
        assert detail.json()["withdrawal_reason"] == REASON
        assert "content" not in detail.json()
    assert api_client().get(f"/api/publications/{first.pk}/").status_code == 200


@pytest.fixture
def world(bureau, other_bureau, staff_user):
    return make_world(bureau, other_bureau, staff_user)


@pytest.mark.parametrize(("role", "target", "expected"), [
    ("staff", "public", 200),
    ("staff", "party_only", 200),
    ("auditor", "public", 403),
    ("auditor", "party_only", 403),
    ("clerk", "public", 403),  # a clerk sees the public version: may not withdraw it
    ("clerk", "party_only", 404),  # ...and does not see the party-only one
    ("anon", "public", 401),
    ("anon", "party_only", 401),
])
def test_api_withdraw_permissions(api_client, world, request, role, target, expected):
    user = {"staff": "staff_user", "auditor": "auditor_user", "clerk": "clerk_user",
            "anon": None}[role]
    client = api_client(request.getfixturevalue(user) if user else None)
    publication = getattr(world, target)
    response = client.post(f"/api/publications/{publication.pk}/withdraw/",
                           {"reason": REASON, "approved_by": "王局长"}, format="json")
    assert response.status_code == expected, response.content
    publication.refresh_from_db()
    assert publication.is_withdrawn == (expected == 200)


def test_api_withdraw_refusals_name_the_field(api_client, world, staff_user):
    client = api_client(staff_user)
    url = f"/api/publications/{world.public.pk}/withdraw/"
    missing = client.post(url, {"approved_by": "王局长"}, format="json")
    assert missing.status_code == 400
    assert missing.json()["reason"] == ["请填写撤回理由。"]
    done = client.post(url, {"reason": REASON, "approved_by": "王局长"}, format="json")
    assert done.status_code == 200 and done.json()["withdrawal_reason"] == REASON
    again = client.post(url, {"reason": REASON, "approved_by": "王局长"}, format="json")
    assert again.status_code == 400
    assert "不能再次撤回" in str(again.json())


def test_api_withdraw_is_documented(client):
    paths = client.get(reverse("api:schema"), {"format": "json"}).json()["paths"]
    withdraw = paths["/api/publications/{id}/withdraw/"]["post"]
    assert {"200", "400", "403", "404"} <= set(withdraw["responses"])
    assert "410" in paths["/api/publications/{id}/"]["get"]["responses"]


def test_api_messages_in_english(api_client, world, staff_user):
    client = api_client(staff_user)
    url = f"/api/publications/{world.public.pk}/withdraw/"
    missing = client.post(url, {"reason": " "}, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert missing.status_code == 400
    assert missing.json()["reason"] == ["Please give the reason for the withdrawal."]
    client.post(url, {"reason": REASON, "approved_by": "王局长"}, format="json")
    gone = client.get(f"/api/publications/{world.public.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    assert gone.status_code == 410
    assert gone.json()["detail"] == "This version has been withdrawn."


# -- the admin ----------------------------------------------------------------------------------


def test_admin_action_leads_to_the_confirmation_page(staff_client, small_notice, publish):
    publication = publish(small_notice)
    response = staff_client.post(admin_url("publication_changelist"), {
        "action": "withdraw_selected", "_selected_action": [publication.pk]})
    assert response.status_code == 302
    assert response["Location"] == admin_url("publication_withdraw", publication.pk)
    page = staff_client.get(response["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    assert "撤回理由" in html and "撤回审批人" in html
    change = staff_client.get(admin_url("publication_change", publication.pk)).content.decode()
    assert admin_url("publication_withdraw", publication.pk) in change
    publication.refresh_from_db()
    assert not publication.is_withdrawn


def test_admin_confirmation_requires_the_reason_then_withdraws(staff_client, staff_user,
                                                              small_notice, publish):
    publication = publish(small_notice)
    url = admin_url("publication_withdraw", publication.pk)
    refused = staff_client.post(url, {"reason": " ", "approved_by": "王局长"})
    assert refused.status_code == 200
    assert refused.context["form"].errors["reason"]
    publication.refresh_from_db()
    assert not publication.is_withdrawn
    done = staff_client.post(url, {"reason": REASON, "approved_by": "王局长"}, follow=True)
    assert "已撤回" in done.content.decode()
    publication.refresh_from_db()
    assert (publication.withdrawal_reason, publication.withdrawn_by) == (REASON, staff_user)
    again = staff_client.get(url).content.decode()
    assert "不能再次撤回" in again
    notice_page = staff_client.get(admin_url("notice_change", small_notice.pk)).content.decode()
    assert "撤回" in notice_page


def test_admin_withdrawal_is_staff_only(auditor_client, small_notice, publish):
    publication = publish(small_notice)
    url = admin_url("publication_withdraw", publication.pk)
    assert auditor_client.get(url).status_code == 403
    assert auditor_client.post(url, {"reason": REASON, "approved_by": "x"}).status_code == 403
    change = auditor_client.get(admin_url("publication_change", publication.pk))
    assert url not in change.content.decode()
    publication.refresh_from_db()
    assert not publication.is_withdrawn


def test_admin_confirmation_in_english(staff_client, small_notice, publish):
    publication = publish(small_notice)
    html = staff_client.get(admin_url("publication_withdraw", publication.pk),
                            HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Reason for the withdrawal" in html and "Confirm the withdrawal" in html
