"""The ordered problem tree of a round, with derived numbers and label flags.

Built in a fixed number of queries (categories, tasks with measures) whatever the size of the
round, and shared by the admin, the public pages, the API and the ledger. A list showing a page
of tasks numbers only those (:func:`numbers_for`) and reads the page round by round
(:class:`PrintOrderPages`), without building or sorting whole rounds.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    Max,
    Q,
    QuerySet,
    Value,
    When,
    Window,
)
from django.db.models.functions import RowNumber
from django.utils.functional import cached_property
from django.utils.translation import gettext

from rectify.models import InspectionRound, ProblemCategory, RectificationTask
from rectify.models.choices import NumberingStyle
from rectify.models.mark_formats import MAX_TASK_DEPTH, format_mark
from rectify.rules import numbering


@dataclass
class TreeNode:
    """A category or a task in its place: derived number, depth, children."""

    obj: ProblemCategory | RectificationTask
    is_task: bool
    depth: int = 1
    number: str = ""
    children: list[TreeNode] = field(default_factory=list)
    path: list[TreeNode] = field(default_factory=list)  # ancestors, top first

    @property
    def kind(self) -> str:
        return "task" if self.is_task else "category"

    @property
    def printed_label(self) -> str:
        return self.obj.printed_label

    @property
    def label_flagged(self) -> bool:
        """True when the printed label disagrees with the derived number."""
        return not numbering.labels_agree(self.obj.printed_label, self.number)

    @property
    def task_count(self) -> int:
        if self.is_task:
            return 1
        return sum(child.task_count for child in self.children)

    @property
    def number_path(self) -> str:
        """Numbers from the top, e.g. ``(一)1.1)①``."""
        return "".join(node.number for node in [*self.path, self])

    @property
    def number_as_printed(self) -> str:
        """The full derived number, and the printed label where it differs, flagged:
        ``(二)3.1)③ ⚠原文④`` (for plain-text surfaces such as the ledger)."""
        if not self.label_flagged:
            return self.number_path
        return gettext("{number} ⚠原文{label}").format(number=self.number_path,
                                                      label=self.printed_label)

    @property
    def category_path(self) -> str:
        return " / ".join(node.obj.title for node in self.path)


def _sort_key(node: TreeNode) -> tuple:
    # Equal positions cannot be saved through clean(); fall back to a stable order anyway.
    return (node.obj.position, node.is_task, node.obj.pk or 0)


def assemble(
    round_: InspectionRound,
    categories: Iterable[ProblemCategory],
    tasks: Iterable[RectificationTask],
) -> list[TreeNode]:
    """Arrange already-fetched rows into the numbered tree of ``round_``."""
    by_parent: dict[int | None, list[TreeNode]] = {}
    cat_nodes: dict[int, TreeNode] = {}
    for cat in categories:
        node = TreeNode(cat, False)
        cat_nodes[cat.pk] = node
        by_parent.setdefault(cat.parent_id, []).append(node)
    for task in tasks:
        parent = task.category_id if task.category_id in cat_nodes else None
        by_parent.setdefault(parent, []).append(TreeNode(task, True))
    for siblings in by_parent.values():
        siblings.sort(key=_sort_key)

    visited: set[int] = set()

    def attach(node: TreeNode, depth: int, path: list[TreeNode]) -> None:
        node.depth, node.path = depth, path
        if node.is_task or node.obj.pk in visited:
            return
        visited.add(node.obj.pk)
        node.children = by_parent.get(node.obj.pk, [])
        for child in node.children:
            attach(child, depth + 1, [*path, node])

    top = by_parent.get(None, [])
    for node in top:
        attach(node, 1, [])
    labels = numbering.number_tree(
        top,
        style=round_.numbering_style,
        level_formats=round_.level_formats,
        task_format=round_.task_format,
        children=lambda n: n.children,
        is_task=lambda n: n.is_task,
    )
    for node in walk(top):
        node.number = labels.get(id(node), "")
    return top


def build_tree(round_: InspectionRound, tasks=None) -> list[TreeNode]:
    """The whole numbered tree of a round (two queries, three with measures)."""
    categories = ProblemCategory.objects.filter(round=round_)
    if tasks is None:
        tasks = RectificationTask.objects.filter(round=round_).prefetch_related("measures")
    return assemble(round_, categories, tasks)


def walk(nodes: Iterable[TreeNode]) -> Iterator[TreeNode]:
    """Every node in document order."""
    for node in nodes:
        yield node
        yield from walk(node.children)


def numbers_for_rounds(round_ids: Iterable[int]) -> dict[tuple[str, int], TreeNode]:
    """Light trees of several rounds at once, keyed by ``(kind, pk)``: three queries in all."""
    round_ids = set(round_ids)
    rounds = InspectionRound.objects.filter(pk__in=round_ids)
    cats_by_round: dict[int, list] = {}
    tasks_by_round: dict[int, list] = {}
    for cat in ProblemCategory.objects.filter(round_id__in=round_ids).only(
        "id", "round_id", "parent_id", "position", "title", "printed_label"
    ):
        cats_by_round.setdefault(cat.round_id, []).append(cat)
    for task in RectificationTask.objects.filter(round_id__in=round_ids).only(
        "id", "round_id", "category_id", "position", "printed_label"
    ):
        tasks_by_round.setdefault(task.round_id, []).append(task)
    result: dict[tuple[str, int], TreeNode] = {}
    for round_ in rounds:
        top = assemble(round_, cats_by_round.get(round_.pk, []), tasks_by_round.get(round_.pk, []))
        for node in walk(top):
            result[(node.kind, node.obj.pk)] = node
    return result


def category_subtree_ids(category: ProblemCategory) -> set[int]:
    """The category and every category below it, at any depth (one query)."""
    children: dict[int | None, list[int]] = {}
    for pk, parent in ProblemCategory.objects.filter(round_id=category.round_id).values_list(
        "pk", "parent_id"
    ):
        children.setdefault(parent, []).append(pk)
    found: set[int] = set()
    stack = [category.pk]
    while stack:
        pk = stack.pop()
        if pk in found:
            continue
        found.add(pk)
        stack.extend(children.get(pk, []))
    return found


#: How far up a task's chain of categories can reach (a task sits at depth 1 to 5).
_CHAIN = [f"category{'__parent' * up}__position" for up in range(MAX_TASK_DEPTH - 1)]


def print_order_keys() -> list:
    """SQL expressions that sort tasks the way the notice prints them: by the position of
    each of their ancestors from the top, then their own.

    Categories and tasks under one parent share one sequence of positions, so comparing the
    position paths from the top (``[3, 1]`` before ``[3, 2, 1]``) is the document order: a
    task directly under a category comes where its position puts it among the category's
    sub-categories, not before them.
    """
    own = F("position")
    chain = [F(name) for name in _CHAIN]  # chain[0] = the category, chain[1] its parent…
    keys = []
    for level in range(MAX_TASK_DEPTH):  # the position at depth level + 1, NULL if none
        whens = []
        for height in range(MAX_TASK_DEPTH - 1, -1, -1):  # categories above the task
            if level > height:
                continue
            # A task with ``height`` categories above it: its top is chain[height - 1].
            path = [*reversed(chain[:height]), own]
            present = Q(**{f"{_CHAIN[height - 1]}__isnull": False}) if height else Q()
            absent = Q(**{f"{_CHAIN[height]}__isnull": True}) if height < len(_CHAIN) else Q()
            whens.append(When(present & absent, then=path[level]))
        keys.append(Case(*whens, default=Value(None), output_field=IntegerField()))
    return keys


def print_ordering() -> list:
    """The ordering of tasks round by round (the newest feedback first), each round's tasks
    in the order of its notice: for ``order_by`` and the admin's ``get_ordering``."""
    return [F("round__feedback_date").desc(nulls_last=True), "round_id",
            *(key.asc(nulls_first=True) for key in print_order_keys()), "pk"]


def in_print_order(tasks: QuerySet) -> QuerySet:
    """``tasks`` in print order (:func:`print_ordering`)."""
    return tasks.order_by(*print_ordering())


def _chain(category_id: int | None, categories: dict[int, ProblemCategory]) -> list[int]:
    """The ids of a category and every category above it (nearest first; stops on a cycle)."""
    chain: list[int] = []
    while category_id in categories and category_id not in chain:
        chain.append(category_id)
        category_id = categories[category_id].parent_id
    return chain


def numbers_for(tasks: Iterable[RectificationTask] = (),
                categories: Iterable[ProblemCategory] = ()) -> dict[tuple[str, int], TreeNode]:
    """The numbered nodes of some tasks and categories (a page of a list), and of the
    categories above them, keyed like :func:`numbers_for_rounds`, with the same numbers and
    depths, reading only what those numbers depend on: at most four queries whatever the size
    of their rounds (three when the tasks come with their rounds).

    A number depends on the node's place among its siblings (the nested style: categories and
    tasks under one parent share the count) or, for a task of the continuous style, on how
    many tasks of its round come before it in print order. So this reads the rounds'
    categories, the tasks beside the given nodes and beside the categories above them (nested
    rounds), and each given task's rank in its round, counted by the database (continuous
    rounds); never a whole round's tasks. Other nodes of the partial trees may be misnumbered
    and are not returned. ``tasks`` and ``categories`` may be model instances or light rows
    (``pk``, ``round_id``, ``category_id`` or ``parent_id``).
    """
    tasks, categories_asked = list(tasks), list(categories)
    round_ids = {row.round_id for row in [*tasks, *categories_asked]}
    if not round_ids:
        return {}
    # The rounds the tasks were read with (``select_related``), else read here.
    round_field = RectificationTask._meta.get_field("round")
    rounds = {task.round_id: task.round for task in tasks
              if isinstance(task, RectificationTask) and round_field.is_cached(task)}
    if round_ids - set(rounds):
        rounds.update((rnd.pk, rnd) for rnd in InspectionRound.objects.filter(
            pk__in=round_ids - set(rounds)).only(
            "id", "numbering_style", "level_formats", "task_format"))
    categories: dict[int, ProblemCategory] = {}
    cats_by_round: dict[int, list] = {}
    for cat in ProblemCategory.objects.filter(round_id__in=round_ids).only(
        "id", "round_id", "parent_id", "position", "title", "printed_label"
    ).order_by():
        categories[cat.pk] = cat
        cats_by_round.setdefault(cat.round_id, []).append(cat)
    continuous = {pk for pk, rnd in rounds.items()
                  if rnd.numbering_style == NumberingStyle.CONTINUOUS}
    nested = round_ids - continuous
    parents: set[int] = set()  # the categories whose tasks count in a nested number
    for task in tasks:
        if task.round_id in nested and _in_round(task.category_id, task.round_id, categories):
            parents.update(_chain(task.category_id, categories))
    for cat in categories_asked:
        if cat.round_id in nested and cat.pk in categories:
            parents.update(_chain(categories[cat.pk].parent_id, categories))
    light = ("pk", "round_id", "category_id", "position", "printed_label")
    tasks_by_round: dict[int, list] = {}
    if nested:
        # Tasks under those categories, and the top level's (no category, or one of another
        # round, which the tree puts at the top).
        beside = (RectificationTask.objects.filter(round_id__in=nested)
                  .filter(Q(category_id__in=parents) | Q(category__isnull=True)
                          | ~Q(category__round_id=F("round_id")))
                  .order_by().values_list(*light, named=True))
        for task in beside:
            tasks_by_round.setdefault(task.round_id, []).append(task)
    ranks: dict[int, int] = {}
    if continuous:
        given = [task.pk for task in tasks if task.round_id in continuous]
        for task in tasks:
            if task.round_id in continuous:
                tasks_by_round.setdefault(task.round_id, []).append(task)
        ranks = _print_ranks(continuous, given)
    result: dict[tuple[str, int], TreeNode] = {}
    for round_id, rnd in rounds.items():
        top = assemble(rnd, cats_by_round.get(round_id, []), tasks_by_round.get(round_id, []))
        for node in walk(top):
            if node.is_task and round_id in continuous:
                node.number = format_mark(rnd.task_format, ranks.get(node.obj.pk, 0))
            result[(node.kind, node.obj.pk)] = node
    # Only what was asked, and the categories above it (a nested round's other categories
    # were numbered without all their siblings).
    wanted = ({("task", task.pk) for task in tasks} | {("category", pk) for pk in parents}
              | {("category", cat.pk) for cat in categories_asked})
    return {key: node for key, node in result.items()
            if key in wanted or (key[0] == "category" and node.obj.round_id in continuous)}


def _in_round(category_id: int | None, round_id: int, categories: dict) -> bool:
    category = categories.get(category_id)
    return category is not None and category.round_id == round_id


def _print_ranks(round_ids: set[int], task_ids: list[int]) -> dict[int, int]:
    """Each task's 1-based place in its round's print order (one query, counted by the
    database: only the given tasks' ranks come back)."""
    order = [*(key.asc(nulls_first=True) for key in print_order_keys()), F("pk").asc()]
    ranked = (RectificationTask.objects.filter(round_id__in=round_ids).order_by()
              .annotate(rank=Window(RowNumber(), partition_by=[F("round_id")], order_by=order))
              # A condition on the window is applied after it (over the whole rounds); the OR
              # keeps the task ids there too, instead of before the ranks are counted.
              .filter(Q(rank__gt=0, pk__in=task_ids) | Q(rank__lt=0))
              .values_list("pk", "rank"))
    return dict(ranked)


class PrintOrderPages:
    """``tasks`` in print order (:func:`print_ordering`), for a ``Paginator``, read a page at a
    time round by round.

    Print order is round by round, so one query counts each round's tasks (in the rounds'
    order: the count of the list and the place of every round in it), and a page then reads,
    sorts and slices only the tasks of the rounds it covers: the database never sorts every
    task to show fifty. ``rows`` dresses the page's query (annotations, ``select_related``).
    """

    ordered = True  # for the Paginator: the order is the print order

    def __init__(self, tasks: QuerySet, rows=None):
        self.tasks = tasks.order_by()
        self.rows = rows or (lambda queryset: queryset)

    @cached_property
    def round_counts(self) -> list[tuple[int, int]]:
        """``(round id, tasks)`` of every round with tasks, in print order."""
        # Grouped by the round alone (a hash of a few hundred rounds, where grouping by its
        # feedback date too would sort every task), the rounds then put in order here.
        counted = (self.tasks.values("round_id")
                   .annotate(n=Count("pk"), fed=Max("round__feedback_date"))
                   .values_list("round_id", "n", "fed"))
        newest_first = sorted(counted, key=lambda row: (row[2] is None, -(
            row[2].toordinal() if row[2] else 0), row[0]))
        return [(round_id, n) for round_id, n, _fed in newest_first]

    def count(self) -> int:
        return sum(n for _round, n in self.round_counts)

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, key):
        if not isinstance(key, slice) or key.step not in (None, 1):
            raise TypeError("PrintOrderPages takes a slice")
        start, stop = key.start or 0, self.count() if key.stop is None else key.stop
        if start < 0 or stop < 0:
            raise ValueError("negative indexing is not supported")
        chosen, before, offset = [], 0, 0
        for round_id, n in self.round_counts:
            if before + n > start and before < stop:
                if not chosen:
                    offset = start - before
                chosen.append(round_id)
            before += n
            if before >= stop:
                break
        if not chosen or stop <= start:
            return []
        page = in_print_order(self.rows(self.tasks.filter(round_id__in=chosen)))
        return list(page[offset:offset + stop - start])
