"""Forms of the time-bank pages: they check the shape of input; the rules live in
shezhi.timebank.services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from shezhi.timebank.models import Kinship
from shezhi.volunteers.models import ServiceCategory
from shezhi.web.forms_base import DomainForm

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _coins() -> forms.DecimalField:
    return forms.DecimalField(
        label=_("时间币"),
        max_digits=12,
        decimal_places=2,
        min_value=0.01,
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0.01", "inputmode": "decimal"}),
    )


class _Form(DomainForm):
    """Several of these share one page: element ids carry the form's own prefix."""

    id_prefix = "tb"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", f"{self.id_prefix}_%s")
        super().__init__(*args, **kwargs)


class SpendForm(_Form):
    id_prefix = "spend"
    amount = _coins()
    service = forms.CharField(label=_("兑换的服务"), max_length=100)


class TransferForm(_Form):
    id_prefix = "transfer"
    domain_fields = {"to_account_id": "to_account"}

    to_account = forms.TypedChoiceField(label=_("转赠给"), coerce=int, choices=())
    amount = _coins()
    note = forms.CharField(label=_("附言"), max_length=100, required=False)

    def __init__(self, *args, relatives=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_account"].choices = [
            (k.relative_id, f"{k.get_relation_display()} · {k.relative.holder_name}")
            for k in relatives
        ]


class KinshipForm(_Form):
    id_prefix = "kinship"
    relation = forms.ChoiceField(label=_("亲属关系"), choices=Kinship.Relation.choices)
    relative_resident_id = forms.IntegerField(
        label=_("亲属的居民ID"), required=False, min_value=1, max_value=2**63 - 1
    )
    relative_volunteer_id = forms.IntegerField(
        label=_("或亲属的志愿者ID"), required=False, min_value=1, max_value=2**63 - 1
    )
    evidence = forms.CharField(
        label=_("核验依据"), max_length=100, help_text=_("如：户口簿、结婚证、出生医学证明")
    )


class DepositForm(DomainForm):
    domain_fields = {"record_id": "record"}

    record = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**63 - 1)
    category = forms.ChoiceField(label=_("服务类别"), choices=ServiceCategory.choices)


class ReviewForm(DomainForm):
    approve = forms.TypedChoiceField(
        label=_("审核结果"),
        coerce=lambda v: v == "yes",
        choices=[("yes", _("同意")), ("no", _("不同意"))],
    )
    reason = forms.CharField(label=_("意见"), max_length=300, required=False)


class PeriodForm(DomainForm):
    date_from = forms.DateField(label=_("开始日期"), required=False, widget=DATE)
    date_to = forms.DateField(label=_("截止日期"), required=False, widget=DATE)
