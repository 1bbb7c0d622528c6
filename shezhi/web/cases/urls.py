"""Casework pages at the desk: case files, their stages, crisis, referrals, benefits and
emergency access."""

from django.urls import path

from shezhi.web.cases import views

app_name = "cases"

urlpatterns = [
    path("desk/cases/", views.case_list, name="list"),
    path("desk/cases/<int:case_id>/", views.case_detail, name="detail"),
    path("desk/cases/new/", views.case_new, name="new"),
    path("desk/cases/report/", views.case_report, name="report"),
    path("desk/cases/emergency/", views.emergency_access, name="emergency"),
    path(
        "desk/cases/emergency/<int:grant_id>/revoke/",
        views.emergency_revoke,
        name="emergency_revoke",
    ),
    path("desk/cases/<int:case_id>/consent/", views.consent, name="consent"),
    path("desk/cases/<int:case_id>/advance/", views.advance, name="advance"),
    path("desk/cases/<int:case_id>/assessment/", views.assessment, name="assessment"),
    path("desk/cases/<int:case_id>/plan/", views.plan, name="plan"),
    path("desk/cases/<int:case_id>/intervention/", views.intervention, name="intervention"),
    path("desk/cases/<int:case_id>/team/", views.team_add, name="team_add"),
    path("desk/cases/team/<int:member_id>/end/", views.team_end, name="team_end"),
    path("desk/cases/<int:case_id>/review/", views.review, name="review"),
    path("desk/cases/<int:case_id>/close/", views.close, name="close"),
    path("desk/cases/<int:case_id>/reopen/", views.reopen, name="reopen"),
    path(
        "desk/cases/<int:case_id>/supervision/",
        views.supervision_note,
        name="supervision_note",
    ),
    path("desk/cases/<int:case_id>/access-log/", views.case_access_log, name="access_log"),
    path("desk/cases/<int:case_id>/export/", views.case_export, name="export"),
    path("desk/cases/<int:case_id>/referrals/", views.referral_new, name="referral_new"),
    path(
        "desk/cases/referrals/<int:referral_id>/status/",
        views.referral_status,
        name="referral_status",
    ),
    path("desk/cases/<int:case_id>/benefits/", views.benefits_new, name="benefits_new"),
    path(
        "desk/cases/benefits/<int:task_id>/status/",
        views.benefit_status,
        name="benefit_status",
    ),
    path("desk/cases/<int:case_id>/crisis/", views.crisis, name="crisis"),
    path("desk/cases/crisis/<int:crisis_id>/step/", views.crisis_step, name="crisis_step"),
    path(
        "desk/cases/crisis/<int:crisis_id>/safety-plan/",
        views.crisis_safety_plan,
        name="crisis_safety_plan",
    ),
    path("desk/cases/crisis/<int:crisis_id>/end/", views.crisis_end, name="crisis_end"),
]
