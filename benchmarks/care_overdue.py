"""Care benchmark: the overdue job for a city (1,000,000 residents, 150,000 on the care registry).

    .venv/bin/python benchmarks/care_overdue.py                      # 1,000,000 / 150,000
    .venv/bin/python benchmarks/care_overdue.py --residents 100000 --registered 15000
    scripts/with-postgres.sh .venv/bin/python benchmarks/care_overdue.py --use-database-url

Builds (or reuses) an SQLite database under benchmarks/out/: 10 communities, 20 compounds and
100 grids; R residents and P care profiles (10 % 高, 30 % 重点, 60 % 一般; due dates spread from
60 days ago to 60 days ahead, so about half are overdue; 2 % with a major change a day ago),
80 % of them with a one-on-one contact person, every registered resident and 5,000 more with a
vulnerability tag. Each table is filled by one recursive-CTE INSERT … SELECT.

Then times `overdue_compute()` twice — cold (opens every alert) and warm (nothing to do) — and
`alerts_escalate()`, with peak memory (ru_maxrss). Goal: each run under 60 s.
Results go to benchmarks/out/care_overdue.json.
"""

import argparse
import json
import os
import resource
import secrets
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out"
BUILD_VERSION = 1
GOAL_SECONDS = 60.0


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--residents", type=int, default=1_000_000)
    parser.add_argument("--registered", type=int, default=150_000)
    parser.add_argument("--rebuild", action="store_true", help="rebuild the cached database")
    parser.add_argument(
        "--use-database-url",
        action="store_true",
        help="use the (empty) database in DATABASE_URL instead of a cached SQLite file",
    )
    return parser.parse_args()


ARGS = parse_args()
if ARGS.registered * 6 > ARGS.residents:
    sys.exit("--registered may be at most a sixth of --residents")
OUT.mkdir(parents=True, exist_ok=True)
DB_PATH = OUT / f"care-r{ARGS.residents}-p{ARGS.registered}-v{BUILD_VERSION}.sqlite3"
if ARGS.rebuild:
    for suffix in ("", "-wal", "-shm", ".done"):
        Path(f"{DB_PATH}{suffix}").unlink(missing_ok=True)

sys.path.insert(0, str(ROOT))
if not ARGS.use_database_url:
    os.environ["DATABASE_URL"] = f"sqlite:///{DB_PATH}"
os.environ["SHEZHI_DEBUG"] = "0"
os.environ.setdefault("SHEZHI_SECRET_KEY", secrets.token_urlsafe(40))
# Debug is off, so case files need a real key (start-up refuses none); the data here is
# throw-away, and a fixed key keeps a reused database readable.
os.environ.setdefault("SHEZHI_CASE_KEYS", "YmVuY2htYXJrLW9ubHktY2FzZS1rZXktMzItYnl0ZXM=")
os.environ.setdefault("SHEZHI_SEED_MUST_CHANGE_PASSWORD", "0")  # benchmark accounts, not real ones
os.environ["SHEZHI_VAR_DIR"] = str(OUT / "var")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shezhi.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from shezhi.accounts.models import Role, User  # noqa: E402
from shezhi.care.jobs import alerts_escalate, overdue_compute  # noqa: E402
from shezhi.care.models import CareAlert, CareProfile, ContactAssignment  # noqa: E402
from shezhi.org.models import Level, OrgUnit  # noqa: E402
from shezhi.people.models import Resident, VulnerabilityTag  # noqa: E402

GRIDS, COMPOUNDS, COMMUNITIES = 100, 20, 10


def peak_rss_mib() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def seq_insert(
    table: str, columns: dict[str, str], count: int, params: list, where: str = ""
) -> None:
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    values = ", ".join(columns.values())
    sql = (
        "WITH RECURSIVE seq(n) AS "
        "(SELECT CAST(1 AS BIGINT) UNION ALL SELECT n + 1 FROM seq WHERE n < %s) "
        f"INSERT INTO {connection.ops.quote_name(table)} ({names}) SELECT {values} FROM seq"
        + (f" WHERE {where}" if where else "")
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [count, *params])


def days_after(base_sql: str, days_sql: str) -> str:
    if connection.vendor == "sqlite":
        return f"date({base_sql}, ({days_sql}) || ' days')"
    return f"(CAST({base_sql} AS DATE) + CAST({days_sql} AS INTEGER))"


def build() -> None:
    started = time.monotonic()
    print(f"构建基准数据库（{ARGS.residents} 名居民，{ARGS.registered} 名关爱对象）…", flush=True)
    call_command("migrate", verbosity=0)
    district = OrgUnit.objects.create(level=Level.DISTRICT, code="C01", name="基准区")
    street = OrgUnit.objects.create(level=Level.STREET, code="01", name="基准街道", parent=district)
    communities = [
        OrgUnit.objects.create(
            level=Level.COMMUNITY, code=f"{i:03d}", name=f"社区{i}", parent=street
        )
        for i in range(COMMUNITIES)
    ]
    compounds = [
        OrgUnit.objects.create(
            level=Level.COMPOUND, code=f"{i:03d}", name=f"小区{i}", parent=communities[i // 2]
        )
        for i in range(COMPOUNDS)
    ]
    grids = [
        OrgUnit.objects.create(
            level=Level.GRID, code=f"{i:03d}", name=f"网格{i}", parent=compounds[i // 5]
        )
        for i in range(GRIDS)
    ]
    for seq in (communities, compounds, grids):
        assert [u.pk for u in seq] == list(range(seq[0].pk, seq[0].pk + len(seq)))
    workers = [
        User.objects.create_user(
            username=f"grid{i}", password=None, role=Role.GRID_WORKER, unit=grids[i]
        )
        for i in range(GRIDS)
    ]
    User.objects.create_user(username="sup", password=None, role=Role.SUPERVISOR, unit=street)
    for c in communities:
        User.objects.create_user(
            username=f"sw{c.pk}", password=None, role=Role.SOCIAL_WORKER, unit=c
        )
    now = timezone.now()
    today = timezone.localdate(now)
    g0, p0, m0, w0 = grids[0].pk, compounds[0].pk, communities[0].pk, workers[0].pk
    r0 = (Resident.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    k = "((n - 1) * 6 + 1)"  # the resident index of profile n
    with transaction.atomic():
        seq_insert(
            Resident._meta.db_table,
            {
                "name": "'居民' || n",
                "gender": "'F'",
                "birth_date": "%s",
                "id_number": "'BX' || n",
                "phone": "''",
                "community_id": f"{m0} + (n %% {GRIDS}) / 10",
                "compound_id": f"{p0} + (n %% {GRIDS}) / 5",
                "grid_id": f"{g0} + (n %% {GRIDS})",
                "address": "''",
                "consent_version": "''",
                "created_at": "%s",
                "updated_at": "%s",
            },
            ARGS.residents,
            [today - timedelta(days=365 * 80), now, now],
        )
        due = days_after("%s", "(n %% 121) - 60")
        seq_insert(
            CareProfile._meta.db_table,
            {
                "resident_id": f"{r0} - 1 + {k}",
                "community_id": f"{m0} + ({k} %% {GRIDS}) / 10",
                "compound_id": f"{p0} + ({k} %% {GRIDS}) / 5",
                "grid_id": f"{g0} + ({k} %% {GRIDS})",
                "risk_level": "CASE WHEN n %% 10 = 0 THEN 'high' WHEN n %% 10 < 4 THEN 'key' "
                "ELSE 'general' END",
                "risk_reasons": "'独居'",
                "registered_on": "%s",
                "is_active": "%s",
                "last_visit_on": "NULL",
                "last_seen_on": "NULL",
                "next_visit_due": due,
                "urgent_visit_by": "CASE WHEN n %% 50 = 0 THEN %s ELSE NULL END",
                "major_change_note": "''",
                "created_at": "%s",
                "updated_at": "%s",
            },
            ARGS.registered,
            [today - timedelta(days=400), True, today, now - timedelta(days=1), now, now],
        )
        seq_insert(
            ContactAssignment._meta.db_table,
            {
                "resident_id": f"{r0} - 1 + {k}",
                "contact_id": f"{w0} + ({k} %% {GRIDS})",
                "kind": "'grid_worker'",
                "started_on": "%s",
                "end_reason": "''",
                "created_at": "%s",
            },
            ARGS.registered,
            [today - timedelta(days=300), now],
            where="n %% 5 <> 0",
        )
        tag = VulnerabilityTag.objects.get(code="living_alone").pk
        through = Resident.tags.through._meta.db_table
        seq_insert(
            through,
            {"resident_id": f"{r0} - 1 + {k}", "vulnerabilitytag_id": str(tag)},
            ARGS.registered,
            [],
        )
        seq_insert(
            through,
            {"resident_id": f"{r0} - 1 + {k} + 1", "vulnerabilitytag_id": str(tag)},
            5_000,
            [],
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    if not ARGS.use_database_url:
        Path(f"{DB_PATH}.done").write_text("ok")
    print(f"  构建用时 {time.monotonic() - started:.1f} s", flush=True)


def timed(label: str, fn) -> tuple[float, object]:
    started = time.monotonic()
    result = fn()
    seconds = round(time.monotonic() - started, 2)
    print(f"{label}: {seconds:.2f} s, peak RSS {peak_rss_mib()} MiB → {result}", flush=True)
    return seconds, result


def main() -> int:
    if ARGS.use_database_url or not Path(f"{DB_PATH}.done").exists():
        build()
    CareAlert.objects.all().delete()  # each run starts with no alerts
    counts = {
        "residents": Resident.objects.count(),
        "registered": CareProfile.objects.count(),
        "with_contact": ContactAssignment.objects.values("resident").distinct().count(),
    }
    print(counts, flush=True)
    now = timezone.now()
    cold, cold_result = timed("overdue_compute (cold)", lambda: overdue_compute(now=now))
    warm, warm_result = timed("overdue_compute (warm)", lambda: overdue_compute(now=now))
    later = now + timedelta(days=1)
    escalate, escalated = timed("alerts_escalate", lambda: alerts_escalate(now=later))
    passed = max(cold, warm) < GOAL_SECONDS
    result = {
        "vendor": connection.vendor,
        **counts,
        "cold_seconds": cold,
        "cold_result": cold_result.__dict__,
        "warm_seconds": warm,
        "warm_result": warm_result.__dict__,
        "escalate_seconds": escalate,
        "escalated": escalated,
        "peak_rss_mib": peak_rss_mib(),
        "goal_seconds": GOAL_SECONDS,
        "pass": passed,
    }
    path = OUT / "care_overdue.json"
    data = json.loads(path.read_text()) if path.exists() else {}
    data[connection.vendor] = result
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2))
    print("PASS" if passed else "FAIL", f"(goal: each run < {GOAL_SECONDS:.0f} s)")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
