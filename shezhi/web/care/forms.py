"""Forms of the care pages (关爱走访): they check the shape of input; the rules (dates, scope,
who may change a risk level) live in shezhi.care.services and shezhi.care.campaigns."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shezhi.care.models import CHECKLIST, RISK_CHOICES, CampaignStop, CareAlert, Check, Visit
from shezhi.people.models import VulnerabilityTag
from shezhi.web.forms_base import DomainForm, NeedFieldsMixin
from shezhi.web.pickers import resident_picker_field

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MAX_ID = 2**63 - 1

CHECK_LABELS = {
    "health": _("健康"),
    "meals": _("饮食"),
    "safety": _("安全隐患"),
    "mood": _("情绪"),
    "living": _("居住条件"),
    "needs": _("需求"),
}


def _id(label, **kw) -> forms.IntegerField:
    return forms.IntegerField(label=label, min_value=1, max_value=MAX_ID, **kw)


class VisitForm(NeedFieldsMixin, DomainForm):
    """The visit log from the phone: the standard checklist, and optionally a need for the
    ledger (prefilled with the resident) and a suggested risk level."""

    domain_fields = {"checklist": "note", "description": "need_description"}

    visited_on = forms.DateField(label=_("走访日期"), widget=DATE)
    mode = forms.ChoiceField(label=_("方式"), choices=Visit.Mode.choices, initial=Visit.Mode.HOME)
    contact_made = forms.TypedChoiceField(
        label=_("是否见到本人"),
        coerce=lambda v: v == "yes",
        choices=[("yes", _("见到本人")), ("no", _("无人应答"))],
        widget=forms.RadioSelect,
        initial="yes",
    )
    note = forms.CharField(
        label=_("走访记录"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    raise_need = forms.BooleanField(label=_("登记为需求（进入民情台账）"), required=False)
    category = forms.ChoiceField(label=_("需求类别"), required=False)
    urgency = forms.ChoiceField(label=_("紧急程度"), required=False)
    need_description = forms.CharField(
        label=_("需求描述"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    risk_level = forms.ChoiceField(
        label=_("风险等级变化"),
        required=False,
        choices=[("", _("不变"))] + RISK_CHOICES,
        help_text=_("社工、网格员直接调整；志愿者的意见供社工参考"),
    )
    risk_reasons = forms.CharField(label=_("调整原因"), required=False, max_length=300)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("visited_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        for item in CHECKLIST:
            self.fields[item] = forms.ChoiceField(
                label=CHECK_LABELS[item],
                choices=Check.choices,
                initial=Check.UNKNOWN,
                widget=forms.RadioSelect,
            )
            self.fields[f"{item}_note"] = forms.CharField(
                label=_("说明"),
                required=False,
                max_length=200,
                widget=forms.TextInput(attrs={"placeholder": _("说明（可选）")}),
            )
        self._set_taxonomy_choices()
        for name in ("category", "urgency"):
            self.fields[name].choices = [("", "—"), *self.fields[name].choices]

    def checklist_rows(self):
        return [(self[item], self[f"{item}_note"]) for item in CHECKLIST]

    def clean(self):
        data = super().clean()
        if data.get("raise_need"):
            for name in ("category", "urgency", "need_description"):
                if not data.get(name):
                    self.add_error(name, _("登记需求时请填写此项"))
        return data


class ProfileForm(DomainForm):
    risk_level = forms.ChoiceField(label=_("风险等级"), choices=RISK_CHOICES)
    risk_reasons = forms.CharField(
        label=_("风险原因"), max_length=300, help_text=_("如：80岁以上独居；刚出院")
    )
    major_change = forms.CharField(
        label=_("重大变故（可选）"),
        required=False,
        max_length=200,
        help_text=_("出院、丧亲等：须在24小时内走访"),
    )


class ContactForm(DomainForm):
    domain_fields = {"contact_id": "contact"}

    contact = forms.TypedChoiceField(label=_("一对一联系人"), coerce=int, choices=())
    started_on = forms.DateField(label=_("开始日期"), required=False, widget=DATE)

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contact"].choices = [(u.pk, label) for u, label in candidates]


class ContactEndForm(DomainForm):
    reason = forms.CharField(label=_("结束原因"), max_length=200)


class RegistryFilter(DomainForm):
    risk = forms.ChoiceField(label=_("风险等级"), required=False, choices=())
    unit = forms.TypedChoiceField(label=_("社区/网格"), required=False, coerce=int, choices=())
    no_contact = forms.BooleanField(label=_("无一对一联系人"), required=False)
    q = forms.CharField(label=_("姓名"), required=False, max_length=30)

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["risk"].choices = [("", _("全部风险等级")), *RISK_CHOICES]
        self.fields["unit"].choices = [("", _("全部社区/网格")), *units]


class RegisterForm(DomainForm):
    """Open the care profile page of a resident (picked by name) to register them."""

    resident = resident_picker_field(_("居民"), help_text=_("输入姓名搜索"))


class AlertFilter(DomainForm):
    kind = forms.ChoiceField(label=_("类型"), required=False, choices=())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("全部类型")), *CareAlert.Kind.choices]


class ReportForm(DomainForm):
    """强制报告: when and to whom the possible harm to a child was reported."""

    reported_to = forms.CharField(
        label=_("报告对象"), max_length=100, help_text=_("公安、民政、教育等部门及经办人")
    )
    reported_at = forms.DateTimeField(
        label=_("报告时间"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )


class CloseForm(DomainForm):
    note = forms.CharField(
        label=_("关闭原因（处置说明）"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("写明已如何处置，例如：已上门核实，本人安全，已联系家属。"),
    )
    confirm = forms.BooleanField(
        label=_("我已核实，确认关闭该预警"),
        required=True,
        error_messages={"required": _("请勾选“确认关闭”")},
    )


class CampaignForm(DomainForm):
    domain_fields = {"unit_id": "unit"}

    unit = forms.TypedChoiceField(label=_("范围（社区或网格）"), coerce=int, choices=())
    name = forms.CharField(label=_("行动名称"), max_length=60, help_text=_("如：高温前敲门行动"))
    reason = forms.CharField(label=_("缘由"), required=False, max_length=200)
    tags = forms.MultipleChoiceField(
        label=_("只走访这些人群"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("不选则走访全部关爱对象"),
    )
    risk_levels = forms.MultipleChoiceField(
        label=_("只走访这些风险等级"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=RISK_CHOICES,
    )

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = list(units)
        self.fields["tags"].choices = list(
            VulnerabilityTag.objects.order_by("sort_order", "id").values_list("code", "name")
        )


class StopForm(DomainForm):
    outcome = forms.ChoiceField(
        label=_("走访结果"),
        choices=[c for c in CampaignStop.Outcome.choices if c[0] != CampaignStop.Outcome.PENDING],
    )
    note = forms.CharField(label=_("说明"), required=False, max_length=500)


class CoverageForm(DomainForm):
    by = forms.ChoiceField(
        label=_("统计层级"),
        required=False,
        choices=[("grid", _("网格")), ("compound", _("小区")), ("community", _("社区"))],
    )
