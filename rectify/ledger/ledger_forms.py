"""Forms of the ledger page: the upload of an edited ledger, and the words for a selection."""

from __future__ import annotations

import datetime

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rectify.ledger.ledger_upload import max_upload_bytes


class LedgerUploadForm(forms.Form):
    """An edited ledger (.xlsx) to preview; the file itself is checked by the importer."""

    file = forms.FileField(
        label=gettext_lazy("已编辑的台账（.xlsx）"),
        help_text=gettext_lazy("只修改可编辑的列：整改措施、责任领导、责任科室、整改时限、整改进展、"
                               "整改状态、完成时间；整改结果只能清空。"),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = max_upload_bytes()
        if upload.size > limit:
            raise forms.ValidationError(
                _("文件过大（{size:.1f} MB）：台账文件不能超过 {limit} MB。").format(
                    size=upload.size / 1024 / 1024, limit=limit // 1024 // 1024))
        return upload


def _shown(value) -> str:
    if isinstance(value, slice):
        start, stop = value.start, value.stop
        return _("{start} 至 {stop}").format(start=_shown(start) if start else "…",
                                             stop=_shown(stop) if stop else "…")
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def describe(filterset) -> str:
    """The filters in words for the ledger's title, e.g. "整改状态：正在推进；是否逾期：是"."""
    if not filterset.is_bound or not filterset.is_valid():
        return ""
    form = filterset.form
    parts = []
    for name, field in form.fields.items():
        value = form.cleaned_data.get(name)
        if value in (None, "", [], ()) or (isinstance(value, slice) and not (
                value.start or value.stop)):
            continue
        if isinstance(field, forms.ChoiceField) and not isinstance(field, forms.ModelChoiceField):
            value = dict(field.choices).get(value, value)
        parts.append(f"{field.label}：{_shown(value)}")
    return "；".join(parts)
