"""Casework desk pages (/desk/cases/): the actor's cases (and, for a supervisor, the caseloads,
overdue reviews and high-risk cases of the workers they supervise), one case file showing only
the parts the actor's role may see, and the pages that write it (intake, assessment, plan,
interventions, team, crisis protocol, referrals, benefits, review, closure, reopening,
supervision notes), the access-log review, the aggregate report, the watermarked export, and an
admin's emergency access by case number.

Every case read goes through `shezhi.cases.selectors`, which logs it; a case outside the actor's
reach is a 404 like a missing one. Writes call one service each; its DomainError goes back onto
the form in Chinese.

The pages live in one module per group: `reading` (lists, file, access log, export,
report), `intake`, `writes` (the stage and file pages), `referrals` (and benefits), `crisis`,
`emergency`; the write-page plumbing they share is in `common`.
"""

from shezhi.web.cases.views.crisis import crisis, crisis_end, crisis_safety_plan, crisis_step
from shezhi.web.cases.views.emergency import emergency_access, emergency_revoke
from shezhi.web.cases.views.intake import case_new
from shezhi.web.cases.views.reading import (
    case_access_log,
    case_detail,
    case_export,
    case_list,
    case_report,
)
from shezhi.web.cases.views.referrals import (
    benefit_status,
    benefits_new,
    referral_new,
    referral_status,
)
from shezhi.web.cases.views.writes import (
    advance,
    assessment,
    close,
    consent,
    intervention,
    plan,
    reopen,
    review,
    supervision_note,
    team_add,
    team_end,
)

__all__ = [
    "advance",
    "assessment",
    "benefit_status",
    "benefits_new",
    "case_access_log",
    "case_detail",
    "case_export",
    "case_list",
    "case_new",
    "case_report",
    "close",
    "consent",
    "crisis",
    "crisis_end",
    "crisis_safety_plan",
    "crisis_step",
    "emergency_access",
    "emergency_revoke",
    "intervention",
    "plan",
    "referral_new",
    "referral_status",
    "reopen",
    "review",
    "supervision_note",
    "team_add",
    "team_end",
]
