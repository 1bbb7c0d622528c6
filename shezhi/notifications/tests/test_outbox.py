"""The outbox: dedupe, channels (inbox always, SMS with the console backend), delivery claims and
retries, in-process delivery after commit, and the settings check."""

import io
from io import StringIO

import pytest
from django.core.checks import run_checks
from django.core.management import call_command

from shezhi.core import tasks
from shezhi.core.errors import InvalidInput
from shezhi.core.models import TaskRun
from shezhi.notifications import channels, services
from shezhi.notifications.models import Delivery, Notification

K = Notification.Kind
D = Delivery.Status


def send(user, key="", **kwargs):
    fields = {"kind": K.GENERAL, "title": "测试通知", "body": "内容", "link": "/m/activities/"}
    fields.update(kwargs)
    return services.notify(recipient=user, dedupe_key=key, **fields)


@pytest.fixture
def sms(settings):
    settings.SHEZHI_NOTIFICATION_CHANNELS = ["inbox", "sms"]
    settings.SHEZHI_SMS_BACKEND = "shezhi.notifications.channels.ConsoleSmsBackend"


def test_same_dedupe_key_enqueues_once_per_recipient(world):
    first = send(world.bob, key="activity:1:reminder:24h")
    assert first is not None
    assert send(world.bob, key="activity:1:reminder:24h") is None
    assert send(world.erin, key="activity:1:reminder:24h") is not None  # per recipient
    assert Notification.objects.filter(recipient=world.bob).count() == 1


def test_the_database_refuses_a_duplicate_key_even_past_the_check(world):
    from django.db import IntegrityError, transaction

    send(world.bob, key="k1")
    with pytest.raises(IntegrityError), transaction.atomic():
        Notification.objects.create(recipient=world.bob, kind=K.GENERAL, title="x", dedupe_key="k1")


def test_without_key_every_call_is_a_new_notification(world):
    send(world.bob)
    send(world.bob)
    assert Notification.objects.filter(recipient=world.bob).count() == 2


def test_inbox_channel_is_always_on(world, settings):
    settings.SHEZHI_NOTIFICATION_CHANNELS = []
    n = send(world.bob)
    assert list(n.deliveries.values_list("channel", "status")) == [("inbox", D.QUEUED)]
    result = services.deliver_pending()
    assert result.sent == 1
    d = n.deliveries.get()
    assert d.status == D.SENT and d.sent_at is not None and d.attempts == 1


def test_sms_console_backend_prints_the_message_with_the_mobile_masked(world, sms, capsys):
    world.bob.phone = "13812345678"
    world.bob.save(update_fields=["phone"])
    n = send(world.bob, title="活动提醒：为老义剪", body="明天9点开始")
    assert sorted(n.deliveries.values_list("channel", flat=True)) == ["inbox", "sms"]
    assert services.deliver_pending().sent == 2
    out = capsys.readouterr().out
    assert "[SMS] 138****5678: 【社志通】活动提醒：为老义剪：明天9点开始" in out
    assert "13812345678" not in out
    assert n.deliveries.get(channel="sms").status == D.SENT


def test_sms_without_mobile_is_a_failed_delivery_with_a_reason_not_a_crash(world, sms, capsys):
    world.alice.phone = ""  # and no volunteer record with a mobile either
    world.alice.save(update_fields=["phone"])
    n = send(world.alice)
    result = services.deliver_pending()
    assert (result.sent, result.failed) == (1, 1)
    d = n.deliveries.get(channel="sms")
    assert d.status == D.FAILED and d.last_error == "接收人未登记手机号，无法发送短信"
    assert n.deliveries.get(channel="inbox").status == D.SENT
    assert "[SMS]" not in capsys.readouterr().out
    # A failed delivery is not tried again.
    assert services.deliver_pending().failed == 0
    assert Delivery.objects.get(pk=d.pk).attempts == 1


def test_sms_with_malformed_mobile_fails_with_a_reason(world, sms):
    world.bob.phone = "12345"
    world.bob.save(update_fields=["phone"])
    n = send(world.bob)
    services.deliver_pending()
    assert "格式不正确" in n.deliveries.get(channel="sms").last_error


class Flaky:
    calls = 0

    def send(self, *, mobile, text, dedupe_key=""):
        Flaky.calls += 1
        raise ConnectionError("gateway down")


def test_transient_errors_are_retried_then_fail(world, sms, settings):
    settings.SHEZHI_SMS_BACKEND = f"{__name__}.Flaky"
    world.bob.phone = "13812345678"
    world.bob.save(update_fields=["phone"])
    n = send(world.bob)
    first = services.deliver_pending()
    assert (first.sent, first.retrying, first.failed) == (1, 1, 0)
    d = n.deliveries.get(channel="sms")
    assert d.status == D.QUEUED and "gateway down" in d.last_error
    services.deliver_pending()
    last = services.deliver_pending()
    assert last.failed == 1
    d.refresh_from_db()
    assert d.status == D.FAILED and d.attempts == services.MAX_ATTEMPTS


def test_a_run_that_starts_while_another_is_sending_skips_its_delivery(world, monkeypatch):
    """The race CI once caught on PostgreSQL: run B read the row after run A had claimed it but
    before A recorded it sent, and claimed it again."""
    n = send(world.bob)
    sent, nested = [], []

    def send_and_start_another_run(self, notification, **kw):
        sent.append(notification.pk)
        if not nested:  # while this send is in flight, a second run looks at the queue
            nested.append(services.deliver_pending())

    monkeypatch.setattr(channels.InboxChannel, "send", send_and_start_another_run)
    assert services.deliver_pending().sent == 1
    assert sent == [n.pk] and nested[0].sent == 0
    d = n.deliveries.get()
    assert (d.status, d.attempts) == (D.SENT, 1)


def test_a_claim_left_by_a_crashed_run_is_taken_over_after_the_lease(world, monkeypatch):
    from datetime import timedelta

    from django.utils import timezone

    n = send(world.bob)
    crashed_at = timezone.now()
    Delivery.objects.filter(notification=n).update(
        status=D.SENDING, claimed_at=crashed_at, attempts=1
    )
    within = crashed_at + services.CLAIM_LEASE - timedelta(seconds=1)
    assert services.deliver_pending(now=within).sent == 0  # the run may still be sending
    after = crashed_at + services.CLAIM_LEASE + timedelta(seconds=1)
    assert services.deliver_pending(now=after).sent == 1
    d = n.deliveries.get()
    assert (d.status, d.attempts) == (D.SENT, 2)


def test_links_must_stay_on_the_site(world):
    for bad in ("https://evil.example/", "//evil.example/x", "javascript:alert(1)"):
        with pytest.raises(InvalidInput):
            send(world.bob, link=bad)
    assert not Notification.objects.exists()


def test_delivery_is_queued_as_a_task_and_dispatched_after_commit_when_tasks_are_inline(
    world, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.SHEZHI_TASKS_INLINE = True
    dispatched: list[int] = []
    monkeypatch.setattr(tasks, "dispatch", lambda run_id, **kw: dispatched.append(run_id))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        n = send(world.bob)
        made = services.notify_many(
            recipients=[world.bob, world.erin, world.bob], kind=K.GENERAL, title="群发"
        )
    runs = list(TaskRun.objects.order_by("id"))
    # Written in the same transaction (the outbox), handed to the runner only after commit.
    assert [r.kwargs for r in runs] == [
        {"notification_ids": [n.pk]},
        {"notification_ids": [m.pk for m in made]},
    ]
    assert {r.name for r in runs} == {"notifications.deliver"} and dispatched == []
    for callback in callbacks:
        callback()
    assert dispatched == [r.pk for r in runs]
    assert len(made) == 2  # Bob once


def test_without_inline_tasks_the_command_sends_the_queue(
    world, settings, django_capture_on_commit_callbacks
):
    settings.SHEZHI_TASKS_INLINE = False
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        n = send(world.bob)
    assert callbacks == []
    assert n.deliveries.get().status == D.QUEUED
    out = StringIO()
    call_command("notifications_deliver", stdout=out)
    assert "sent 1" in out.getvalue()
    assert n.deliveries.get().status == D.SENT


# The runner's thread and this one share the in-memory SQLite test database, whose shared cache
# refuses a read beside another connection's write at once ("database table is locked"); the
# file-backed SQLite of a deployment waits instead. PostgreSQL runs it.
@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_in_process_runner_delivers_after_commit(settings):
    from shezhi.accounts.tests.factories import UserFactory

    settings.SHEZHI_TASKS_INLINE = True
    settings.SHEZHI_BROKER_URL = ""
    user = UserFactory()
    n = services.notify(recipient=user, kind=K.GENERAL, title="后台发送")
    assert n is not None
    assert tasks.in_process.wait_idle(timeout=30)
    assert Delivery.objects.get(notification=n).status == D.SENT
    assert TaskRun.objects.get(name="notifications.deliver").status == TaskRun.Status.DONE


def test_an_sms_carries_the_delivery_as_its_dedupe_key(world, sms, settings):
    settings.SHEZHI_SMS_BACKEND = f"{__name__}.Recording"
    Recording.keys.clear()
    world.bob.phone = "13812345678"
    world.bob.save(update_fields=["phone"])
    n = send(world.bob)
    services.deliver_pending()
    assert Recording.keys == [f"delivery-{n.deliveries.get(channel='sms').pk}"]


class Recording:
    keys: list[str] = []

    def send(self, *, mobile, text, dedupe_key=""):
        Recording.keys.append(dedupe_key)


def test_console_backend_writes_to_a_given_stream():
    stream = io.StringIO()
    channels.ConsoleSmsBackend(stream=stream).send(mobile="13900001111", text="你好")
    assert stream.getvalue() == "[SMS] 139****1111: 你好\n"


def test_unknown_channel_is_refused_at_start_up(settings):
    settings.SHEZHI_NOTIFICATION_CHANNELS = ["inbox", "pigeon"]
    ids = [e.id for e in run_checks()]
    assert "shezhi.E301" in ids
    settings.SHEZHI_NOTIFICATION_CHANNELS = ["inbox", "sms"]
    assert "shezhi.E301" not in [e.id for e in run_checks()]
