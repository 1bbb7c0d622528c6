from django.contrib.auth import views as auth_views
from django.urls import include, path

from shezhi.web.accounts import views as views_auth
from shezhi.web.accounts import views_otp
from shezhi.web.activities import views as views_activities
from shezhi.web.activities import views_after as views_activities_after
from shezhi.web.activities import views_calendar
from shezhi.web.care import views as views_care
from shezhi.web.cases import views as views_cases
from shezhi.web.imports import views as views_imports
from shezhi.web.needs import views, views_dispatch
from shezhi.web.notifications import views as views_notifications
from shezhi.web.pickers import views as views_pickers
from shezhi.web.residents import views as views_resident
from shezhi.web.timebank import views as views_timebank
from shezhi.web.volunteers import views as views_volunteers


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
    path("", views_resident.resident_home, name="home"),
    path("behalf/", views_resident.behalf_search, name="behalf"),
    path("behalf/<int:resident_id>/", views_resident.behalf_order, name="behalf_order"),
    path("elder-mode/", views_resident.elder_mode, name="elder_mode"),
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
    path("needs/<int:need_id>/waive-start/", views.desk_waive_start, name="waive_start"),
    path("needs/<int:need_id>/edit/", views.desk_edit, name="edit"),
    path("dispatch/bulk/", views_dispatch.desk_dispatch_bulk, name="dispatch_bulk"),
    path("residents/", views.desk_residents, name="residents"),
    path("pickers/residents/", views_pickers.pick_residents, name="pick_residents"),
    path("residents/<int:resident_id>/", views.desk_resident, name="resident"),
    path("residents/<int:resident_id>/reveal/", views.desk_resident_reveal, name="reveal"),
    path("residents/<int:resident_id>/sms/", views.desk_resident_sms, name="resident_sms"),
    path("records/", views_volunteers.desk_records, name="records"),
    path("records/<int:record_id>/", views_volunteers.desk_record, name="record"),
    path("records/late/", views_volunteers.desk_late_records, name="late_records"),
    path("records/held/", views_volunteers.desk_held_records, name="held_records"),
    path(
        "records/<int:record_id>/confirm/",
        views_volunteers.desk_held_confirm,
        name="held_confirm",
    ),
    path("records/<int:record_id>/reject/", views_volunteers.desk_held_reject, name="held_reject"),
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
    path(
        "volunteers/<int:volunteer_id>/skills/",
        views_volunteers.desk_volunteer_skills,
        name="volunteer_skills",
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

care = [
    path("m/care/", views_care.today, name="today"),
    path("m/care/residents/<int:resident_id>/", views_care.card, name="card"),
    path("m/care/residents/<int:resident_id>/visit/", views_care.visit, name="visit"),
    path("m/care/campaigns/<int:campaign_id>/", views_care.stops, name="stops"),
    path("m/care/stops/<int:stop_id>/", views_care.stop_record, name="stop_record"),
    path("desk/care/", views_care.registry, name="registry"),
    path("desk/care/register/", views_care.register, name="register"),
    path("desk/care/residents/<int:resident_id>/", views_care.profile, name="profile"),
    path(
        "desk/care/residents/<int:resident_id>/profile/",
        views_care.profile_set,
        name="profile_set",
    ),
    path(
        "desk/care/residents/<int:resident_id>/contacts/",
        views_care.contact_assign,
        name="contact_assign",
    ),
    path("desk/care/contacts/<int:assignment_id>/end/", views_care.contact_end, name="contact_end"),
    path("desk/care/alerts/", views_care.alerts, name="alerts"),
    path("desk/care/alerts/<int:alert_id>/ack/", views_care.alert_ack, name="alert_ack"),
    path("desk/care/alerts/<int:alert_id>/report/", views_care.alert_report, name="alert_report"),
    path("desk/care/alerts/<int:alert_id>/close/", views_care.alert_close, name="alert_close"),
    path("desk/care/campaigns/", views_care.campaign_list, name="campaigns"),
    path("desk/care/campaigns/<int:campaign_id>/", views_care.campaign, name="campaign"),
    path("desk/care/coverage/", views_care.coverage, name="coverage"),
]

cases = [
    path("desk/cases/", views_cases.case_list, name="list"),
    path("desk/cases/<int:case_id>/", views_cases.case_detail, name="detail"),
    path("desk/cases/new/", views_cases.case_new, name="new"),
    path("desk/cases/report/", views_cases.case_report, name="report"),
    path("desk/cases/emergency/", views_cases.emergency_access, name="emergency"),
    path(
        "desk/cases/emergency/<int:grant_id>/revoke/",
        views_cases.emergency_revoke,
        name="emergency_revoke",
    ),
    path("desk/cases/<int:case_id>/consent/", views_cases.consent, name="consent"),
    path("desk/cases/<int:case_id>/advance/", views_cases.advance, name="advance"),
    path("desk/cases/<int:case_id>/assessment/", views_cases.assessment, name="assessment"),
    path("desk/cases/<int:case_id>/plan/", views_cases.plan, name="plan"),
    path("desk/cases/<int:case_id>/intervention/", views_cases.intervention, name="intervention"),
    path("desk/cases/<int:case_id>/team/", views_cases.team_add, name="team_add"),
    path("desk/cases/team/<int:member_id>/end/", views_cases.team_end, name="team_end"),
    path("desk/cases/<int:case_id>/review/", views_cases.review, name="review"),
    path("desk/cases/<int:case_id>/close/", views_cases.close, name="close"),
    path("desk/cases/<int:case_id>/reopen/", views_cases.reopen, name="reopen"),
    path(
        "desk/cases/<int:case_id>/supervision/",
        views_cases.supervision_note,
        name="supervision_note",
    ),
    path("desk/cases/<int:case_id>/access-log/", views_cases.case_access_log, name="access_log"),
    path("desk/cases/<int:case_id>/export/", views_cases.case_export, name="export"),
    path("desk/cases/<int:case_id>/referrals/", views_cases.referral_new, name="referral_new"),
    path(
        "desk/cases/referrals/<int:referral_id>/status/",
        views_cases.referral_status,
        name="referral_status",
    ),
    path("desk/cases/<int:case_id>/benefits/", views_cases.benefits_new, name="benefits_new"),
    path(
        "desk/cases/benefits/<int:task_id>/status/",
        views_cases.benefit_status,
        name="benefit_status",
    ),
    path("desk/cases/<int:case_id>/crisis/", views_cases.crisis, name="crisis"),
    path("desk/cases/crisis/<int:crisis_id>/step/", views_cases.crisis_step, name="crisis_step"),
    path(
        "desk/cases/crisis/<int:crisis_id>/safety-plan/",
        views_cases.crisis_safety_plan,
        name="crisis_safety_plan",
    ),
    path("desk/cases/crisis/<int:crisis_id>/end/", views_cases.crisis_end, name="crisis_end"),
]

activities = [
    path("m/activities/", views_activities.mine, name="mine"),
    path("calendar/<str:token>.ics", views_calendar.feed, name="calendar_feed"),
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
    *views_activities_after.urls(),
]

inbox = [
    path("", views_notifications.inbox, name="list"),
    path("read-all/", views_notifications.mark_all_read, name="read_all"),
    path("settings/", views_notifications.preferences, name="preferences"),
    path("<int:notification_id>/open/", views_notifications.open_notification, name="open"),
    path("<int:notification_id>/read/", views_notifications.mark_read, name="read"),
]

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", views_auth.PasswordChangeView.as_view(), name="password_change"),
    path("otp/setup/", views_otp.otp_setup, name="otp_setup"),
    path("otp/verify/", views_otp.otp_verify, name="otp_verify"),
    path("m/", include((mobile, "m"))),
    path("desk/", include((desk, "desk"))),
    path("", include((timebank, "timebank"))),
    path("", include((activities, "activities"))),
    path("m/inbox/", include((inbox, "inbox"))),
    path("", include((care, "care"))),
    path("", include((cases, "cases"))),
]
