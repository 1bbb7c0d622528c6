"""Background tasks: one registry, two runners, a database outbox.

- @task("notifications.deliver") registers a function as a named task. Its keyword arguments
  are JSON (ids and names, never personal data) and it must be idempotent: a run may be repeated
  after a crash, so it claims its own rows (conditional updates) before acting on them.
- enqueue(name, *, dedupe_key="", label="", **kwargs) -> TaskRun | None: writes the run in the
  caller's transaction (the outbox; it rolls back with the caller) and hands it to the runner after
  commit. With a dedupe key, a second run for the same key is not queued (None).
- The runner: threads in this process when SHEZHI_BROKER_URL is empty (command 1), Celery
  otherwise (shezhi/celery.py). A broker that is down leaves the run in the outbox, unsent;
  flush() (`shezhi tasks_flush`, scheduled) hands over what is due and was never handed over,
  retries that are due, and runs whose runner died (older than SHEZHI_TASK_TIMEOUT_SECONDS).
- execute(run_id): claims the run (exactly one runner wins), carries the request id of the
  request that queued it, runs it, and records the outcome; a failure is retried with backoff up
  to the task's max_attempts, then the run is failed with its error (Django admin shows it).
- run_now(name, **kwargs): the same, in this thread (scheduled jobs; skipped while one runs).
- run_scheduled(name): a job of SHEZHI_SCHEDULE, keyed by task name ("care.jobs"); a key that
  is not a task but a management command (older configurations) runs it through core.command.
- @task(..., atomic=True): the function's writes and the run's "done" commit together, so a
  run killed midway left nothing behind and its re-run does the work exactly once.
- task_run_retry(*, actor, run_id): an admin runs a failed run again (audited).
"""

import json
import logging
import queue
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol, TypeVar

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import IntegrityError, connections, transaction
from django.db.models import F, Q
from django.utils import timezone

from shezhi.core import audit
from shezhi.core.models import AuditEvent, TaskRun
from shezhi.core.request_context import current_request_id, reset_request_id, set_request_id

log = logging.getLogger("shezhi.tasks")

F_ = TypeVar("F_", bound=Callable[..., Any])
S = TaskRun.Status


@dataclass(frozen=True)
class Task:
    name: str
    fn: Callable[..., Any]
    max_attempts: int
    backoff_seconds: int
    atomic: bool = False


REGISTRY: dict[str, Task] = {}


def task(
    name: str, *, max_attempts: int = 3, backoff_seconds: int = 30, atomic: bool = False
) -> Callable[[F_], F_]:
    """Register fn as the task `name` (retried max_attempts times in all, waiting
    backoff_seconds, then twice as long, …). With `atomic`, fn runs in one transaction with the
    run's "done" mark: for work whose effects are all in the database (notices are outbox rows
    too), which then happens exactly once however often the run is delivered."""

    def register(fn: F_) -> F_:
        known = REGISTRY.get(name)
        if known is not None and known.fn.__qualname__ != fn.__qualname__:
            raise ImproperlyConfigured(f"task {name!r} is registered twice")
        REGISTRY[name] = Task(name, fn, max_attempts, backoff_seconds, atomic)
        return fn

    return register


def _spec(name: str) -> Task:
    try:
        return REGISTRY[name]
    except KeyError:
        raise ImproperlyConfigured(f"unknown task {name!r}") from None


# --- queueing ---------------------------------------------------------------------------------


def enqueue(name: str, *, dedupe_key: str = "", label: str = "", **kwargs: Any) -> TaskRun | None:
    """Queue a run of task `name` with kwargs; it is handed to the runner after commit."""
    spec = _spec(name)
    json.dumps(kwargs)  # fail here, in the caller, not later in a worker
    fields = {
        "name": name,
        "label": label[:120],
        "kwargs": kwargs,
        "max_attempts": spec.max_attempts,
        "dedupe_key": dedupe_key[:120],
        "request_id": current_request_id()[:64],
    }
    if not dedupe_key:
        run = TaskRun.objects.create(**fields)  # one INSERT, no savepoint
    elif TaskRun.objects.filter(dedupe_key=dedupe_key).exists():
        return None
    else:
        try:
            with transaction.atomic():
                run = TaskRun.objects.create(**fields)
        except IntegrityError:  # the same key queued concurrently
            return None
    run_id = run.pk
    transaction.on_commit(lambda: dispatch(run_id))
    return run


def dispatch(run_id: int, *, countdown: float = 0) -> bool:
    """Hand a committed run to the runner; False (run stays in the outbox) when it cannot."""
    try:
        runner().send(run_id, countdown=countdown)
    except Exception as exc:
        log.warning("task run %s stays in the outbox: %s", run_id, exc)
        return False
    TaskRun.objects.filter(pk=run_id).update(sent_at=timezone.now())
    return True


# --- running ----------------------------------------------------------------------------------


class TakenOver(Exception):
    """The run was reclaimed by another runner while this one worked (it looked lost)."""


def _stale(now: datetime) -> datetime:
    return now - timedelta(seconds=settings.SHEZHI_TASK_TIMEOUT_SECONDS)


def execute(run_id: int) -> str | None:
    """Run one queued run; returns its new status, or None when another runner has it (or it is
    finished): the claim is a conditional UPDATE, so a run is never worked on twice at once."""
    now = timezone.now()
    claimable = Q(status__in=[S.QUEUED, S.RETRYING]) | Q(
        status=S.RUNNING, started_at__lt=_stale(now)
    )
    if not TaskRun.objects.filter(claimable, pk=run_id).update(
        status=S.RUNNING, attempts=F("attempts") + 1, started_at=now, finished_at=None
    ):
        return None
    run = TaskRun.objects.get(pk=run_id)
    mine = TaskRun.objects.filter(pk=run_id, status=S.RUNNING, attempts=run.attempts)
    spec = REGISTRY.get(run.name)
    if spec is None:  # queued by another version of the code: retrying would not help
        mine.update(status=S.FAILED, last_error="未知的任务（代码版本不一致？）", finished_at=now)
        return S.FAILED
    token = set_request_id(run.request_id)
    try:
        if spec.atomic:
            with transaction.atomic():
                outcome = spec.fn(**run.kwargs)
                if not mine.update(status=S.DONE, finished_at=timezone.now()):
                    raise TakenOver  # rolls the work back: the runner that took over does it
        else:
            outcome = spec.fn(**run.kwargs)
    except TakenOver:
        log.warning("task %s run %s was taken over by another runner", run.name, run_id)
        return None
    except Exception as exc:
        error = "".join(traceback.format_exception_only(exc)).strip()[:2000]
        log.exception("task %s run %s failed (attempt %s)", run.name, run_id, run.attempts)
        if run.attempts < run.max_attempts:
            delay = spec.backoff_seconds * 2 ** (run.attempts - 1)
            if mine.update(
                status=S.RETRYING,
                last_error=error,
                run_after=timezone.now() + timedelta(seconds=delay),
                sent_at=None,
            ):
                dispatch(run_id, countdown=delay)
            return S.RETRYING
        mine.update(status=S.FAILED, last_error=error, finished_at=timezone.now())
        return S.FAILED
    finally:
        reset_request_id(token)
    if not spec.atomic:
        mine.update(status=S.DONE, finished_at=timezone.now())
    if outcome:
        log.info("task %s run %s done: %s", run.name, run_id, outcome)
    return S.DONE


def run_now(name: str, *, label: str = "", **kwargs: Any) -> TaskRun | None:
    """Run task `name` in this thread, recorded like any other run; None (skipped) while a run
    of the same task and label is still going, so a slow periodic job never overlaps itself."""
    _spec(name)
    now = timezone.now()
    if TaskRun.objects.filter(
        name=name, label=label, status=S.RUNNING, started_at__gte=_stale(now)
    ).exists():
        return None
    run = TaskRun.objects.create(
        name=name,
        label=label[:120],
        kwargs=kwargs,
        max_attempts=1,  # the next turn of the schedule is the retry
        request_id=current_request_id()[:64],
        sent_at=now,
    )
    execute(run.pk)
    run.refresh_from_db()
    return run


@transaction.atomic
def task_run_retry(*, actor: Any, run_id: int) -> bool:
    """An admin runs a failed run again from its first attempt; False when it has not failed."""
    if not TaskRun.objects.filter(pk=run_id, status=S.FAILED).update(
        status=S.QUEUED, attempts=0, run_after=timezone.now(), sent_at=None, finished_at=None
    ):
        return False
    run = TaskRun.objects.get(pk=run_id)
    audit.record(
        actor=actor,
        action=AuditEvent.Action.TRANSITION,
        obj=run,
        summary=f"重新运行失败的后台任务 {run.name} #{run.pk}",
    )
    transaction.on_commit(lambda: dispatch(run_id))
    return True


def flush(*, now: datetime | None = None, limit: int = 500) -> int:
    """Hand over the runs that are due and not in a runner's hands; delete finished runs past
    SHEZHI_TASK_RUNS_KEEP_DAYS. Returns how many were handed over."""
    now = now or timezone.now()
    stale = _stale(now)
    waiting = Q(status__in=[S.QUEUED, S.RETRYING], run_after__lte=now) & (
        Q(sent_at__isnull=True) | Q(sent_at__lt=stale)  # never sent, or sent and lost
    )
    lost = Q(status=S.RUNNING, started_at__lt=stale)  # its runner died
    ids = list(
        TaskRun.objects.filter(waiting | lost).order_by("id").values_list("pk", flat=True)[:limit]
    )
    handed = sum(dispatch(run_id) for run_id in ids)
    keep = now - timedelta(days=settings.SHEZHI_TASK_RUNS_KEEP_DAYS)
    TaskRun.objects.filter(status__in=[S.DONE, S.FAILED], finished_at__lt=keep).delete()
    return handed


# --- runners ----------------------------------------------------------------------------------


class Runner(Protocol):
    def send(self, run_id: int, *, countdown: float = 0) -> None: ...


class InProcessRunner:
    """A few daemon threads in this process (the embedded set-up): a bulk dispatch of 500 orders
    queues 500 runs, which must not become 500 threads each holding a database connection."""

    def __init__(self) -> None:
        self._queue: queue.Queue[int] = queue.Queue()
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        self._waiting = 0  # runs sent with a countdown that has not run out yet

    def send(self, run_id: int, *, countdown: float = 0) -> None:
        if countdown > 0:
            with self._lock:
                self._waiting += 1
            timer = threading.Timer(countdown, self._send_later, args=(run_id,))
            timer.daemon = True
            timer.start()
            return
        self._queue.put(run_id)
        with self._lock:
            self._threads = [t for t in self._threads if t.is_alive()]
            if len(self._threads) < settings.SHEZHI_TASK_THREADS:
                thread = threading.Thread(target=self._work, daemon=True, name="shezhi-task")
                thread.start()
                self._threads.append(thread)

    def _send_later(self, run_id: int) -> None:
        self.send(run_id)  # queued before the count drops, so wait_idle() never sees a gap
        with self._lock:
            self._waiting -= 1

    def _work(self) -> None:
        while True:
            run_id = self._queue.get()
            try:
                execute(run_id)
            except Exception:  # pragma: no cover - execute records failures; this is the database
                log.exception("task run %s could not be executed", run_id)
            finally:
                connections.close_all()  # each thread opens its own; do not let them pile up
                self._queue.task_done()

    def wait_idle(self, timeout: float, *, retries: bool = True) -> bool:
        """Wait until every sent run (and, with `retries`, every retry waiting for its countdown)
        has been executed (tests, shutdown); False on timeout."""
        deadline = time.monotonic() + timeout
        while self._queue.unfinished_tasks or (retries and self._waiting):
            if time.monotonic() > deadline:
                return False
            time.sleep(0.02)
        return True


class CeleryRunner:
    """Celery with the broker SHEZHI_BROKER_URL: one Celery task runs any registered run by id.

    Each thread keeps one broker connection (a bulk dispatch queues hundreds of runs), made for
    the broker the setting names now and without retries: a broker that is down fails the send
    at once, the connection is dropped, and the run waits in the outbox."""

    _local = threading.local()

    def send(self, run_id: int, *, countdown: float = 0) -> None:
        from shezhi.celery import RUN_TASK, app

        url = settings.SHEZHI_BROKER_URL
        held = getattr(self._local, "connection", None)
        if held is None or held[0] != url:
            options = {**app.conf.broker_transport_options, "max_retries": 0}
            held = self._local.connection = (
                url,
                app.connection_for_write(url, transport_options=options),
            )
        try:
            app.send_task(
                RUN_TASK,
                args=[run_id],
                countdown=countdown or None,
                connection=held[1],
                retry=False,
            )
        except Exception:
            self._local.connection = None
            held[1].release()
            raise


in_process = InProcessRunner()


def runner() -> Runner:
    return CeleryRunner() if settings.SHEZHI_BROKER_URL else in_process


# --- scheduled jobs ---------------------------------------------------------------------------


@task("core.flush", max_attempts=1)
def flush_task() -> str:
    """The schedule's turn of flush(): the outbox is flushed whichever runner runs tasks."""
    return f"handed over {flush()}"


@task("core.command", max_attempts=1)
def run_command(*, command: str) -> None:
    """A job of SHEZHI_SCHEDULE named by its management command (configurations written before
    the jobs were tasks), called by name so that the core app does not import the apps above."""
    call_command(command)


def is_schedulable(name: str) -> bool:
    """A SHEZHI_SCHEDULE key names a registered task or, in older configurations, a command."""
    from django.core.management import get_commands

    return name in REGISTRY or name in get_commands()


def run_scheduled(name: str) -> TaskRun | None:
    """One turn of the scheduled job `name`, in this thread (run_scheduler, or Celery beat's
    message in a worker): the same task function under both runners."""
    if name in REGISTRY:
        return run_now(name, label=name)
    return run_now("core.command", label=name, command=name)
