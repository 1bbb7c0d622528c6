"""Writes to activities: creation (one-off or from a recurrence rule), publication and
cancellation, plus who may organise or see an activity and who may take a position.

`access` (who may do what), `checks` (the checks of a new activity and `ActivitySpec`),
`creation`, `publishing` (publish, cancel), `eligibility` and `beneficiaries`; this package
re-exports their public names. Sign-ups, the waiting list and insurance are in `signups.py`;
check-in/check-out and the attendance confirmation that writes service records are in
`attendance.py`. Every write is keyword-only, runs in one transaction and writes its audit event
there.

Configurable in settings (defaults in brackets): SHEZHI_ACTIVITY_MAX_OCCURRENCES [200],
SHEZHI_CHECKIN_TOKEN_SECONDS [60], SHEZHI_CHECKIN_OPENS_MINUTES [60],
SHEZHI_CHECKOUT_GRACE_MINUTES [120]. The cancellation cut-off is set per activity.
"""

from shezhi.activities.services.access import (
    activity_for_organiser,
    activity_row,
    in_publication_scope,
    leads_team,
    may_organise,
    may_see,
    teams_led_by,
    volunteer_of,
)
from shezhi.activities.services.beneficiaries import (
    activity_set_headcount,
    beneficiaries_total,
    beneficiary_add,
)
from shezhi.activities.services.checks import (
    ActivitySpec,
    CheckedActivity,
    PositionSpec,
    aware_datetime,
    check_activity,
    parse_point,
)
from shezhi.activities.services.common import (
    CANCELLED_WITH_ACTIVITY,
    LEADING_ROLES,
    MAX_QUOTA,
    SU,
    Status,
    max_occurrences,
    token_seconds,
)
from shezhi.activities.services.creation import activity_create, activity_create_recurring
from shezhi.activities.services.eligibility import (
    VolunteerFacts,
    eligibility_problems,
    valid_insurance,
    volunteer_facts,
)
from shezhi.activities.services.publishing import activity_cancel, activity_publish

__all__ = [
    "CANCELLED_WITH_ACTIVITY",
    "LEADING_ROLES",
    "MAX_QUOTA",
    "SU",
    "ActivitySpec",
    "CheckedActivity",
    "PositionSpec",
    "Status",
    "VolunteerFacts",
    "activity_cancel",
    "activity_create",
    "activity_create_recurring",
    "activity_for_organiser",
    "activity_publish",
    "activity_row",
    "activity_set_headcount",
    "aware_datetime",
    "beneficiaries_total",
    "beneficiary_add",
    "check_activity",
    "eligibility_problems",
    "in_publication_scope",
    "leads_team",
    "max_occurrences",
    "may_organise",
    "may_see",
    "parse_point",
    "teams_led_by",
    "token_seconds",
    "valid_insurance",
    "volunteer_facts",
    "volunteer_of",
]
