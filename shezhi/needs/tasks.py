"""The needs ledger's background work as tasks (shezhi/core/tasks.py)."""

from django.utils import timezone

from shezhi.core.tasks import task
from shezhi.needs.notices import deadlines_check
from shezhi.needs.services import dispatch_batch_run, dispatch_batches_purge
from shezhi.notifications.services import deliver_pending


# Scheduled every few minutes (SHEZHI_SCHEDULE "needs.deadlines"). Idempotent: each (need,
# deadline, stage) is told once (a dedupe key), so a repeated run tells nobody twice.
@task("needs.deadlines", max_attempts=1)
def deadlines() -> str:
    """Tell social workers about needs near or past their deadlines, then send what is queued
    (for deployments that do not queue deliveries, SHEZHI_TASKS_INLINE off); delete old 一键派单
    batches."""
    now = timezone.now()
    made = deadlines_check(now=now)
    result = deliver_pending()
    purged = dispatch_batches_purge(now=now)
    return (
        f"deadline notices {made}, sent {result.sent}, failed {result.failed}, "
        f"dispatch batches purged {purged}"
    )


# Atomic: the dispatches (with their notices, outbox rows too) and the run's done mark commit
# together, and a batch already done is left alone, so a run repeated after a worker died
# dispatches nothing twice.
@task("needs.bulk_dispatch", max_attempts=3, backoff_seconds=10, atomic=True)
def bulk_dispatch(*, batch_id: int) -> str:
    """一键派单 confirmed by a dispatcher (needs_dispatch_batch_create)."""
    batch = dispatch_batch_run(batch_id=batch_id)
    return f"dispatched {len(batch.dispatched)}, failed {len(batch.failed)}"
