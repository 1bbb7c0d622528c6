"""Activity pages: sign-up and check-in on the phone, the calendar feed, and the desk's
activity list, detail, publishing, closing and follow-up."""

from django.urls import path

from shezhi.web.activities import views, views_after, views_calendar

app_name = "activities"

urlpatterns = [
    path("m/activities/", views.mine, name="mine"),
    path("calendar/<str:token>.ics", views_calendar.feed, name="calendar_feed"),
    path(
        "m/activities/positions/<int:position_id>/signup/",
        views.sign_up,
        name="sign_up",
    ),
    path("m/activities/signups/<int:signup_id>/cancel/", views.cancel, name="cancel"),
    path("m/activities/<int:activity_id>/checkin/", views.checkin, name="checkin"),
    path("m/activities/<int:activity_id>/checkout/", views.checkout, name="checkout"),
    path("desk/activities/<int:activity_id>/qr/", views.qr, name="qr"),
    path("desk/activities/", views.desk_list, name="desk_list"),
    path("desk/activities/new/", views.desk_new, name="desk_new"),
    path("desk/activities/<int:activity_id>/publish/", views.desk_publish, name="publish"),
    path("desk/activities/<int:activity_id>/", views.desk_detail, name="desk_detail"),
    path(
        "desk/activities/<int:activity_id>/signups/<int:signup_id>/decide/",
        views.desk_decide,
        name="decide",
    ),
    path(
        "desk/activities/<int:activity_id>/signups/<int:signup_id>/checkin/",
        views.desk_manual_checkin,
        name="manual_checkin",
    ),
    path(
        "desk/activities/<int:activity_id>/signups/<int:signup_id>/insurance/",
        views.desk_insurance,
        name="insurance",
    ),
    path("desk/activities/<int:activity_id>/close/", views.desk_close, name="close"),
    path("desk/activities/<int:activity_id>/confirm/", views.desk_confirm, name="confirm"),
    *views_after.urls(),
]
