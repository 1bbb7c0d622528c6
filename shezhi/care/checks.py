"""Refuse to start with visit-cadence or crisis-deadline settings that would miss people."""

from django.conf import settings
from django.core.checks import Error, register

from shezhi.care.cadence import CadenceError, rules_from_mapping


@register()
def care_settings_are_valid(app_configs, **kwargs):
    errors = []
    try:
        rules_from_mapping(settings.SHEZHI_CARE_CADENCE)
    except CadenceError as exc:
        errors.append(Error(f"SHEZHI_CARE_CADENCE: {exc.message}", id="shezhi.E201"))
    minutes = settings.SHEZHI_CARE_CRISIS_ACK_MINUTES
    if isinstance(minutes, bool) or not isinstance(minutes, int) or not 1 <= minutes <= 24 * 60:
        errors.append(
            Error(
                "SHEZHI_CARE_CRISIS_ACK_MINUTES: 危机预警确认时限应为1到1440分钟",
                id="shezhi.E202",
            )
        )
    return errors
