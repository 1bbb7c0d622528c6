"""The inbox (mounted under /m/inbox/ by shezhi/web/urls.py) and notice preferences."""

from django.urls import path

from shezhi.web.notifications import views

app_name = "inbox"

urlpatterns = [
    path("", views.inbox, name="list"),
    path("read-all/", views.mark_all_read, name="read_all"),
    path("settings/", views.preferences, name="preferences"),
    path("<int:notification_id>/open/", views.open_notification, name="open"),
    path("<int:notification_id>/read/", views.mark_read, name="read"),
]
