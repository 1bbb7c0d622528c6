"""An import stages its checked rows in short transactions and publishes them all-or-nothing, so
the database stays usable while it runs (issue 12, finding 6)."""

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.test import Client
from django.utils import timezone

from shezhi.accounts.services import api_token_create
from shezhi.core.errors import Conflict, ItemRefused
from shezhi.imports import services
from shezhi.imports.importers import base
from shezhi.imports.models import ImportJob, StagedRow
from shezhi.imports.tests.factories import run_import, volunteer_file, volunteer_row
from shezhi.volunteers import services as volunteer_services
from shezhi.volunteers.models import Volunteer

VOL = ImportJob.Kind.VOLUNTEERS


def imported() -> int:
    return Volunteer.objects.filter(name__startswith="导入").count()


def queued(world, settings, rows: int) -> ImportJob:
    settings.SHEZHI_TASKS_INLINE = False
    return services.import_job_create(
        actor=world.alice,
        kind=VOL,
        file_name="v.xlsx",
        content=volunteer_file([volunteer_row(n) for n in range(1, rows + 1)]),
    )


def test_rows_are_staged_in_batches_then_published_and_purged(world, monkeypatch):
    monkeypatch.setattr(services, "STAGE_BATCH", 4)
    monkeypatch.setattr(services, "PUBLISH_PAGE", 3)
    batches: list[tuple[int, int, int]] = []
    real = services.stage_batch

    def spy(job, batch, done):
        n = real(job, batch, done)
        # Committed: staged rows and the job's progress are there, nothing is published.
        batches.append((StagedRow.objects.filter(job=job).count(), job.processed_rows, imported()))
        return n

    monkeypatch.setattr(services, "stage_batch", spy)
    job = run_import(world.alice, VOL, volunteer_file([volunteer_row(n) for n in range(1, 11)]))
    assert job.status == ImportJob.Status.DONE and job.imported_rows == 10
    assert batches == [(4, 4, 0), (8, 8, 0), (10, 10, 0)]
    assert imported() == 10
    assert not StagedRow.objects.exists()


def test_a_failure_on_the_last_published_row_leaves_nothing(world, monkeypatch):
    monkeypatch.setattr(services, "STAGE_BATCH", 4)
    monkeypatch.setattr(base, "PUBLISH_BATCH", 4)
    real = volunteer_services.volunteers_register_many
    batches: list[list[str]] = []

    def register_many(*, registrations, **kwargs):
        batches.append([r.name for r in registrations])
        if registrations[-1].name == "导入10":  # the last row of the last batch
            error = Conflict("该身份证号码已登记为志愿者", field="id_number")
            raise ItemRefused(len(registrations) - 1, error)
        return real(registrations=registrations, **kwargs)

    monkeypatch.setattr(volunteer_services, "volunteers_register_many", register_many)
    job = run_import(world.alice, VOL, volunteer_file([volunteer_row(n) for n in range(1, 11)]))
    # Two batches were written before the failure, then rolled back.
    assert [len(b) for b in batches] == [4, 4, 2]
    assert job.status == ImportJob.Status.FAILED and job.imported_rows == 0
    assert [(e["row"], e["column"]) for e in job.errors] == [(11, "身份证号码")]
    assert job.summary["message"].startswith("第11行导入失败，已撤销本次导入的全部数据")
    assert imported() == 0
    assert not StagedRow.objects.exists()
    assert bytes(ImportJob.objects.get(pk=job.pk).content) == b""


def test_a_crash_while_publishing_leaves_nothing(world, monkeypatch):
    def broken(self, staged, progress):
        for _row, data in staged:
            volunteer_services.volunteer_register(
                actor=self.job.uploaded_by,
                community_id=self.job.unit.pk,
                **{**data, "birth_date": None},
            )
        raise RuntimeError("bug after the last row")

    monkeypatch.setattr(services.VolunteerImport, "publish", broken)
    job = run_import(world.alice, VOL, volunteer_file([volunteer_row(n) for n in range(1, 6)]))
    assert job.status == ImportJob.Status.FAILED
    assert job.summary["message"] == "导入时发生内部错误，未导入任何数据，请联系管理员"
    assert imported() == 0 and not StagedRow.objects.exists()


def test_the_sweep_fails_a_job_stopped_mid_staging_and_purges_its_rows(world, settings):
    settings.SHEZHI_IMPORT_STALE_MINUTES = 15
    job = queued(world, settings, 3)
    other = queued(world, settings, 3)
    now = timezone.now()
    for j in (job, other):
        StagedRow.objects.create(job=j, row=2, data={"name": "导入1"})
    # The worker died while staging: the heartbeat stopped 16 minutes ago.
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.VALIDATING,
        total_rows=3,
        processed_rows=1,
        attempt=services.MAX_ATTEMPTS,  # its last run (with runs left it is resumed)
        updated_at=now - timedelta(minutes=16),
    )
    # Another job is staging right now and is left alone.
    ImportJob.objects.filter(pk=other.pk).update(
        status=ImportJob.Status.VALIDATING, updated_at=now - timedelta(minutes=1)
    )
    assert services.import_jobs_sweep() == (1, 0)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED and bytes(job.content) == b""
    assert job.errors[0]["reason"] == services.STALE_MESSAGE
    assert not StagedRow.objects.filter(job=job).exists()
    assert StagedRow.objects.filter(job=other).count() == 1


def test_a_worker_that_wakes_after_the_sweep_publishes_nothing(world, settings, monkeypatch):
    monkeypatch.setattr(services, "STAGE_BATCH", 2)
    real = services.stage_batch

    def stalls(job, batch, done):
        n = real(job, batch, done)
        if done == 0:  # the worker stalls after its first batch; the sweep gives up on it
            services.import_jobs_sweep(now=timezone.now() + timedelta(days=1))
        return n

    monkeypatch.setattr(services, "stage_batch", stalls)
    job = queued(world, settings, 5)
    job = services.import_job_run(job_id=job.pk)
    assert job.status == ImportJob.Status.FAILED
    assert job.errors[0]["reason"] == services.STALE_MESSAGE
    assert imported() == 0 and not StagedRow.objects.exists()


def test_staged_rows_are_not_shown_to_anyone(world):
    """The staged rows carry ID numbers: no admin page or API lists them."""
    from django.contrib import admin

    assert StagedRow not in admin.site._registry


def in_thread(fn):
    """Run `fn` in a new thread (its own database connection) and return its result."""
    out: list = []

    def run():
        try:
            out.append(fn())
        finally:
            connections.close_all()

    t = threading.Thread(target=run)
    t.start()
    t.join(timeout=300)
    return out[0]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_api_answers_while_an_import_is_staging_on_file_backed_sqlite(
    world, settings, monkeypatch, tmp_path
):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's single write lock is the point")
    # The test database lives in memory; copy it to a file so that WAL and the write lock
    # behave as in production. Only new threads open connections to the file: this thread's
    # connection keeps the in-memory database (closing it would destroy it).
    path = tmp_path / "db.sqlite3"
    with connection.cursor() as cursor:
        cursor.execute("VACUUM INTO %s", [str(path)])
    db = connection.settings_dict
    memory_name = db["NAME"]
    db["NAME"] = str(path)
    try:

        def journal_mode():
            with connections["default"].cursor() as cursor:
                cursor.execute("PRAGMA journal_mode")
                return cursor.fetchone()[0]

        assert in_thread(journal_mode) == "wal"
        monkeypatch.setattr(services, "STAGE_BATCH", 50)
        raw = in_thread(lambda: api_token_create(user=world.sam, name="对接系统")[1])
        job = in_thread(lambda: queued(world, settings, 300))
        staging = threading.Event()
        answered = threading.Event()
        real = services.stage_batch

        def pause_once(job, batch, done):
            n = real(job, batch, done)
            if done == 0:  # the first batch is committed; the import is mid-staging
                staging.set()
                answered.wait(timeout=60)
            return n

        monkeypatch.setattr(services, "stage_batch", pause_once)
        result: list[ImportJob] = []

        def work():
            try:
                result.append(services.import_job_run(job_id=job.pk))
            finally:
                connections.close_all()

        worker = threading.Thread(target=work)
        worker.start()
        try:
            assert staging.wait(timeout=60)

            def during():
                # A bearer-token request writes the token's last use: it needs the write lock.
                me = Client(HTTP_AUTHORIZATION=f"Bearer {raw}").get("/api/v1/me")
                # The outsider without a valid token is refused as usual.
                bad = Client(HTTP_AUTHORIZATION="Bearer wrong-token").get("/api/v1/me")
                mid = ImportJob.objects.get(pk=job.pk)
                return me.status_code, me.json(), bad.status_code, mid, imported()

            status, body, refused, mid, count = in_thread(during)
            assert status == 200 and body["username"] == "sam"
            assert refused == 401
            assert (mid.status, mid.processed_rows, count) == ("validating", 50, 0)
        finally:
            answered.set()
            worker.join(timeout=300)
        assert result and result[0].status == ImportJob.Status.DONE
        assert in_thread(lambda: (imported(), StagedRow.objects.count())) == (300, 0)
    finally:
        db["NAME"] = memory_name
