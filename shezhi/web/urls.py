from django.contrib.auth import views as auth_views
from django.urls import include, path

from shezhi.web import (
    views,
    views_activities,
    views_dispatch,
    views_imports,
    views_timebank,
    views_volunteers,
)


def _team_paths() -> list:
    """Team actions, under both /m/ and /desk/ (each redirects back to its own side)."""
    return [
        path("teams/apply/", views_volunteers.team_apply, name="team_apply"),
        path("teams/<int:team_id>/join/", views_volunteers.team_join, name="team_join"),
        path("teams/<int:team_id>/leave/", views_volunteers.team_leave, name="team_leave"),
        path("teams/<int:team_id>/members/", views_volunteers.team_add_member, name="team_add"),
        path("teams/<int:team_id>/role/", views_volunteers.team_set_role, name="team_role"),
    ]


mobile = [
    path("", views.resident_home, name="home"),
    path("my/", views.resident_needs, name="my_needs"),
    path("needs/<int:need_id>/", views.resident_need, name="need"),
    path("needs/<int:need_id>/rate/", views.resident_rate, name="rate"),
    path("needs/<int:need_id>/cancel/", views.resident_cancel, name="cancel"),
    path("orders/", views.helper_orders, name="orders"),
    path("orders/<int:need_id>/", views.helper_order, name="order"),
    path("orders/<int:need_id>/accept/", views.helper_accept, name="accept"),
    path("orders/<int:need_id>/decline/", views.helper_decline, name="decline"),
    path("orders/<int:need_id>/start/", views.helper_start, name="start"),
    path("orders/<int:need_id>/complete/", views.helper_complete, name="complete"),
    path("hours/", views.helper_hours, name="hours"),
    path("me/", views_volunteers.me, name="me"),
    path("me/records/<int:record_id>/", views_volunteers.me_record, name="me_record"),
    path("me/corrections/", views_volunteers.me_correct, name="me_correct"),
    path("teams/<int:team_id>/", views_volunteers.team_detail, name="team"),
    *_team_paths(),
]

desk = [
    path("", views.desk_home, name="home"),
    path("needs/", views.desk_needs, name="needs"),
    path("needs/new/", views.desk_need_new, name="need_new"),
    path("needs/<int:need_id>/", views.desk_need, name="need"),
    path("needs/<int:need_id>/dispatch/", views.desk_dispatch, name="dispatch"),
    path("needs/<int:need_id>/cancel/", views.desk_cancel, name="cancel"),
    path("needs/<int:need_id>/unresolvable/", views.desk_unresolvable, name="unresolvable"),
    path("needs/<int:need_id>/review/", views.desk_review, name="review"),
    path("needs/<int:need_id>/edit/", views.desk_edit, name="edit"),
    path("dispatch/bulk/", views_dispatch.desk_dispatch_bulk, name="dispatch_bulk"),
    path("residents/", views.desk_residents, name="residents"),
    path("residents/<int:resident_id>/", views.desk_resident, name="resident"),
    path("residents/<int:resident_id>/reveal/", views.desk_resident_reveal, name="reveal"),
    path("records/", views_volunteers.desk_records, name="records"),
    path("records/<int:record_id>/", views_volunteers.desk_record, name="record"),
    path("records/late/", views_volunteers.desk_late_records, name="late_records"),
    path("records/<int:record_id>/late/", views_volunteers.desk_late_decide, name="late_decide"),
    path("corrections/", views_volunteers.desk_corrections, name="corrections"),
    path(
        "corrections/<int:request_id>/",
        views_volunteers.desk_correction_decide,
        name="correction_decide",
    ),
    path("teams/", views_volunteers.desk_teams, name="teams"),
    path("teams/<int:team_id>/", views_volunteers.team_detail, name="team"),
    path("teams/<int:team_id>/review/", views_volunteers.desk_team_review, name="team_review"),
    *_team_paths(),
    path("records/new/", views_volunteers.desk_record_new, name="record_new"),
    path("volunteers/", views_volunteers.desk_volunteers, name="volunteers"),
    path("volunteers/new/", views_volunteers.desk_volunteer_new, name="volunteer_new"),
    path("volunteers/<int:volunteer_id>/", views_volunteers.desk_volunteer, name="volunteer"),
    path(
        "volunteers/<int:volunteer_id>/training/",
        views_volunteers.desk_volunteer_training,
        name="volunteer_training",
    ),
    path(
        "volunteers/<int:volunteer_id>/honour/",
        views_volunteers.desk_volunteer_honour,
        name="volunteer_honour",
    ),
]

desk += [
    path("imports/", views_imports.desk_imports, name="imports"),
    path("imports/upload/", views_imports.desk_import_upload, name="import_upload"),
    path(
        "imports/templates/<str:kind>.xlsx",
        views_imports.desk_import_template,
        name="import_template",
    ),
    path("imports/export/", views_imports.desk_hours_export, name="hours_export"),
    path("imports/<int:job_id>/", views_imports.desk_import_job, name="import_job"),
    path("imports/<int:job_id>/status/", views_imports.desk_import_status, name="import_status"),
    path(
        "imports/<int:job_id>/errors.xlsx", views_imports.desk_import_errors, name="import_errors"
    ),
]

timebank = [
    path("m/timebank/", views_timebank.mine, name="mine"),
    path("timebank/accounts/<int:account_id>/", views_timebank.account, name="account"),
    path("timebank/accounts/<int:account_id>/spend/", views_timebank.spend, name="spend"),
    path("timebank/accounts/<int:account_id>/transfer/", views_timebank.transfer, name="transfer"),
    path("timebank/accounts/<int:account_id>/relatives/", views_timebank.relative, name="relative"),
    path(
        "timebank/accounts/<int:account_id>/statement/",
        views_timebank.statement,
        name="statement",
    ),
    path("desk/timebank/", views_timebank.desk, name="desk"),
    path("desk/timebank/deposits/", views_timebank.deposit, name="deposit"),
    path("desk/timebank/deposits/<int:deposit_id>/review/", views_timebank.review, name="review"),
    path(
        "desk/timebank/deposits/<int:deposit_id>/reverse/", views_timebank.reverse, name="reverse"
    ),
]

activities = [
    path("m/activities/", views_activities.mine, name="mine"),
    path(
        "m/activities/positions/<int:position_id>/signup/",
        views_activities.sign_up,
        name="sign_up",
    ),
    path("m/activities/signups/<int:signup_id>/cancel/", views_activities.cancel, name="cancel"),
    path("m/activities/<int:activity_id>/checkin/", views_activities.checkin, name="checkin"),
    path("m/activities/<int:activity_id>/checkout/", views_activities.checkout, name="checkout"),
    path("desk/activities/<int:activity_id>/qr/", views_activities.qr, name="qr"),
    path("desk/activities/", views_activities.desk_list, name="desk_list"),
    path("desk/activities/new/", views_activities.desk_new, name="desk_new"),
    path(
        "desk/activities/<int:activity_id>/publish/", views_activities.desk_publish, name="publish"
    ),
    path("desk/activities/<int:activity_id>/", views_activities.desk_detail, name="desk_detail"),
    path(
        "desk/activities/<int:activity_id>/signups/<int:signup_id>/decide/",
        views_activities.desk_decide,
        name="decide",
    ),
    path(
        "desk/activities/<int:activity_id>/signups/<int:signup_id>/checkin/",
        views_activities.desk_manual_checkin,
        name="manual_checkin",
    ),
    path(
        "desk/activities/<int:activity_id>/signups/<int:signup_id>/insurance/",
        views_activities.desk_insurance,
        name="insurance",
    ),
    path("desk/activities/<int:activity_id>/close/", views_activities.desk_close, name="close"),
    path(
        "desk/activities/<int:activity_id>/confirm/", views_activities.desk_confirm, name="confirm"
    ),
]

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("m/", include((mobile, "m"))),
    path("desk/", include((desk, "desk"))),
    path("", include((timebank, "timebank"))),
    path("", include((activities, "activities"))),
]
