"""The production runner end to end: a real Redis (started here on a free loopback port) and a
real Celery worker (`celery -A shezhi.celery worker`) run a notification's delivery queued by
another process; with Redis stopped, the run waits in the database outbox, and once Redis is
back `shezhi tasks_flush` hands it over and the worker delivers it — nothing lost.

Everything runs in subprocesses against a throwaway SQLite file that all of them share (the
test database of this process is not visible to a worker)."""

import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR).parent
REDIS = shutil.which("redis-server") or "/usr/bin/redis-server"

PRODUCE = """
import django, sys
django.setup()
from shezhi.accounts.tests.factories import UserFactory
from shezhi.core.request_context import set_request_id
from shezhi.notifications import services
set_request_id(sys.argv[1])
user = UserFactory(username=sys.argv[1])
n = services.notify(recipient=user, kind="general", title="任务队列测试")
print(n.pk)
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Redis:
    def __init__(self, port: int, workdir: Path):
        self.port, self.workdir = port, workdir
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [REDIS, "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
            + ["--appendonly", "no", "--dir", str(self.workdir)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        until(lambda: _answers(self.port), what="redis-server to answer")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def until(check, *, what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[dict]:
    assert os.path.exists(REDIS), "redis-server is missing: run scripts/bootstrap.sh test"
    port = free_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DJANGO_SETTINGS_MODULE": "shezhi.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "SHEZHI_VAR_DIR": str(tmp_path),
        "SHEZHI_BROKER_URL": f"redis://127.0.0.1:{port}/0",
        "SHEZHI_NOTIFICATION_CHANNELS": "inbox",
    }
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], env=env, check=True, cwd=ROOT)
    redis = Redis(port, tmp_path)
    redis.start()
    log = (tmp_path / "worker.log").open("wb")
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "shezhi.celery", "worker", "--pool=solo"]
        + ["--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "INFO"],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        yield {"env": env, "manage": manage, "redis": redis, "db": tmp_path / "db.sqlite3"}
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
        redis.stop()
        log.close()
        print((tmp_path / "worker.log").read_text(errors="replace")[-3000:])


def produce(stack: dict, request_id: str) -> int:
    out = subprocess.run(
        [sys.executable, "-c", PRODUCE, request_id],
        env=stack["env"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    return int(out.stdout.strip().splitlines()[-1])


def state(stack: dict, notification_id: int) -> tuple[str, str, str, object]:
    with sqlite3.connect(stack["db"]) as db:
        delivery = db.execute(
            "select status from notifications_delivery where notification_id = ?",
            [notification_id],
        ).fetchone()[0]
        run = db.execute(
            "select status, request_id, sent_at from core_taskrun"
            " where name = 'notifications.deliver' and kwargs like ?",
            [f"%[{notification_id}]%"],
        ).fetchone()
    return delivery, run[0], run[1], run[2]


def test_a_celery_worker_on_redis_delivers_and_a_down_broker_loses_nothing(stack):
    first = produce(stack, "req-celery-1")
    until(lambda: state(stack, first)[:2] == ("sent", "done"), what="the worker to deliver")
    assert state(stack, first)[2] == "req-celery-1"  # the envelope carried the request id

    stack["redis"].stop()
    second = produce(stack, "req-celery-2")  # the request still succeeds
    delivery, run, _, sent_at = state(stack, second)
    assert (delivery, run, sent_at) == ("queued", "queued", None)  # waiting in the outbox

    stack["redis"].start()
    flushed = subprocess.run(
        [*stack["manage"], "tasks_flush"],
        env=stack["env"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    assert "handed over 1" in flushed.stdout
    until(lambda: state(stack, second)[:2] == ("sent", "done"), what="delivery after the outage")
    with sqlite3.connect(stack["db"]) as db:  # each delivered once, nothing doubled
        assert db.execute("select count(*), sum(attempts) from core_taskrun").fetchone() == (2, 2)


BEAT = """
import django
django.setup()
from shezhi.celery import SCHEDULED_TASK, app
app.send_task(SCHEDULED_TASK, args=["core.flush"])  # what Celery beat sends for the schedule
"""


def test_beats_message_runs_the_scheduled_task_in_the_worker(stack):
    """The schedule under Celery: beat's message makes the worker run the named task function,
    recorded as a run of that task like run_scheduler's turns."""
    sent = subprocess.run(
        [sys.executable, "-c", BEAT], env=stack["env"], cwd=ROOT, capture_output=True, text=True
    )
    assert sent.returncode == 0, sent.stderr[-3000:]

    def done() -> bool:
        with sqlite3.connect(stack["db"]) as db:
            row = db.execute(
                "select status, label from core_taskrun where name = 'core.flush'"
            ).fetchone()
        return row == ("done", "core.flush")

    until(done, what="the worker to run the scheduled task")
