"""Top-level URLs."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView

from rectify.throttling import rate_limited

# Errors in the look of the surface they happen on (JSON under /api/): rectify.error_pages.
handler400 = "rectify.error_pages.bad_request"
handler403 = "rectify.error_pages.permission_denied"
handler404 = "rectify.error_pages.page_not_found"
handler500 = "rectify.error_pages.server_error"

admin.site.site_header = _("Rectify 巡察整改管理")
admin.site.site_title = "Rectify"
admin.site.index_title = _("巡察整改")

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    # Login for every role outside the admin (clerks are not let into the admin).
    # LOGIN_RATE attempts per address, then 429 (rectify.throttling); the password-reset
    # form is limited the same way (PASSWORD_RESET_RATE, rectify.accounts.account_urls).
    path("accounts/login/", rate_limited("login")(auth_views.LoginView.as_view()), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    # Password change and reset, API tokens: every role.
    path("accounts/", include("rectify.accounts.account_urls")),
    path("notices/", include("rectify.public.public_urls")),
    # The browsable API's login and logout (namespace rest_framework), then the API itself.
    path("api/auth/", include("rest_framework.urls")),
    path("api/", include("rectify.api.api_urls")),
    path("ledger/", include("rectify.ledger.ledger_urls")),  # the Excel ledger (整改台账)
    path("work/", include("rectify.workpages.work_urls")),  # clerks' pages, review queue, overview
    path("dashboard/", include("rectify.dashboard.dashboard_urls")),  # statistics, charts
    path("jobs/", include("rectify.background.job_urls")),  # background jobs and their results
    path("", RedirectView.as_view(pattern_name="public:notice_list", permanent=False)),
]
