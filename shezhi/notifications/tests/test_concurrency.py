"""Concurrent delivery runs: the claim UPDATE decides, so each delivery is sent once.
PostgreSQL only (the reminder job's concurrency is tested in activities)."""

import threading

import pytest

from shezhi.core.tests.concurrency import race
from shezhi.notifications import channels, services
from shezhi.notifications.models import Delivery, Notification

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_concurrent_delivery_runs_send_each_delivery_once(world, settings, monkeypatch):
    settings.SHEZHI_TASKS_INLINE = False
    sent: list[int] = []
    lock = threading.Lock()

    def record(self, notification, **kwargs):
        with lock:
            sent.append(notification.pk)

    monkeypatch.setattr(channels.InboxChannel, "send", record)
    made = services.notify_many(
        recipients=[world.bob, world.erin, world.alice, world.charlie],
        kind=Notification.Kind.GENERAL,
        title="并发发送",
    )
    results = race([services.deliver_pending for _ in range(3)])
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sorted(sent) == sorted(n.pk for n in made)
    assert sum(r.sent for r in results) == 4
    assert set(Delivery.objects.values_list("status", flat=True)) == {Delivery.Status.SENT}
