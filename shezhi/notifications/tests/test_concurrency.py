"""Concurrent delivery runs: the claim UPDATE decides, so each delivery is sent once.
PostgreSQL only (the reminder job's concurrency is tested in activities)."""

import threading

import pytest
from django.db import connection, connections

from shezhi.notifications import channels, services
from shezhi.notifications.models import Delivery, Notification

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("concurrent transactions are exercised on PostgreSQL")


def race(actions):
    barrier = threading.Barrier(len(actions))
    results: list = [None] * len(actions)

    def run(i, action):
        try:
            barrier.wait()
            results[i] = action()
        except Exception as exc:  # noqa: BLE001  (asserted below)
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(actions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_concurrent_delivery_runs_send_each_delivery_once(world, settings, monkeypatch):
    settings.SHEZHI_TASKS_INLINE = False
    sent: list[int] = []
    lock = threading.Lock()

    def record(self, notification):
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
