"""While the import transaction runs, other processes see the progress on PostgreSQL (written
through a second connection); nothing of the import is visible before it commits."""

import threading
from datetime import timedelta

import pytest
from django.db import connections
from django.utils import timezone

from shezhi.accounts.models import Role
from shezhi.accounts.tests.factories import UserFactory
from shezhi.imports import services
from shezhi.imports.models import ImportJob
from shezhi.imports.tests.factories import record_file, record_row
from shezhi.org.tests.factories import make_tree
from shezhi.volunteers.models import ServiceRecord
from shezhi.volunteers.tests.factories import VolunteerFactory

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_progress_is_visible_to_another_connection_during_the_import(settings, monkeypatch):
    settings.SHEZHI_TASKS_INLINE = False
    tree = make_tree("P")
    alice = UserFactory(role=Role.SOCIAL_WORKER, unit=tree["community"])
    volunteer = VolunteerFactory(community=tree["community"])
    today = timezone.localdate()
    rows = [
        record_row(volunteer.volunteer_no, 服务日期=today - timedelta(days=1 + i))
        for i in range(30)
    ]
    job = services.import_job_create(
        actor=alice, kind="records", file_name="r.xlsx", content=record_file(rows)
    )
    seen: list[tuple[str, int, int]] = []
    real_flush = services.Progress.flush

    def observe():  # another thread = another connection, outside the import transaction
        try:
            other = ImportJob.objects.get(pk=job.pk)
            seen.append((other.status, other.processed_rows, ServiceRecord.objects.count()))
        finally:
            connections.close_all()

    def spy(self, *, in_transaction=False):
        real_flush(self, in_transaction=in_transaction)
        if in_transaction:
            t = threading.Thread(target=observe)
            t.start()
            t.join()

    monkeypatch.setattr(services.Progress, "flush", spy)
    done = services.import_job_run(job_id=job.pk, progress_every=10)
    assert done.status == ImportJob.Status.DONE
    assert ("importing", 10, 0) in seen and ("importing", 20, 0) in seen
    assert ServiceRecord.objects.count() == 30


def test_two_runs_taking_over_an_interrupted_job_at_once_one_wins(settings):
    """The late-acked run delivered again and the sweep's resuming run arrive together."""
    settings.SHEZHI_TASKS_INLINE = False
    settings.SHEZHI_IMPORT_STALE_MINUTES = 1
    tree = make_tree("Q")
    alice = UserFactory(role=Role.SOCIAL_WORKER, unit=tree["community"])
    job = services.import_job_create(
        actor=alice, kind="records", file_name="r.xlsx", content=record_file([record_row("X")])
    )
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.IMPORTING,
        attempt=1,
        updated_at=timezone.now() - timedelta(minutes=5),
    )
    barrier = threading.Barrier(4)
    won: list[int | None] = []

    def claim():
        try:
            barrier.wait()
            won.append(services.import_job_claim(job.pk))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=claim) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(won, key=str) == [2, None, None, None]
    assert ImportJob.objects.get(pk=job.pk).attempt == 2
