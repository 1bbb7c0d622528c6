from io import StringIO

import pytest
from django.core.management import call_command

from shezhi.core import tasks
from shezhi.core.models import TaskRun
from shezhi.imports import services
from shezhi.imports.models import ImportJob
from shezhi.imports.tests.factories import volunteer_file, volunteer_row


def create(world):
    return services.import_job_create(
        actor=world.alice,
        kind=ImportJob.Kind.VOLUNTEERS,
        file_name="v.xlsx",
        content=volunteer_file([volunteer_row(1)]),
    )


def test_inline_tasks_queue_the_job_as_a_task_dispatched_after_commit(
    world, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.SHEZHI_TASKS_INLINE = True
    dispatched: list[int] = []
    monkeypatch.setattr(tasks, "dispatch", lambda run_id, **kw: dispatched.append(run_id))
    with django_capture_on_commit_callbacks(execute=True):
        job = create(world)
    run = TaskRun.objects.get()
    assert (run.name, run.kwargs, dispatched) == ("imports.run", {"job_id": job.pk}, [run.pk])


def test_without_inline_tasks_the_worker_command_runs_queued_jobs(
    world, settings, django_capture_on_commit_callbacks
):
    settings.SHEZHI_TASKS_INLINE = False
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        job = create(world)
    assert callbacks == []
    assert ImportJob.objects.get(pk=job.pk).status == ImportJob.Status.PENDING
    out = StringIO()
    call_command("import_jobs_run", stdout=out)
    assert ImportJob.objects.get(pk=job.pk).status == ImportJob.Status.DONE
    assert f"{job.pk} done 1/1" in out.getvalue()


def test_a_job_is_claimed_once(world):
    job = create(world)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.VALIDATING)
    assert services.import_job_run(job_id=job.pk).status == ImportJob.Status.VALIDATING


# The runner's thread and this one share the in-memory SQLite test database, whose shared cache
# refuses a read beside another connection's write at once ("database table is locked"); the
# file-backed SQLite of a deployment waits instead. PostgreSQL runs it.
@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_in_process_runner_runs_the_job_after_commit(settings):
    from shezhi.accounts.models import Role
    from shezhi.accounts.tests.factories import UserFactory
    from shezhi.org.tests.factories import make_tree

    settings.SHEZHI_TASKS_INLINE = True
    settings.SHEZHI_BROKER_URL = ""
    tree = make_tree("T")
    alice = UserFactory(role=Role.SOCIAL_WORKER, unit=tree["community"])
    job = services.import_job_create(
        actor=alice,
        kind=ImportJob.Kind.VOLUNTEERS,
        file_name="v.xlsx",
        content=volunteer_file([volunteer_row(1), volunteer_row(2)]),
    )
    assert tasks.in_process.wait_idle(timeout=60)
    job.refresh_from_db()
    assert (job.status, job.imported_rows) == (ImportJob.Status.DONE, 2)
