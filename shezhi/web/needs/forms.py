"""Web forms. They only parse and check the shape of input; the rules live in the services,
whose DomainErrors are put back on the form with `add_domain_error`."""

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from shezhi.needs.models import HelperGender, Need
from shezhi.needs.selectors import LedgerFilter, LedgerSort, ledger_sort_of
from shezhi.needs.workflow import STATUS_LABELS, Status
from shezhi.web.forms_base import DomainForm, NeedFieldsMixin, category_choices, urgency_choices
from shezhi.web.pickers import resident_picker_field


def _local_datetime_input() -> forms.DateTimeInput:
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class ServicePreferenceFields(forms.Form):
    """When and how the resident wants the service; the dispatch must honour it."""

    wanted_from = forms.DateTimeField(
        label=_("期望服务开始"), required=False, widget=_local_datetime_input()
    )
    wanted_until = forms.DateTimeField(
        label=_("期望服务结束"),
        required=False,
        widget=_local_datetime_input(),
        help_text=_("不限时间请留空"),
    )
    helper_gender = forms.ChoiceField(
        label=_("服务者性别要求"),
        required=False,
        choices=HelperGender.choices,
    )
    home_visit = forms.BooleanField(label=_("需要上门服务"), required=False, initial=True)
    hazardous = forms.BooleanField(
        label=_("危险作业"),
        required=False,
        help_text=_("登高、用电用气等，未成年志愿者不可承接"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Declared on a base class they would come first; they belong after the need itself.
        mine = list(ServicePreferenceFields.base_fields)
        self.order_fields([name for name in self.fields if name not in mine] + mine)


SOURCE_CHOICES = [(v, label) for v, label in Need.Source.choices if v != Need.Source.ONLINE]


class IntakeForm(NeedFieldsMixin, DomainForm, ServicePreferenceFields):
    """Desk intake of a need reported by phone, on a visit, by a grid worker or a council."""

    domain_fields = {"resident_id": "resident"}

    source = forms.ChoiceField(label=_("来源"), choices=SOURCE_CHOICES)
    resident = resident_picker_field(
        _("居民"), required=False, help_text=_("可选：输入姓名，为登记在册的居民下单")
    )
    category = forms.ChoiceField(label=_("需求类别"))
    urgency = forms.ChoiceField(label=_("紧急程度"))
    title = forms.CharField(
        label=_("短标题"),
        required=False,
        max_length=60,
        help_text=_("可选，不超过20个字；不填则从需求描述自动生成"),
    )
    description = forms.CharField(
        label=_("需求描述"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )
    address = forms.CharField(label=_("服务地址"), required=False, max_length=120)
    contact_phone = forms.CharField(label=_("联系电话"), required=False, max_length=11)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._set_taxonomy_choices()


class NeedEditForm(NeedFieldsMixin, DomainForm, ServicePreferenceFields):
    title = forms.CharField(
        label=_("短标题"),
        required=False,
        max_length=60,
        help_text=_("可选，不超过20个字；不填则从需求描述自动生成"),
    )
    category = forms.ChoiceField(label=_("需求类别"))
    urgency = forms.ChoiceField(label=_("紧急程度"))
    description = forms.CharField(
        label=_("需求描述"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    address = forms.CharField(label=_("服务地址"), required=False, max_length=120)
    contact_phone = forms.CharField(label=_("联系电话"), required=False, max_length=11)
    expected_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._set_taxonomy_choices()

    @classmethod
    def for_need(cls, need: Need) -> "NeedEditForm":
        # The full phone never travels in the form (a read without an audit row): the field
        # starts empty and shows the masked number; empty means "keep it".
        form = cls(
            initial={
                "title": need.title,
                "category": need.category.code,
                "urgency": need.urgency.code,
                "description": need.description,
                "address": need.address,
                "wanted_from": need.wanted_from,
                "wanted_until": need.wanted_until,
                "helper_gender": need.helper_gender,
                "home_visit": need.home_visit,
                "hazardous": need.hazardous,
                "expected_version": need.version,
            }
        )
        form.fields["contact_phone"].help_text = _("留空则不修改（现为 %(masked)s）") % {
            "masked": need.masked_contact_phone or "—"
        }
        return form

    def changes(self) -> dict[str, str]:
        data = dict(self.cleaned_data)
        data.pop("expected_version")
        if not data.get("contact_phone"):
            data.pop("contact_phone", None)  # left empty: keep the phone on file
        return data


class DispatchForm(DomainForm):
    """派单: choose one candidate (or the community pool)."""

    domain_fields = {"target_id": "candidate", "target_kind": "candidate"}

    # "kind:id" of a listed candidate; whether it may take the need is the service's decision.
    candidate = forms.RegexField(
        label=_("派单对象"),
        regex=rf"^({'|'.join(Need.AssigneeKind.values)}):\d{{1,18}}$",
        error_messages={"invalid": _("请选择派单对象"), "required": _("请选择派单对象")},
    )
    note = forms.CharField(label=_("派单说明"), required=False, max_length=500)
    expected_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def target(self) -> tuple[str, int | None]:
        kind, _sep, raw_id = self.cleaned_data["candidate"].partition(":")
        return kind, (int(raw_id) or None)


class ReasonForm(DomainForm):
    domain_fields = {"note": "reason"}

    reason = forms.CharField(
        label=_("原因"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReviewForm(DomainForm):
    DECISIONS = [("close", _("维持办结，关闭复核")), ("reopen", _("重新受理"))]

    decision = forms.ChoiceField(label=_("复核结论"), choices=DECISIONS, widget=forms.RadioSelect)
    note = forms.CharField(
        label=_("复核意见"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )


class CompleteForm(DomainForm):
    minutes = forms.IntegerField(
        label=_("服务时长（分钟）"),
        min_value=1,
        max_value=24 * 60,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    note = forms.CharField(
        label=_("服务情况说明"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    service_description = forms.CharField(
        label=_("证明上的服务说明（可选）"),
        required=False,
        max_length=100,
        help_text=_(
            "会写入志愿服务证明和导出；不填则为“为社区居民提供…服务”。"
            "请勿写姓名、电话、年龄、住址或病情"
        ),
    )


class LedgerFilterForm(DomainForm):
    status = forms.ChoiceField(label=_("状态"), required=False)
    urgency = forms.ChoiceField(label=_("紧急程度"), required=False)
    category = forms.ChoiceField(label=_("需求类别"), required=False)
    overdue = forms.BooleanField(label=_("只看超期"), required=False)
    needs_review = forms.BooleanField(label=_("只看待复核"), required=False)
    q = forms.CharField(label=_("关键词"), required=False, max_length=60)
    sort = forms.ChoiceField(
        label=_("排序"),
        required=False,
        choices=[
            (LedgerSort.ATTENTION.value, _("需要关注的在前")),
            (LedgerSort.DEADLINE.value, _("期限最近的在前")),
            (LedgerSort.URGENCY.value, _("最紧急的在前")),
            (LedgerSort.NEWEST.value, _("最新登记的在前")),
        ],
        error_messages={"invalid_choice": _("排序方式无效，请从列表中选择")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", gettext("全部状态"))] + [
            (s.value, gettext(STATUS_LABELS[s])) for s in Status
        ]
        self.fields["urgency"].choices = [("", gettext("全部紧急程度"))] + urgency_choices()
        self.fields["category"].choices = [("", gettext("全部类别"))] + category_choices()

    def to_filter(self) -> LedgerFilter:
        if not self.is_valid():
            return LedgerFilter()
        d = self.cleaned_data
        return LedgerFilter(
            status=d["status"] or None,
            urgency=d["urgency"] or None,
            category=d["category"] or None,
            overdue=d["overdue"],
            needs_review=d["needs_review"],
            query=d["q"].strip() or None,
            sort=ledger_sort_of(d["sort"]),
        )
