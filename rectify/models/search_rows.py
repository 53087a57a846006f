"""The search's own rows: one per task, one per task (and one per notice) of each published
version. Derived from the records, never edited by hand: ``rectify.services.search_index``
writes them whenever what they hold changes, and ``manage.py rebuild_search`` builds them
again. What a row's ``text`` and ``grams`` hold is the rule of ``rectify.rules.text_search``.

On PostgreSQL ``grams`` is a ``text[]`` column with a GIN index (created by migration 0018,
PostgreSQL only: the index is not declared here because other databases cannot build it); on
any other database it is a text of the grams joined by spaces, kept but not used for lookups.
"""

from __future__ import annotations

from django.db import NotSupportedError, models
from django.db.models import Lookup
from django.utils.translation import gettext_lazy as _


class GramsField(models.Field):
    """A set of grams: ``text[]`` on PostgreSQL, the grams joined by spaces elsewhere (a gram
    never holds a space). Python value: a list of strings."""

    description = _("检索字元")

    def db_type(self, connection):
        return "text[]" if connection.vendor == "postgresql" else "text"

    def get_db_prep_value(self, value, connection, prepared=False):
        if value is None:
            return None
        if isinstance(value, str):
            value = value.split(" ") if value else []
        value = list(value)
        return value if connection.vendor == "postgresql" else " ".join(value)

    def from_db_value(self, value, expression, connection):
        return self.to_python(value)

    def to_python(self, value):
        if value is None or isinstance(value, list):
            return value
        return value.split(" ") if value else []

    def value_to_string(self, obj):
        return " ".join(self.value_from_object(obj) or [])


@GramsField.register_lookup
class ContainsAll(Lookup):
    """``grams__contains_all=[...]``: the row holds every one of the grams (PostgreSQL's
    ``@>``, served by the GIN index). Other databases have no such lookup: the search does
    not ask them for it."""

    lookup_name = "contains_all"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        if connection.vendor != "postgresql":
            raise NotSupportedError("grams__contains_all needs PostgreSQL")
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} @> %s::text[]", [*lhs_params, list(self.rhs)]


class TaskSearchText(models.Model):
    """What the search finds of one task: its problem, detail, responsible leader and
    department, progress, outcome, printed result, measures (and their units) and progress
    entries, as one text of parts, and that text's grams."""

    task = models.OneToOneField("rectify.RectificationTask", verbose_name=_("整改任务"),
                                primary_key=True, on_delete=models.CASCADE,
                                related_name="search_row")
    text = models.TextField(_("检索文本"), blank=True)
    grams = GramsField(_("检索字元"), default=list, blank=True)

    class Meta:
        verbose_name = _("任务检索文本")
        verbose_name_plural = _("任务检索文本")
        default_permissions = ()

    def __str__(self) -> str:
        return f"{self.task_id}"


class PublishedSearchText(models.Model):
    """What the public search finds of one published version: a row per task (its problem,
    measures, outcome and result as published) and a row per audience for the notice itself
    (its title, issuer and the problem categories' headings). ``party`` rows are found by
    readers of the party version, ``public`` rows by everyone: a task withheld from the public
    has no ``public`` row."""

    publication = models.ForeignKey("rectify.Publication", verbose_name=_("已发布通报"),
                                    on_delete=models.CASCADE, related_name="search_rows")
    task_id = models.BigIntegerField(_("任务编号"), null=True, blank=True,
                                     help_text=_("发布时的任务编号；通报本身的一行为空"))
    position = models.PositiveIntegerField(_("顺序"), default=0)
    number = models.CharField(_("编号"), max_length=100, blank=True)
    title = models.TextField(_("问题"), blank=True)
    party = models.BooleanField(_("党内版本"), default=False)
    public = models.BooleanField(_("公开版本"), default=False)
    text = models.TextField(_("检索文本"), blank=True)
    grams = GramsField(_("检索字元"), default=list, blank=True)

    class Meta:
        verbose_name = _("通报检索文本")
        verbose_name_plural = _("通报检索文本")
        default_permissions = ()
        ordering = ["publication", "position"]

    def __str__(self) -> str:
        return f"{self.publication_id}:{self.task_id}"
