"""The in-app inbox: pages under /m/inbox/, the API under /api/v1/notifications, the unread
badge in the navigation; one user never sees or marks another's notifications (404)."""

import json

from django.test import Client

from shezhi.notifications import services
from shezhi.notifications.models import Notification


def client_of(user):
    c = Client()
    c.force_login(user)
    return c


def note(user, title="活动提醒：为老义剪", link="/m/activities/"):
    return services.notify(
        recipient=user, kind=Notification.Kind.ACTIVITY_REMINDER, title=title, link=link
    )


def test_inbox_lists_only_my_notifications_and_the_badge_counts_unread(world):
    note(world.bob, "鲍勃的提醒")
    note(world.erin, "艾琳的提醒")
    page = client_of(world.bob).get("/m/inbox/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "鲍勃的提醒" in html and "艾琳的提醒" not in html
    assert 'data-testid="inbox-link"' in html and 'badge-count" aria-label="未读">1<' in html


def test_opening_marks_read_and_follows_the_link(world):
    n = note(world.bob)
    response = client_of(world.bob).post(f"/m/inbox/{n.pk}/open/")
    assert response.status_code == 302 and response["Location"] == "/m/activities/"
    n.refresh_from_db()
    assert n.read_at is not None
    html = client_of(world.bob).get("/m/activities/").content.decode()
    assert "badge-count" not in html


def test_another_users_notification_is_404_on_pages_and_left_unread(world):
    n = note(world.erin)
    bob = client_of(world.bob)
    assert bob.post(f"/m/inbox/{n.pk}/open/").status_code == 404
    assert bob.post(f"/m/inbox/{n.pk}/read/").status_code == 404
    n.refresh_from_db()
    assert n.read_at is None


def test_mark_all_read_touches_only_mine(world):
    mine = [note(world.bob, f"第{i}条") for i in range(3)]
    theirs = note(world.erin)
    assert client_of(world.bob).post("/m/inbox/read-all/").status_code == 302
    assert not Notification.objects.filter(pk__in=[m.pk for m in mine], read_at=None).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_anonymous_is_sent_to_log_in(client):
    response = client.get("/m/inbox/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_api_lists_and_marks_my_notifications(world):
    n = note(world.bob)
    note(world.erin, "艾琳的提醒")
    api = client_of(world.bob)
    body = api.get("/api/v1/notifications").json()
    assert body["unread"] == 1 and [i["id"] for i in body["items"]] == [n.pk]
    assert body["items"][0]["kind_label"] == "活动提醒"
    marked = api.post(f"/api/v1/notifications/{n.pk}/read", content_type="application/json")
    assert marked.status_code == 200 and marked.json()["read_at"] is not None
    assert api.get("/api/v1/notifications?unread=true").json()["items"] == []


def test_api_refuses_another_users_notification_with_404(world):
    n = note(world.erin)
    api = client_of(world.bob)
    got = api.get(f"/api/v1/notifications/{n.pk}")
    assert got.status_code == 404 and got.json()["code"] == "not_found"
    marked = api.post(f"/api/v1/notifications/{n.pk}/read", content_type="application/json")
    assert marked.status_code == 404
    n.refresh_from_db()
    assert n.read_at is None


def test_api_read_all_and_bad_query(world):
    note(world.bob)
    note(world.bob, "第二条")
    api = client_of(world.bob)
    assert api.post(
        "/api/v1/notifications/read-all", data=json.dumps({}), content_type="application/json"
    ).json() == {"marked": 2}
    bad = api.get("/api/v1/notifications?limit=100000")
    assert bad.status_code == 400 and bad.json()["message"]


def test_badge_shows_99_plus_for_many_unread(world):
    Notification.objects.bulk_create(
        Notification(recipient=world.bob, kind=Notification.Kind.GENERAL, title=f"第{i}条")
        for i in range(120)
    )
    html = client_of(world.bob).get("/m/activities/").content.decode()
    assert 'aria-label="未读">99+<' in html


def test_inbox_pages_keep_the_unread_filter(world):
    for i in range(31):
        note(world.bob, f"提醒{i:02d}")
    bob = client_of(world.bob)
    first = bob.get("/m/inbox/?unread=1").content.decode()
    assert first.count('data-testid="notification"') == 30
    assert "unread=1&amp;page=2" in first
    second = bob.get("/m/inbox/?unread=1&page=2").content.decode()
    assert second.count('data-testid="notification"') == 1 and "提醒00" in second
