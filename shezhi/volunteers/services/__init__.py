"""Writes to volunteers and their service records: validated, scoped, audited, in one transaction.

Public entry points (stable signatures, called by needs, imports, web and API):
- volunteer_register(*, actor, community_id, user=None, today=None, **fields of Registration)
  -> Volunteer; volunteers_register_many(*, actor, community_id, registrations) (imports)
- volunteer_skills_set(*, actor, volunteer_id, skills, skill_levels=None) -> Volunteer
- service_record_create(*, recorder, organiser_unit, now=None, **fields of RecordEntry)
  -> ServiceRecord; service_records_create_many(*, recorder, organiser_unit, entries) (imports)
- service_record_approve_late / service_record_reject_late (supervisor)
- correction_request_file (volunteer) / correction_request_decide (recording unit)
- training_record_create, honour_create
Stars and falsification findings are in `stars.py`, teams in `teams.py`.

Submodules: scope (who may record/approve where), registration, records (service records and
late approval), corrections, training (training records and honours). The names below are
re-exported so callers may keep importing `shezhi.volunteers.services`.
"""

from shezhi.volunteers.scope import (
    APPROVING_ROLES,
    RECORDING_ROLES,
    may_approve_late,
    may_record_for,
    unit_in_scope,
    volunteer_in_scope,
)
from shezhi.volunteers.services.corrections import (
    CORRECTABLE,
    correction_request_decide,
    correction_request_file,
)
from shezhi.volunteers.services.records import (
    CLOCK_TOLERANCE,
    MAX_MINUTES,
    RecordEntry,
    check_day_total,
    check_record_fields,
    hours_of,
    place_period,
    record_due_date,
    record_for_update,
    record_new_version,
    record_snapshot,
    service_record_approve_late,
    service_record_create,
    service_record_reject_late,
    service_records_create_many,
)
from shezhi.volunteers.services.registration import (
    GUARDIAN_AGE,
    SENSITIVE_AGE,
    Registration,
    may_take_hazardous_position,
    volunteer_register,
    volunteer_skills_set,
    volunteers_register_many,
)
from shezhi.volunteers.services.training import honour_create, training_record_create

__all__ = [
    "APPROVING_ROLES",
    "CLOCK_TOLERANCE",
    "CORRECTABLE",
    "GUARDIAN_AGE",
    "MAX_MINUTES",
    "RECORDING_ROLES",
    "RecordEntry",
    "Registration",
    "SENSITIVE_AGE",
    "check_day_total",
    "check_record_fields",
    "correction_request_decide",
    "correction_request_file",
    "honour_create",
    "hours_of",
    "may_approve_late",
    "may_record_for",
    "may_take_hazardous_position",
    "place_period",
    "record_due_date",
    "record_for_update",
    "record_new_version",
    "record_snapshot",
    "service_record_approve_late",
    "service_record_create",
    "service_record_reject_late",
    "service_records_create_many",
    "training_record_create",
    "unit_in_scope",
    "volunteer_in_scope",
    "volunteer_register",
    "volunteer_skills_set",
    "volunteers_register_many",
]
