"""The account pages, mounted at /accounts/ (namespace ``accounts``); the login and logout are
in ``rectify.urls``."""

from django.urls import path

from rectify.accounts import account_views as views
from rectify.throttling import rate_limited

app_name = "accounts"

urlpatterns = [
    path("password_change/", views.PasswordChangeView.as_view(), name="password_change"),
    path("password_change/done/", views.PasswordChangeDoneView.as_view(),
         name="password_change_done"),
    # PASSWORD_RESET_RATE posts per address, then 429: each post may send an e-mail.
    path("password_reset/", rate_limited("password_reset")(views.PasswordResetView.as_view()),
         name="password_reset"),
    path("password_reset/done/", views.PasswordResetDoneView.as_view(),
         name="password_reset_done"),
    path("reset/<uidb64>/<token>/", views.PasswordResetConfirmView.as_view(),
         name="password_reset_confirm"),
    path("reset/done/", views.PasswordResetCompleteView.as_view(),
         name="password_reset_complete"),
    path("tokens/", views.token_list, name="tokens"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
]
