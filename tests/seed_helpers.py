"""The seed's demo accounts (``seed_demo``: staff, auditor, clerk_xinye, clerk_xuchang), for
tests that run on the ``seeded`` data."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.test import Client


def demo_user(username: str):
    return get_user_model().objects.get(username=username)


def demo_client(username: str) -> Client:
    """A test client logged in as the demo account ``username``."""
    client = Client()
    client.force_login(demo_user(username))
    return client
