"""Django's user admin, with the password page's help text in the reader's language.

Django's ``AdminPasswordChangeForm`` joins its lazy help text to a string when it is
imported, which fixes it in the language of that moment (Chinese here) and leaves its own
warning untranslated; this form builds it when it is shown.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm, SetUnusablePasswordMixin
from django.contrib.auth.models import User
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _


class PasswordChangeForm(AdminPasswordChangeForm):
    usable_password_help_text = format_lazy(
        "{}{}", SetUnusablePasswordMixin.usable_password_help_text,
        format_lazy('<ul id="id_unusable_warning" class="messagelist"><li class="warning">'
                    "{}</li></ul>", _("停用后，该用户当前的密码将丢失。")))


class RectifyUserAdmin(UserAdmin):
    change_password_form = PasswordChangeForm


admin.site.unregister(User)
admin.site.register(User, RectifyUserAdmin)
