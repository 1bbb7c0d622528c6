"""Volunteer pages: the volunteer's mobile "我的" page, team pages, and the social worker's desk
pages for volunteers, service records, corrections to verify, late records to approve and teams.

Each view parses input, calls one selector or service and renders; out-of-scope objects are 404
and every other DomainError is shown in Chinese on the form or as a message.

Submodules by page group: my_page (/m/ 我的), volunteer_pages (desk), record_pages (desk:
records, corrections, late and held records), team_pages (/m/ and /desk/); the views are
re-exported for urls.py.
"""

from shezhi.web.volunteers.views.my_page import (
    me,
    me_correct,
    me_record,
)
from shezhi.web.volunteers.views.record_pages import (
    desk_correction_decide,
    desk_corrections,
    desk_held_confirm,
    desk_held_records,
    desk_held_reject,
    desk_late_decide,
    desk_late_records,
    desk_record,
    desk_record_new,
    desk_records,
)
from shezhi.web.volunteers.views.team_pages import (
    desk_team_review,
    desk_teams,
    team_add_member,
    team_apply,
    team_detail,
    team_join,
    team_leave,
    team_set_role,
)
from shezhi.web.volunteers.views.volunteer_pages import (
    desk_volunteer,
    desk_volunteer_honour,
    desk_volunteer_new,
    desk_volunteer_skills,
    desk_volunteer_training,
    desk_volunteers,
)

__all__ = [
    "desk_correction_decide",
    "desk_corrections",
    "desk_held_confirm",
    "desk_held_records",
    "desk_held_reject",
    "desk_late_decide",
    "desk_late_records",
    "desk_record",
    "desk_record_new",
    "desk_records",
    "desk_team_review",
    "desk_teams",
    "desk_volunteer",
    "desk_volunteer_honour",
    "desk_volunteer_new",
    "desk_volunteer_skills",
    "desk_volunteer_training",
    "desk_volunteers",
    "me",
    "me_correct",
    "me_record",
    "team_add_member",
    "team_apply",
    "team_detail",
    "team_join",
    "team_leave",
    "team_set_role",
]
