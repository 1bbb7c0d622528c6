"""Web forms. They only parse and check the shape of input; the rules live in the services,
whose DomainErrors are put back on the form with `add_domain_error`."""

from datetime import date, datetime, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from shezhi.core.errors import DomainError
from shezhi.core.page_errors import put_on_form
from shezhi.needs import selectors as need_selectors
from shezhi.needs import timeslots
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
        return put_on_form(self, exc, general=keep_general)

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


class NeedFieldsMixin:
    def _set_taxonomy_choices(self) -> None:
        self.fields["category"].choices = category_choices()  # type: ignore[attr-defined]
        self.fields["urgency"].choices = urgency_choices()  # type: ignore[attr-defined]


URGENCY_WORDS = {
    "general": _("日常的事，不着急"),
    "caring": _("生活有困难，需要社区多照顾"),
    "immediate": _("有危险或今天必须解决，比如摔倒、断水断电、没饭吃"),
}
WHEN_CHOICES = [
    ("today_am", _("今天上午")),
    ("today_pm", _("今天下午")),
    ("tomorrow_am", _("明天上午")),
    ("tomorrow_pm", _("明天下午")),
    (timeslots.OTHER, _("其他时间")),
    (timeslots.ANY, _("时间都行")),
]
WHEN_HINTS = {
    "today_am": _("8点到12点"),
    "today_pm": _("2点到6点"),
    "tomorrow_am": _("8点到12点"),
    "tomorrow_pm": _("2点到6点"),
    timeslots.OTHER: _("选哪一天、上午还是下午"),
    timeslots.ANY: _("社工尽快安排"),
}
PERIOD_CHOICES = [
    ("am", _("上午（8点到12点）")),
    ("pm", _("下午（2点到6点）")),
    ("eve", _("晚上（6点到9点）")),
]
WEEKDAYS = [_("周一"), _("周二"), _("周三"), _("周四"), _("周五"), _("周六"), _("周日")]
SLOT_ERRORS = {
    "past": _("您选的时间已经过去了，请选择以后的时间"),
    "too_far": _("只能预约今天起7天以内的时间"),
    "day_missing": _("请选择哪一天"),
    "period_missing": _("请选择上午、下午还是晚上"),
    "unknown": _("请选择什么时候需要服务"),
}


def day_label(day: date, today: date) -> str:
    label = gettext("%(month)s月%(day)s日 %(weekday)s") % {
        "month": day.month,
        "day": day.day,
        "weekday": gettext(WEEKDAYS[day.weekday()]),
    }
    if day == today:
        return label + gettext("（今天）")
    if day == today + timedelta(days=1):
        return label + gettext("（明天）")
    return label


class OrderForm(DomainForm):
    """我要点单: a resident (or a grid worker for a resident) orders help in a few taps: a
    service tile, a plain time choice, an optional sentence, 提交. No browser date-time field:
    the day and the part of the day are server-rendered choices in Chinese."""

    domain_fields = {"wanted_from": "when", "wanted_until": "when"}

    category = forms.ChoiceField(
        label=_("需求类别"),
        widget=forms.HiddenInput,
        error_messages={
            "required": _("请先点一下您需要的服务"),
            "invalid_choice": _("没有这项服务，请重新选择"),
        },
    )
    when = forms.ChoiceField(
        label=_("什么时候"), required=False, choices=WHEN_CHOICES, widget=forms.RadioSelect
    )
    other_day = forms.DateField(label=_("哪一天"), required=False, widget=forms.Select)
    other_period = forms.ChoiceField(
        label=_("上午、下午还是晚上"), required=False, choices=[("", "—")] + PERIOD_CHOICES
    )
    description = forms.CharField(
        label=_("想说的话（可以不填）"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": _("比如：周三去市三医院复查")}),
    )
    urgency = forms.ChoiceField(label=_("着急吗"), initial="general", widget=forms.RadioSelect)
    contact_phone = forms.CharField(
        label=_("联系电话"),
        required=False,
        max_length=11,
        help_text=_("不填则使用登记的手机号"),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    helper_gender = forms.ChoiceField(
        label=_("服务者性别要求"), required=False, choices=HelperGender.choices
    )
    home_visit = forms.BooleanField(label=_("需要上门服务"), required=False, initial=True)

    def __init__(self, *args, now: datetime | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.now = timezone.localtime(now)
        today = self.now.date()
        categories = list(need_selectors.categories())
        self.category_names = {c.code: c.name for c in categories}
        self.fields["category"].choices = [(c.code, gettext(c.name)) for c in categories]
        levels = list(need_selectors.urgency_levels())
        self.fields["urgency"].choices = [(u.code, gettext(u.name)) for u in levels]
        self.urgency_levels = levels
        # A quick choice already over is not offered (but still refused in words if posted).
        self.open_quick = set(timeslots.quick_choices_open(self.now))
        self.fields["other_day"].widget.choices = [("", "—")] + [
            (d.isoformat(), day_label(d, today)) for d in timeslots.days_ahead(self.now)
        ]

    def when_options(self) -> list[tuple[str, str, str]]:
        """(value, label, hint) of each time choice, for the big buttons."""
        return [
            (v, str(label), str(WHEN_HINTS[v]))
            for v, label in self.fields["when"].choices
            if v not in timeslots.QUICK or v in self.open_quick
        ]

    def urgency_options(self) -> list[tuple[str, str, str]]:
        """(code, name, what it means in words) of each urgency level."""
        out = []
        for u in self.urgency_levels:
            words = URGENCY_WORDS.get(u.code)
            hours = gettext("社工%(hours)s小时内联系您") % {"hours": u.response_hours}
            out.append((u.code, gettext(u.name), f"{words}，{hours}" if words else hours))
        return out

    def category_label(self) -> str:
        """The chosen service, in the reader's language."""
        code = self.data.get("category") if self.is_bound else self.initial.get("category")
        return dict(self.fields["category"].choices).get(code or "", "")

    def clean(self):
        data = super().clean()
        try:
            window = timeslots.resolve(
                data.get("when") or "",
                now=self.now,
                day=data.get("other_day"),
                period=data.get("other_period") or None,
            )
        except timeslots.SlotError as exc:
            self.add_error(exc.field, SLOT_ERRORS[exc.code])
            window = None
        data["wanted_from"] = window.start if window else None
        data["wanted_until"] = window.end if window else None
        if not (data.get("description") or "").strip() and data.get("category"):
            # Ordering must not need typing: the category says what; the worker calls.
            name = self.category_names[data["category"]]
            data["description"] = f"需要{name}服务，请电话联系我了解详情"
        return data

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        for key in ("when", "other_day", "other_period"):
            data.pop(key, None)
        return data


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


class RateForm(DomainForm):
    # Words, never bare numbers; each maps to the 1–5 score the ledger keeps.
    SCORES = [
        (5, _("很满意")),
        (4, _("满意")),
        (3, _("一般")),
        (2, _("不满意")),
        (1, _("很不满意")),
    ]

    score = forms.TypedChoiceField(
        label=_("评分"), choices=SCORES, coerce=int, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label=_("想说的话（可以不填）"),
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


class ResidentSearchForm(forms.Form):
    q = forms.CharField(label=_("姓名、地址、身份证号或手机号"), required=False, max_length=60)
