"""Running callables at the same moment, for the tests that two writers never both win."""

import threading
from collections.abc import Callable
from typing import Any

from django.db import connections


def race(actions: list[Callable[[], Any]]) -> list[Any]:
    """Run the callables at once in threads (each with its own connection); return their results
    or the exceptions they raised, in order."""
    barrier = threading.Barrier(len(actions))
    results: list[Any] = [None] * len(actions)

    def run(i: int, action: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            results[i] = action()
        except Exception as exc:  # noqa: BLE001  (returned for the test to assert)
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(actions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results
