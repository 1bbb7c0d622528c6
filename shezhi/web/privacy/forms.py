from django import forms
from django.utils.translation import gettext_lazy as _

from shezhi.privacy.models import RightsRequest
from shezhi.web.forms_base import DomainForm


class RequestForm(DomainForm):
    kind = forms.ChoiceField(
        label=_("我要"),
        choices=[
            (RightsRequest.Kind.CORRECTION, _("更正信息")),
            (RightsRequest.Kind.DELETION, _("删除我的个人信息")),
            (RightsRequest.Kind.ACCESS, _("请社区提供一份副本")),
        ],
        widget=forms.RadioSelect,
    )
    details = forms.CharField(
        label=_("说明"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("更正时请写明哪项信息有误、正确的内容是什么"),
    )


class AnswerForm(DomainForm):
    decision = forms.ChoiceField(
        label=_("办理结果"),
        choices=[("accept", _("同意办理")), ("refuse", _("不予办理"))],
        widget=forms.RadioSelect,
    )
    answer = forms.CharField(
        label=_("答复"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("更正：写明改了什么；不予办理：写明理由。删除时系统自动列出保留的内容。"),
    )
