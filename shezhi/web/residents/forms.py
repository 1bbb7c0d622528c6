"""Residents' forms: 我要点单 (a service tile, a plain time choice) and the desk's resident search.
They only parse and check the shape of input; the rules live in the services."""

from datetime import date, datetime, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from shezhi.needs import selectors as need_selectors
from shezhi.needs import timeslots
from shezhi.needs.models import HelperGender
from shezhi.web.forms_base import DomainForm

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


class ResidentSearchForm(forms.Form):
    q = forms.CharField(label=_("姓名、地址、身份证号或手机号"), required=False, max_length=60)
