"""What the site header offers the signed-in user, from the one permission rule (templates
never read roles or Django permissions to decide it)."""

from __future__ import annotations

from rectify.rules import permissions


def site_nav(request) -> dict:
    """``nav.review_queue``: staff, auditors and bureau leaders have a review queue (the
    roles are read once per request and cached on the user)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": {"review_queue": False}}
    return {"nav": {"review_queue": permissions.reads_all(user)
                    or permissions.can_decide_proposals(user)}}
