"""Writes to the care registry: profiles, one-on-one contacts, visits, alerts and triage. Each
runs in one transaction and writes its audit event. The scheduled jobs are in `jobs`, the
door-knocking campaigns in `campaigns`.

`profiles`, `contacts`, `visits`, `scanning` (triage of free text) and `alerts`, with helpers
shared by them in `common`; this package re-exports their public names.

Settings (all optional): SHEZHI_CARE_CADENCE (see cadence.rules_from_mapping),
SHEZHI_CARE_CRISIS_ACK_MINUTES (default 30), SHEZHI_CARE_NOBODY_HOME_ACK_HOURS (default 24).
"""

from shezhi.care.services.alerts import alert_acknowledge, alert_close, alert_record_report
from shezhi.care.services.common import BATCH, CONTACT_KINDS, crisis_ack_minutes, may_manage, rules
from shezhi.care.services.contacts import contact_assign, contact_end
from shezhi.care.services.profiles import care_profile_set
from shezhi.care.services.scanning import lexicon, notify_alert, scan_text
from shezhi.care.services.visits import NeedDraft, visit_log, visit_record

__all__ = [
    "BATCH",
    "CONTACT_KINDS",
    "NeedDraft",
    "alert_acknowledge",
    "alert_close",
    "alert_record_report",
    "care_profile_set",
    "contact_assign",
    "contact_end",
    "crisis_ack_minutes",
    "lexicon",
    "may_manage",
    "notify_alert",
    "rules",
    "scan_text",
    "visit_log",
    "visit_record",
]
