"""The bell (通知) in the header of the work pages and the admin: the signed-in user's unread
count, counted only if a page shows it (one COUNT query; nothing for anonymous users)."""

from __future__ import annotations

from django.utils.functional import SimpleLazyObject

from rectify.services import notifications


def notifications_context(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"notification_unread": 0}
    return {"notification_unread": SimpleLazyObject(
        lambda: notifications.unread_count(user))}
