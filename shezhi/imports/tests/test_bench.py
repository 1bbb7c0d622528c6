"""Timing of a 5,000-row import (run with SHEZHI_BENCH=1; skipped otherwise)."""

import os
import time
from datetime import timedelta
from io import BytesIO

import pytest
from django.utils import timezone

from shezhi.imports import services
from shezhi.imports.models import ImportJob
from shezhi.imports.tests.factories import record_file, record_row, volunteer_file, volunteer_row
from shezhi.volunteers.models import ServiceRecord, Volunteer

pytestmark = pytest.mark.skipif(not os.environ.get("SHEZHI_BENCH"), reason="benchmark")
N = int(os.environ.get("SHEZHI_BENCH_ROWS", "5000"))


def timed(actor, kind, content):
    job = services.import_job_create(actor=actor, kind=kind, file_name="b.xlsx", content=content)
    start = time.perf_counter()
    job = services.import_job_run(job_id=job.pk)
    return job, time.perf_counter() - start


def test_bench_5000_volunteers_then_5000_records(world, settings):
    content = volunteer_file([volunteer_row(n) for n in range(N)])
    job, seconds = timed(world.alice, ImportJob.Kind.VOLUNTEERS, content)
    assert job.status == ImportJob.Status.DONE, job.errors[:3]
    print(f"\n{N} volunteers ({len(content) // 1024} KiB): {seconds:.1f} s")
    numbers = list(Volunteer.objects.values_list("volunteer_no", flat=True)[: N // 5])
    today = timezone.localdate()
    rows = [
        record_row(
            numbers[i % len(numbers)], 服务日期=today - timedelta(days=1 + i // len(numbers))
        )
        for i in range(N)
    ]
    content = record_file(rows)
    job, seconds = timed(world.alice, ImportJob.Kind.RECORDS, content)
    assert job.status == ImportJob.Status.DONE, job.errors[:3]
    assert ServiceRecord.objects.count() == N
    print(f"{N} records ({len(content) // 1024} KiB): {seconds:.1f} s")
    start = time.perf_counter()
    out = BytesIO()
    exported = services.hours_export(
        actor=world.alice, date_from=today - timedelta(days=30), date_to=today, out=out
    )
    seconds = time.perf_counter() - start
    assert exported == N
    print(f"export of {N} records ({len(out.getvalue()) // 1024} KiB): {seconds:.1f} s")
    bad = [*rows[:-1], record_row("ZY-unknown")]
    job, seconds = timed(world.alice, ImportJob.Kind.RECORDS, record_file(bad))
    assert job.status == ImportJob.Status.FAILED
    print(f"{N} records, validation only (last row bad, every other overlaps): {seconds:.1f} s")
