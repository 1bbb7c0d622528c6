"""Forms of the volunteer pages: they check the shape of input; the services keep the rules."""

import re
from datetime import date, time

from django import forms
from django.utils.translation import gettext_lazy as _

from shezhi.people.services import CONSENT_VERSION
from shezhi.volunteers.models import (
    Certificate,
    PoliticalStatus,
    ServiceCategory,
    Team,
    TeamMembership,
    split_skill_level,
)
from shezhi.web.forms_base import DomainForm, translate_choices


class CorrectionForm(DomainForm):
    """更正申请: the volunteer fills in only what is wrong."""

    domain_fields = {"record_id": "record", "changes": "reason"}

    # Any number is accepted here: the service refuses records that are not the volunteer's.
    record = forms.IntegerField(label=_("服务记录"), min_value=1, widget=forms.Select)
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

    def __init__(self, *args, records=(), fixed_record=None, **kwargs):
        super().__init__(*args, **kwargs)
        if fixed_record is not None:
            self.fields["record"].widget = forms.HiddenInput()
            self.initial["record"] = fixed_record.pk
        else:
            self.fields["record"].widget.choices = [
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
        translate_choices(self.fields)


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"})


class RecordForm(DomainForm):
    """记录志愿服务: a social worker records one service for a volunteer (办法 art. 7 fields)."""

    domain_fields = {
        "volunteer": "volunteer_no",
        "volunteer_id": "volunteer_no",
        "organiser_unit": "organiser_unit",
        "team": "team",
    }

    volunteer_no = forms.CharField(label=_("志愿者编号"), max_length=20)
    title = forms.CharField(label=_("活动名称"), max_length=100)
    service_date = forms.DateField(label=_("服务日期"), required=False, widget=_date_input())
    started_at = forms.DateTimeField(
        label=_("开始时间"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text=_("可选；填写起止时间时服务日期和时长可不填"),
    )
    ended_at = forms.DateTimeField(
        label=_("结束时间"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    minutes = forms.IntegerField(
        label=_("服务时长（分钟）"), required=False, min_value=1, max_value=24 * 60
    )
    place = forms.CharField(label=_("服务地点"), max_length=200)
    content = forms.CharField(
        label=_("服务内容"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    organiser_unit = forms.TypedChoiceField(label=_("组织单位"), coerce=int)
    person_in_charge = forms.CharField(label=_("活动负责人"), max_length=30)
    beneficiary = forms.CharField(label=_("服务对象"), required=False, max_length=60)
    quality_rating = forms.TypedChoiceField(
        label=_("服务质量评价"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "—")] + [(n, str(n)) for n in range(5, 0, -1)],
    )
    team = forms.TypedChoiceField(label=_("服务队"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, units=(), teams=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organiser_unit"].choices = [(u.pk, u.name) for u in units]
        self.fields["team"].choices = [("", "—")] + [(t.pk, t.name) for t in teams]

    def record_fields(self) -> dict:
        """The service's keyword arguments other than recorder, volunteer, unit and team."""
        d = self.cleaned_data
        return {
            "title": d["title"],
            "service_date": d["service_date"],
            "started_at": d["started_at"],
            "ended_at": d["ended_at"],
            "minutes": d["minutes"],
            "place": d["place"],
            "content": d["content"],
            "person_in_charge": d["person_in_charge"],
            "beneficiary": d["beneficiary"],
            "quality_rating": d["quality_rating"],
        }


WEEKDAYS = "一二三四五六日"


def parse_availability(text: str) -> list[tuple[int, time, time]]:
    """Lines "6 09:00-12:00" (weekday 1–7 = 一…日) → [(weekday 0–6, start, end)]."""
    out = []
    for n, line in enumerate((text or "").splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        try:
            day, span = line.split(maxsplit=1)
            start, end = (time.fromisoformat(p.strip()) for p in span.split("-", 1))
            weekday = int(day) - 1
        except ValueError:
            raise forms.ValidationError(
                _("第%(n)s行格式应为“星期(1-7) 开始-结束”，如 6 09:00-12:00"), params={"n": n}
            ) from None
        out.append((weekday, start, end))
    return out


def parse_certificates(text: str) -> list[dict]:
    """Lines "护士 110012345 2028-12-31" (type by name or code, number, optional expiry)."""
    kinds = {label: value for value, label in Certificate.Kind.choices}
    kinds.update({value: value for value in Certificate.Kind.values})
    out = []
    for n, line in enumerate((text or "").splitlines(), start=1):
        parts = line.split()
        if not parts:
            continue
        try:
            if len(parts) not in (2, 3) or parts[0] not in kinds:
                raise ValueError
            expires = date.fromisoformat(parts[2]) if len(parts) == 3 else None
        except ValueError:
            raise forms.ValidationError(
                _("第%(n)s行格式应为“证书类型 编号 [有效期]”，如 护士 110012345 2028-12-31"),
                params={"n": n},
            ) from None
        out.append({"kind": kinds[parts[0]], "number": parts[1], "expires_on": expires})
    return out


def parse_skill_levels(text: str) -> dict[str, int]:
    """Items "维修:4" (skill name or code, level), one a line or separated by commas/、."""
    out: dict[str, int] = {}
    for item in re.split(r"[\n,，、;；]+", text or ""):
        item = item.strip()
        if not item:
            continue
        try:
            skill, level = split_skill_level(item)
        except ValueError:
            level = None
        if level is None:
            raise forms.ValidationError(
                _("“%(item)s”格式应为“技能:等级”，如 维修:4"), params={"item": item[:30]}
            )
        out[skill] = level
    return out


class VolunteerRegisterForm(DomainForm):
    """志愿者登记 by a social worker: the fields of the Measures art. 5 and more."""

    domain_fields = {
        "community_id": "community",
        "compound_id": "compound",
        "dual_report_community_id": "dual_report_community",
        "user": "id_number",
    }

    name = forms.CharField(label=_("姓名"), max_length=30)
    id_number = forms.CharField(label=_("身份证件号码"), max_length=18)
    gender = forms.ChoiceField(
        label=_("性别"),
        required=False,
        choices=[("", _("按身份证号码")), ("M", _("男")), ("F", _("女"))],
    )
    birth_date = forms.DateField(
        label=_("出生日期"),
        required=False,
        widget=_date_input(),
        help_text=_("不填则按身份证号码"),
    )
    phone = forms.CharField(label=_("联系方式（手机号）"), max_length=11)
    community = forms.TypedChoiceField(label=_("所属社区"), coerce=int)
    compound = forms.TypedChoiceField(
        label=_("居住小区"), required=False, coerce=int, empty_value=None
    )
    address = forms.CharField(label=_("居住地址"), required=False, max_length=100)
    skills = forms.MultipleChoiceField(
        label=_("专业技能"), required=False, widget=forms.CheckboxSelectMultiple
    )
    skill_levels = forms.CharField(
        label=_("技能等级"),
        required=False,
        max_length=500,
        widget=forms.TextInput(attrs={"placeholder": "维修:4，助餐:2"}),
        help_text=_("所选技能的等级1（入门）至5（专家），如 维修:4；不填为3级"),
    )
    service_categories = forms.MultipleChoiceField(
        label=_("服务类别"),
        required=False,
        choices=ServiceCategory.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    languages = forms.CharField(
        label=_("语言"), required=False, max_length=200, help_text=_("用逗号分隔，如 普通话，粤语")
    )
    political_status = forms.ChoiceField(
        label=_("政治面貌"), choices=PoliticalStatus.choices, initial=PoliticalStatus.MASSES
    )
    dual_report_community = forms.TypedChoiceField(
        label=_("在职党员“双报到”社区"), required=False, coerce=int, empty_value=None
    )
    availability = forms.CharField(
        label=_("可服务时段"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "6 09:00-12:00"}),
        help_text=_("每行一个：星期(1-7) 开始-结束"),
    )
    certificates = forms.CharField(
        label=_("职业资格证书"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "护士 110012345 2028-12-31"}),
        help_text=_("每行一个：证书类型 编号 [有效期]"),
    )
    consent_version = forms.CharField(
        label=_("同意的协议版本"), max_length=20, initial=CONSENT_VERSION
    )
    guardian_consent = forms.BooleanField(label=_("监护人已同意（未满18周岁必填）"), required=False)
    guardian_name = forms.CharField(label=_("监护人姓名"), required=False, max_length=30)
    guardian_phone = forms.CharField(label=_("监护人电话"), required=False, max_length=11)
    guardian_relation = forms.CharField(label=_("与志愿者关系"), required=False, max_length=10)

    def __init__(self, *args, communities=(), compounds=(), all_communities=(), skills=(), **kw):
        super().__init__(*args, **kw)
        self.fields["community"].choices = [(c.pk, c.name) for c in communities]
        self.fields["compound"].choices = [("", "—")] + [(c.pk, c.name) for c in compounds]
        self.fields["dual_report_community"].choices = [("", "—")] + [
            (c.pk, c.name) for c in all_communities
        ]
        self.fields["skills"].choices = [(s.code, s.name) for s in skills]

    def clean_availability(self):
        return parse_availability(self.cleaned_data["availability"])

    def clean_certificates(self):
        return parse_certificates(self.cleaned_data["certificates"])

    def clean_skill_levels(self):
        return parse_skill_levels(self.cleaned_data["skill_levels"])

    def clean_languages(self):
        raw = self.cleaned_data["languages"].replace("，", ",").replace("、", ",")
        return [v.strip() for v in raw.split(",") if v.strip()]

    def register_fields(self) -> dict:
        d = dict(self.cleaned_data)
        d["community_id"] = d.pop("community")
        d["compound_id"] = d.pop("compound")
        d["dual_report_community_id"] = d.pop("dual_report_community")
        return d


class VolunteerSkillsForm(DomainForm):
    """修改专业技能: the chosen skills replace the old ones, each at its level."""

    skills = VolunteerRegisterForm.base_fields["skills"]
    skill_levels = VolunteerRegisterForm.base_fields["skill_levels"]

    def __init__(self, *args, skills=(), current=None, **kw):
        if current is not None:  # {code: level} of the volunteer now
            kw["initial"] = {
                "skills": list(current),
                "skill_levels": "，".join(f"{c}:{lv}" for c, lv in current.items()),
            }
        super().__init__(*args, **kw)
        self.fields["skills"].choices = [(s.code, s.name) for s in skills]

    def clean_skill_levels(self):
        return parse_skill_levels(self.cleaned_data["skill_levels"])


class VolunteerSearchForm(forms.Form):
    q = forms.CharField(label=_("姓名或志愿者编号"), required=False, max_length=30)


class TrainingForm(DomainForm):
    domain_fields = {"volunteer_id": "name"}

    name = forms.CharField(label=_("培训名称"), max_length=100)
    content = forms.CharField(
        label=_("培训内容"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    minutes = forms.IntegerField(label=_("培训时长（分钟）"), min_value=1, max_value=24 * 60)
    organiser = forms.CharField(label=_("组织单位"), max_length=100)
    day = forms.DateField(label=_("培训日期"), widget=_date_input())


class HonourForm(DomainForm):
    domain_fields = {"volunteer_id": "name"}

    name = forms.CharField(label=_("荣誉名称"), max_length=100)
    day = forms.DateField(label=_("获得日期"), widget=_date_input())
    grantor = forms.CharField(label=_("授予单位"), max_length=100)


class TeamApplyForm(DomainForm):
    """申请成立服务队. Staff choose the community and name the leader by volunteer number."""

    domain_fields = {"community_id": "community", "leader_id": "leader_no"}

    name = forms.CharField(label=_("队名"), max_length=60)
    kind = forms.ChoiceField(label=_("服务队类型"), choices=Team.Kind.choices)
    charter = forms.CharField(
        label=_("队伍章程"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )
    community = forms.TypedChoiceField(label=_("所属社区"), coerce=int)
    leader_no = forms.CharField(
        label=_("队长的志愿者编号"),
        required=False,
        max_length=20,
        help_text=_("志愿者本人申请时由本人任队长"),
    )

    def __init__(self, *args, communities=(), staff=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].choices = [(c.pk, c.name) for c in communities]
        if not staff:
            del self.fields["leader_no"]


class AddMemberForm(DomainForm):
    domain_fields = {"volunteer_id": "volunteer"}

    volunteer = forms.TypedChoiceField(label=_("添加队员"), coerce=int)

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["volunteer"].choices = [
            (v.pk, f"{v.masked_name}（{v.volunteer_no}）") for v in candidates
        ]


class RoleForm(DomainForm):
    role = forms.ChoiceField(label=_("队内角色"), choices=TeamMembership.TeamRole.choices)


class HeldConfirmForm(forms.Form):
    """Confirm a held record, optionally with adjusted minutes (a reason is then required)."""

    minutes = forms.IntegerField(
        label=_("确认时长（分钟）"), required=False, min_value=1, max_value=24 * 60
    )
    note = forms.CharField(label=_("说明"), required=False, max_length=300)


class HeldRejectForm(forms.Form):
    reason = forms.CharField(label=_("不予确认的理由"), max_length=300)
