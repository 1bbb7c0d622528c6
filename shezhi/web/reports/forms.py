"""The reports pages' forms: start a draft (unit, kind, period), edit its text, issue it."""

from django import forms
from django.utils.translation import gettext_lazy as _

from shezhi.reports.models import NARRATIVE_MAX, Report
from shezhi.web.forms_base import DomainForm


class NewReportForm(DomainForm):
    domain_fields = {"period": "value"}

    unit = forms.TypedChoiceField(label=_("单位"), coerce=int)
    kind = forms.ChoiceField(label=_("类型"), choices=Report.Kind.choices)
    value = forms.CharField(
        label=_("期间"),
        max_length=10,
        help_text=_("月报填年月，如 2026-11；年度报告填年份，如 2026"),
        widget=forms.TextInput(attrs={"placeholder": "2026-11", "inputmode": "numeric"}),
    )

    def __init__(self, *args, units: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = units


class EditReportForm(DomainForm):
    title = forms.CharField(label=_("标题"), max_length=80)
    narrative = forms.CharField(
        label=_("工作小结"),
        max_length=NARRATIVE_MAX,
        required=False,
        help_text=_("本期重点工作、特色做法、存在问题和下期打算（最多 5000 字）"),
        widget=forms.Textarea(attrs={"rows": 12}),
    )
    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class IssueForm(forms.Form):
    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
