"""``Cache-Control: private, no-store`` on whatever a signed-in user is shown.

A page or a download for a signed-in user (work pages, ledger and its Excel files, evidence
files, the API, the admin, the party version of a notice) may hold what not everyone may read:
no shared cache may keep it, and the browser keeps no copy on disk. A view that sets its own
``Cache-Control`` keeps it. Anonymous answers — the public notices with their ETags and
Last-Modified — are left as the views made them, cacheable as before.
"""

from __future__ import annotations

from django.utils.cache import patch_cache_control

PRIVATE = {"private": True, "no_store": True}


class PrivateCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.has_header("Cache-Control"):
            return response
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, **PRIVATE)
        return response
