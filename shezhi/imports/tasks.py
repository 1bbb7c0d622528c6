"""Import jobs as a task (shezhi/core/tasks.py)."""

from shezhi.core.tasks import task
from shezhi.imports import services
from shezhi.imports.services import import_job_busy, run_or_mark_failed


class ImportBusy(Exception):
    """The job is running in another run whose heartbeat is recent."""


# A run whose worker was killed is delivered again (late acks, or `tasks_flush` after
# SHEZHI_TASK_TIMEOUT_SECONDS) and resumes the job where it stopped (import_job_claim). If the
# dead run's heartbeat is still recent, the job looks busy: try again later (backoff 30 s, 60 s,
# …), by when the heartbeat is old enough to take the job over. A job records its own failure
# for the uploader, so no other error reaches the task runner.
@task("imports.run", max_attempts=8, backoff_seconds=30)
def run(*, job_id: int) -> None:
    job = run_or_mark_failed(job_id)
    if job is not None and not job.finished and import_job_busy(job_id):
        raise ImportBusy(f"导入 #{job_id} 正由另一个进程运行，稍后重试")


# Scheduled every few minutes (SHEZHI_SCHEDULE "imports.sweep"). Idempotent: it acts on jobs and
# files by their state and age, which it changes.
@task("imports.sweep", max_attempts=1)
def sweep() -> str:
    """Resume jobs whose runner stopped (fail them after too many interruptions) and purge
    uploaded files past retention (import_jobs_sweep)."""
    failed, purged = services.import_jobs_sweep()
    resumed = services.import_jobs_resume()
    return f"failed {failed} purged {purged} resumed {resumed}"
