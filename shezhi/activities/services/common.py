"""Constants and settings shared by the activity services."""

from django.conf import settings

from shezhi.activities.models import Activity, SignUp
from shezhi.volunteers.models import TeamMembership

Status = Activity.Status
SU = SignUp.Status
LEADING_ROLES = (TeamMembership.TeamRole.LEADER, TeamMembership.TeamRole.DEPUTY)
MAX_QUOTA = 1000
# Prefix of the cancel reason of sign-ups cancelled with their activity (calendar.py reads it).
CANCELLED_WITH_ACTIVITY = "活动取消："


def max_occurrences() -> int:
    return settings.SHEZHI_ACTIVITY_MAX_OCCURRENCES


def token_seconds() -> int:
    return settings.SHEZHI_CHECKIN_TOKEN_SECONDS
