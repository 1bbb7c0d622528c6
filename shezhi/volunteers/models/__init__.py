"""Volunteers, their teams and the service records that carry their hours.

Rules live in services (registration, records, corrections, stars, teams); models keep the fields,
database constraints and single-row checks. Records are never deleted: corrections amend them and
every version is kept in `ServiceRecordVersion`.

Submodules: volunteer (volunteers, skills, availability, certificates, consents), teams, policy
(region policy and holidays), records (service records, versions, corrections, findings),
training (training records and honours). All models keep the app label "volunteers".
"""

from shezhi.volunteers.models.policy import (
    DEFAULT_BAR_DAYS,
    DEFAULT_DUE_WORKING_DAYS,
    DEFAULT_ROUNDING_STEPS,
    DEFAULT_STAR_THRESHOLDS,
    Holiday,
    RegionPolicy,
)
from shezhi.volunteers.models.volunteer import (
    DEFAULT_SKILL_LEVEL,
    PARTY_STATUSES,
    SKILL_LEVELS,
    Availability,
    Certificate,
    Consent,
    PoliticalStatus,
    ServiceCategory,
    SkillTag,
    Volunteer,
    VolunteerNumberSequence,
    VolunteerSkill,
    split_skill_level,
)

# isort: split
from shezhi.volunteers.models.teams import Team, TeamMembership, TeamMembershipEvent

# isort: split
from shezhi.volunteers.models.records import (
    RECORD_VERSIONED_FIELDS,
    CorrectionRequest,
    FalsificationFinding,
    ServiceRecord,
    ServiceRecordVersion,
)
from shezhi.volunteers.models.training import Honour, TrainingRecord

__all__ = [
    "DEFAULT_BAR_DAYS",
    "DEFAULT_DUE_WORKING_DAYS",
    "DEFAULT_ROUNDING_STEPS",
    "DEFAULT_SKILL_LEVEL",
    "DEFAULT_STAR_THRESHOLDS",
    "PARTY_STATUSES",
    "RECORD_VERSIONED_FIELDS",
    "SKILL_LEVELS",
    "Availability",
    "Certificate",
    "Consent",
    "CorrectionRequest",
    "FalsificationFinding",
    "Holiday",
    "Honour",
    "PoliticalStatus",
    "RegionPolicy",
    "ServiceCategory",
    "ServiceRecord",
    "ServiceRecordVersion",
    "SkillTag",
    "Team",
    "TeamMembership",
    "TeamMembershipEvent",
    "TrainingRecord",
    "Volunteer",
    "VolunteerNumberSequence",
    "VolunteerSkill",
    "split_skill_level",
]
