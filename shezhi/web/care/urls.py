"""Care pages: the visitor's day and visits on the phone, the registry, alerts, campaigns and
coverage at the desk."""

from django.urls import path

from shezhi.web.care import views

app_name = "care"

urlpatterns = [
    path("m/care/", views.today, name="today"),
    path("m/care/residents/<int:resident_id>/", views.card, name="card"),
    path("m/care/residents/<int:resident_id>/visit/", views.visit, name="visit"),
    path("m/care/campaigns/<int:campaign_id>/", views.stops, name="stops"),
    path("m/care/stops/<int:stop_id>/", views.stop_record, name="stop_record"),
    path("desk/care/", views.registry, name="registry"),
    path("desk/care/register/", views.register, name="register"),
    path("desk/care/residents/<int:resident_id>/", views.profile, name="profile"),
    path(
        "desk/care/residents/<int:resident_id>/profile/",
        views.profile_set,
        name="profile_set",
    ),
    path(
        "desk/care/residents/<int:resident_id>/contacts/",
        views.contact_assign,
        name="contact_assign",
    ),
    path("desk/care/contacts/<int:assignment_id>/end/", views.contact_end, name="contact_end"),
    path("desk/care/alerts/", views.alerts, name="alerts"),
    path("desk/care/alerts/<int:alert_id>/ack/", views.alert_ack, name="alert_ack"),
    path("desk/care/alerts/<int:alert_id>/report/", views.alert_report, name="alert_report"),
    path("desk/care/alerts/<int:alert_id>/close/", views.alert_close, name="alert_close"),
    path("desk/care/campaigns/", views.campaign_list, name="campaigns"),
    path("desk/care/campaigns/<int:campaign_id>/", views.campaign, name="campaign"),
    path("desk/care/coverage/", views.coverage, name="coverage"),
]
