"""The form that starts a periodic job now (/jobs/periodic/): the day, and for the reminders a
dry run."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from rectify.services.form_widgets import DatePicker


class PeriodicRunForm(forms.Form):
    date = forms.DateField(
        label=_("日期"), required=False, widget=DatePicker,
        help_text=_("按该日期计算；留空为今天"),
        error_messages={"invalid": _("请填写有效的日期，例如 2024-06-30。")})
    dry_run = forms.BooleanField(
        label=_("试运行"), required=False,
        help_text=_("只列出将发送的邮件，不发送、不写入通知和发送记录"))

    def __init__(self, *args, dry_run: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not dry_run:
            del self.fields["dry_run"]

    def params(self) -> dict:
        day = self.cleaned_data.get("date")
        params = {"date": day.isoformat() if day else None}
        if "dry_run" in self.fields:
            params["dry_run"] = bool(self.cleaned_data.get("dry_run"))
        return params
