"""Background work in-process (the embedded set-up: no broker). Production runs the same
functions from cron or a task queue instead, see SHEZHI_TASKS_INLINE."""

import threading
from collections.abc import Callable
from typing import Any

from django.db import connections


def in_background(fn: Callable[..., Any], *args: Any) -> threading.Thread:
    """Run fn(*args) in a daemon thread; the thread's database connections are closed after it,
    so they do not pile up (each thread opens its own)."""

    def run() -> None:
        try:
            fn(*args)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread
