"""The API's URLs, namespace ``api``: the router's record types (one ``*_views`` module each)
and its root, the schema, the docs, tokens.

``api:task-list``, ``api:task-detail``, ``api:task-history``, ``api:task-sign-off``,
``api:task-review``, ``api:task-evidence``, ``api:evidence-download`` …;
``api:schema`` (OpenAPI), ``api:docs`` (Swagger UI, served from vendored files), ``api:token``.
"""

from django.http import JsonResponse
from django.urls import include, path, re_path
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework import exceptions
from rest_framework.permissions import AllowAny
from rest_framework.routers import APIRootView, DefaultRouter

from rectify.api.category_views import CategoryViewSet
from rectify.api.evidence_views import EvidenceViewSet
from rectify.api.measure_views import MeasureViewSet
from rectify.api.notice_views import NoticeViewSet
from rectify.api.notification_views import NotificationViewSet
from rectify.api.party_group_views import PartyGroupViewSet
from rectify.api.publication_views import PublicationViewSet
from rectify.api.round_views import RoundViewSet
from rectify.api.task_views import TaskViewSet
from rectify.api.token_views import ObtainTokenView

app_name = "api"


class APIRoot(APIRootView):
    """Rectify's REST API: every record type, the same rule as every other surface.
    Schema at /api/schema/, documentation at /api/docs/."""

    permission_classes = [AllowAny]


class Router(DefaultRouter):
    APIRootView = APIRoot
    include_format_suffixes = False


router = Router()
router.register("party-groups", PartyGroupViewSet, basename="partygroup")
router.register("rounds", RoundViewSet, basename="round")
router.register("categories", CategoryViewSet, basename="category")
router.register("tasks", TaskViewSet, basename="task")
router.register("measures", MeasureViewSet, basename="measure")
router.register("evidence", EvidenceViewSet, basename="evidence")
router.register("notices", NoticeViewSet, basename="notice")
router.register("publications", PublicationViewSet, basename="publication")
router.register("notifications", NotificationViewSet, basename="notification")

@csrf_exempt  # answers every method alike: nothing to protect
def not_found(request, rest=""):
    """Any other address under /api/: the API's 404 (JSON), never an HTML page."""
    return JsonResponse({"detail": str(exceptions.NotFound.default_detail)}, status=404)


urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("auth/token/", ObtainTokenView.as_view(), name="token"),
    path("", include(router.urls)),
    re_path(r"^(?P<rest>.*)$", not_found),
]
