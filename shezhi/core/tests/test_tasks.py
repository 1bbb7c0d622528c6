"""The task registry, its outbox and its runners: a run is written with the caller's transaction,
claimed once, retried with backoff then failed with its error, reclaimed when its runner died,
kept in the outbox while the broker is down and sent by the flush when it is back."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from prometheus_client import REGISTRY

from shezhi.core import tasks
from shezhi.core.models import AuditEvent, TaskRun
from shezhi.core.request_context import reset_request_id, set_request_id

S = TaskRun.Status
calls: list[dict] = []


@tasks.task("test.record", max_attempts=3, backoff_seconds=10)
def record(**kwargs):
    from shezhi.core.request_context import current_request_id

    calls.append({**kwargs, "request_id": current_request_id()})


@tasks.task("test.broken", max_attempts=2, backoff_seconds=10)
def broken(**kwargs):
    raise RuntimeError("短信网关不可用")


@pytest.fixture(autouse=True)
def _clean():
    calls.clear()


@pytest.fixture
def dispatched(monkeypatch):
    sent: list[tuple[int, float]] = []

    class Fake:
        def send(self, run_id, *, countdown=0):
            sent.append((run_id, countdown))

    monkeypatch.setattr(tasks, "runner", Fake)
    return sent


def test_an_unknown_or_doubly_registered_task_is_refused():
    with pytest.raises(ImproperlyConfigured):
        tasks.enqueue("test.nothing")
    with pytest.raises(ImproperlyConfigured):
        tasks.task("test.record")(lambda: None)


def test_arguments_must_be_json(db):
    with pytest.raises(TypeError):
        tasks.enqueue("test.record", when=timezone.now())
    assert not TaskRun.objects.exists()


def test_a_run_is_written_with_the_callers_transaction_and_sent_after_commit(
    db, dispatched, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        tasks.enqueue("test.record", n=1)
        raise RuntimeError("the caller fails")
    assert not TaskRun.objects.exists() and dispatched == []  # rolled back: nothing to run

    token = set_request_id("req-42")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            run = tasks.enqueue("test.record", label="记录", n=2)
    finally:
        reset_request_id(token)
    assert dispatched == [(run.pk, 0)]
    run.refresh_from_db()
    assert (run.status, run.request_id, run.kwargs) == (S.QUEUED, "req-42", {"n": 2})
    assert run.sent_at is not None


def test_a_dedupe_key_queues_one_run(db, dispatched):
    assert tasks.enqueue("test.record", dedupe_key="sms:7", n=1) is not None
    assert tasks.enqueue("test.record", dedupe_key="sms:7", n=1) is None
    assert tasks.enqueue("test.record", n=1) and tasks.enqueue("test.record", n=1)  # no key
    assert TaskRun.objects.count() == 3


def test_a_run_is_executed_once_and_carries_the_request_id(db, dispatched):
    token = set_request_id("req-7")
    try:
        run = tasks.enqueue("test.record", n=3)
    finally:
        reset_request_id(token)
    assert tasks.execute(run.pk) == S.DONE
    assert tasks.execute(run.pk) is None  # finished: a redelivered message does nothing
    assert calls == [{"n": 3, "request_id": "req-7"}]
    run.refresh_from_db()
    assert (run.status, run.attempts, run.last_error) == (S.DONE, 1, "")
    assert run.finished_at is not None


def test_a_failing_run_is_retried_with_backoff_then_failed_with_its_error(db, dispatched):
    run = tasks.enqueue("test.broken")
    dispatched.clear()
    assert tasks.execute(run.pk) == S.RETRYING
    run.refresh_from_db()
    assert run.status == S.RETRYING and "短信网关不可用" in run.last_error
    assert run.run_after > timezone.now() + timedelta(seconds=8)
    assert dispatched == [(run.pk, 10)]  # handed back with the backoff
    assert tasks.execute(run.pk) == S.FAILED
    run.refresh_from_db()
    assert (run.status, run.attempts) == (S.FAILED, 2)
    assert "RuntimeError: 短信网关不可用" in run.last_error
    assert tasks.execute(run.pk) is None  # failed stays failed until an admin retries


def test_a_running_run_is_reclaimed_only_when_its_runner_is_gone(db, dispatched, settings):
    run = tasks.enqueue("test.record", n=4)
    TaskRun.objects.filter(pk=run.pk).update(status=S.RUNNING, started_at=timezone.now())
    assert tasks.execute(run.pk) is None  # another runner has it
    assert tasks.flush() == 0
    long_ago = timezone.now() - timedelta(seconds=settings.SHEZHI_TASK_TIMEOUT_SECONDS + 1)
    TaskRun.objects.filter(pk=run.pk).update(started_at=long_ago)
    dispatched.clear()
    assert tasks.flush() == 1 and dispatched == [(run.pk, 0)]
    assert tasks.execute(run.pk) == S.DONE
    assert calls == [{"n": 4, "request_id": ""}]


def test_a_broker_that_is_down_leaves_the_run_in_the_outbox_until_the_flush(
    db, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.SHEZHI_BROKER_URL = "redis://127.0.0.1:9/0"  # nothing listens on port 9
    with django_capture_on_commit_callbacks(execute=True):
        run = tasks.enqueue("test.record", n=5)  # the caller's request still succeeds
    run.refresh_from_db()
    assert (run.status, run.sent_at) == (S.QUEUED, None)

    sent: list[int] = []
    monkeypatch.setattr(tasks.CeleryRunner, "send", lambda self, run_id, **kw: sent.append(run_id))
    out = StringIO()
    call_command("tasks_flush", stdout=out)  # the broker is back
    assert sent == [run.pk] and "handed over 1" in out.getvalue()
    run.refresh_from_db()
    assert run.sent_at is not None
    assert tasks.flush() == 0  # handed over: not sent again


def test_a_retry_waits_in_the_outbox_until_it_is_due(db, dispatched):
    run = tasks.enqueue("test.broken")
    TaskRun.objects.filter(pk=run.pk).update(
        status=S.RETRYING, sent_at=None, run_after=timezone.now() + timedelta(minutes=5)
    )
    dispatched.clear()
    assert tasks.flush() == 0
    assert tasks.flush(now=timezone.now() + timedelta(minutes=6)) == 1


def test_the_flush_deletes_finished_runs_past_their_keep_days(db, dispatched, settings):
    old = tasks.enqueue("test.record")
    new = tasks.enqueue("test.record")
    ago = timezone.now() - timedelta(days=settings.SHEZHI_TASK_RUNS_KEEP_DAYS + 1)
    TaskRun.objects.filter(pk=old.pk).update(status=S.DONE, finished_at=ago)
    TaskRun.objects.filter(pk=new.pk).update(status=S.FAILED, finished_at=timezone.now())
    tasks.flush()
    assert list(TaskRun.objects.values_list("pk", flat=True)) == [new.pk]


def test_a_scheduled_job_is_a_recorded_run_and_never_overlaps_itself(db):
    run = tasks.run_scheduled("core.flush")
    assert run is not None and (run.name, run.label, run.status) == (
        "core.flush",
        "core.flush",
        S.DONE,
    )
    TaskRun.objects.filter(pk=run.pk).update(status=S.RUNNING, started_at=timezone.now())
    assert tasks.run_scheduled("core.flush") is None


def test_a_job_an_older_schedule_names_by_its_command_runs_that_command(db):
    run = tasks.run_scheduled("tasks_flush")
    assert run is not None and (run.name, run.label, run.status) == (
        "core.command",
        "tasks_flush",
        S.DONE,
    )


def test_a_failing_scheduled_job_is_failed_with_its_error(db):
    run = tasks.run_scheduled("no_such_command")
    assert run is not None and run.status == S.FAILED
    assert "no_such_command" in run.last_error


def test_an_admin_retries_a_failed_run_audited(world, dispatched):
    run = tasks.enqueue("test.broken")
    TaskRun.objects.filter(pk=run.pk).update(status=S.DONE)
    assert not tasks.task_run_retry(actor=world.admin, run_id=run.pk)  # only failed runs
    TaskRun.objects.filter(pk=run.pk).update(status=S.FAILED, attempts=2)
    assert tasks.task_run_retry(actor=world.admin, run_id=run.pk)
    run.refresh_from_db()
    assert (run.status, run.attempts) == (S.QUEUED, 0)
    event = AuditEvent.objects.get(object_type="core.taskrun")
    assert event.actor == world.admin and event.action == AuditEvent.Action.TRANSITION


def test_admins_see_task_runs_with_their_errors_and_others_are_refused(world, client):
    from django.contrib.auth import get_user_model

    TaskRun.objects.create(
        name="imports.run", label="导入 #3", status=S.FAILED, last_error="ValueError: 坏文件"
    )
    superuser = get_user_model().objects.create_superuser(username="su", password="x-Strong-1")
    client.force_login(superuser)
    page = client.get("/admin/core/taskrun/?status__exact=failed")
    assert page.status_code == 200
    assert "导入 #3" in page.content.decode() and "坏文件" in page.content.decode()
    client.force_login(world.alice)  # a social worker is not a site admin
    refused = client.get("/admin/core/taskrun/")
    assert refused.status_code == 302 and "/admin/login/" in refused["Location"]


def test_task_counts_and_queue_length_are_in_the_default_registry(db, dispatched):
    tasks.enqueue("test.record")
    failed = tasks.enqueue("test.record")
    unsent = tasks.enqueue("test.record")
    TaskRun.objects.update(sent_at=timezone.now())
    TaskRun.objects.filter(pk=failed.pk).update(status=S.FAILED)
    TaskRun.objects.filter(pk=unsent.pk).update(sent_at=None)
    value = REGISTRY.get_sample_value
    assert value("shezhi_task_runs", {"task": "test.record", "state": "queued"}) == 2
    assert value("shezhi_task_runs", {"task": "test.record", "state": "failed"}) == 1
    assert value("shezhi_task_queue_length", {"where": "queued"}) == 2
    assert value("shezhi_task_queue_length", {"where": "outbox"}) == 1


def test_celery_acks_late_and_redelivers_only_after_any_task_could_have_finished(settings):
    from shezhi.celery import app

    conf = app.conf
    assert conf.task_acks_late and conf.task_reject_on_worker_lost
    assert conf.worker_prefetch_multiplier == 1  # a killed worker holds one message, not four
    assert conf.task_time_limit == settings.SHEZHI_TASK_TIMEOUT_SECONDS
    assert conf.broker_transport_options["visibility_timeout"] > conf.task_time_limit
    assert conf.task_serializer == "json" and conf.accept_content == ["json"]


def test_beat_sends_the_configured_schedule(settings):
    from shezhi.celery import SCHEDULED_TASK, app, beat_schedule

    assert beat_schedule({"care.jobs": 60}) == {
        "care.jobs": {"task": SCHEDULED_TASK, "schedule": 60.0, "args": ["care.jobs"]}
    }
    assert set(app.conf.beat_schedule) == set(settings.SHEZHI_SCHEDULE)
    assert "core.flush" in settings.SHEZHI_SCHEDULE  # the outbox is flushed by either runner
    assert {"shezhi.run", SCHEDULED_TASK} <= set(app.tasks)


@pytest.mark.parametrize(
    ("url", "ids"),
    [("", []), ("redis://127.0.0.1:6379/0", []), ("amqp://guest@localhost//", ["shezhi.E501"])],
)
def test_only_a_redis_broker_is_accepted(settings, url, ids):
    from shezhi.checks import broker_url_valid

    settings.SHEZHI_BROKER_URL = url
    errors = broker_url_valid(None)
    assert [e.id for e in errors] == ids
    assert all("Redis" in e.msg for e in errors)


def test_a_run_of_a_task_this_code_does_not_know_is_failed_not_retried(db):
    run = TaskRun.objects.create(name="test.renamed_away", kwargs={})
    assert tasks.execute(run.pk) == S.FAILED
    run.refresh_from_db()
    assert (run.status, run.attempts) == (S.FAILED, 1) and "未知的任务" in run.last_error


def test_beats_message_runs_the_same_task_function_as_the_embedded_scheduler(db, monkeypatch):
    """One code path, two runners: Celery beat's message and run_scheduler both end in
    run_scheduled, which runs the registered task function as a recorded run."""
    from shezhi.celery import scheduled
    from shezhi.core.management.commands import run_scheduler

    monkeypatch.setitem(tasks.REGISTRY, "test.record", tasks.Task("test.record", record, 1, 10))
    scheduled("test.record")  # what the worker does with beat's message
    run_scheduler.run_job("test.record")  # what the embedded scheduler does
    runs = TaskRun.objects.filter(name="test.record").values_list("label", "status")
    assert list(runs) == [("test.record", S.DONE)] * 2 and len(calls) == 2


writes: list[int] = []


@tasks.task("test.atomic", max_attempts=2, backoff_seconds=10, atomic=True)
def atomic_work(*, n: int) -> None:
    AuditEvent.objects.create(action=AuditEvent.Action.CREATE, summary=f"atomic {n}")
    writes.append(n)
    if len(writes) == 1:
        raise ConnectionError("worker lost mid-way")


def test_an_atomic_task_that_fails_midway_leaves_nothing_and_runs_once_more(db, dispatched):
    writes.clear()
    run = tasks.enqueue("test.atomic", n=1)
    assert tasks.execute(run.pk) == S.RETRYING
    assert not AuditEvent.objects.filter(summary="atomic 1").exists()  # rolled back
    assert tasks.execute(run.pk) == S.DONE
    assert AuditEvent.objects.filter(summary="atomic 1").count() == 1
    assert tasks.execute(run.pk) is None  # a redelivered message finds it done


def test_an_atomic_task_taken_over_by_another_runner_rolls_its_work_back(db, dispatched):
    """A runner that looked lost was replaced while it worked: only one of them commits."""
    writes[:] = [0]  # no simulated failure

    def take_over(**kwargs):
        atomic_work(**kwargs)
        TaskRun.objects.filter(pk=run.pk).update(attempts=F("attempts") + 1)  # the other runner

    run = tasks.enqueue("test.atomic", n=2)
    spec = tasks.REGISTRY["test.atomic"]
    with pytest.MonkeyPatch.context() as mp:
        mp.setitem(tasks.REGISTRY, "test.atomic", tasks.Task("test.atomic", take_over, 2, 10, True))
        assert tasks.execute(run.pk) is None
    assert tasks.REGISTRY["test.atomic"] is spec
    assert not AuditEvent.objects.filter(summary="atomic 2").exists()
    run.refresh_from_db()
    assert run.status == S.RUNNING  # the other runner's to finish


flaky_calls: list[int] = []


@tasks.task("test.flaky", max_attempts=2, backoff_seconds=1)
def flaky(*, n: int) -> None:
    flaky_calls.append(n)
    if len(flaky_calls) == 1:
        raise ConnectionError("第一次失败")


# Two threads writing one table: the in-memory SQLite test database's shared cache refuses that
# at once ("database table is locked") where a deployed, file-backed SQLite waits its turn.
@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_in_process_runner_runs_after_commit_and_retries_after_the_backoff(settings):

    settings.SHEZHI_BROKER_URL = ""
    flaky_calls.clear()
    run = tasks.enqueue("test.flaky", n=1)  # autocommit: handed over at once
    # Wait without reading the table meanwhile: the in-memory test database's shared cache
    # refuses a read while the runner thread writes (file-backed SQLite, as deployed, waits).
    assert tasks.in_process.wait_idle(timeout=30)
    run.refresh_from_db()
    assert (run.status, run.attempts, flaky_calls) == (S.DONE, 2, [1, 1])
    assert "第一次失败" in run.last_error  # the error of the retried attempt stays visible
