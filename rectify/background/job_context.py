"""The header's link to the user's background jobs (后台任务), shown once the user has
submitted one in this session, and always to the inspection staff (the system's periodic
jobs are theirs to follow): read from the session and the user's roles (cached on the user,
read for the header anyway), no query of its own."""

from __future__ import annotations

from rectify.rules import permissions
from rectify.services import jobs


def jobs_nav(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_jobs": False}
    return {"nav_jobs": bool(request.session.get(jobs.SESSION_FLAG))
            or permissions.can_run_periodic_jobs(user)}
