"""The public pages' cache: the generations that invalidate it, bumped by the publishing service.

A published version never changes, so its public answers (the page, JSON, CSV, .docx, PDF)
are kept in Django's cache (``rectify.public.page_cache``, when ``PUBLIC_PAGE_CACHE`` is on)
and never expire by content: each entry is stored with the *generations* it depends on, read
before its content was, and is used only while they are unchanged. What changes them:

- ``list``: publishing or withdrawing any version, a party group renamed — the list of
  notices (``/notices/``) and the feed;
- ``page:<id>``: publishing or withdrawing a version of the same round — the version's page
  (its banner, its list of the round's versions);
- ``data:<id>``: withdrawing the version — its JSON, CSV, .docx and PDF;
- ``epoch``: everything, when the database was replaced (a backup restored: ``forget_all``).

A generation is a random token. Bumping it (a new token) is done at once, inside the
publishing transaction, so that a cache that cannot be reached refuses the withdrawal rather
than let the withdrawn version be served; and again once the transaction commits, so that an
entry rendered from the rows as they were before the commit is never used afterwards. A
token evicted from the cache is replaced by a new one, which only makes the entries that
named the old one useless.
"""

from __future__ import annotations

import uuid

from django.core.cache import cache
from django.db import transaction

PREFIX = "rectify:public:generation:"
LIST = PREFIX + "list"
EPOCH = PREFIX + "epoch"


def page_generation(pk: int) -> str:
    return f"{PREFIX}page:{pk}"


def data_generation(pk: int) -> str:
    return f"{PREFIX}data:{pk}"


def new_token() -> str:
    return uuid.uuid4().hex[:16]


def current(keys: list[str], found: dict | None = None) -> list[str]:
    """The tokens of ``keys`` (``found``: as just read), making a token for any that has
    none."""
    if found is None:
        found = cache.get_many(keys)
    tokens = []
    for key in keys:
        token = found.get(key)
        if token is None:
            token = new_token()
            if not cache.add(key, token, timeout=None):
                token = cache.get(key) or token
        tokens.append(token)
    return tokens


def bump(keys: list[str]) -> None:
    """Give ``keys`` new tokens now and again when the current transaction commits."""
    keys = sorted(set(keys))

    def renew():
        cache.set_many({key: new_token() for key in keys}, timeout=None)

    renew()
    transaction.on_commit(renew)


def round_changed(round_id: int, *, withdrawn_pk: int | None = None) -> None:
    """A version of the round was published, or ``withdrawn_pk`` withdrawn."""
    from rectify.models import Publication

    keys = [LIST] + [page_generation(pk) for pk in
                     Publication.objects.filter(round_id=round_id).values_list("pk", flat=True)]
    if withdrawn_pk is not None:
        keys += [page_generation(withdrawn_pk), data_generation(withdrawn_pk)]
    bump(keys)


def forget_all() -> None:
    """The database was replaced: no entry kept before may be used."""
    bump([EPOCH])


def list_changed(**_kwargs) -> None:
    """Something the list shows besides the versions changed (a party group's name)."""
    bump([LIST])


def connect_signals() -> None:
    """The list's filter names the party groups: renaming or removing one changes it."""
    from django.db.models.signals import post_delete, post_save

    from bureaus.models import PartyGroup

    post_save.connect(list_changed, sender=PartyGroup, dispatch_uid="public-cache-party-group")
    post_delete.connect(list_changed, sender=PartyGroup,
                        dispatch_uid="public-cache-party-group-delete")
