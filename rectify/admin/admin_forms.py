"""Admin forms: category choices scoped to the round, and the lost-update guard of tasks and
their measure rows.

The rules themselves (same round, no cycles, depth, dates) live in the models' ``clean()``;
these forms only show sensible choices and carry the task's version.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy

from rectify.rules.history import stale_message
from rectify.rules.problem_tree import numbers_for_rounds, walk
from rectify.services.records import StaleRecord, check_version


def _pk(value) -> int | None:
    value = getattr(value, "pk", value)
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def known_round_id(form: forms.ModelForm) -> int | None:
    """The round the form's record belongs to: stored, submitted or prefilled (?round=ID)."""
    if form.instance.round_id:
        return form.instance.round_id
    if form.is_bound:
        return _pk(form.data.get(form.add_prefix("round")))
    return _pk(form.initial.get("round"))


def category_choices(round_id: int, exclude_subtree_of: int | None = None) -> list:
    """The round's categories in tree order, labelled with their derived numbers.

    ``exclude_subtree_of`` leaves out a category and everything below it (a category's
    own subtree is no place to move it to).
    """
    nodes = numbers_for_rounds([round_id])
    skip: set[int] = set()
    if exclude_subtree_of is not None and ("category", exclude_subtree_of) in nodes:
        own = nodes[("category", exclude_subtree_of)]
        skip = {node.obj.pk for node in walk([own]) if not node.is_task}
    return [
        (node.obj.pk, "{}{} {}".format("\u3000" * (node.depth - 1), node.number_path,
                                      Truncator(node.obj.title).chars(50)))
        for node in nodes.values()
        if not node.is_task and node.obj.pk not in skip
    ]


def scope_category_field(form: forms.ModelForm, name: str, *, exclude_self: bool) -> None:
    """Offer only the round's categories when the round is known.

    The field still *accepts* any category, so that a category of another round, or a
    category's own descendant, reaches the model's ``clean()`` and is refused there with
    its own message next to the field.
    """
    field = form.fields.get(name)
    if field is None:
        return
    round_id = known_round_id(form)
    if round_id is None:
        field.label_from_instance = lambda cat: f"{cat.round} / {Truncator(cat.title).chars(50)}"
        return
    exclude = form.instance.pk if exclude_self else None
    widget = getattr(field.widget, "widget", field.widget)
    widget.choices = [("", field.empty_label or "---------"),
                      *category_choices(round_id, exclude)]


class CategoryAdminForm(forms.ModelForm):
    """A problem category: the parent is chosen among the round's other categories."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        scope_category_field(self, "parent", exclude_self=True)


class VersionedAdminForm(forms.ModelForm):
    """A record's form carrying the ``version`` it was read at in a hidden field.

    If the record was saved by someone else since the form was loaded, the form is refused
    with who saved it, when, and the current value of every submitted field that differs;
    nothing is saved. The comparison is ``check_version``'s, the one ``save_record`` makes.
    """

    version = forms.IntegerField(label=gettext_lazy("版本"), widget=forms.HiddenInput,
                                 required=False)
    deleted_message = gettext_lazy("该记录已被删除，无法保存。")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "version" in self.fields and self.instance.pk is not None:
            self.fields["version"].initial = self.instance.version

    def refuse_if_stale(self, submitted: list[str]) -> None:
        """Refuse early, naming the fields ``submitted``, what ``save_record`` would refuse."""
        loaded = self.cleaned_data.get("version")
        try:
            with transaction.atomic():
                check_version(self.instance, loaded if loaded is not None else -1)
        except type(self.instance).DoesNotExist:
            raise ValidationError(self.deleted_message, code="deleted")
        except StaleRecord as stale:
            values = {name: self.cleaned_data[name] for name in submitted
                      if name in self.cleaned_data and name != "version"}
            raise ValidationError(stale_message(stale.current, values, loaded), code="stale")


class TaskAdminForm(VersionedAdminForm):
    """A task, with its version: a save over someone else's newer one is refused."""

    deleted_message = gettext_lazy("该任务已被删除，无法保存。")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        scope_category_field(self, "category", exclude_self=False)
        if "version" in self.fields:
            self.fields["version"].required = self.instance.pk is not None

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is not None and "version" in self.fields:
            self.refuse_if_stale(list(self.fields))
        return cleaned


class MeasureInlineForm(VersionedAdminForm):
    """A measure row of the task page: a changed row read before someone else's save is
    refused (an unchanged row is not saved, so not checked)."""

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is not None and self.has_changed():
            self.refuse_if_stale(self.changed_data)
        return cleaned
