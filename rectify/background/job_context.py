"""The header's link to the user's background jobs (后台任务), shown once the user has
submitted one in this session: read from the session, no query."""

from __future__ import annotations

from rectify.services import jobs


def jobs_nav(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_jobs": False}
    return {"nav_jobs": bool(request.session.get(jobs.SESSION_FLAG))}
