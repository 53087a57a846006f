"""The session seed (tests/conftest.py, SessionSeed): built once, each test starts from it,
and tests that do not ask for it still start from an empty database."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from rectify.models import InspectionRound, Publication

pytestmark = pytest.mark.django_db


def test_a_test_may_change_the_seed(seeded):
    seeded["xinye"].delete()
    get_user_model().objects.filter(username="auditor").delete()
    assert Publication.objects.count() == 1


def test_the_next_test_starts_from_the_seed_again(seeded):
    assert Publication.objects.count() == 2
    assert get_user_model().objects.filter(username="auditor").exists()


def test_a_test_without_the_seed_starts_empty():
    assert not InspectionRound.objects.exists()
    assert not get_user_model().objects.exists()
