"""The forms of the account pages: a new API token (name, validity)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from rectify.services import api_tokens

#: The validities offered for a new token, in days (the setting's default is added if missing).
VALIDITY_DAYS = (7, 30, 90, 180, 365)


def validity_choices() -> list[tuple[str, str]]:
    days = sorted({*VALIDITY_DAYS, api_tokens.default_days()})
    return [(str(n), ngettext("%(days)d 天", "%(days)d 天", n) % {"days": n}) for n in days]


class TokenCreateForm(forms.Form):
    name = forms.CharField(
        label=_("名称"), max_length=100,
        help_text=_("写明用途，例如“台账同步脚本”，便于日后识别和撤销。"),
        error_messages={"required": _("请填写令牌的名称。")})
    days = forms.TypedChoiceField(
        label=_("有效期"), coerce=int, choices=validity_choices,
        error_messages={"required": _("请选择有效期。"),
                        "invalid_choice": _("请从列表中选择有效期。")})

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"days": str(api_tokens.default_days())})
        super().__init__(*args, **kwargs)

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("请填写令牌的名称。"))
        return name
