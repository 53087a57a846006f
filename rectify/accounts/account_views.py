"""The account pages (/accounts/…), for every role: change the password, reset a forgotten one
by e-mail, and manage one's own API tokens. A password change or reset revokes every API token
of the user (``rectify.services.api_tokens``)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from rectify.accounts.account_forms import TokenCreateForm
from rectify.services import api_tokens


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change_form.html"
    success_url = reverse_lazy("accounts:password_change_done")


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "accounts/password_change_done.html"


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset_form.html"
    email_template_name = "accounts/password_reset_email.txt"
    subject_template_name = "accounts/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    @property
    def extra_email_context(self):
        # Links in e-mails use the configured address, never the request's Host header.
        return {"site_url": settings.SITE_URL}


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def token_list(request):
    """The user's API tokens (name, created, expires, last use) and a form for a new one; the
    new token's secret is on the answer to the POST and nowhere else."""
    secret = new_token = None
    if request.method == "POST":
        form = TokenCreateForm(request.POST)
        if form.is_valid():
            new_token, secret = api_tokens.issue_token(
                request.user, form.cleaned_data["name"], form.cleaned_data["days"])
            form = TokenCreateForm()
    else:
        form = TokenCreateForm()
    return render(request, "accounts/token_list.html", {
        "form": form, "tokens": api_tokens.user_tokens(request.user),
        "secret": secret, "new_token": new_token,
    }, status=400 if request.method == "POST" and form.errors else 200)


@login_required
@require_POST
def token_revoke(request, pk: int):
    if not api_tokens.revoke_token(request.user, pk):
        raise Http404(_("没有这个令牌。"))
    messages.success(request, _("令牌已撤销，使用它的请求将被拒绝。"))
    return redirect("accounts:tokens")
