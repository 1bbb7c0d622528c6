"""Forms of the casework desk pages (个案). They check the shape of input only; the rules
(consent, stage order, dates against intake, who may do what) live in shezhi.cases.services,
whose Chinese messages land back on these forms through `DomainForm.add_domain_error`."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shezhi.cases.models import (
    BenefitTask,
    Case,
    CaseClosure,
    Goal,
    InterventionLog,
    Referral,
    RiskLevel,
    Stage,
    TeamRole,
)
from shezhi.cases.services import emergency_max_hours
from shezhi.web.forms_base import DomainForm
from shezhi.web.pickers import resident_picker_field

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MAX_ID = 2**63 - 1
TEXTAREA = forms.Textarea(attrs={"rows": 3})

# Sources a worker picks on the intake form; a case from a need or an alert starts from there.
OPEN_SOURCES = [
    (Case.Source.WALK_IN.value, Case.Source.WALK_IN.label),
    (Case.Source.REFERRAL_IN.value, Case.Source.REFERRAL_IN.label),
    (Case.Source.VISIT.value, Case.Source.VISIT.label),
    (Case.Source.NEED.value, Case.Source.NEED.label),
    (Case.Source.CRISIS_ALERT.value, Case.Source.CRISIS_ALERT.label),
]


def _id(label, **kw) -> forms.IntegerField:
    return forms.IntegerField(label=label, min_value=1, max_value=MAX_ID, **kw)


def _today(kwargs: dict, *names: str) -> None:
    initial = kwargs.setdefault("initial", {})
    for name in names:
        initial.setdefault(name, timezone.localdate())


class ConsentFields(forms.Form):
    client_consent = forms.BooleanField(label=_("服务对象本人已知情同意"), required=False)
    guardian_name = forms.CharField(
        label=_("监护人姓名"),
        required=False,
        max_length=30,
        help_text=_("服务对象未满18周岁时必填"),
    )
    guardian_consent = forms.BooleanField(label=_("监护人已知情同意"), required=False)


class CaseOpenForm(ConsentFields, DomainForm):
    """接案: from a need, a care alert, a referral in, a visit or a walk-in."""

    domain_fields = {
        "guardian": "guardian_consent",
        "care_alert": "alert",
        "referral": "institution_name",
        "client_id": "client",
        "resident_id": "client",
    }

    source = forms.ChoiceField(label=_("来源"), choices=OPEN_SOURCES)
    client = resident_picker_field(
        _("服务对象"), required=False, help_text=_("输入姓名搜索；来自需求或预警时可不填")
    )
    need = _id(_("来源需求编号"), required=False)
    alert = _id(_("来源预警编号"), required=False)
    # No default: a problem type or risk level picked by the browser would be a guess on file.
    problem_type = forms.ChoiceField(
        label=_("问题类型"),
        choices=[("", _("— 请选择 —")), *Case.ProblemType.choices],
        error_messages={"required": _("请选择问题类型")},
    )
    risk_level = forms.ChoiceField(
        label=_("风险等级"),
        choices=[("", _("— 请选择 —")), *RiskLevel.choices],
        error_messages={"required": _("请选择风险等级")},
    )
    opened_on = forms.DateField(label=_("接案日期"), widget=DATE, required=False)
    institution_kind = forms.ChoiceField(
        label=_("转介机构类型"),
        choices=[("", "—")] + Referral.InstitutionKind.choices,
        required=False,
    )
    institution_name = forms.CharField(label=_("转介机构名称"), required=False, max_length=100)
    contact = forms.CharField(label=_("联系人及电话"), required=False, max_length=100)
    referral_reason = forms.CharField(
        label=_("转介原因"), required=False, max_length=500, widget=TEXTAREA
    )

    def __init__(self, *args, **kwargs):
        _today(kwargs, "opened_on")
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        source = data.get("source")
        if source == Case.Source.NEED and not data.get("need"):
            self.add_error("need", _("来源为需求时请填写需求编号"))
        if source == Case.Source.CRISIS_ALERT and not data.get("alert"):
            self.add_error("alert", _("来源为危机预警时请填写预警编号"))
        if source not in (Case.Source.NEED, Case.Source.CRISIS_ALERT) and not data.get("client"):
            self.add_error("client", _("请按姓名选择服务对象"))
        if source == Case.Source.REFERRAL_IN:
            if not data.get("institution_kind"):
                self.add_error("institution_kind", _("请选择转介机构类型"))
            if not (data.get("institution_name") or "").strip():
                self.add_error("institution_name", _("请填写转介机构名称"))
            if not (data.get("referral_reason") or "").strip():
                self.add_error("referral_reason", _("请填写转介原因"))
        return data


class ConsentForm(ConsentFields, DomainForm):
    domain_fields = {"guardian": "guardian_consent"}


class AdvanceForm(DomainForm):
    domain_fields = {"client_consent": "to_status", "guardian": "to_status", "status": "to_status"}

    to_status = forms.ChoiceField(
        label=_("转入阶段"),
        choices=[(s.value, s.label) for s in Stage if s != Stage.CLOSED],
    )
    note = forms.CharField(label=_("说明"), required=False, max_length=300)


class AssessmentForm(DomainForm):
    domain_fields = {"status": "presenting_problem"}

    assessed_on = forms.DateField(label=_("预估日期"), widget=DATE)
    presenting_problem = forms.CharField(label=_("主要问题"), max_length=2000, widget=TEXTAREA)
    family_support = forms.CharField(
        label=_("家庭与支持网络"), required=False, max_length=2000, widget=TEXTAREA
    )
    health = forms.CharField(label=_("健康状况"), required=False, max_length=2000, widget=TEXTAREA)
    risks = forms.CharField(
        label=_("风险与受害情况（加密保存）"), required=False, max_length=5000, widget=TEXTAREA
    )
    strengths = forms.CharField(
        label=_("优势与资源"), required=False, max_length=2000, widget=TEXTAREA
    )
    narrative = forms.CharField(
        label=_("预估叙述（加密保存）"),
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    risk_level = forms.ChoiceField(label=_("风险等级"), choices=RiskLevel.choices)

    def __init__(self, *args, **kwargs):
        _today(kwargs, "assessed_on")
        super().__init__(*args, **kwargs)


class PlanForm(DomainForm):
    domain_fields = {"status": "summary", "goals": "summary"}

    summary = forms.CharField(label=_("计划概述"), required=False, max_length=500)


class GoalForm(forms.Form):
    description = forms.CharField(label=_("目标"), max_length=300)
    interventions = forms.CharField(label=_("介入策略"), max_length=2000, widget=TEXTAREA)
    responsible = forms.TypedChoiceField(label=_("负责人"), coerce=int)
    due_on = forms.DateField(label=_("完成期限"), widget=DATE)

    def __init__(self, *args, members=(), **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["responsible"].choices = [(m.user_id, str(m.user)) for m in members]


GoalFormSet = forms.formset_factory(GoalForm, extra=3, max_num=10, validate_max=True)


class InterventionForm(DomainForm):
    domain_fields = {"status": "content"}

    on = forms.DateField(label=_("日期"), widget=DATE)
    form = forms.ChoiceField(label=_("形式"), choices=InterventionLog.Form.choices)
    duration_minutes = forms.IntegerField(label=_("时长（分钟）"), min_value=1, max_value=24 * 60)
    goal = forms.TypedChoiceField(label=_("对应目标"), required=False, coerce=int, empty_value=None)
    content = forms.CharField(
        label=_("内容（加密保存）"), max_length=10000, widget=forms.Textarea(attrs={"rows": 5})
    )

    def __init__(self, *args, goals=(), **kwargs):
        _today(kwargs, "on")
        super().__init__(*args, **kwargs)
        self.fields["goal"].choices = [("", "—")] + [(g.pk, g.description) for g in goals]


class TeamAddForm(DomainForm):
    username = forms.CharField(label=_("成员用户名"), max_length=150)
    role = forms.ChoiceField(
        label=_("团队角色"), choices=[c for c in TeamRole.choices if c[0] != TeamRole.CASEWORKER]
    )
    ended_on = forms.DateField(label=_("结束日期"), widget=DATE, required=False)
    domain_fields = {"user": "username"}


class TeamEndForm(DomainForm):
    ended_on = forms.DateField(label=_("结束日期"), widget=DATE, required=False)


class SafetyPlanForm(DomainForm):
    safety_plan = forms.CharField(
        label=_("安全计划（加密保存）"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )


class CrisisStepForm(DomainForm):
    step = forms.CharField(label=_("处置步骤"), max_length=30)


class ReferralForm(DomainForm):
    direction = forms.ChoiceField(
        label=_("方向"), choices=Referral.Direction.choices, initial=Referral.Direction.OUT
    )
    institution_kind = forms.ChoiceField(
        label=_("机构类型"), choices=Referral.InstitutionKind.choices
    )
    institution_name = forms.CharField(
        label=_("机构名称"), max_length=100, help_text=_("如：某某医院精神科")
    )
    contact = forms.CharField(label=_("联系人及电话"), required=False, max_length=100)
    reason = forms.CharField(label=_("转介原因"), max_length=500, widget=TEXTAREA)


class ReferralStatusForm(DomainForm):
    domain_fields = {"status": "to_status"}

    to_status = forms.ChoiceField(
        label=_("新状态"),
        choices=[
            (Referral.Status.RECEIVED.value, Referral.Status.RECEIVED.label),
            (Referral.Status.ANSWERED.value, Referral.Status.ANSWERED.label),
        ],
    )
    answer = forms.CharField(label=_("对方回复"), required=False, max_length=500)


class BenefitForm(DomainForm):
    kinds = forms.MultipleChoiceField(
        label=_("救助申请"), choices=BenefitTask.Kind.choices, widget=forms.CheckboxSelectMultiple
    )
    note = forms.CharField(label=_("说明"), required=False, max_length=300)


class BenefitStatusForm(DomainForm):
    status = forms.ChoiceField(
        label=_("新状态"),
        choices=[c for c in BenefitTask.Status.choices if c[0] != BenefitTask.Status.TODO],
    )
    note = forms.CharField(label=_("说明"), required=False, max_length=300)


class ReviewForm(DomainForm):
    reviewed_on = forms.DateField(label=_("复核日期"), widget=DATE)
    risk_level = forms.ChoiceField(label=_("风险等级"), choices=RiskLevel.choices)
    note = forms.CharField(label=_("复核意见"), required=False, max_length=500, widget=TEXTAREA)

    def __init__(self, *args, **kwargs):
        _today(kwargs, "reviewed_on")
        super().__init__(*args, **kwargs)


class CloseForm(DomainForm):
    """结案 with the outcome of each goal of the current plan (fields `goal_<id>`)."""

    domain_fields = {"status": "reason", "goal_statuses": "outcome"}

    closed_on = forms.DateField(label=_("结案日期"), widget=DATE)
    reason = forms.ChoiceField(label=_("结案原因"), choices=CaseClosure.Reason.choices)
    outcome = forms.ChoiceField(label=_("结案成效"), choices=CaseClosure.Outcome.choices)
    outcome_note = forms.CharField(
        label=_("成效说明"), required=False, max_length=500, widget=TEXTAREA
    )
    follow_up_on = forms.DateField(label=_("跟进回访日期"), widget=DATE, required=False)

    def __init__(self, *args, goals=(), **kwargs):
        _today(kwargs, "closed_on")
        super().__init__(*args, **kwargs)
        self.goal_ids = []
        for g in goals:
            name = f"goal_{g.pk}"
            self.goal_ids.append((name, g.pk))
            self.fields[name] = forms.ChoiceField(
                label=_("目标：%(d)s") % {"d": g.description},
                choices=Goal.Status.choices,
                initial=g.status,
            )

    def goal_statuses(self) -> dict[int, str]:
        return {pk: self.cleaned_data[name] for name, pk in self.goal_ids}


class ReopenForm(DomainForm):
    reason = forms.CharField(label=_("重开原因"), max_length=300, widget=TEXTAREA)


class SupervisionNoteForm(DomainForm):
    text = forms.CharField(
        label=_("督导意见（社工可见，团队成员不可见）"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class ReportForm(forms.Form):
    by = forms.ChoiceField(
        label=_("统计维度"),
        choices=[
            ("worker", _("社工")),
            ("community", _("社区")),
            ("problem_type", _("问题类型")),
            ("outcome", _("结案成效")),
        ],
        required=False,
    )


class EmergencyAccessForm(DomainForm):
    """An admin's request for emergency access by case number. Any number is accepted here:
    whether the case exists is the service's to say, with the same message as "not yours"."""

    domain_fields = {"case_id": "case_number"}

    case_number = _id(_("个案编号"))
    reason = forms.CharField(
        label=_("访问理由"),
        max_length=300,
        widget=TEXTAREA,
        help_text=_("理由将记入个案访问记录，供督导审查。"),
    )
    hours = forms.TypedChoiceField(label=_("访问时长"), coerce=int)
    confirm = forms.BooleanField(
        label=_("我确认：开启后将立即通知该个案的督导和个案社工，访问期间的每次查看都会被记录")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        top = emergency_max_hours()
        self.fields["hours"].choices = [(h, _("%(n)s 小时") % {"n": h}) for h in range(1, top + 1)]
        self.fields["hours"].initial = min(4, top)
        self.fields["reason"].error_messages["required"] = _("紧急访问须填写理由")
        self.fields["confirm"].error_messages["required"] = _("请确认将通知督导")
