"""Open positions benchmark: the volunteer's /m/activities/ page with 1,000 open positions.

    .venv/bin/python benchmarks/activities_list.py                 # 1,000 positions, 200 requests
    .venv/bin/python benchmarks/activities_list.py --positions 200 # a quicker run
    .venv/bin/python benchmarks/activities_list.py --rebuild       # rebuild the cached database

Builds (or reuses) an SQLite database under benchmarks/out/ with a small demo community and N open
positions (two per published activity in the coming weeks, half published to the volunteer's
community and half to everyone, some needing a skill or a certificate, some full with a waiting
list, some joined by the volunteer), then times, in-process with Django's test Client after 20
warm-up requests, the volunteer's page and a bare view defined here that renders the same rows
(the first 50 positions, as the page shows) from one values() query as minimal HTML. Prints p50 /
p95 / max and the number of SQL queries of each, the query count of the page at 10 positions, and
PASS/FAIL against the goal: the same number of queries at 10 and N positions, p95 < 200 ms and
p95 at most 2× the bare view's. Results go to benchmarks/out/activities_list.json; exit status 0
on PASS.
"""

import argparse
import json
import os
import secrets
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out"
BUILD_VERSION = 1
GOAL_P95_MS = 200.0
GOAL_RATIO = 2.0


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--positions", type=int, default=1_000)
    parser.add_argument("--requests", type=int, default=200, help="timed requests per case")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--rebuild", action="store_true", help="rebuild the cached database")
    return parser.parse_args()


ARGS = parse_args()
OUT.mkdir(parents=True, exist_ok=True)
DB_NAME = f"activities-list-p{ARGS.positions}-s{ARGS.seed}-v{BUILD_VERSION}.sqlite3"
DB_PATH = OUT / DB_NAME
if ARGS.rebuild:
    for suffix in ("", "-wal", "-shm", ".done"):
        Path(f"{DB_PATH}{suffix}").unlink(missing_ok=True)

# Production settings, on a fresh clone: every key they require is made up here.
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

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.http import HttpRequest, HttpResponse  # noqa: E402
from django.template import engines  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, override_settings  # noqa: E402
from django.urls import include, path  # noqa: E402
from django.utils import timezone  # noqa: E402

from shezhi.accounts.models import Role, User  # noqa: E402
from shezhi.activities.models import Activity, Position, SignUp  # noqa: E402
from shezhi.demo import seeding  # noqa: E402
from shezhi.volunteers.models import SkillTag, Volunteer  # noqa: E402
from shezhi.web.activities.views import OPEN_SHOWN as SHOWN  # noqa: E402

BARE_TEMPLATE = engines["django"].from_string(
    "<!doctype html><title>bare</title>{% for p in rows %}<div>{{ p.activity__title }} · "
    "{{ p.name }} {{ p.quota }} {{ p.activity__starts_at|date:'Y-m-d H:i' }} – "
    "{{ p.activity__ends_at|date:'H:i' }} · {{ p.activity__venue }}"
    "<p>{{ p.activity__description|linebreaksbr }}</p></div>{% endfor %}"
)


def bare_view(request: HttpRequest) -> HttpResponse:
    """The same rows as the page, from one values() query, with no rule applied."""
    now = timezone.now()
    rows = list(
        Position.objects.filter(
            activity__status=Activity.Status.PUBLISHED, activity__starts_at__gt=now
        )
        .order_by("activity__starts_at", "activity_id", "id")
        .values(
            "name",
            "quota",
            "activity__title",
            "activity__starts_at",
            "activity__ends_at",
            "activity__venue",
            "activity__description",
        )[:SHOWN]
    )
    return HttpResponse(BARE_TEMPLATE.render({"rows": rows}, request))


urlpatterns = [path("bench/bare/", bare_view), path("", include("shezhi.urls"))]


def ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def summary(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "p50_ms": ms(statistics.median(ordered)),
        "p95_ms": ms(ordered[max(0, int(len(ordered) * 0.95) - 1)]),
        "max_ms": ms(ordered[-1]),
    }


def build(positions: int) -> None:
    started = time.monotonic()
    print(f"构建基准数据库 {DB_NAME} …", flush=True)
    call_command("migrate", verbosity=0)
    scale = seeding.Scale(
        "bench",
        streets=1,
        communities_per_street=2,
        compounds_per_community=2,
        grids_per_compound=2,
        residents=100,
        volunteers=40,
        teams=2,
        needs=0,
        partners=1,
        activity_weeks=1,
    )
    seeding.Seeder(scale, ARGS.seed).run()
    add_positions(positions)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    Path(f"{DB_PATH}.done").write_text("ok")
    print(f"  完成，用时 {time.monotonic() - started:.0f} 秒", flush=True)


def the_volunteer() -> Volunteer:
    volunteer = Volunteer.objects.select_related("community", "user").order_by("id").first()
    assert volunteer is not None
    return volunteer


def add_positions(count: int) -> None:
    """`count` open positions, two per activity, over the coming weeks."""
    volunteer = the_volunteer()
    others = list(
        Volunteer.objects.filter(community=volunteer.community).exclude(pk=volunteer.pk)[:20]
    )
    organiser = User.objects.filter(role=Role.SOCIAL_WORKER, unit=volunteer.community).first()
    assert organiser is not None
    skill = SkillTag.objects.order_by("id").first()
    now = timezone.now()
    with transaction.atomic():
        for i in range(count // 2):
            starts = now + timedelta(days=1 + i % 60, hours=i % 9)
            activity = Activity.objects.create(
                organiser_unit=volunteer.community,
                title=f"志愿活动{i}",
                category="elderly",
                description="协助社工开展活动，陪伴独居老人。\n请提前十分钟到场。",
                venue="社区党群服务中心",
                starts_at=starts,
                ends_at=starts + timedelta(hours=2),
                scope=Activity.Scope.UNIT if i % 2 else Activity.Scope.EVERYONE,
                scope_unit=volunteer.community if i % 2 else None,
                person_in_charge="王社工",
                status=Activity.Status.PUBLISHED,
                published_at=now,
                created_by=organiser,
            )
            first = Position.objects.create(activity=activity, name="引导员", quota=2)
            second = Position.objects.create(
                activity=activity,
                name="医护",
                quota=1,
                certificates=["nurse"] if i % 3 == 0 else [],
            )
            if i % 4 == 0 and skill is not None:
                second.skills.add(skill)
            if i % 5 == 0:  # full, with a waiting list
                for j, other in enumerate(others[:3]):
                    SignUp.objects.create(
                        activity=activity,
                        position=first,
                        volunteer=other,
                        status=SignUp.Status.CONFIRMED if j < 2 else SignUp.Status.WAITLISTED,
                        signed_up_by=other.user,
                    )
            elif i % 7 == 0:  # joined by the volunteer
                SignUp.objects.create(
                    activity=activity,
                    position=first,
                    volunteer=volunteer,
                    status=SignUp.Status.CONFIRMED,
                    signed_up_by=volunteer.user,
                )


def time_url(client: Client, url: str) -> dict:
    for _ in range(20):
        assert client.get(url).status_code == 200
    samples = []
    for _ in range(ARGS.requests):
        started = time.perf_counter()
        response = client.get(url)
        samples.append(time.perf_counter() - started)
        assert response.status_code == 200, response.status_code
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return {**summary(samples), "queries": len(queries)}


def queries_at(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def main() -> int:
    if not Path(f"{DB_PATH}.done").exists():
        build(ARGS.positions)
    volunteer = the_volunteer()
    client = Client()
    client.force_login(volunteer.user)
    open_count = Position.objects.filter(
        activity__status=Activity.Status.PUBLISHED, activity__starts_at__gt=timezone.now()
    ).count()
    print(f"志愿者 {volunteer.volunteer_no}：{open_count} 个开放岗位（页面显示前 {SHOWN} 个）")
    with override_settings(ROOT_URLCONF=__name__):
        page = time_url(client, "/m/activities/")
        bare = time_url(client, "/bench/bare/")
        # The same page with only 10 open positions: the query count must not change.
        with transaction.atomic():
            keep = list(
                Activity.objects.filter(status=Activity.Status.PUBLISHED)
                .order_by("starts_at", "id")
                .values_list("pk", flat=True)[:5]
            )
            Activity.objects.filter(status=Activity.Status.PUBLISHED).exclude(pk__in=keep).update(
                status=Activity.Status.DRAFT
            )
            few = queries_at(client, "/m/activities/")
            transaction.set_rollback(True)
    ratio = round(page["p95_ms"] / bare["p95_ms"], 2) if bare["p95_ms"] else None
    passed = (
        few == page["queries"]
        and page["p95_ms"] < GOAL_P95_MS
        and ratio is not None
        and ratio <= GOAL_RATIO
    )
    results = {
        "open_positions": open_count,
        "page": page,
        "bare": bare,
        "page_queries_at_10_positions": few,
        "ratio_p95": ratio,
        "goal": {"p95_ms": GOAL_P95_MS, "ratio": GOAL_RATIO, "fixed_queries": True},
        "pass": passed,
    }
    for name, row in (("/m/activities/", page), ("bare view", bare)):
        print(
            f"{name:16} p50 {row['p50_ms']:7.1f} ms  p95 {row['p95_ms']:7.1f} ms  "
            f"max {row['max_ms']:7.1f} ms  {row['queries']} 条 SQL"
        )
    print(f"10 个岗位时页面 {few} 条 SQL；p95 比值 {ratio}")
    print("PASS" if passed else "FAIL")
    (OUT / "activities_list.json").write_text(json.dumps(results, ensure_ascii=False, indent=2))
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
