"""Stand-in task runners for tests (shezhi/core/tasks.py's runners are the production ones)."""

from shezhi.core import tasks


class SendingThreadRunner:
    """Runs a run in the thread that sends it, at once. The in-memory SQLite test database
    refuses a second connection's write at once (where a deployed, file-backed SQLite waits its
    turn), so on it tests cannot use the in-process runner's threads. A retry waiting out its
    backoff stays in the outbox, where `tasks.flush()` finds it, as with any runner."""

    def send(self, run_id: int, *, countdown: float = 0) -> None:
        if not countdown:
            tasks.execute(run_id)

    def wait_idle(self, timeout: float, *, retries: bool = True) -> bool:
        return True  # nothing is ever left running in another thread
