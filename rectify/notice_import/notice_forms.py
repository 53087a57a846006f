"""Forms of the import preview: upload or paste, then confirm the same text."""

from __future__ import annotations

import json

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from rectify.notice_import.node_kinds import clean_kinds
from rectify.notice_import.notice_reader import NoticeReadError, read_notice_file


class NoticeSourceForm(forms.Form):
    """A notice as a .txt/.docx upload or pasted text."""

    file = forms.FileField(label=_("通报文件"), required=False,
                           help_text=_("UTF-8 或 GB18030 编码的 .txt 文本，或 Word .docx 文件"))
    text = forms.CharField(label=_("或粘贴通报全文"), required=False,
                           widget=forms.Textarea(attrs={"rows": 12, "cols": 100}))
    party_group = forms.CharField(
        label=_("被巡察党组织"), required=False, max_length=200,
        help_text=_("留空则取通报落款，例如：中共许昌市教育局党组"),
    )

    def clean(self):
        data = super().clean()
        upload, text = data.get("file"), (data.get("text") or "").strip()
        if upload and text:
            raise ValidationError(_("请只上传文件或只粘贴文本，不要同时提供。"))
        if upload:
            limit = settings.NOTICE_MAX_UPLOAD_BYTES
            if upload.size > limit:
                self.add_error("file", _("文件超过 {size} MB，未读取。").format(
                    size=f"{limit / (1024 * 1024):g}"))
                return data
            try:
                data["notice_text"] = read_notice_file(upload.read(), filename=upload.name)
            except NoticeReadError as exc:
                self.add_error("file", str(exc))
        elif text:
            data["notice_text"] = text
        else:
            raise ValidationError(_("请上传通报文件或粘贴通报全文。"))
        return data


class NoticeConfirmForm(forms.Form):
    """The previewed text travels back unchanged and is parsed again on confirm.

    With it the headings staff read otherwise (``kinds``: ``{line: kind}`` as JSON, chosen
    earlier), and this preview's choices: a select ``kind_<line>`` per heading beside the
    kind shown (``shown_<line>``); a select changed from what was shown is a new choice.
    """

    notice_text = forms.CharField(widget=forms.HiddenInput, strip=False)
    party_group = forms.CharField(widget=forms.HiddenInput, required=False)
    kinds = forms.CharField(widget=forms.HiddenInput, required=False)

    #: Most headings a form may choose for (a notice has hundreds at most).
    MAX_CHOICES = 20_000

    def clean_kinds(self) -> dict[int, str]:
        raw = self.cleaned_data.get("kinds") or ""
        try:
            chosen = clean_kinds(json.loads(raw)) if raw else {}
        except (ValueError, AttributeError):
            raise ValidationError(_("导入数据不完整，请重新上传。")) from None
        changed: dict[int, str] = {}
        for key, value in list(self.data.items())[: self.MAX_CHOICES]:
            if not key.startswith("kind_"):
                continue
            line = key.removeprefix("kind_")
            if value != self.data.get(f"shown_{line}"):
                changed[line] = value
        chosen.update(clean_kinds(changed))
        return chosen
