from django.contrib.auth import views as auth_views
from django.urls import include, path

from shezhi.web import views, views_dispatch, views_volunteers

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
]
