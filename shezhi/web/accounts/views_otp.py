"""Two-step log-in (TOTP, django-otp) for desk roles: enrol an authenticator app from a QR code,
then confirm a 6-digit code after each log-in."""

from base64 import b32encode

import segno
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.plugins.otp_totp.models import TOTPDevice

from shezhi.accounts.login_state import HAS_DEVICE_KEY, remember_device, totp_required


class CodeForm(forms.Form):
    code = forms.RegexField(
        label=gettext_lazy("验证码"),
        regex=r"^\s*\d{6}\s*$",
        error_messages={
            "required": gettext_lazy("请输入 6 位验证码"),
            "invalid": gettext_lazy("验证码是 6 位数字"),
        },
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "autofocus": True}
        ),
    )


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    ok = url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()})
    return target if ok else "/"


@login_required
def otp_setup(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not (user.is_staff_role or user.is_superuser):
        raise PermissionDenied
    if request.session.get(HAS_DEVICE_KEY) and not user.is_verified():
        return redirect("otp_verify")  # a new device must not replace a code not yet given
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=_("手机身份验证器"), confirmed=False)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"].strip()):
            TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            remember_device(request, True)
            messages.success(request, _("两步验证已开启。以后登录时需要输入手机上的验证码。"))
            return redirect(_next(request))
        form.add_error("code", _("验证码不正确，请输入手机上当前显示的 6 位数字。"))
    context = {
        "form": form,
        "qr": segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2),
        "secret": b32encode(device.bin_key).decode(),
        "required": totp_required(user),
        "next": _next(request),
    }
    return render(request, "registration/otp_setup.html", context)


@login_required
def otp_verify(request: HttpRequest) -> HttpResponse:
    user = request.user
    if user.is_verified() or not request.session.get(HAS_DEVICE_KEY):
        return redirect(_next(request))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(user, form.cleaned_data["code"].strip())
        if device is not None:
            otp_login(request, device)
            return redirect(_next(request))
        form.add_error("code", _("验证码不正确或已过期，请输入手机上最新的 6 位数字。"))
    return render(request, "registration/otp_verify.html", {"form": form, "next": _next(request)})
