"""Start-up checks of the needs settings."""

from django.conf import settings
from django.core.checks import Error, register


@register()
def service_start_window_is_not_negative(app_configs, **kwargs):
    if settings.SHEZHI_SERVICE_START_WINDOW_MINUTES < 0:
        return [
            Error(
                "SHEZHI_SERVICE_START_WINDOW_MINUTES must be 0 or more (minutes around the "
                "booked time in which a helper may start an order).",
                id="shezhi.E401",
            )
        ]
    return []
