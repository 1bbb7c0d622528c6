"""The privacy app's background work as tasks (shezhi/core/tasks.py)."""

from shezhi.core.tasks import task
from shezhi.privacy.retention import retention_run


# Daily (SHEZHI_SCHEDULE "privacy.retention"). Idempotent: one transaction, and what it removed
# is no longer past its retention period at the next run, which then finds nothing more to do.
@task("privacy.retention", max_attempts=1)
def retention() -> str:
    """Remove personal data past its retention period; the report names what was done."""
    run = retention_run()
    lines = [f"{k}: {v}" for k, v in run.report.items()]
    return f"保存期限清理 #{run.pk}，共处理 {run.total} 条（" + "；".join(lines) + "）"
