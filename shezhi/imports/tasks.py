"""Import jobs as a task (shezhi/core/tasks.py)."""

from shezhi.core.tasks import task
from shezhi.imports import services
from shezhi.imports.services import run_or_mark_failed


# One attempt: a job records its own failure for the uploader, and it is claimed (pending →
# validating) before it starts, so a repeated run does nothing; the import sweep fails a job
# whose runner died, and the uploader sees that it was not imported.
@task("imports.run", max_attempts=1)
def run(*, job_id: int) -> None:
    run_or_mark_failed(job_id)


# Scheduled every few minutes (SHEZHI_SCHEDULE "imports.sweep"). Idempotent: it acts on jobs and
# files by their state and age, which it changes.
@task("imports.sweep", max_attempts=1)
def sweep() -> str:
    """Jobs whose runner stopped, and uploaded files past retention (import_jobs_sweep)."""
    failed, purged = services.import_jobs_sweep()
    return f"failed {failed} purged {purged}"
