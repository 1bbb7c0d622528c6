"""A server killed mid-import leaves no job 'importing' forever and no uploaded file behind
(audit finding 7)."""

from datetime import timedelta
from io import StringIO

from django.core.management import call_command
from django.utils import timezone

from shezhi.imports import services
from shezhi.imports.models import ImportJob
from shezhi.imports.tests.factories import volunteer_file, volunteer_row


def queued(world, settings):
    settings.SHEZHI_TASKS_INLINE = False
    return services.import_job_create(
        actor=world.alice,
        kind=ImportJob.Kind.VOLUNTEERS,
        file_name="v.xlsx",
        content=volunteer_file([volunteer_row(1)]),
    )


def test_a_job_interrupted_three_times_is_failed_and_its_file_purged(world, settings):
    settings.SHEZHI_IMPORT_STALE_MINUTES = 15
    job = queued(world, settings)
    now = timezone.now()
    # The server died at 50 %: the job row last moved 16 minutes ago.
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.IMPORTING,
        total_rows=2,
        processed_rows=1,
        attempt=services.MAX_ATTEMPTS,  # the last of its runs (fewer: it is resumed)
        updated_at=now - timedelta(minutes=16),
    )
    out = StringIO()
    call_command("import_jobs_sweep", stdout=out)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert bytes(job.content) == b""
    assert job.imported_rows == 0 and "导入多次中断" in job.summary["message"]
    assert job.errors[0]["reason"] == services.STALE_MESSAGE
    assert "failed 1" in out.getvalue() and "resumed 0" in out.getvalue()


def test_a_running_job_with_a_recent_heartbeat_is_left_alone(world, settings):
    settings.SHEZHI_IMPORT_STALE_MINUTES = 15
    job = queued(world, settings)
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.IMPORTING, updated_at=timezone.now() - timedelta(minutes=5)
    )
    assert services.import_jobs_sweep() == (0, 0)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.IMPORTING and bytes(job.content) != b""


def test_files_are_purged_after_the_job_ends_and_after_retention(world, settings):
    settings.SHEZHI_IMPORT_FILE_RETENTION_HOURS = 24
    job = queued(world, settings)
    waiting = queued(world, settings)
    ImportJob.objects.filter(pk=waiting.pk).update(created_at=timezone.now() - timedelta(hours=25))
    # A finished job whose file was somehow left (e.g. written by an older version).
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.DONE)
    assert services.import_jobs_sweep() == (1, 1)
    for j in (job, waiting):
        j.refresh_from_db()
        assert bytes(j.content) == b""
    assert waiting.status == ImportJob.Status.FAILED
    assert waiting.errors[0]["reason"] == services.EXPIRED_MESSAGE


def test_a_finished_import_keeps_no_file(world, settings):
    job = queued(world, settings)
    assert services.import_job_run(job_id=job.pk).status == ImportJob.Status.DONE
    job.refresh_from_db()
    assert bytes(job.content) == b""
