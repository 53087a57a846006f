"""The ordered problem tree of a round, with derived numbers and label flags.

Built in a fixed number of queries (categories, tasks with measures) whatever the size of the
round, and shared by the admin, the public pages, the API and the ledger.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When
from django.utils.translation import gettext

from rectify.models import InspectionRound, ProblemCategory, RectificationTask
from rectify.models.mark_formats import CONTINUOUS, MAX_TASK_DEPTH
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


def numbers_for(tasks: Iterable[RectificationTask] = (),
                categories: Iterable[ProblemCategory] = ()) -> dict[tuple[str, int], TreeNode]:
    """The numbered nodes of some tasks and categories (a page of a list), keyed by
    ``(kind, pk)`` like :func:`numbers_for_rounds`, with the same numbers and depths, in three
    queries: their rounds, the rounds' categories, and only the tasks their numbers depend on.

    A node's number is its rank among its siblings, and so are its ancestors'; in a nested
    round tasks share the count with the categories beside them, so the tasks read are those
    under the parents on the nodes' paths (the top level included), not the whole round. A
    continuous round numbers its tasks straight through: all its tasks are read (light).
    Other nodes of the partial trees may be misnumbered and are not returned. The nodes'
    ``obj`` are light rows (``pk``, ``round_id``, ``parent_id`` or ``category_id``,
    ``position``, ``printed_label``, a category's ``title``), not model instances.
    """
    tasks, categories = list(tasks), list(categories)
    round_ids = {row.round_id for row in [*tasks, *categories]}
    if not round_ids:
        return {}
    rounds = InspectionRound.objects.filter(pk__in=round_ids).only(
        "id", "numbering_style", "level_formats", "task_format")
    continuous = {round_.pk for round_ in rounds if round_.numbering_style == CONTINUOUS}
    cats_by_round: dict[int, list] = {}
    parent_of: dict[int, int | None] = {}
    # Unordered: assemble() orders the siblings (the models' orderings join the rounds).
    for cat in ProblemCategory.objects.filter(round_id__in=round_ids).order_by().values_list(
        "pk", "round_id", "parent_id", "position", "title", "printed_label", named=True
    ):
        cats_by_round.setdefault(cat.round_id, []).append(cat)
        parent_of[cat.pk] = cat.parent_id
    # The categories whose children (tasks among them) the nodes' numbers depend on: the
    # parents of the nodes and of every category above them; the top level always.
    parents: set[int] = set()

    def climb(category_id: int | None) -> None:
        while category_id in parent_of and category_id not in parents:
            parents.add(category_id)
            category_id = parent_of[category_id]

    for task in tasks:
        climb(task.category_id)
    for cat in categories:
        climb(parent_of.get(cat.pk))
    top_level = Q(category__isnull=True) | ~Q(category__round_id=F("round_id"))
    wanted = Q(round_id__in=continuous) | Q(category_id__in=parents) | top_level
    tasks_by_round: dict[int, list] = {}
    for task in RectificationTask.objects.filter(Q(round_id__in=round_ids) & wanted).order_by(
    ).values_list("pk", "round_id", "category_id", "position", "printed_label", named=True):
        tasks_by_round.setdefault(task.round_id, []).append(task)
    asked = {("task", row.pk) for row in tasks} | {("category", row.pk) for row in categories}
    result: dict[tuple[str, int], TreeNode] = {}
    for round_ in rounds:
        top = assemble(round_, cats_by_round.get(round_.pk, []),
                       tasks_by_round.get(round_.pk, []))
        for node in walk(top):
            if (node.kind, node.obj.pk) in asked:
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
