"""The stand-in task runner of the test suite (shezhi/core/tasks.py's runners are the production
ones; shezhi/conftest.py puts this one in place of the in-process runner for every test)."""

from django.db import connection

from shezhi.core import tasks


class StandInRunner:
    """Runs a run in the thread that sends it, at once, wherever another thread could not work on
    it: on the in-memory SQLite test database, which refuses a second connection's write at once
    (a deployed, file-backed SQLite waits its turn), and inside the transaction that wraps a test,
    whose rows no other connection sees. Only a transactional test on PostgreSQL hands its runs to
    the in-process runner's threads, as deployed. A retry waiting out its backoff stays in the
    outbox, where `tasks.flush()` finds it, as with any runner."""

    def __init__(self, threads: tasks.InProcessRunner) -> None:
        self.threads = threads

    def send(self, run_id: int, *, countdown: float = 0) -> None:
        if connection.vendor != "sqlite" and not connection.in_atomic_block:
            self.threads.send(run_id, countdown=countdown)
        elif not countdown:
            tasks.execute(run_id)

    def wait_idle(self, timeout: float, *, retries: bool = True) -> bool:
        return self.threads.wait_idle(timeout, retries=retries)
