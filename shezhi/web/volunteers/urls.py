"""Volunteers' pages: their own record and teams under /m/, records, corrections, teams and
volunteers at the desk under /desk/ (namespaces "m" and "desk", composed by shezhi/web/urls.py)."""

from django.urls import path

from shezhi.web.volunteers import views


def _team_paths() -> list:
    """Team actions, under both /m/ and /desk/ (each redirects back to its own side)."""
    return [
        path("teams/apply/", views.team_apply, name="team_apply"),
        path("teams/<int:team_id>/join/", views.team_join, name="team_join"),
        path("teams/<int:team_id>/leave/", views.team_leave, name="team_leave"),
        path("teams/<int:team_id>/members/", views.team_add_member, name="team_add"),
        path("teams/<int:team_id>/role/", views.team_set_role, name="team_role"),
    ]


mobile = [
    path("me/", views.me, name="me"),
    path("me/records/<int:record_id>/", views.me_record, name="me_record"),
    path("me/corrections/", views.me_correct, name="me_correct"),
    path("teams/<int:team_id>/", views.team_detail, name="team"),
    *_team_paths(),
]

desk = [
    path("records/", views.desk_records, name="records"),
    path("records/<int:record_id>/", views.desk_record, name="record"),
    path("records/late/", views.desk_late_records, name="late_records"),
    path("records/held/", views.desk_held_records, name="held_records"),
    path(
        "records/<int:record_id>/confirm/",
        views.desk_held_confirm,
        name="held_confirm",
    ),
    path("records/<int:record_id>/reject/", views.desk_held_reject, name="held_reject"),
    path("records/<int:record_id>/late/", views.desk_late_decide, name="late_decide"),
    path("corrections/", views.desk_corrections, name="corrections"),
    path(
        "corrections/<int:request_id>/",
        views.desk_correction_decide,
        name="correction_decide",
    ),
    path("teams/", views.desk_teams, name="teams"),
    path("teams/<int:team_id>/", views.team_detail, name="team"),
    path("teams/<int:team_id>/review/", views.desk_team_review, name="team_review"),
    *_team_paths(),
    path("records/new/", views.desk_record_new, name="record_new"),
    path("volunteers/", views.desk_volunteers, name="volunteers"),
    path("volunteers/new/", views.desk_volunteer_new, name="volunteer_new"),
    path("volunteers/<int:volunteer_id>/", views.desk_volunteer, name="volunteer"),
    path(
        "volunteers/<int:volunteer_id>/training/",
        views.desk_volunteer_training,
        name="volunteer_training",
    ),
    path(
        "volunteers/<int:volunteer_id>/honour/",
        views.desk_volunteer_honour,
        name="volunteer_honour",
    ),
    path(
        "volunteers/<int:volunteer_id>/skills/",
        views.desk_volunteer_skills,
        name="volunteer_skills",
    ),
]
