"""Volunteer benchmark: the "我的" page and a proof at 5,000 records; stars for a whole city.

    .venv/bin/python benchmarks/volunteers.py                  # both parts
    .venv/bin/python benchmarks/volunteers.py --only page      # page + proof, 5,000 records
    .venv/bin/python benchmarks/volunteers.py --only stars     # 200,000 volunteers, 5M records
    scripts/with-postgres.sh .venv/bin/python benchmarks/volunteers.py --use-database-url

Part 1 builds (or reuses) an SQLite database under benchmarks/out/ with a small demo community and
one volunteer holding N service records (two a day going back in time), then times, in-process with
Django's test Client, the volunteer's mobile page and the `my_page` selector (p50/p95/max, queries),
and issuing, downloading and verifying a proof of all N records. Goal: page p95 < 200 ms.

Part 2 builds a database with V volunteers (and their accounts) and R records, inserted by one
recursive-CTE INSERT … SELECT per table (the same SQL runs on SQLite and PostgreSQL), skewed so that
a few volunteers hold many records, and times `stars_recompute()`: wall time and peak memory.

Results go to benchmarks/out/volunteers.json.
"""

import argparse
import json
import os
import resource
import secrets
import statistics
import sys
import time
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out"
BUILD_VERSION = 1
GOAL_PAGE_P95_MS = 200.0


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", choices=["page", "stars"], default=None)
    parser.add_argument("--page-records", type=int, default=5_000)
    parser.add_argument("--volunteers", type=int, default=200_000)
    parser.add_argument("--records", type=int, default=5_000_000)
    parser.add_argument("--requests", type=int, default=100, help="timed page requests")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--rebuild", action="store_true", help="rebuild the cached databases")
    parser.add_argument(
        "--use-database-url",
        action="store_true",
        help="use the (empty) database in DATABASE_URL instead of cached SQLite files",
    )
    return parser.parse_args()


ARGS = parse_args()
OUT.mkdir(parents=True, exist_ok=True)
PART = ARGS.only or "page"
if ARGS.only is None and not ARGS.use_database_url:
    # One process per part: each part has its own database file.
    import subprocess

    codes = [
        subprocess.call([sys.executable, __file__, *sys.argv[1:], "--only", part])
        for part in ("page", "stars")
    ]
    sys.exit(max(codes))

if PART == "page":
    DB_NAME = f"volunteers-page-r{ARGS.page_records}-s{ARGS.seed}-v{BUILD_VERSION}.sqlite3"
else:
    DB_NAME = f"volunteers-stars-v{ARGS.volunteers}-r{ARGS.records}-v{BUILD_VERSION}.sqlite3"
DB_PATH = OUT / DB_NAME
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
from django.db.models import Count, Max  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, override_settings  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from shezhi.accounts.models import Role, User  # noqa: E402
from shezhi.demo import seeding  # noqa: E402
from shezhi.org.models import Level, OrgUnit  # noqa: E402
from shezhi.proofs import selectors as proof_selectors  # noqa: E402
from shezhi.proofs import services as proof_services  # noqa: E402
from shezhi.volunteers.models import ServiceRecord, Volunteer  # noqa: E402
from shezhi.volunteers.selectors import my_page  # noqa: E402
from shezhi.volunteers.stars import stars_recompute  # noqa: E402


def ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def summary(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "p50_ms": ms(statistics.median(ordered)),
        "p95_ms": ms(ordered[max(0, int(len(ordered) * 0.95) - 1)]),
        "max_ms": ms(ordered[-1]),
    }


def peak_rss_mib() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def is_built() -> bool:
    if ARGS.use_database_url:
        return False
    return Path(f"{DB_PATH}.done").exists()


def mark_built() -> None:
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    if not ARGS.use_database_url:
        Path(f"{DB_PATH}.done").write_text("ok")


# ---- part 1: one volunteer's page and proof ---------------------------------------------------


def build_page_database() -> None:
    started = time.monotonic()
    print(f"构建基准数据库 {DB_NAME} …", flush=True)
    call_command("migrate", verbosity=0)
    scale = seeding.Scale(
        "bench",
        streets=1,
        communities_per_street=2,
        compounds_per_community=2,
        grids_per_compound=2,
        residents=200,
        volunteers=40,
        teams=2,
        needs=0,
        partners=1,
    )
    seeding.Seeder(scale, ARGS.seed).run()
    # The last community's last volunteer: nothing (time bank, corrections) points at their records.
    volunteer = Volunteer.objects.select_related("community").order_by("-id").first()
    assert volunteer is not None
    worker = User.objects.filter(role=Role.SOCIAL_WORKER, unit=volunteer.community).first()
    assert worker is not None
    ServiceRecord.objects.filter(volunteer=volunteer).delete()
    tz = timezone.get_current_timezone()
    today = timezone.localdate()
    batch = []
    for i in range(ARGS.page_records):
        day = today - timedelta(days=1 + i // 2)
        hour = 9 if i % 2 == 0 else 14
        start = datetime(day.year, day.month, day.day, hour, tzinfo=tz)
        batch.append(
            ServiceRecord(
                volunteer=volunteer,
                title=["为老义剪", "助餐送餐", "四点半课堂", "环境清洁", "政策宣传"][i % 5],
                service_date=day,
                started_at=start,
                ended_at=start + timedelta(hours=2),
                place="社区党群服务中心",
                content="协助社工开展活动，陪伴独居老人，整理服务台账。",
                minutes=120,
                hours=Decimal("2.0"),
                organiser=f"{volunteer.community.name}社工室",
                organiser_unit=volunteer.community,
                person_in_charge="王社工",
                recorded_by=worker,
                status=ServiceRecord.Status.COUNTED,
            )
        )
    with transaction.atomic():
        ServiceRecord.objects.bulk_create(batch, batch_size=1000)
    mark_built()
    print(f"  完成，用时 {time.monotonic() - started:.0f} 秒", flush=True)


def time_requests(client: Client, url: str) -> tuple[dict[str, float], int]:
    for _ in range(10):
        assert client.get(url).status_code == 200
    samples = []
    for _ in range(ARGS.requests):
        started = time.perf_counter()
        response = client.get(url)
        samples.append(time.perf_counter() - started)
        assert response.status_code == 200, response.status_code
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return summary(samples), len(queries)


def run_page() -> dict:
    if not is_built():
        build_page_database()
    volunteer = Volunteer.objects.annotate(n=Count("service_records")).order_by("-n", "id").first()
    assert volunteer is not None
    user = volunteer.user
    results: dict = {"records": volunteer.n}
    print(f"志愿者 {volunteer.volunteer_no}：{volunteer.n} 条服务记录", flush=True)

    samples = []
    for _ in range(ARGS.requests):
        started = time.perf_counter()
        my_page(actor=user)
        samples.append(time.perf_counter() - started)
    results["my_page_selector"] = summary(samples)

    client = Client()
    client.force_login(user)
    stats, queries = time_requests(client, reverse("m:me"))
    results["me_page"] = {**stats, "queries": queries, "goal_p95_ms": GOAL_PAGE_P95_MS}
    results["me_page"]["pass"] = stats["p95_ms"] < GOAL_PAGE_P95_MS

    first = ServiceRecord.objects.filter(volunteer=volunteer).order_by("service_date").first()
    assert first is not None
    proof_runs = []
    proof = None
    with override_settings(SHEZHI_PROOFS_PER_DAY=1000):
        for _ in range(3):
            started = time.perf_counter()
            proof = proof_services.proof_issue(
                actor=user, date_from=first.service_date, date_to=timezone.localdate()
            )
            proof_runs.append(time.perf_counter() - started)
    assert proof is not None
    started = time.perf_counter()
    check = proof_selectors.proof_check(
        proof_no=proof.proof_no, signature=proof.signature, upload=[bytes(proof.pdf)]
    )
    verify_seconds = time.perf_counter() - started
    assert check.file_matches
    download = client.get(reverse("proofs:download", args=[proof.proof_no]))
    assert download.status_code == 200
    results["proof"] = {
        "records": proof.record_count,
        "total_hours": str(proof.total_hours),
        "issue_ms": [ms(s) for s in proof_runs],
        "pdf_bytes": len(bytes(proof.pdf)),
        "pdf_pages": bytes(proof.pdf).count(b"/Type /Page") - bytes(proof.pdf).count(b"/Pages"),
        "verify_with_file_ms": ms(verify_seconds),
    }
    return results


# ---- part 2: stars for a city -----------------------------------------------------------------


def seq_insert(table: str, columns: dict[str, str], count: int, params: list) -> None:
    """INSERT INTO table (…) SELECT … FROM a recursive sequence n = 1..count, in one statement.
    Expressions are SQL with %s parameters, so a modulo is written %%."""
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    values = ", ".join(columns.values())
    sql = (
        "WITH RECURSIVE seq(n) AS "
        "(SELECT CAST(1 AS BIGINT) UNION ALL SELECT n + 1 FROM seq WHERE n < %s) "
        f"INSERT INTO {connection.ops.quote_name(table)} ({names}) SELECT {values} FROM seq"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [count, *params])


def build_stars_database() -> None:
    started = time.monotonic()
    print(f"构建基准数据库（{ARGS.volunteers} 名志愿者，{ARGS.records} 条记录）…", flush=True)
    call_command("migrate", verbosity=0)
    district = OrgUnit.objects.create(level=Level.DISTRICT, code="B01", name="基准区")
    street = OrgUnit.objects.create(
        level=Level.STREET, code="B0101", name="基准街道", parent=district
    )
    community = OrgUnit.objects.create(
        level=Level.COMMUNITY, code="B010101", name="基准社区", parent=street
    )
    recorder = User.objects.create_user(
        username="bench-recorder", password=None, role=Role.SOCIAL_WORKER, unit=community
    )
    now = timezone.now()
    first_user = (User.objects.aggregate(m=Max("id"))["m"] or 0) + 1
    with transaction.atomic():
        seq_insert(
            User._meta.db_table,
            {
                "username": "'bench' || n",
                "password": "'!'",
                "is_superuser": "%s",
                "is_staff": "%s",
                "is_active": "%s",
                "first_name": "''",
                "last_name": "''",
                "email": "''",
                "date_joined": "%s",
                "role": "%s",
                "unit_id": "%s",
                "display_name": "''",
                "phone": "''",
            },
            ARGS.volunteers,
            [False, False, True, now, Role.VOLUNTEER, community.pk],
        )
    print(f"  账号 {ARGS.volunteers}（{time.monotonic() - started:.0f} 秒）", flush=True)
    first_volunteer = (Volunteer.objects.aggregate(m=Max("id"))["m"] or 0) + 1
    with transaction.atomic():
        seq_insert(
            Volunteer._meta.db_table,
            {
                "created_at": "%s",
                "updated_at": "%s",
                "user_id": f"{first_user - 1} + n",
                "volunteer_no": "'B' || n",
                "name": "'志愿者' || n",
                "gender": "'F'",
                "birth_date": "%s",
                # Not a valid ID number, but unique; the recompute never reads it.
                "id_number": "'X' || n",
                "phone": "'13800000000'",
                "community_id": "%s",
                "address": "''",
                "service_categories": "'[]'",
                "languages": "'[]'",
                "political_status": "%s",
                "is_sensitive": "%s",
                "is_active": "%s",
                "verified_hours": "0",
                "star": "0",
            },
            ARGS.volunteers,
            [now, now, date(1970, 1, 1), community.pk, "masses", False, True],
        )
    print(f"  志愿者 {ARGS.volunteers}（{time.monotonic() - started:.0f} 秒）", flush=True)
    v = ARGS.volunteers
    # u = n mod V spread evenly; u*u/V skews it: low volunteer ids hold many more records.
    volunteer_expr = f"{first_volunteer} + ((n %% {v}) * (n %% {v})) / {v}"
    statuses = ["'counted'"] * 9 + ["'pending'"]
    status_expr = (
        "CASE n %% 10 " + " ".join(f"WHEN {i} THEN {s}" for i, s in enumerate(statuses)) + " END"
    )
    with transaction.atomic():
        seq_insert(
            ServiceRecord._meta.db_table,
            {
                "created_at": "%s",
                "updated_at": "%s",
                "volunteer_id": volunteer_expr,
                "title": "'服务'",
                "service_date": "%s",
                "period_estimated": "%s",
                "place": "''",
                "content": "''",
                "minutes": "30 * (1 + n %% 8)",
                "hours": "0.5 * (1 + n %% 8)",
                "organiser": "'基准社区'",
                "organiser_unit_id": "%s",
                "person_in_charge": "''",
                "recorded_by_id": "%s",
                "beneficiary": "''",
                "source": "''",
                "status": status_expr,
                "decision_note": "''",
                "version": "1",
            },
            ARGS.records,
            [now, now, date(2025, 6, 1), False, community.pk, recorder.pk],
        )
    print(f"  记录 {ARGS.records}（{time.monotonic() - started:.0f} 秒）", flush=True)
    mark_built()
    print(f"  完成，用时 {time.monotonic() - started:.0f} 秒", flush=True)


def run_stars() -> dict:
    if not is_built():
        build_stars_database()
    # Start from zero so that the first run writes every volunteer; the second changes nothing,
    # like a nightly run.
    Volunteer.objects.update(verified_hours=0, star=0)
    runs = []
    for _ in range(2):
        started = time.perf_counter()
        result = stars_recompute()
        runs.append((time.perf_counter() - started, result))
    by_star = dict(Volunteer.objects.values_list("star").annotate(n=Count("id")).order_by("star"))
    return {
        "volunteers": runs[0][1].volunteers,
        "records": ServiceRecord.objects.count(),
        "recompute_seconds": [round(s, 2) for s, _ in runs],
        "changed": [[r.hours_changed, r.stars_changed] for _, r in runs],
        "peak_rss_mib": peak_rss_mib(),
        "volunteers_by_star": {str(k): v for k, v in by_star.items()},
    }


def main() -> int:
    print(f"数据库：{connection.vendor}", flush=True)
    results: dict = {"database": connection.vendor, "when": timezone.now().isoformat()}
    parts = [PART] if not (ARGS.use_database_url and ARGS.only is None) else ["page", "stars"]
    ok = True
    for part in parts:
        started = time.monotonic()
        result = run_page() if part == "page" else run_stars()
        result["seconds"] = round(time.monotonic() - started, 1)
        results[part] = result
        print(json.dumps({part: result}, ensure_ascii=False, indent=2), flush=True)
        if part == "page":
            ok = ok and result["me_page"]["pass"]
            print("PASS" if result["me_page"]["pass"] else "FAIL", flush=True)
    out = OUT / "volunteers.json"
    previous = json.loads(out.read_text()) if out.exists() else {}
    key = f"{connection.vendor}"
    previous.setdefault(key, {}).update({p: results[p] for p in parts})
    out.write_text(json.dumps(previous, ensure_ascii=False, indent=2))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
