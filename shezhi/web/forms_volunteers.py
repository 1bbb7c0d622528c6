"""Forms of the volunteer pages: they check the shape of input; the services keep the rules."""

from django import forms
from django.utils.translation import gettext_lazy as _

from shezhi.web.forms import DomainForm


class CorrectionForm(DomainForm):
    """更正申请: the volunteer fills in only what is wrong."""

    domain_fields = {"record_id": "record", "changes": "reason"}

    record = forms.TypedChoiceField(label=_("服务记录"), coerce=int)
    service_date = forms.DateField(
        label=_("正确的服务日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    minutes = forms.IntegerField(
        label=_("正确的服务时长（分钟）"), required=False, min_value=1, max_value=24 * 60
    )
    place = forms.CharField(label=_("正确的服务地点"), required=False, max_length=200)
    content = forms.CharField(
        label=_("正确的服务内容"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    reason = forms.CharField(
        label=_("申请理由"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, records=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["record"].choices = [
            (r.pk, f"{r.service_date:%Y-%m-%d} {r.title}（{r.hours}h）") for r in records
        ]

    def changes(self) -> dict:
        data = self.cleaned_data
        return {
            f: data[f]
            for f in ("service_date", "minutes", "place", "content")
            if data.get(f) not in (None, "")
        }


class DecisionForm(DomainForm):
    """Approve or refuse (a correction, a late record, a team application)."""

    domain_fields = {"note": "reason"}

    decision = forms.ChoiceField(
        label=_("结论"),
        choices=[("approve", _("同意")), ("reject", _("不同意"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("意见或理由"),
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    @property
    def approve(self) -> bool:
        return self.cleaned_data["decision"] == "approve"


class RecordFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("状态"), required=False)
    q = forms.CharField(label=_("姓名、编号或活动"), required=False, max_length=30)

    def __init__(self, *args, status_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("全部"))] + list(status_choices)
