"""Forms of the work pages. They only parse and label input; the rules (dates, required
notes, evidence, who may do what) are in the models' ``clean()`` and the services, whose
errors the views put back on these forms next to the field they name."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from rectify.models import Measure, OutcomeFigure
from rectify.models.choices import Status
from rectify.models.outcomes import UNITS, FigureKind
from rectify.services.form_widgets import DatePicker as DateInput


class IdsMixin:
    """Several forms share one page: each gets its own HTML ids (``id_<prefix>_<field>``)
    while its field names stay plain."""

    id_prefix = ""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", f"id_{self.id_prefix}_%s" if self.id_prefix else "id_%s")
        super().__init__(*args, **kwargs)


class PageForm(IdsMixin, forms.Form):
    pass


class VersionedForm(PageForm):
    """Carries the version of the record the user read: a save over a newer one is refused."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


def textarea(rows: int = 4) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class ProgressForm(VersionedForm):
    id_prefix = "progress"
    progress = forms.CharField(label=_("整改进展（汇总）"), required=False, widget=textarea(6),
                               help_text=_("面向审核人员的整改进展概述，可随时更新"))
    outcome = forms.CharField(label=_("整改成效"), required=False, widget=textarea(4),
                              help_text=_("通报中“经过整改，……”一段：取得的成效"))


class EntryForm(PageForm):
    id_prefix = "entry"
    date = forms.DateField(label=_("日期"), widget=DateInput, initial=timezone.localdate)
    text = forms.CharField(label=_("进展情况"), widget=textarea(3), max_length=5000)


class MeasureForm(IdsMixin, forms.ModelForm):
    id_prefix = "measure"
    class Meta:
        model = Measure
        fields = ["text", "responsible_unit", "due_date"]
        widgets = {"text": textarea(3), "due_date": DateInput}


class MeasureEditForm(MeasureForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


def figure_kind_choices() -> list[tuple[str, str]]:
    """The kinds with their fixed units in the label ("建立完善制度（项）"): no script needed
    to show which unit a kind takes."""
    return [(kind, format_lazy(_("{label}（{unit}）"), label=label,
                               unit=UNIT_NAMES.get(UNITS[kind], UNITS[kind]))
             if kind in UNITS
             else format_lazy(_("{label}（{unit}）"), label=label, unit=_("自填名称和单位")))
            for kind, label in FigureKind.choices]


#: The fixed units as the interface names them (the records keep the notices' own 万元, 人…).
UNIT_NAMES = {"项": pgettext_lazy("figure unit", "项"),
              "万元": pgettext_lazy("figure unit", "万元"),
              "件": pgettext_lazy("figure unit", "件"),
              "人": pgettext_lazy("figure unit", "人")}


class FigureForm(IdsMixin, forms.ModelForm):
    """An outcome figure of a task: the unit follows the kind, except for 其他."""

    id_prefix = "figure"

    class Meta:
        model = OutcomeFigure
        fields = ["kind", "value", "unit", "label", "note"]
        help_texts = {
            "unit": _("类别为“其他”时必填；其他类别的单位见类别名称，可不填"),
            "label": _("类别为“其他”时必填，例如：收回土地"),
            "value": _("资金、损失以万元计，例如 6300 元填 0.63"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("请选择类别")), *figure_kind_choices()]


class FigureEditForm(FigureForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class EvidenceForm(PageForm):
    id_prefix = "evidence"
    file = forms.FileField(label=_("佐证材料"), help_text=_(
        "PDF、图片（JPG、PNG、GIF、WebP）或 Office 文件（Word、Excel、PowerPoint）"))
    description = forms.CharField(label=_("说明"), required=False, max_length=200)


class ProposalForm(VersionedForm):
    id_prefix = "proposal"
    status = forms.ChoiceField(
        label=_("提议整改状态"),
        choices=[(value, label) for value, label in Status.choices if value in Status.done()])
    completion_date = forms.DateField(label=_("完成时间"), widget=DateInput,
                                      initial=timezone.localdate)
    note = forms.CharField(label=_("提议说明"), widget=textarea(4), max_length=5000,
                           help_text=_("说明做了哪些整改、取得什么成效"))
    file = forms.FileField(label=_("附佐证材料"), required=False,
                           help_text=_("任务尚无佐证材料时必须上传"))
    description = forms.CharField(label=_("材料说明"), required=False, max_length=200)


class ReviewForm(VersionedForm):
    id_prefix = "review"
    APPROVE, RETURN = "approve", "return"

    decision = forms.ChoiceField(label=_("审核结果"), widget=forms.RadioSelect, choices=[
        (APPROVE, _("通过（已完成的即销号）")), (RETURN, _("退回，请单位补充或改正")),
    ])
    comment = forms.CharField(label=_("审核意见"), widget=textarea(3), required=False,
                              max_length=5000, help_text=_("退回时必填"))

    def __init__(self, *args, first_level: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if first_level:  # the bureau leader passes a proposal on; the office signs it off
            self.fields["decision"].choices = [
                (self.APPROVE, _("通过，报巡察办审核")),
                (self.RETURN, _("退回，请单位补充或改正"))]


class ReopenForm(VersionedForm):
    id_prefix = "reopen"
    reason = forms.CharField(label=_("重新打开的理由"), widget=textarea(3), max_length=5000,
                             help_text=_("回头看发现的问题，将记入历史并告知单位"))


class ExtensionForm(VersionedForm):
    """A request for a later due date. Both fields are checked by the rule
    (``rectify.rules.extension_rules``), whose messages name the field and the dates."""

    id_prefix = "extension"
    new_deadline = forms.DateField(label=_("申请延期至"), widget=DateInput, required=False,
                                   help_text=_("须晚于当前时限"))
    reason = forms.CharField(
        label=_("延期理由"), widget=textarea(3), required=False, max_length=5000,
        help_text=_("必填。申请的日期晚于本轮集中整改结束日期的，即超出集中整改期限，"
                    "须在理由中说明原因"))


class ExtensionDecisionForm(VersionedForm):
    id_prefix = "extension_decision"
    APPROVE, REFUSE = "approve", "refuse"

    decision = forms.ChoiceField(label=_("审批结果"), widget=forms.RadioSelect, choices=[
        (APPROVE, _("批准延期")), (REFUSE, _("不批准")),
    ])
    comment = forms.CharField(label=_("审批意见"), widget=textarea(3), required=False,
                              max_length=5000, help_text=_("不批准时必填"))


class WithdrawForm(VersionedForm):
    id_prefix = "withdraw"
    pass


class DeleteForm(VersionedForm):
    id_prefix = "delete"
    pass


class ReorderForm(forms.Form):
    """Move one measure up or down in the order the page showed (``order``)."""

    UP, DOWN = "up", "down"

    measure = forms.IntegerField()
    direction = forms.ChoiceField(choices=[(UP, UP), (DOWN, DOWN)])
    order = forms.CharField()

    def clean_order(self) -> list[int]:
        try:
            return [int(part) for part in self.cleaned_data["order"].split(",")]
        except ValueError:
            raise ValidationError(_("措施顺序无效，请刷新页面后重试。"))

    def new_order(self) -> list[int]:
        order = list(self.cleaned_data["order"])
        measure = self.cleaned_data["measure"]
        if measure not in order:
            raise ValidationError(_("该措施已不在此任务中，请刷新页面。"))
        i = order.index(measure)
        j = i - 1 if self.cleaned_data["direction"] == self.UP else i + 1
        if 0 <= j < len(order):
            order[i], order[j] = order[j], order[i]
        return order


class NextStepsForm(VersionedForm):
    """The round's 下一步工作打算, the part of its rectification report written by people."""

    id_prefix = "next_steps"
    next_steps = forms.CharField(
        label=_("下一步工作打算"), required=False, widget=textarea(10), max_length=20000,
        help_text=_("写入整改情况报告第三部分，每段一行；留空时报告中提示尚未填写"))
