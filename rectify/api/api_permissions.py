"""The API's permission class: ``rectify.rules.permissions`` applied to requests.

Reads are scoped by the viewsets' querysets (``permissions.visible``): a record the user
may not see is a 404, never a 403. Writes need an authenticated user whom the rule allows
the action; a record the user may see but not change (an auditor's, a clerk's sign-off) is
a 403. Anonymous readers get the publications and nothing else (401 elsewhere).
"""

from __future__ import annotations

from rest_framework.permissions import SAFE_METHODS, BasePermission


class RecordPermission(BasePermission):
    """Asks the viewset's ``may(user, action, obj=None)``, which asks
    ``rectify.rules.permissions``."""

    #: OPTIONS asks "may I PUT / POST here?" with the request's method changed.
    METADATA_ACTIONS = {"PUT": "update", "POST": "create"}

    @classmethod
    def _action(cls, request, view) -> str | None:
        if view.action == "metadata":
            return cls.METADATA_ACTIONS.get(request.method)
        return view.action

    def has_permission(self, request, view) -> bool:
        user = request.user
        if request.method in SAFE_METHODS:
            return bool(user and user.is_authenticated) or getattr(view, "anonymous_read", False)
        if not (user and user.is_authenticated):
            return False
        return view.may(user, self._action(request, view))

    def has_object_permission(self, request, view, obj) -> bool:
        if request.method in SAFE_METHODS:
            return True
        return view.may(request.user, self._action(request, view), obj)
