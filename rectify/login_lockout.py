"""django-axes' handler with a second lock: per address, whatever the user names.

Named in ``AXES_HANDLER``; see :mod:`rectify.throttling` for the whole picture.
"""

from __future__ import annotations

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum


class AddressLockoutHandler(AxesDatabaseHandler):
    """axes' database handler, also locking an address after ``LOGIN_FAILURES_PER_ADDRESS``
    failed logins (any user names) within the cool-off time: many names from one address are
    stopped, and one user cannot lock out another who signs in from elsewhere."""

    def is_locked(self, request, credentials=None) -> bool:
        return super().is_locked(request, credentials) or self.address_failures(
            request) >= settings.LOGIN_FAILURES_PER_ADDRESS

    def address_failures(self, request) -> int:
        address = getattr(request, "axes_ip_address", None)
        if not address:
            return 0
        attempts = AccessAttempt.objects.filter(ip_address=address)
        if settings.AXES_COOLOFF_TIME is not None:
            attempts = attempts.filter(attempt_time__gte=get_cool_off_threshold(request))
        return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0


    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        """Record the failure (axes), and lock the address once it reaches its limit: the
        failure that reaches it is answered as a lockout, as for a user name."""
        super().user_login_failed(sender, credentials, request, **kwargs)
        if request is None or getattr(request, "axes_locked_out", False):
            return
        if self.address_failures(request) >= settings.LOGIN_FAILURES_PER_ADDRESS:
            request.axes_locked_out = True
            request.axes_credentials = credentials
