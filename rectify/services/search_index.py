"""The search: its rows kept current, and the one way every surface searches.

Rows (``rectify.models.search_rows``): ``TaskSearchText`` holds what the search finds of a
task — the problem, its detail, the responsible leader and department, the progress, the
outcome, the printed result, every measure (and its unit) and every progress entry;
``PublishedSearchText`` what the public search finds of a published version, one row per
task (as published) and one per audience for the notice itself. What a row's text and grams
are, what a query asks and what a hit shows is the rule of ``rectify.rules.text_search``.

Kept current: a task, measure or progress entry saved or deleted refreshes its task's row
(``post_save``/``post_delete``, connected in ``rectify.apps``, whatever the path; a
``save_record`` tells which text the row held, so that a save that changes no searchable
field — a status move, a sign-off — costs nothing). Imports that write many records at once
run inside :func:`batched`, which refreshes each task once at the end. A published version
gets its rows when it is published (``rectify.services.publishing``). Rows written without
saving the records (``bulk_create``: a restore, the benchmarks) are built by
:func:`refresh_tasks` or :func:`rebuild` (``manage.py rebuild_search``).

Searching: :func:`search_tasks` (the task filter's ``q``: the API, the work list, the
ledger; the admin's task search), :func:`search_measures`, :func:`search_publications` (the
public list). Each word must appear; on PostgreSQL the rows holding every gram of the words
come from the GIN index, and the text is tested for words longer than two characters;
elsewhere (SQLite) the test on the text alone.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections import defaultdict
from collections.abc import Iterable, Iterator

from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.signals import post_delete, post_save

from rectify.models import (
    Measure,
    ProgressEntry,
    Publication,
    PublishedSearchText,
    RectificationTask,
    TaskSearchText,
)
from rectify.rules import text_search
from rectify.rules.text_search import Hit

#: The task's own fields the search reads, as (kind of part, field).
TASK_FIELDS = (("title", "title"), ("detail", "detail"), ("leader", "responsible_leader"),
               ("department", "responsible_department"), ("progress", "progress"),
               ("outcome", "outcome"), ("result", "result_text"))
MEASURE_FIELDS = ("task_id", "text", "responsible_unit")
ENTRY_FIELDS = ("task_id", "text")
#: Tasks read and written per statement when many are refreshed.
BATCH = 1000
#: Hits listed under one published version on the public list.
HITS_PER_PUBLICATION = 3


def uses_grams() -> bool:
    """Whether the database serves the grams from an index (PostgreSQL)."""
    return connection.vendor == "postgresql"


# -- a task's row -------------------------------------------------------------------------------


def task_text(values: dict, measures: Iterable[tuple[str, str]], entries: Iterable[str]) -> str:
    """The stored text of a task: its fields (``values`` by field name), its measures as
    ``(text, unit)`` in print order, its progress entries' texts."""
    parts = [(kind, values.get(field) or "") for kind, field in TASK_FIELDS]
    for text, unit in measures:
        parts += [("measure", text), ("unit", unit)]
    parts += [("entry", text) for text in entries]
    return text_search.joined(parts)


def refresh_tasks(task_ids: Iterable[int]) -> int:
    """Write the rows of these tasks as their records stand now (four statements per
    ``BATCH`` tasks); tasks that no longer exist are skipped. Returns the rows written."""
    ids = sorted({int(pk) for pk in task_ids if pk is not None})
    written = 0
    for start in range(0, len(ids), BATCH):
        chunk = ids[start:start + BATCH]
        tasks = RectificationTask._base_manager.filter(pk__in=chunk).values(
            "pk", *(field for _kind, field in TASK_FIELDS))
        measures: dict[int, list[tuple[str, str]]] = defaultdict(list)
        for task_id, text, unit in (Measure._base_manager.filter(task_id__in=chunk)
                                    .order_by("task_id", "position", "pk")
                                    .values_list(*MEASURE_FIELDS)):
            measures[task_id].append((text, unit))
        entries: dict[int, list[str]] = defaultdict(list)
        for task_id, text in (ProgressEntry._base_manager.filter(task_id__in=chunk)
                              .order_by("task_id", "date", "pk").values_list(*ENTRY_FIELDS)):
            entries[task_id].append(text)
        rows = []
        for values in tasks:
            text = task_text(values, measures[values["pk"]], entries[values["pk"]])
            rows.append(TaskSearchText(task_id=values["pk"], text=text,
                                       grams=text_search.grams(text)))
        if rows:
            TaskSearchText.objects.bulk_create(rows, update_conflicts=True,
                                               unique_fields=["task"],
                                               update_fields=["text", "grams"])
        written += len(rows)
    return written


def rebuild_tasks(progress=None) -> int:
    """Every task's row built again from the records, in one transaction; returns the rows."""
    total = 0
    with transaction.atomic():
        TaskSearchText.objects.all().delete()
        ids = list(RectificationTask._base_manager.order_by("pk").values_list("pk", flat=True))
        for start in range(0, len(ids), BATCH * 5):
            total += refresh_tasks(ids[start:start + BATCH * 5])
            if progress:
                progress(total, len(ids))
    return total


# -- keeping the rows current -------------------------------------------------------------------

_pending: contextvars.ContextVar[set[int] | None] = contextvars.ContextVar(
    "search_pending", default=None)


@contextlib.contextmanager
def batched() -> Iterator[None]:
    """Within the block, each task changed is refreshed once, when the block ends (inside
    the caller's transaction); for imports that write many records. Nested blocks refresh
    at the end of the outermost."""
    if _pending.get() is not None:
        yield
        return
    token = _pending.set(set())
    try:
        yield
        ids = _pending.get()
    finally:
        _pending.reset(token)
    refresh_tasks(ids)


def _changed(task_id: int | None) -> None:
    if task_id is None:
        return
    pending = _pending.get()
    if pending is not None:
        pending.add(task_id)
    else:
        refresh_tasks([task_id])


#: The fields of each model whose change changes its task's row.
_SEARCHED = {
    RectificationTask: tuple(field for _kind, field in TASK_FIELDS),
    Measure: ("task_id", "text", "responsible_unit"),
    ProgressEntry: ("task_id", "text"),
}
_STORED = "_search_stored"


def note_stored(obj, stored) -> None:
    """``save_record`` tells which version of ``obj`` is stored (read for the version
    check) before it saves it: the save then refreshes the row only if a searched field
    changed."""
    if type(obj) in _SEARCHED and stored is not None:
        setattr(obj, _STORED, stored)


def _saved(sender, instance, created=False, raw=False, **kwargs) -> None:
    if raw:
        return
    stored = instance.__dict__.pop(_STORED, None)
    fields = _SEARCHED[sender]
    if stored is not None and all(getattr(stored, f) == getattr(instance, f) for f in fields):
        return
    task_id = instance.pk if sender is RectificationTask else instance.task_id
    if stored is not None and sender is not RectificationTask and stored.task_id != task_id:
        _changed(stored.task_id)
    _changed(task_id)


def _deleted(sender, instance, origin=None, **kwargs) -> None:
    """A measure or progress entry deleted by itself (not with its task) changes the row."""
    origin_model = origin.model if isinstance(origin, QuerySet) else type(origin)
    if origin_model is sender:
        _changed(instance.task_id)


def connect_signals() -> None:
    for model in _SEARCHED:
        post_save.connect(_saved, sender=model, dispatch_uid=f"search_saved_{model.__name__}")
    for model in (Measure, ProgressEntry):
        post_delete.connect(_deleted, sender=model,
                            dispatch_uid=f"search_deleted_{model.__name__}")


# -- published versions -------------------------------------------------------------------------


def _tree_tasks(nodes: list[dict]) -> Iterator[dict]:
    for node in nodes:
        if node.get("kind") == "task":
            yield node
        else:
            yield from _tree_tasks(node.get("children", []))


def _headings(nodes: list[dict]) -> Iterator[str]:
    for node in nodes:
        if node.get("kind") != "task":
            yield node.get("title", "")
            yield from _headings(node.get("children", []))


def published_task_text(node: dict) -> str:
    """The stored text of a task as published: its problem, measures, outcome and result."""
    parts = [("title", node.get("title", ""))]
    parts += [("measure", measure.get("text", "")) for measure in node.get("measures", [])]
    parts += [("outcome", node.get("outcome", "")), ("result", node.get("result", ""))]
    return text_search.joined(parts)


def _notice_text(content: dict) -> str:
    issuer = content.get("issuer", {})
    parts = [("notice", content.get("notice", {}).get("title", "")),
             ("issuer", issuer.get("name", "")), ("issuer", issuer.get("short_name", ""))]
    parts += [("heading", title) for title in _headings(content.get("tree", []))]
    return text_search.joined(parts)


def publication_rows(publication: Publication) -> list[PublishedSearchText]:
    """The rows of one published version, from its frozen content (not saved)."""

    def row(**kwargs) -> PublishedSearchText:
        return PublishedSearchText(publication_id=publication.pk,
                                   grams=text_search.grams(kwargs["text"]), **kwargs)

    snapshot = publication.snapshot or {}
    public = publication.public_snapshot if publication.for_public else None
    public_ids = {node.get("id") for node in _tree_tasks(public.get("tree", []))} if public \
        else set()
    rows = []
    if publication.for_party:
        rows.append(row(party=True, public=False, text=_notice_text(snapshot)))
    if public:
        rows.append(row(party=False, public=True, text=_notice_text(public)))
    for position, node in enumerate(_tree_tasks(snapshot.get("tree", [])), start=1):
        in_public = node.get("id") in public_ids
        if not (publication.for_party or in_public):
            continue
        rows.append(row(task_id=node.get("id"), position=position,
                        number=(node.get("number_path") or "")[:100],
                        title=node.get("title", ""), party=publication.for_party,
                        public=in_public, text=published_task_text(node)))
    return rows


def index_publication(publication: Publication) -> int:
    """Write the rows of a published version (again); returns how many."""
    PublishedSearchText.objects.filter(publication_id=publication.pk).delete()
    rows = publication_rows(publication)
    PublishedSearchText.objects.bulk_create(rows, batch_size=BATCH)
    return len(rows)


def rebuild_publications() -> int:
    """Every published version's rows built again, in one transaction; returns the rows."""
    total = 0
    with transaction.atomic():
        PublishedSearchText.objects.all().delete()
        fields = ("pk", "for_party", "for_public", "snapshot", "public_snapshot")
        for publication in Publication.objects.only(*fields).order_by("pk").iterator(100):
            total += index_publication(publication)
    return total


def rebuild(progress=None) -> dict[str, int]:
    """All the search's rows built again from the records (``manage.py rebuild_search``)."""
    return {"tasks": rebuild_tasks(progress), "publications": rebuild_publications()}


# -- searching ----------------------------------------------------------------------------------


def _matching(rows: QuerySet, words: list[str]) -> QuerySet:
    """The rows holding every word: from the grams' index where there is one (exact for
    words of one or two characters), the text tested for the others."""
    indexed = uses_grams()
    if indexed:
        rows = rows.filter(grams__contains_all=text_search.query_grams(words))
    for word in words:
        if indexed and text_search.grams_decide(word):
            continue
        lookup = "text__contains" if text_search.caseless(word) else "text__icontains"
        rows = rows.filter(**{lookup: word})
    return rows


def matching_task_ids(value: str | None) -> QuerySet | None:
    """The ids of the tasks holding every word of ``value`` (a subquery), or None for a
    query without words."""
    words = text_search.query_words(value)
    if not words:
        return None
    return _matching(TaskSearchText.objects.all(), words).values("task_id")


def search_tasks(queryset: QuerySet, value: str | None) -> QuerySet:
    """The tasks of ``queryset`` (already scoped by the permission rule) holding every word
    of ``value`` in their problem, detail, responsible leader or department, measures,
    progress, progress entries, outcome or result; ``queryset`` itself without words."""
    ids = matching_task_ids(value)
    return queryset if ids is None else queryset.filter(pk__in=ids)


def search_measures(queryset: QuerySet, value: str | None) -> QuerySet:
    """The measures of ``queryset`` holding every word of ``value`` in their text or unit;
    on PostgreSQL only among the tasks whose rows hold them (from the index)."""
    words = text_search.query_words(value)
    if not words:
        return queryset
    if uses_grams():
        queryset = queryset.filter(task_id__in=matching_task_ids(value))
    for word in words:
        queryset = queryset.filter(Q(text__icontains=word) | Q(responsible_unit__icontains=word))
    return queryset


def _reader_rows(party_reader: bool) -> QuerySet:
    """The published rows a reader searches: the public ones, and for readers of the party
    version the party ones too."""
    rows = PublishedSearchText.objects.all()
    return rows.filter(Q(party=True) | Q(public=True)) if party_reader else rows.filter(
        public=True)


def search_publications(queryset: QuerySet, value: str | None, *,
                        party_reader: bool) -> QuerySet:
    """The versions of ``queryset`` (already scoped to what the reader may see) whose
    reader's version holds every word of ``value`` in its title, issuer, headings, or its
    tasks' problems, measures, outcomes and results (each word anywhere in the version)."""
    words = text_search.query_words(value)
    for word in words:
        rows = _matching(_reader_rows(party_reader), [word])
        queryset = queryset.filter(Exists(rows.filter(publication=OuterRef("pk"))))
    return queryset


# -- what the pages show of a hit ---------------------------------------------------------------


def task_hits(tasks: Iterable[RectificationTask], value: str | None) -> dict[int, Hit]:
    """For tasks on a page, where the words were found besides the problem they show:
    ``{task id: Hit}`` (one query; none for a task whose problem holds every word)."""
    words = text_search.query_words(value)
    ids = [task.pk for task in tasks]
    if not words or not ids:
        return {}
    hits = {}
    for task_id, text in TaskSearchText.objects.filter(task_id__in=ids).values_list(
            "task_id", "text"):
        hit = text_search.first_hit(text, words)
        if hit is not None:
            hits[task_id] = hit
    return hits


def publication_hits(publications: Iterable[Publication], value: str | None, *,
                     party_reader: bool, per: int = HITS_PER_PUBLICATION
                     ) -> dict[int, dict]:
    """For versions on a page, the tasks holding every word of ``value`` in the reader's
    version: ``{publication id: {"tasks": [row, …] (at most ``per``), "more": n}}``; each row
    carries ``hit``, where besides its problem the words were found (one query)."""
    words = text_search.query_words(value)
    ids = [publication.pk for publication in publications]
    if not words or not ids:
        return {}
    rows = (_matching(_reader_rows(party_reader), words)
            .filter(publication_id__in=ids, task_id__isnull=False)
            .only("publication_id", "task_id", "position", "number", "title", "text")
            .order_by("publication_id", "position"))
    found: dict[int, dict] = {}
    for row in rows:
        entry = found.setdefault(row.publication_id, {"tasks": [], "more": 0})
        if len(entry["tasks"]) < per:
            row.hit = text_search.first_hit(row.text, words)
            entry["tasks"].append(row)
        else:
            entry["more"] += 1
    return found
