"""The API's URLs, namespace ``api``: the router's record types, the schema, the docs, tokens.

``api:task-list``, ``api:task-detail``, ``api:task-history``, ``api:task-sign-off``,
``api:task-review``, ``api:task-evidence``, ``api:evidence-download`` …;
``api:schema`` (OpenAPI), ``api:docs`` (Swagger UI, served from vendored files), ``api:token``.
"""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from rectify.api import api_views as views

app_name = "api"


class Router(DefaultRouter):
    APIRootView = views.APIRoot
    include_format_suffixes = False


router = Router()
router.register("party-groups", views.PartyGroupViewSet, basename="partygroup")
router.register("rounds", views.RoundViewSet, basename="round")
router.register("categories", views.CategoryViewSet, basename="category")
router.register("tasks", views.TaskViewSet, basename="task")
router.register("measures", views.MeasureViewSet, basename="measure")
router.register("evidence", views.EvidenceViewSet, basename="evidence")
router.register("notices", views.NoticeViewSet, basename="notice")
router.register("publications", views.PublicationViewSet, basename="publication")

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("auth/token/", views.ObtainTokenView.as_view(), name="token"),
    path("", include(router.urls)),
]
