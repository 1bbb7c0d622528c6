"""The figures' background job (shezhi/core/tasks.py): the nightly reconciliation."""

from typing import Any

from shezhi.core.tasks import task
from shezhi.figures.reconcile import figures_reconcile


# Idempotent: it rewrites drifted buckets from the domain tables, so a repeated run finds none.
@task("figures.reconcile", max_attempts=2, backoff_seconds=600)
def reconcile(*, fix: bool = True) -> dict[str, Any]:
    return figures_reconcile(fix=fix).as_dict()
