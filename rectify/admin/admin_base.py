"""The base of every model admin: saves go through the services, history is read-only."""

from __future__ import annotations

from django.contrib.admin.utils import flatten_fieldsets
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _
from simple_history.admin import SimpleHistoryAdmin
from simple_history.models import DeletedObject
from simple_history.template_utils import HistoricalRecordContextHelper

from rectify.models import InspectionRound, ProblemCategory
from rectify.rules import permissions
from rectify.rules.history import NOISE_FIELDS
from rectify.services.records import delete_record, save_record


class ReadableHistoryHelper(HistoricalRecordContextHelper):
    """History list changes with choice labels instead of stored codes, minus bookkeeping."""

    def context_for_delta_changes(self, delta):
        return [
            item
            for item, change in zip(super().context_for_delta_changes(delta), delta.changes,
                                    strict=True)
            if change.field not in NOISE_FIELDS
        ]

    def prepare_delta_change_value(self, change, value):
        # django-simple-history shows an empty foreign key as "Deleted user (pk=None)".
        if value is None or value == "" or (isinstance(value, DeletedObject)
                                            and value.pk is None):
            return _("（空）")
        field = self.model._meta.get_field(change.field)
        if field.choices and not isinstance(value, list):
            return dict(field.flatchoices).get(value, value)
        return super().prepare_delta_change_value(change, value)


def without_version(model_admin, request, obj, kwargs: dict) -> dict:
    """The form factory's ``kwargs`` with ``version`` left out of its fields: the model's
    version is not editable, so forms declare it as a hidden field of their own
    (``admin_forms.VersionedAdminForm``) while the fieldsets still place it."""
    fields = kwargs.get("fields")
    if fields is None:
        fields = flatten_fieldsets(model_admin.get_fieldsets(request, obj))
    return {**kwargs, "fields": [name for name in fields if name != "version"]}


class RecordAdmin(SimpleHistoryAdmin):
    """Admin whose every write goes through ``rectify.services.records``.

    ``save_record`` validates and writes the history row with the user;
    ``delete_record`` attributes the deletion. A historical version's page is shown with
    every field read-only and refuses POST, so history can be read but never reverted.
    """

    #: Computed read-only fields that describe the *current* record, hidden on a
    #: historical version's page where they would mislead.
    history_hidden_fields: tuple[str, ...] = ()
    object_history_list_template = "admin/rectify/object_history_list.html"
    object_history_form_template = "admin/rectify/object_history_form.html"

    # -- the one permission rule ------------------------------------------------------
    # The admin is the staff's and auditors' place: staff change (every record, by the rule),
    # auditors read (``rectify.rules.permissions``), whatever Django model permissions a
    # user may hold. Subclasses narrow this (a signed-off task, a frozen publication).

    def has_module_permission(self, request):
        return permissions.reads_all(request.user)

    def has_view_permission(self, request, obj=None):
        return permissions.reads_all(request.user)

    def has_add_permission(self, request):
        return permissions.is_staff(request.user)

    def has_change_permission(self, request, obj=None):
        return permissions.is_staff(request.user)

    def has_delete_permission(self, request, obj=None):
        return permissions.is_staff(request.user)

    def get_queryset(self, request):
        """Only the records this user may see (``rectify.rules.permissions``): everything for staff
        and auditors, who are the admin's users; nothing of another bureau for anyone else."""
        return permissions.visible(super().get_queryset(request), request.user)

    # -- writes through the services -------------------------------------------------

    def save_model(self, request, obj, form, change):
        # The version the form was read at (a hidden field where the form carries one).
        version = form.cleaned_data.get("version") if change else None
        save_record(obj, request.user, expected_version=version)

    def delete_model(self, request, obj):
        delete_record(obj, request.user)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for obj in queryset:
                delete_record(obj, request.user)

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        # The version each inline row was read at, where its form carries one.
        versions = {id(f.instance): f.cleaned_data.get("version") for f in formset.forms
                    if getattr(f, "cleaned_data", None) and f.instance.pk}
        for obj in formset.deleted_objects:
            delete_record(obj, request.user, expected_version=versions.get(id(obj)))
        for obj in instances:
            save_record(obj, request.user, expected_version=versions.get(id(obj)))
        formset.save_m2m()

    # -- related choices without N+1 ---------------------------------------------------

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # Rounds print their party group; categories are shown with their round.
        if db_field.related_model is InspectionRound and "queryset" not in kwargs:
            kwargs["queryset"] = InspectionRound.objects.select_related("party_group")
        elif db_field.related_model is ProblemCategory and "queryset" not in kwargs:
            kwargs["queryset"] = ProblemCategory.objects.select_related("round__party_group")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    # -- read-only history -------------------------------------------------------------

    def get_historical_record_context_helper(self, request, historical_record):
        return ReadableHistoryHelper(self.model, historical_record)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        """A historical version, read-only; any POST is refused (no revert, no edit)."""
        if request.method not in ("GET", "HEAD"):
            raise PermissionDenied
        request.rectify_history_version = True
        return super().history_form_view(request, object_id, version_id, extra_context)

    @staticmethod
    def _in_history_version(request) -> bool:
        return getattr(request, "rectify_history_version", False)

    #: Fieldsets of the add page, when it differs from the change page.
    add_fieldsets: list | None = None

    def get_fieldsets(self, request, obj=None):
        if obj is None and self.add_fieldsets is not None:
            return self.add_fieldsets
        fieldsets = super().get_fieldsets(request, obj)
        if not self._in_history_version(request):
            return fieldsets
        hidden = set(self.history_hidden_fields)
        stripped = []
        for name, options in fieldsets:
            fields = [f for f in options.get("fields", ()) if f not in hidden]
            if fields:
                stripped.append((name, {**options, "fields": fields}))
        return stripped

    def get_readonly_fields(self, request, obj=None):
        if self._in_history_version(request):
            return flatten_fieldsets(self.get_fieldsets(request, obj))
        return super().get_readonly_fields(request, obj)
