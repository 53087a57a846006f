"""Atom feed of the versions published to the public (向社会通报), newest first; a withdrawn
version (撤回) leaves the feed."""

from __future__ import annotations

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import Max
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import condition

from rectify.models import Publication

ITEMS = 30


class PublicationFeed(Feed):
    """Only public versions: the feed is the same for every reader."""

    feed_type = Atom1Feed
    title = _("巡察整改情况通报")
    subtitle = _("向社会公开的巡察整改情况通报及其各版本")
    language = "zh-CN"

    def link(self):
        return reverse("public:notice_list")

    def items(self):
        return (Publication.objects.public().current()
                .defer("snapshot", "search_text", "party_search_text")
                .order_by("-published_at", "-pk")[:ITEMS])

    def item_title(self, item: Publication) -> str:
        return str(item)

    def item_link(self, item: Publication) -> str:
        return item.get_absolute_url()

    def item_guid(self, item: Publication) -> str:
        """An entry's ``<id>``: absolute and permanent (RFC 4287 wants an IRI), the same
        whichever host name the reader used: the site's own address (``SITE_URL``)."""
        return settings.SITE_URL + item.get_absolute_url()

    def item_description(self, item: Publication) -> str:
        notice = item.public_snapshot["notice"]
        return "\n".join([str(_("{issuer}，{date}，{kind}。")).format(
            issuer=item.issuer, date=item.date.isoformat(), kind=item.get_kind_display()),
            *notice["opening"]])

    def item_pubdate(self, item: Publication):
        return item.published_at

    def item_updateddate(self, item: Publication):
        return item.published_at

    def item_author_name(self, item: Publication) -> str:
        return item.issuer

    def item_categories(self, item: Publication):
        return [item.get_kind_display()]


def _latest(request, *args, **kwargs):
    """The feed changes when a version is published or withdrawn."""
    stamps = Publication.objects.public().aggregate(
        published=Max("published_at"), withdrawn=Max("withdrawn_at"))
    return max((s for s in stamps.values() if s is not None), default=None)


feed = condition(last_modified_func=_latest)(PublicationFeed())
