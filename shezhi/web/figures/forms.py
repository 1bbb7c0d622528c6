"""The figures pages' pickers: which unit, which period, which figure. The form only reads the
shape of the input; `shezhi.figures.periods.parse_period` says what a valid period is."""

from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shezhi.figures.catalogue import FIGURES
from shezhi.figures.periods import Period, PeriodError, parse_period
from shezhi.web.forms_base import DomainForm

MAX_ID = 2**63 - 1
KINDS = (
    ("month", pgettext_lazy("period kind", "月")),
    ("quarter", pgettext_lazy("period kind", "季度")),
    ("year", pgettext_lazy("period kind", "年")),
    ("day", pgettext_lazy("period kind", "日")),
    ("custom", _("自定义")),
)
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class FiguresForm(DomainForm):
    unit = forms.IntegerField(label=_("单元"), min_value=1, max_value=MAX_ID, required=False)
    kind = forms.ChoiceField(label=_("统计周期"), choices=KINDS, required=False)
    value = forms.CharField(
        label=_("期间"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("如 2026-11")}),
        help_text=_("月写作 2026-11，季度写作 2026-Q4，年写作 2026，日写作 2026-11-05"),
    )
    start = forms.CharField(label=_("开始日期"), max_length=10, required=False, widget=DATE)
    end = forms.CharField(label=_("结束日期"), max_length=10, required=False, widget=DATE)
    figure = forms.CharField(label=_("指标"), max_length=40, required=False)

    def __init__(self, data=None, *, today: date, default: Period, **kwargs):
        super().__init__(data, **kwargs)
        self.today = today
        self.default = default  # the period shown when none is chosen (or it cannot be read)

    def clean_figure(self) -> str:
        code = self.cleaned_data.get("figure") or ""
        if code and code not in FIGURES:
            raise forms.ValidationError(_("没有编码为“%(code)s”的统计指标"), params={"code": code})
        return code

    def clean(self):
        data = super().clean()
        kind = data.get("kind") or "month"
        value, start, end = data.get("value") or "", data.get("start") or "", data.get("end") or ""
        try:
            if kind != "custom" and not value:
                period = Period.containing(kind, self.today)  # this month, quarter, year, day
            else:
                period = parse_period(kind, value, start, end)
        except PeriodError as exc:
            field = exc.field if exc.field in self.fields else "value"
            self.add_error(field, str(exc))
        else:
            data["period"] = period
        return data

    def _read(self, name: str):
        """One field's value, even when another field could not be read."""
        if not self.is_bound:
            return None
        self.is_valid()  # fills cleaned_data with the fields that could be read
        return self.cleaned_data.get(name)

    def period(self) -> Period:
        """The chosen period, or the default when none was chosen or it could not be read."""
        return self._read("period") or self.default

    def unit_id(self) -> int | None:
        return self._read("unit")

    def figure_code(self, default: str) -> str:
        return self._read("figure") or default
