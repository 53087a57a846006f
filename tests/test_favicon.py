"""Every surface names the site's icon (no browser request for a missing /favicon.ico)."""

from __future__ import annotations

import re

import pytest
from django.contrib.staticfiles import finders
from django.templatetags.static import static
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_every_surface_links_the_icon(client, staff_user):
    icon = static("rectify/favicon.svg")
    assert finders.find("rectify/favicon.svg")
    pages = {"public": reverse("public:notice_list"), "login": reverse("login")}
    for name, address in pages.items():
        html = client.get(address).content.decode()
        assert re.search(rf'<link rel="icon" href="{re.escape(icon)}"', html), name
    client.force_login(staff_user)
    for name, address in {"work": reverse("work:index"), "admin": reverse("admin:index"),
                          "not found": "/work/nothing/"}.items():
        html = client.get(address).content.decode()
        assert re.search(rf'<link rel="icon" href="{re.escape(icon)}"', html), name
