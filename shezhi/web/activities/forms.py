"""Activity forms. They only parse and check the shape of input; the rules live in
shezhi.activities, whose DomainErrors are put back on the form with `add_domain_error`."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from shezhi.activities.editing import PositionEdit
from shezhi.activities.models import Activity
from shezhi.activities.recurrence import Rule
from shezhi.activities.services import ActivitySpec, PositionSpec
from shezhi.org.models import Level
from shezhi.volunteers.models import ServiceCategory
from shezhi.web.forms_base import DomainForm, RateForm


def _datetime_input() -> forms.DateTimeInput:
    return forms.DateTimeInput(attrs={"type": "datetime-local"})


class ActivityForm(DomainForm):
    """发起活动. Its positions (several) come from `NewPositionFormSet`. Staff pick the organising
    unit; a team leader picks one of the teams they lead (the unit is then the team's community)."""

    domain_fields = {
        "organiser_unit_id": "organiser_unit",
        "team_id": "team",
        "scope_unit_id": "scope",
        "scope_team_id": "scope",
        "freq": "repeat",
        "interval": "repeat",
        "weekdays": "repeat",
        "count": "repeat_count",
        "until": "repeat_until",
    }

    title = forms.CharField(label=_("活动名称"), max_length=100)
    category = forms.ChoiceField(label=_("服务类别"), choices=ServiceCategory.choices)
    description = forms.CharField(
        label=_("活动内容"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    venue = forms.CharField(label=_("活动地点"), max_length=200)
    starts_at = forms.DateTimeField(label=_("开始时间"), widget=_datetime_input())
    ends_at = forms.DateTimeField(label=_("结束时间"), widget=_datetime_input())
    organiser_unit = forms.TypedChoiceField(
        label=_("组织单位"), coerce=int, required=False, empty_value=None
    )
    team = forms.TypedChoiceField(
        label=_("组织服务队"), coerce=int, required=False, empty_value=None
    )
    person_in_charge = forms.CharField(label=_("活动负责人"), max_length=30)
    scope = forms.ChoiceField(
        label=_("发布范围"),
        choices=[
            (Activity.Scope.UNIT, _("组织单位内的志愿者")),
            (Activity.Scope.EVERYONE, _("所有志愿者")),
        ],
    )
    risk_statement = forms.CharField(
        label=_("风险告知"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("如实告知可能发生的风险；填写后志愿者须确认才能报名"),
    )
    requires_approval = forms.BooleanField(label=_("报名需审核"), required=False)
    cancel_cutoff_hours = forms.IntegerField(
        label=_("开始前多少小时停止取消报名"), initial=24, min_value=0, max_value=720
    )
    location = forms.TypedChoiceField(
        label=_("签到位置（社区或小区）"),
        coerce=int,
        required=False,
        empty_value=None,
        help_text=_("从组织架构中选择活动所在的社区或小区，签到时按其位置校验"),
    )
    checkin_radius_m = forms.IntegerField(
        label=_("签到范围（米）"),
        required=False,
        min_value=20,
        max_value=5000,
        help_text=_("留空表示不校验位置"),
    )
    repeat = forms.ChoiceField(
        label=_("重复"),
        choices=[("", _("不重复")), ("weekly", _("每周")), ("monthly", _("每月"))],
        required=False,
    )
    repeat_count = forms.IntegerField(label=_("重复次数"), required=False, min_value=1)
    repeat_until = forms.DateField(
        label=_("重复截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(
        self, *args: Any, units: Any = (), teams: Any = (), locations: Any = (), **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        units, teams = list(units), list(teams)
        self._points = {u.pk: (u.latitude, u.longitude) for u in locations}
        self.fields["location"].choices = [("", _("不设置"))] + [
            (u.pk, f"{u.parent.name} › {u.name}" if u.level == Level.COMPOUND else u.name)
            for u in locations
        ]
        if units:
            self.fields["organiser_unit"].choices = [(u.pk, u.name) for u in units]
            self.fields["organiser_unit"].required = True
        else:
            del self.fields["organiser_unit"]
        if teams:
            self.fields["team"].choices = [("", "—")] * bool(units) + [
                (t.pk, t.name) for t in teams
            ]
            self.fields["team"].required = not units
            self.fields["scope"].choices = [
                *self.fields["scope"].choices,
                (Activity.Scope.TEAM, _("本服务队队员")),
            ]
        else:
            del self.fields["team"]

    def rule(self) -> Rule | None:
        d = self.cleaned_data
        if not d["repeat"]:
            return None
        return Rule(d["repeat"], count=d["repeat_count"], until=d["repeat_until"])

    def activity_spec(self, positions: list[PositionSpec]) -> ActivitySpec:
        """What the create services are given besides the actor and the rule."""
        d = self.cleaned_data
        team_id = d.get("team")
        point = self._points.get(d["location"]) if d.get("location") else None
        return ActivitySpec(
            title=d["title"],
            category=d["category"],
            description=d["description"],
            venue=d["venue"],
            starts_at=d["starts_at"],
            ends_at=d["ends_at"],
            organiser_unit_id=d.get("organiser_unit"),
            team_id=team_id,
            person_in_charge=d["person_in_charge"],
            scope=d["scope"],
            scope_team_id=team_id if d["scope"] == Activity.Scope.TEAM else None,
            risk_statement=d["risk_statement"],
            requires_approval=d["requires_approval"],
            cancel_cutoff_hours=d["cancel_cutoff_hours"],
            latitude=point[0] if point else None,
            longitude=point[1] if point else None,
            checkin_radius_m=d["checkin_radius_m"],
            positions=positions,
        )


class InsuranceForm(DomainForm):
    policy_no = forms.CharField(label=_("保单号"), max_length=40)
    insurer = forms.CharField(label=_("保险公司"), max_length=60)
    valid_from = forms.DateField(
        label=_("生效日期"), widget=forms.DateInput(attrs={"type": "date"})
    )
    valid_to = forms.DateField(label=_("到期日期"), widget=forms.DateInput(attrs={"type": "date"}))


# --- editing, cancelling, bulk sign-up, rating and the summary --------------------------------


class ActivityEditForm(DomainForm):
    """修改活动: the activity's own fields; its positions are in `PositionFormSet` (an error about a
    row, field "positions", is no field here, so it shows above the form)."""

    title = forms.CharField(label=_("活动名称"), max_length=100)
    description = forms.CharField(
        label=_("活动内容"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    venue = forms.CharField(label=_("活动地点"), max_length=200)
    starts_at = forms.DateTimeField(label=_("开始时间"), widget=_datetime_input())
    ends_at = forms.DateTimeField(label=_("结束时间"), widget=_datetime_input())


class PositionRowForm(DomainForm):
    """One position in the edit form; an empty extra row is ignored."""

    id = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)
    name = forms.CharField(label=_("岗位名称"), max_length=60)
    duties = forms.CharField(label=_("岗位职责"), max_length=300, required=False)
    quota = forms.IntegerField(label=_("招募人数"), min_value=1, max_value=1000)
    min_age = forms.IntegerField(label=_("最低年龄"), required=False, min_value=0, max_value=120)
    max_age = forms.IntegerField(label=_("最高年龄"), required=False, min_value=0, max_value=120)
    hazardous = forms.BooleanField(label=_("危险性岗位"), required=False)


PositionFormSet = forms.formset_factory(
    PositionRowForm, extra=1, can_delete=True, max_num=20, validate_max=True, absolute_max=40
)


class NewPositionRowForm(DomainForm):
    """One position at creation; rows left empty are ignored, the first one is required."""

    name = forms.CharField(label=_("岗位名称"), max_length=60)
    duties = forms.CharField(label=_("岗位职责"), max_length=300, required=False)
    quota = forms.IntegerField(label=_("招募人数"), min_value=1, max_value=1000)
    min_age = forms.IntegerField(label=_("最低年龄"), required=False, min_value=0, max_value=120)
    max_age = forms.IntegerField(label=_("最高年龄"), required=False, min_value=0, max_value=120)
    hazardous = forms.BooleanField(label=_("危险性岗位"), required=False)


NEW_POSITIONS_MAX = 20
NewPositionFormSet = forms.formset_factory(
    NewPositionRowForm,
    extra=2,
    min_num=1,
    validate_min=True,
    max_num=NEW_POSITIONS_MAX,
    validate_max=True,
    absolute_max=NEW_POSITIONS_MAX,
)


def position_specs(formset: Any) -> list[PositionSpec]:
    """The filled rows of a valid creation formset as the create service's PositionSpecs."""
    return [
        PositionSpec(
            name=d["name"],
            quota=d["quota"],
            duties=d.get("duties") or "",
            min_age=d.get("min_age"),
            max_age=d.get("max_age"),
            hazardous=bool(d.get("hazardous")),
        )
        for d in (row.cleaned_data for row in formset.forms)
        if d
    ]


def position_edits(formset: Any) -> list[PositionEdit]:
    """The rows of a valid formset as the edit service's PositionEdit values."""
    edits = []
    for row in formset.forms:
        d = row.cleaned_data
        if not d:  # an untouched extra row
            continue
        edits.append(
            PositionEdit(
                id=d.get("id"),
                name=d["name"],
                quota=d["quota"],
                duties=d.get("duties") or "",
                min_age=d.get("min_age"),
                max_age=d.get("max_age"),
                hazardous=bool(d.get("hazardous")),
                delete=bool(d.get("DELETE")),
            )
        )
    return edits


class CancelActivityForm(DomainForm):
    reason = forms.CharField(label=_("取消原因"), max_length=300)


class BulkSignUpForm(DomainForm):
    """A team leader signs members up for one position of an activity."""

    domain_fields = {"position_id": "position", "volunteer_ids": "volunteers"}

    position = forms.TypedChoiceField(label=_("岗位"), coerce=int)
    volunteers = forms.TypedMultipleChoiceField(
        label=_("队员"), coerce=int, widget=forms.CheckboxSelectMultiple
    )
    risk_acknowledged = forms.BooleanField(label=_("我已向队员转告活动的风险告知"), required=False)

    def __init__(self, *args: Any, positions: Any = (), members: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["position"].choices = [(p.pk, p.name) for p in positions]
        self.fields["volunteers"].choices = [(v.pk, f"{v.name} {v.volunteer_no}") for v in members]


class RatingForm(DomainForm):
    stars = forms.TypedChoiceField(
        label=_("评分"),
        coerce=int,
        # Words, as on the residents' need rating (web.forms.RateForm), not bare symbols.
        choices=RateForm.SCORES,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("评价（选填）"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class SummaryForm(DomainForm):
    text = forms.CharField(
        label=_("总结内容"), max_length=5000, widget=forms.Textarea(attrs={"rows": 6})
    )


class SummaryPhotoForm(DomainForm):
    # A FileField, not an ImageField: the service judges the content with Pillow.
    photo = forms.FileField(
        label=_("照片"),
        help_text=_("JPEG、PNG、GIF 或 WebP，每张不超过5MB，最多9张"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/*"}),
    )


class BeneficiaryForm(DomainForm):
    query = forms.CharField(
        label=_("登记服务对象"),
        max_length=30,
        help_text=_("输入居民的身份证号或手机号"),
    )


class HeadcountForm(DomainForm):
    headcount = forms.IntegerField(
        label=_("另计服务人次（未登记的居民）"), min_value=0, max_value=100000
    )
