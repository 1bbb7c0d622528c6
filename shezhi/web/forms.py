"""Web forms. They only parse and check the shape of input; the rules live in the services,
whose DomainErrors are put back on the form with `add_domain_error`."""

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from shezhi.core.errors import DomainError
from shezhi.needs import selectors as need_selectors
from shezhi.needs.models import HelperGender, Need
from shezhi.needs.selectors import LedgerFilter, LedgerSort, ledger_sort_of
from shezhi.needs.workflow import STATUS_LABELS, Status
from shezhi.web.pickers import resident_picker_field


def translate_choices(fields: dict[str, forms.Field]) -> None:
    """Model choices carry plain Chinese labels (marked in web/labels.py): translate them into the
    request's language when the form is built."""
    for field in fields.values():
        if isinstance(field, forms.ChoiceField) and not isinstance(field, forms.ModelChoiceField):
            field.choices = [
                (value, gettext(label) if isinstance(label, str) and label else label)
                for value, label in field.choices
            ]


class DomainForm(forms.Form):
    # service field name -> form field name, where they differ
    domain_fields: dict[str, str] = {}

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")  # labels sit above their fields
        super().__init__(*args, **kwargs)

    def __getitem__(self, name: str) -> forms.BoundField:
        # At first render, when subclasses have set their choices, in the request's language.
        if name not in self._bound_fields_cache and name in self.fields:
            translate_choices({name: self.fields[name]})
        return super().__getitem__(name)

    def add_domain_error(self, exc: DomainError, *, keep_general: bool = True) -> bool:
        """Put the service's error on the field it names. An error that names no field of this
        form goes to the form's general errors, or, with keep_general=False, is left to the
        caller (who shows it as a message on the page). Returns whether the form took it."""
        field = self.domain_fields.get(exc.field or "", exc.field)
        if field in self.fields:
            self.add_error(field, exc.message)
            return True
        if keep_general:
            self.add_error(None, exc.message)
            return True
        return False

    def labelled_errors(self) -> list[str]:
        """Every error prefixed with the label of its field, for the summary at the top."""
        out = []
        for name, errors in self.errors.items():
            label = self.fields[name].label if name in self.fields else None
            for error in errors:
                out.append(f"{label}：{error}" if label else str(error))
        return out


def category_choices() -> list[tuple[str, str]]:
    return [(c.code, gettext(c.name)) for c in need_selectors.categories()]


def urgency_choices() -> list[tuple[str, str]]:
    return [(u.code, gettext(u.name)) for u in need_selectors.urgency_levels()]


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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Declared on a base class they would come first; they belong after the need itself.
        mine = list(ServicePreferenceFields.base_fields)
        self.order_fields([name for name in self.fields if name not in mine] + mine)


class NeedFieldsMixin:
    def _set_taxonomy_choices(self) -> None:
        self.fields["category"].choices = category_choices()  # type: ignore[attr-defined]
        self.fields["urgency"].choices = urgency_choices()  # type: ignore[attr-defined]


class OrderForm(NeedFieldsMixin, DomainForm, ServicePreferenceFields):
    """我要点单: a resident orders help."""

    category = forms.ChoiceField(label=_("需求类别"))
    urgency = forms.ChoiceField(label=_("紧急程度"))
    description = forms.CharField(
        label=_("需求描述"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": _("请说明需要什么帮助")}),
    )
    contact_phone = forms.CharField(
        label=_("联系电话"),
        required=False,
        max_length=11,
        help_text=_("不填则使用登记的手机号"),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._set_taxonomy_choices()


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
    title = forms.CharField(label=_("标题"), required=False, max_length=60)
    description = forms.CharField(
        label=_("需求描述"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )
    address = forms.CharField(label=_("服务地址"), required=False, max_length=120)
    contact_phone = forms.CharField(label=_("联系电话"), required=False, max_length=11)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._set_taxonomy_choices()


class NeedEditForm(NeedFieldsMixin, DomainForm, ServicePreferenceFields):
    title = forms.CharField(label=_("标题"), max_length=60)
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
        return cls(
            initial={
                "title": need.title,
                "category": need.category.code,
                "urgency": need.urgency.code,
                "description": need.description,
                "address": need.address,
                "contact_phone": need.contact_phone,
                "wanted_from": need.wanted_from,
                "wanted_until": need.wanted_until,
                "helper_gender": need.helper_gender,
                "home_visit": need.home_visit,
                "expected_version": need.version,
            }
        )

    def changes(self) -> dict[str, str]:
        data = dict(self.cleaned_data)
        data.pop("expected_version")
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


class RateForm(DomainForm):
    SCORES = [(n, str(n)) for n in range(5, 0, -1)]

    score = forms.TypedChoiceField(
        label=_("评分"), choices=SCORES, coerce=int, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label=_("评价内容"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
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


class ResidentSearchForm(forms.Form):
    q = forms.CharField(label=_("姓名、地址、身份证号或手机号"), required=False, max_length=60)
