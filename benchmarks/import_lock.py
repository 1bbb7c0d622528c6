"""SQLite's write lock during an Excel import: the longest write transaction of an 8,000-row
resident (volunteer) or service-record import, and the longest wait of another writer meanwhile.

    .venv/bin/python benchmarks/import_lock.py                   # 8,000 volunteers
    .venv/bin/python benchmarks/import_lock.py --kind records    # 8,000 records of 400 volunteers
    .venv/bin/python benchmarks/import_lock.py --rows 2000       # a quicker run

Builds a fresh file-backed SQLite database under benchmarks/out/ (production settings: WAL,
IMMEDIATE transactions, 20 s busy timeout), one community and a social worker (test factories,
so the `test` extras must be installed), then runs one volunteers import job in-process while a
second thread, on its own connection, takes and releases the write lock (`BEGIN IMMEDIATE;
ROLLBACK`) every 50 ms, as a Bearer-token request writing `last_used_at` would. Prints the job's
phases (check, staging, publish), every write transaction's length (longest, count, total) and
the prober's longest wait. Results go to benchmarks/out/import_lock.json.
"""

import argparse
import json
import os
import secrets
import sqlite3
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=8_000)
    parser.add_argument("--kind", choices=["volunteers", "records"], default="volunteers")
    return parser.parse_args()


ARGS = parse_args()
OUT.mkdir(parents=True, exist_ok=True)
DB_PATH = OUT / f"import-lock-{ARGS.kind}-r{ARGS.rows}.sqlite3"
for suffix in ("", "-wal", "-shm"):
    Path(f"{DB_PATH}{suffix}").unlink(missing_ok=True)

sys.path.insert(0, str(ROOT))
os.environ["DATABASE_URL"] = f"sqlite:///{DB_PATH}"
os.environ["SHEZHI_DEBUG"] = "0"
os.environ.setdefault("SHEZHI_SECRET_KEY", secrets.token_urlsafe(40))
os.environ["SHEZHI_VAR_DIR"] = str(OUT / "var")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shezhi.settings")
if not os.environ.get("SHEZHI_CASE_KEYS"):
    from cryptography.fernet import Fernet

    os.environ["SHEZHI_CASE_KEYS"] = Fernet.generate_key().decode()

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db.backends.sqlite3.base import DatabaseWrapper  # noqa: E402
from django.utils import timezone  # noqa: E402

from shezhi.accounts.models import Role  # noqa: E402
from shezhi.accounts.tests.factories import UserFactory  # noqa: E402
from shezhi.imports import services  # noqa: E402
from shezhi.imports.models import ImportJob  # noqa: E402
from shezhi.imports.tests.factories import (  # noqa: E402
    record_file,
    record_row,
    volunteer_file,
    volunteer_row,
)
from shezhi.org.tests.factories import make_tree  # noqa: E402
from shezhi.volunteers.tests.factories import VolunteerFactory  # noqa: E402

VOLUNTEERS_FOR_RECORDS = 400

transactions: list[float] = []
phases: dict[str, float] = {}


def instrument() -> None:
    """Time every explicit transaction (BEGIN IMMEDIATE … COMMIT/ROLLBACK) of Django's SQLite
    connections: with IMMEDIATE, that is how long the write lock is held."""
    begin, commit, rollback = (
        DatabaseWrapper._start_transaction_under_autocommit,
        DatabaseWrapper._commit,
        DatabaseWrapper._rollback,
    )

    def start(self):
        self._bench_began = time.perf_counter()
        return begin(self)

    def end(original):
        def wrapped(self):
            try:
                return original(self)
            finally:
                began = getattr(self, "_bench_began", None)
                if began is not None:
                    transactions.append(time.perf_counter() - began)
                    self._bench_began = None

        return wrapped

    DatabaseWrapper._start_transaction_under_autocommit = start
    DatabaseWrapper._commit = end(commit)
    DatabaseWrapper._rollback = end(rollback)


def probe(stop: threading.Event, waits: list[float]) -> None:
    # A far longer busy timeout than production's 20 s, to see how long a writer would wait.
    db = sqlite3.connect(DB_PATH, timeout=3600, isolation_level=None)
    while not stop.is_set():
        t0 = time.perf_counter()
        db.execute("BEGIN IMMEDIATE")
        waits.append(time.perf_counter() - t0)
        db.execute("ROLLBACK")
        time.sleep(0.05)
    db.close()


def records(tree) -> bytes:
    """One hour of service per row, each volunteer once a day going back from two days ago."""
    numbers = [
        VolunteerFactory(community=tree["community"]).volunteer_no
        for _ in range(VOLUNTEERS_FOR_RECORDS)
    ]
    today = timezone.localdate()
    rows = [
        record_row(
            numbers[n % VOLUNTEERS_FOR_RECORDS],
            服务日期=today - timedelta(days=2 + n // VOLUNTEERS_FOR_RECORDS),
        )
        for n in range(ARGS.rows)
    ]
    return record_file(rows)


def main() -> int:
    call_command("migrate", verbosity=0)
    settings.SHEZHI_TASKS_INLINE = False
    settings.SHEZHI_IMPORT_MAX_ROWS = max(ARGS.rows, settings.SHEZHI_IMPORT_MAX_ROWS)
    tree = make_tree("B")
    worker = UserFactory(role=Role.SOCIAL_WORKER, unit=tree["community"], username="bench")
    if ARGS.kind == "records":
        kind, importer, content = ImportJob.Kind.RECORDS, services.RecordImport, records(tree)
    else:
        kind, importer = ImportJob.Kind.VOLUNTEERS, services.VolunteerImport
        content = volunteer_file([volunteer_row(n) for n in range(1, ARGS.rows + 1)])
    job = services.import_job_create(actor=worker, kind=kind, file_name="b.xlsx", content=content)
    real_stage, real_publish = services.stage_job_rows, importer.publish

    def stage(*args, **kwargs):
        t0 = time.perf_counter()
        phases["check"] = t0 - phases["start"]
        try:
            return real_stage(*args, **kwargs)
        finally:
            phases["staging"] = time.perf_counter() - t0

    def publish(*args, **kwargs):
        t0 = time.perf_counter()
        try:
            return real_publish(*args, **kwargs)
        finally:
            phases["publish"] = time.perf_counter() - t0

    services.stage_job_rows = stage
    importer.publish = publish
    instrument()
    stop, waits = threading.Event(), []
    prober = threading.Thread(target=probe, args=(stop, waits))
    prober.start()
    phases["start"] = time.perf_counter()
    job = services.import_job_run(job_id=job.pk)
    phases["total"] = time.perf_counter() - phases.pop("start")
    stop.set()
    prober.join()
    assert job.status == ImportJob.Status.DONE, job.errors[:3]
    result = {
        "kind": ARGS.kind,
        "rows": ARGS.rows,
        "kiB": len(content) // 1024,
        "seconds": {k: round(v, 2) for k, v in phases.items()},
        "transactions": len(transactions),
        "longest_transaction_s": round(max(transactions), 3),
        "transactions_over_1s": sum(t > 1 for t in transactions),
        "staging_batch": services.STAGE_BATCH,
        "prober_longest_wait_s": round(max(waits), 3),
        "prober_waits_over_20s": sum(w > 20 for w in waits),
        "prober_attempts": len(waits),
    }
    print(json.dumps(result, indent=2, ensure_ascii=False))
    (OUT / f"import_lock_{ARGS.kind}.json").write_text(
        json.dumps(result, indent=2, ensure_ascii=False)
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
