from datetime import datetime

from shezhi.accounts.models import User
from shezhi.care.models import CareProfile
from shezhi.care.services import care_profile_set


def register(
    actor: User, resident, level: str = "high", *, now: datetime | None = None
) -> CareProfile:
    """A resident on the care registry, put there through the service."""
    return care_profile_set(
        actor=actor,
        resident_id=resident.pk,
        risk_level=level,
        risk_reasons="80岁以上独居",
        now=now,
    )
