"""The intake page (开案): from a care alert, a need, or a resident."""

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from shezhi.accounts.models import User
from shezhi.cases import services
from shezhi.cases.permissions import OPEN_ROLES
from shezhi.core.errors import DomainError, NotFound
from shezhi.core.page_errors import form_error
from shezhi.web.access import roles_only
from shezhi.web.cases import forms
from shezhi.web.cases.views.common import back_to_case, form_page
from shezhi.web.pickers import label_pickers


def _open(user: User, d: dict[str, Any]) -> Any:
    consent = {
        "client_consent": d["client_consent"],
        "guardian_name": d["guardian_name"],
        "guardian_consent": d["guardian_consent"],
    }
    common = {"actor": user, "problem_type": d["problem_type"], "risk_level": d["risk_level"]}
    if d["source"] == "crisis_alert":
        return services.case_open_from_alert(alert_id=d["alert"], **common, **consent)
    if d["source"] == "need":
        return services.case_open_from_need(need_id=d["need"], **common, **consent)
    referral = None
    if d["source"] == "referral_in":
        referral = services.ReferralIn(
            institution_kind=d["institution_kind"],
            institution_name=d["institution_name"],
            reason=d["referral_reason"],
            contact=d["contact"],
        )
    return services.case_open(
        client_id=d["client"],
        source=d["source"],
        opened_on=d["opened_on"],
        referral_in=referral,
        **common,
        **consent,
    )


@roles_only(OPEN_ROLES)
def case_new(request: HttpRequest) -> HttpResponse:
    """接案. A link from a care alert (?alert=) or a need (?need=) prefills the source."""
    initial: dict[str, Any] = {}
    for key, source in (("alert", "crisis_alert"), ("need", "need"), ("resident", "")):
        value = request.GET.get(key, "")
        if value.isdigit():
            initial["client" if key == "resident" else key] = int(value)
            if source:
                initial["source"] = source
                initial["risk_level"] = "urgent" if key == "alert" else "medium"
    form = forms.CaseOpenForm(request.POST or None, initial=initial)
    label_pickers(form, request.user)
    if request.method == "POST" and form.is_valid():
        try:
            case = _open(request.user, form.cleaned_data)
        except NotFound as exc:
            # The need, alert or resident named on the form is not one the actor may see.
            form.add_error(None, exc.message)
        except DomainError as exc:
            form_error(form, exc, forbidden=True)
        else:
            messages.success(request, _("已开案：个案 #%(n)s。") % {"n": case.pk})
            return back_to_case(case.pk)
    return form_page(request, form, _("开案"), None)
