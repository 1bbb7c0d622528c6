"""System checks that refuse a dangerous configuration at start-up."""

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security)
def secret_key_is_set(app_configs, **kwargs):
    if not settings.DEBUG and settings.SECRET_KEY.startswith("dev-only"):
        return [
            Error(
                "SHEZHI_SECRET_KEY must be set when SHEZHI_DEBUG is off.",
                id="shezhi.E001",
            )
        ]
    return []
