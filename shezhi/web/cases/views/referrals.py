"""Referral and benefits-application pages of a case."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shezhi.cases import services
from shezhi.cases.models import BenefitTask, Referral
from shezhi.cases.permissions import CaseAction
from shezhi.web.cases import forms
from shezhi.web.cases.views.common import case_write, child_status


@login_required
def referral_new(request: HttpRequest, case_id: int) -> HttpResponse:
    return case_write(
        request,
        case_id,
        form_class=forms.ReferralForm,
        title=_("转介"),
        action=CaseAction.REFER,
        done=_("已登记转介。"),
        perform=lambda u, c, d, f: services.referral_create(actor=u, case_id=c, **d),
        testid="referral-form",
    )


@login_required
@require_POST
def referral_status(request: HttpRequest, referral_id: int) -> HttpResponse:
    return child_status(
        request,
        Referral,
        referral_id,
        forms.ReferralStatusForm(request.POST),
        lambda d: services.referral_advance(actor=request.user, referral_id=referral_id, **d),
        lambda r: _("转介状态已更新：%(s)s。") % {"s": r.get_status_display()},
    )


@login_required
def benefits_new(request: HttpRequest, case_id: int) -> HttpResponse:
    return case_write(
        request,
        case_id,
        form_class=forms.BenefitForm,
        title=_("救助申请事项"),
        action=CaseAction.START_BENEFITS,
        done=_("已登记救助申请事项。"),
        perform=lambda u, c, d, f: services.benefit_tasks_start(actor=u, case_id=c, **d),
    )


@login_required
@require_POST
def benefit_status(request: HttpRequest, task_id: int) -> HttpResponse:
    return child_status(
        request,
        BenefitTask,
        task_id,
        forms.BenefitStatusForm(request.POST),
        lambda d: services.benefit_task_set_status(actor=request.user, task_id=task_id, **d),
        lambda t: _("申请状态已更新。"),
    )
