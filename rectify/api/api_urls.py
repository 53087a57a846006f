"""The API's URLs, namespace ``api``: the router's record types (one ``*_views`` module each)
and its root, the schema, the docs, tokens.

``api:task-list``, ``api:task-detail``, ``api:task-history``, ``api:task-sign-off``,
``api:task-review``, ``api:task-evidence``, ``api:evidence-download`` …;
``api:schema`` (OpenAPI), ``api:docs`` (Swagger UI, served from vendored files), ``api:token``.
"""

from django.urls import include, path
from django.utils.translation import gettext_lazy
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import AllowAny
from rest_framework.routers import APIRootView, DefaultRouter

from rectify.api.category_views import CategoryViewSet
from rectify.api.evidence_views import EvidenceViewSet
from rectify.api.figure_views import OutcomeFigureViewSet
from rectify.api.measure_views import MeasureViewSet
from rectify.api.notice_views import NoticeViewSet
from rectify.api.notification_views import NotificationViewSet
from rectify.api.party_group_views import PartyGroupViewSet
from rectify.api.publication_views import PublicationViewSet
from rectify.api.round_views import RoundViewSet
from rectify.api.statistics_views import StatisticsView
from rectify.api.task_views import TaskViewSet
from rectify.api.token_views import ObtainTokenView, RevokeTokenView

app_name = "api"


class APIRoot(APIRootView):
    """Rectify's REST API: every record type, the same rule as every other surface.
    Schema at /api/schema/, documentation at /api/docs/."""

    name = gettext_lazy("API 首页")  # the page's title and first breadcrumb, not "Api Root"
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
router.register("figures", OutcomeFigureViewSet, basename="figure")
router.register("notices", NoticeViewSet, basename="notice")
router.register("publications", PublicationViewSet, basename="publication")
router.register("notifications", NotificationViewSet, basename="notification")


urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # Its start script from ?script= and its styles from a static file: no inline script or
    # style, so that it runs under the Content-Security-Policy.
    path("docs/", SpectacularSwaggerSplitView.as_view(
        url_name="api:schema", template_name="api_docs/swagger_ui.html"), name="docs"),
    path("auth/token/", ObtainTokenView.as_view(), name="token"),
    path("auth/token/revoke/", RevokeTokenView.as_view(), name="token-revoke"),
    path("statistics/", StatisticsView.as_view(), name="statistics"),
    path("", include(router.urls)),
    # Any other address under /api/ answers the API's JSON 404: rectify.error_pages.
]
