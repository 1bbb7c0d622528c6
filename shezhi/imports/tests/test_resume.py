"""A worker killed mid-import: the next run takes the job over and resumes it where it stopped —
staged rows kept, staging goes on after them, an interrupted publish is published again — and
no row is written twice; a run taken for dead writes nothing more (issue 14)."""

from datetime import timedelta

import pytest
from django.db import OperationalError
from django.utils import timezone

from shezhi.core.models import TaskRun
from shezhi.imports import services, tasks
from shezhi.imports.importers import VolunteerImport
from shezhi.imports.models import ImportJob, StagedRow
from shezhi.imports.tests.factories import volunteer_file, volunteer_row
from shezhi.volunteers.models import Volunteer

S = ImportJob.Status


class Killed(BaseException):
    """SIGKILL, as far as this process can tell: no except clause catches it."""


@pytest.fixture
def job(world, settings):
    settings.SHEZHI_TASKS_INLINE = False
    settings.SHEZHI_IMPORT_STALE_MINUTES = 15
    return services.import_job_create(
        actor=world.alice,
        kind=ImportJob.Kind.VOLUNTEERS,
        file_name="v.xlsx",
        content=volunteer_file([volunteer_row(n) for n in range(1, 8)]),
    )


def killed_run(job_id, monkeypatch):
    """Run the job until the patched step raises Killed; a killed process cleans nothing up."""
    with monkeypatch.context() as m:
        m.setattr(services, "staged_purge", lambda **kw: 0)
        with pytest.raises(Killed):
            services.import_job_run(job_id=job_id)


def heartbeat_stops(job_id, minutes=16):
    ImportJob.objects.filter(pk=job_id).update(
        updated_at=timezone.now() - timedelta(minutes=minutes)
    )


def imported_once():
    names = list(Volunteer.objects.filter(name__startswith="导入").values_list("name", flat=True))
    return sorted(names) == sorted(f"导入{n}" for n in range(1, 8))


def test_killed_while_staging_resumes_after_the_last_staged_row(job, monkeypatch):
    monkeypatch.setattr(services, "STAGE_BATCH", 3)
    real = services.stage_batch
    batches = []

    def dies_after_two_batches(j, batch, done):
        if len(batches) == 2:
            raise Killed
        batches.append([r.row for r in batch])
        return real(j, batch, done)

    monkeypatch.setattr(services, "stage_batch", dies_after_two_batches)
    killed_run(job.pk, monkeypatch)
    job.refresh_from_db()
    assert (job.status, job.attempt) == (S.VALIDATING, 1)
    assert StagedRow.objects.filter(job=job).count() == 6

    # Still alive as far as anyone knows: nobody takes it over.
    assert services.import_job_claim(job.pk) is None
    assert services.import_job_busy(job.pk)

    heartbeat_stops(job.pk)
    assert not services.import_job_busy(job.pk)
    monkeypatch.setattr(services, "stage_batch", real)
    staged = []
    real_stage_rows = VolunteerImport.stage_rows

    def spy(self, rows):
        for row, data in real_stage_rows(self, rows):
            staged.append(row)
            yield row, data

    monkeypatch.setattr(VolunteerImport, "stage_rows", spy)
    monkeypatch.setattr(VolunteerImport, "validate", lambda *a, **kw: pytest.fail("checked again"))
    done = services.import_job_run(job_id=job.pk)
    assert (done.status, done.attempt, done.imported_rows) == (S.DONE, 2, 7), done.errors
    assert staged == [8]  # only the row after the staged ones (rows 2-7 were staged)
    assert imported_once()
    assert not StagedRow.objects.filter(job=job).exists()


def test_killed_while_publishing_publishes_again_from_the_staged_rows(job, monkeypatch):
    real = VolunteerImport.publish

    def dies_half_way(self, staged, progress):
        real(self, (item for i, item in enumerate(staged) if i < 4), progress)
        raise Killed  # the publish transaction is rolled back with the process

    monkeypatch.setattr(VolunteerImport, "publish", dies_half_way)
    killed_run(job.pk, monkeypatch)
    job.refresh_from_db()
    assert (job.status, job.attempt) == (S.IMPORTING, 1)
    assert not Volunteer.objects.filter(name__startswith="导入").exists()
    assert StagedRow.objects.filter(job=job).count() == 7

    monkeypatch.setattr(VolunteerImport, "publish", real)
    heartbeat_stops(job.pk)
    done = services.import_job_run(job_id=job.pk)
    assert (done.status, done.attempt, done.imported_rows) == (S.DONE, 2, 7)
    assert imported_once()


def test_a_run_taken_for_dead_writes_nothing_more(job, monkeypatch):
    monkeypatch.setattr(services, "STAGE_BATCH", 3)
    real = services.stage_batch

    def taken_over_after_one_batch(j, batch, done):
        if done:  # another run took the job over meanwhile (this one looked dead)
            heartbeat_stops(j.pk)
            assert services.import_job_claim(j.pk) == 2
        return real(j, batch, done)

    monkeypatch.setattr(services, "stage_batch", taken_over_after_one_batch)
    stopped = services.import_job_run(job_id=job.pk)
    assert (stopped.status, stopped.attempt) == (S.VALIDATING, 2)
    # Its second batch was not written, and it left the staged rows to the new run.
    assert StagedRow.objects.filter(job=job).count() == 3
    assert not Volunteer.objects.filter(name__startswith="导入").exists()

    monkeypatch.setattr(services, "stage_batch", real)
    heartbeat_stops(job.pk)
    done = services.import_job_run(job_id=job.pk)
    assert (done.status, done.attempt) == (S.DONE, 3)
    assert imported_once()


def test_a_claim_is_won_once_and_a_finished_job_is_never_claimed(job):
    assert services.import_job_claim(job.pk) == 1
    assert services.import_job_claim(job.pk) is None  # its heartbeat is fresh
    heartbeat_stops(job.pk)
    assert services.import_job_claim(job.pk) == 2
    assert services.import_job_claim(job.pk) is None
    ImportJob.objects.filter(pk=job.pk).update(status=S.DONE)
    heartbeat_stops(job.pk)
    assert services.import_job_claim(job.pk) is None


def test_after_three_interrupted_runs_the_sweep_fails_the_job(job):
    ImportJob.objects.filter(pk=job.pk).update(status=S.IMPORTING, attempt=3)
    heartbeat_stops(job.pk)
    assert services.import_job_claim(job.pk) is None
    assert services.import_jobs_sweep() == (1, 0)
    job.refresh_from_db()
    assert job.status == S.FAILED and job.errors[0]["reason"] == services.STALE_MESSAGE
    assert bytes(job.content) == b""


def test_the_sweep_queues_one_resuming_run_per_interrupted_job(job, settings):
    settings.SHEZHI_TASKS_INLINE = True
    ImportJob.objects.filter(pk=job.pk).update(status=S.VALIDATING, attempt=1)
    assert services.import_jobs_resume() == 0  # heartbeat still fresh
    heartbeat_stops(job.pk)
    assert services.import_jobs_sweep() == (0, 0)  # runs left: not failed
    assert services.import_jobs_resume() == 1
    assert services.import_jobs_resume() == 0  # already queued for this attempt
    run = TaskRun.objects.get(dedupe_key=f"imports.resume:{job.pk}:1")
    assert (run.name, run.kwargs) == ("imports.run", {"job_id": job.pk})


def test_the_task_retries_while_the_job_looks_alive_and_resumes_it_once_it_is_not(job, monkeypatch):
    real = VolunteerImport.publish

    def dies(self, staged, progress):
        raise Killed

    monkeypatch.setattr(VolunteerImport, "publish", dies)
    killed_run(job.pk, monkeypatch)
    monkeypatch.setattr(VolunteerImport, "publish", real)
    # Delivered again at once (late ack): the dead run's heartbeat is still recent.
    with pytest.raises(tasks.ImportBusy):
        tasks.run(job_id=job.pk)
    heartbeat_stops(job.pk)
    tasks.run(job_id=job.pk)
    job.refresh_from_db()
    assert (job.status, job.attempt) == (S.DONE, 2)
    assert imported_once()
    tasks.run(job_id=job.pk)  # delivered once more: nothing to do, nothing doubled
    assert imported_once()


def test_a_database_that_is_busy_leaves_the_job_alone_for_a_retry(job, monkeypatch):
    """SQLite's write lock held by a long publish in another run: not a reason to fail it."""

    def locked(job_id, **kw):
        raise OperationalError("database is locked")

    monkeypatch.setattr(services, "import_job_claim", locked)
    with pytest.raises(OperationalError):
        tasks.run(job_id=job.pk)
    job.refresh_from_db()
    assert (job.status, job.errors) == (S.PENDING, [])
