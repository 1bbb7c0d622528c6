"""Writes to case files. Each service checks the actor's access first (outside its transaction,
so that the log of a refused attempt survives the refusal), then changes the file in one
transaction and writes its audit event there.

Settings: SHEZHI_CASE_REVIEW_DAYS (days between reviews by risk level),
SHEZHI_CASE_EMERGENCY_MAX_HOURS (longest emergency access).

The services live in one module per section (opening, stages, plans, team, crisis,
referrals, benefits, supervision); helpers they share are in `common`. Callers import them from
here or from their module.
"""

from shezhi.cases.services.benefits import benefit_task_set_status, benefit_tasks_start
from shezhi.cases.services.crisis import (
    CRISIS_STEPS,
    crisis_end,
    crisis_safety_plan,
    crisis_start,
    crisis_step_done,
)
from shezhi.cases.services.opening import (
    case_open,
    case_open_from_alert,
    case_open_from_need,
    case_record_consent,
)
from shezhi.cases.services.plans import GoalInput, assessment_record, intervention_log, plan_create
from shezhi.cases.services.referrals import (
    REFERRAL_NEXT,
    ReferralIn,
    referral_advance,
    referral_create,
)
from shezhi.cases.services.stages import (
    NEXT_STAGES,
    case_advance,
    case_close,
    case_reopen,
    case_review,
)
from shezhi.cases.services.supervision import (
    emergency_access_grant,
    emergency_access_revoke,
    emergency_max_hours,
    supervision_note_add,
)
from shezhi.cases.services.team import team_add, team_end

__all__ = [
    "CRISIS_STEPS",
    "GoalInput",
    "NEXT_STAGES",
    "REFERRAL_NEXT",
    "ReferralIn",
    "assessment_record",
    "benefit_task_set_status",
    "benefit_tasks_start",
    "case_advance",
    "case_close",
    "case_open",
    "case_open_from_alert",
    "case_open_from_need",
    "case_record_consent",
    "case_reopen",
    "case_review",
    "crisis_end",
    "crisis_safety_plan",
    "crisis_start",
    "crisis_step_done",
    "emergency_access_grant",
    "emergency_access_revoke",
    "emergency_max_hours",
    "intervention_log",
    "plan_create",
    "referral_advance",
    "referral_create",
    "supervision_note_add",
    "team_add",
    "team_end",
]
