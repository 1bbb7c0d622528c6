"""Refuse to start with a notification channel or SMS backend that cannot be loaded."""

from django.conf import settings
from django.core.checks import Error, register
from django.utils.module_loading import import_string

from shezhi.notifications.channels import DEFAULT_SMS_BACKEND, channel, channel_names


@register()
def notification_settings_are_valid(app_configs, **kwargs):
    errors = []
    for name in channel_names():
        try:
            channel(name)
        except (ImportError, TypeError, ValueError) as exc:
            errors.append(
                Error(
                    f"SHEZHI_NOTIFICATION_CHANNELS: 无法加载通知渠道 {name}（{exc}）",
                    id="shezhi.E301",
                )
            )
    path = settings.SHEZHI_SMS_BACKEND or DEFAULT_SMS_BACKEND
    try:
        import_string(path)
    except ImportError as exc:
        errors.append(
            Error(f"SHEZHI_SMS_BACKEND: 无法加载短信后端 {path}（{exc}）", id="shezhi.E302")
        )
    return errors
