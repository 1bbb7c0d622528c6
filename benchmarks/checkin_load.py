"""Check-in load: 2,000 volunteers check in within two minutes against a real app server.

    scripts/with-postgres.sh .venv/bin/python benchmarks/checkin_load.py [--volunteers 2000]
        [--seconds 120] [--workers 4] [--threads 4] [--clients 64]

Needs DATABASE_URL (PostgreSQL; with-postgres.sh starts a throwaway cluster). Builds a community
with N volunteers signed up (through the services) for one activity and an API token each, starts
gunicorn (gthread workers, persistent database connections) on loopback, then:

- an "organiser's phone" thread fetches a fresh signed check-in token every 20 s, as the rotating
  QR code does;
- volunteer i sends `POST /api/v1/activities/<id>/checkin` at i × seconds / N (a fresh connection
  each, like phones), from a pool of client threads;
- afterwards 200 volunteers scan again (they must get 409, not a second attendance).

Reports p50/p95/p99/max latency, status counts and throughput, and checks in the database that
every volunteer has exactly one attendance. Goal: p99 < 300 ms, no error, nothing lost or doubled.
Results go to benchmarks/out/checkin.json.
"""

import argparse
import http.client
import json
import os
import random
import secrets
import socket
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out"
GOAL_P99_MS = 300.0


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--volunteers", type=int, default=2000)
    parser.add_argument("--seconds", type=float, default=120.0)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker")
    parser.add_argument("--clients", type=int, default=64, help="client threads")
    parser.add_argument("--seed", type=int, default=2026)
    return parser.parse_args()


ARGS = parse_args()
if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
    sys.exit(
        "需要 PostgreSQL：scripts/with-postgres.sh .venv/bin/python benchmarks/checkin_load.py"
    )
OUT.mkdir(parents=True, exist_ok=True)
sys.path.insert(0, str(ROOT))
os.environ["SHEZHI_DEBUG"] = "0"
os.environ.setdefault("SHEZHI_SECRET_KEY", secrets.token_urlsafe(40))
# Debug is off, so case files need a real key (start-up refuses none); the data here is
# throw-away, and a fixed key keeps a reused database readable.
os.environ.setdefault("SHEZHI_CASE_KEYS", "YmVuY2htYXJrLW9ubHktY2FzZS1rZXktMzItYnl0ZXM=")
os.environ.setdefault("SHEZHI_SEED_MUST_CHANGE_PASSWORD", "0")  # benchmark accounts, not real ones
os.environ["SHEZHI_VAR_DIR"] = str(OUT / "var")
os.environ["SHEZHI_DB_CONN_MAX_AGE"] = "60"  # as in production: keep connections open
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shezhi.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.utils import timezone  # noqa: E402

from shezhi.accounts.models import Role, User  # noqa: E402
from shezhi.accounts.services import api_token_create  # noqa: E402
from shezhi.activities import services, signups  # noqa: E402
from shezhi.activities.models import Attendance  # noqa: E402
from shezhi.activities.services import PositionSpec  # noqa: E402
from shezhi.demo import seeding  # noqa: E402
from shezhi.org.models import Level, OrgUnit  # noqa: E402
from shezhi.volunteers.models import Volunteer  # noqa: E402


def build() -> tuple[int, str, list[str]]:
    """The activity, the organiser's token and one token per signed-up volunteer."""
    started = time.monotonic()
    call_command("migrate", verbosity=0)
    scale = seeding.Scale(
        "load",
        streets=1,
        communities_per_street=1,
        compounds_per_community=4,
        grids_per_compound=2,
        residents=int(ARGS.volunteers * 3),
        volunteers=ARGS.volunteers,
        teams=2,
        needs=0,
        partners=1,
        activity_weeks=0,
    )
    seeding.Seeder(scale, ARGS.seed).run()
    community = OrgUnit.objects.get(level=Level.COMMUNITY)
    organiser = User.objects.filter(role=Role.SOCIAL_WORKER, unit=community).first()
    assert organiser is not None
    now = timezone.now()
    activity = services.activity_create(
        actor=organiser,
        spec=services.ActivitySpec(
            title="社区环境清洁日",
            category="environment",
            description="全体志愿者参加的大型清洁活动",
            venue="社区广场",
            starts_at=now + timedelta(minutes=10),
            ends_at=now + timedelta(hours=3),
            person_in_charge="王主任",
            # At most 1,000 places per position: groups of 500, as a large clean-up would be run.
            positions=[
                PositionSpec(name=f"清洁{g + 1}组", quota=500)
                for g in range((ARGS.volunteers + 499) // 500)
            ],
            organiser_unit_id=community.pk,
        ),
    )
    activity = services.activity_publish(actor=organiser, activity_id=activity.pk)
    positions = list(activity.positions.order_by("pk"))
    volunteers = list(Volunteer.objects.select_related("user").order_by("pk")[: ARGS.volunteers])
    tokens = []
    for i, v in enumerate(volunteers):
        signups.signup_create(actor=v.user, position_id=positions[i // 500].pk)
        tokens.append(api_token_create(user=v.user, name="load")[1])
    print(
        f"  {len(volunteers)} 名志愿者已报名，用时 {time.monotonic() - started:.0f} 秒", flush=True
    )
    return activity.pk, api_token_create(user=organiser, name="qr")[1], tokens


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request(port: int, method: str, path: str, token: str, body: dict | None = None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        conn.request(method, path, body=json.dumps(body) if body else None, headers=headers)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def start_server(port: int) -> subprocess.Popen:
    server = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "shezhi.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(ARGS.workers),
            "--worker-class",
            "gthread",
            "--threads",
            str(ARGS.threads),
            "--preload",  # load the app before forking, as in production
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env={**os.environ},
        stderr=(OUT / "checkin-server.log").open("w"),  # 409s of the repeat scans are logged
    )
    for _ in range(100):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    sys.exit("gunicorn 未能启动")


class QrCode:
    """The organiser's phone: a fresh token every 20 seconds."""

    def __init__(self, port: int, activity_id: int, organiser_token: str):
        self.port, self.activity_id, self.organiser_token = port, activity_id, organiser_token
        self.token = self.fetch()
        self.stop = threading.Event()
        threading.Thread(target=self.run, daemon=True).start()

    def fetch(self) -> str:
        status, body = request(
            self.port,
            "GET",
            f"/api/v1/activities/{self.activity_id}/checkin-token",
            self.organiser_token,
        )
        assert status == 200, (status, body[:200])
        return json.loads(body)["token"]

    def run(self) -> None:
        while not self.stop.wait(20):
            self.token = self.fetch()


def main() -> int:
    print(f"构建数据（{ARGS.volunteers} 名志愿者）…", flush=True)
    activity_id, organiser_token, tokens = build()
    port = free_port()
    server = start_server(port)
    try:
        qr = QrCode(port, activity_id, organiser_token)
        for _ in range(ARGS.workers * ARGS.threads * 2):  # warm every worker's connections up
            qr.fetch()
        path = f"/api/v1/activities/{activity_id}/checkin"
        latencies: list[float] = []
        statuses: dict[int, int] = {}
        lock = threading.Lock()
        t0 = time.perf_counter() + 1.0

        def check_in(i: int) -> None:
            delay = t0 + i * ARGS.seconds / len(tokens) - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            started = time.perf_counter()
            status, _ = request(port, "POST", path, tokens[i], {"token": qr.token})
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                statuses[status] = statuses.get(status, 0) + 1

        print(f"{len(tokens)} 次签到，{ARGS.seconds:.0f} 秒内均匀到达 …", flush=True)
        with ThreadPoolExecutor(ARGS.clients) as pool:
            list(pool.map(check_in, range(len(tokens))))
        wall = time.perf_counter() - t0
        again = random.Random(ARGS.seed).sample(range(len(tokens)), min(200, len(tokens)))
        repeat: dict[int, int] = {}
        for i in again:
            status, _ = request(port, "POST", path, tokens[i], {"token": qr.token})
            repeat[status] = repeat.get(status, 0) + 1
        qr.stop.set()
    finally:
        server.terminate()
        server.wait(timeout=30)

    attendances = Attendance.objects.filter(activity_id=activity_id)
    distinct = attendances.values("volunteer_id").distinct().count()
    ordered = sorted(latencies)

    def pct(p: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(len(ordered) * p))] * 1000, 1)

    result = {
        "volunteers": len(tokens),
        "seconds": ARGS.seconds,
        "server": f"gunicorn gthread {ARGS.workers}×{ARGS.threads}",
        "p50_ms": round(statistics.median(ordered) * 1000, 1),
        "p95_ms": pct(0.95),
        "p99_ms": pct(0.99),
        "max_ms": round(ordered[-1] * 1000, 1),
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "repeat_scans": {str(k): v for k, v in sorted(repeat.items())},
        "attendances": attendances.count(),
        "distinct_volunteers": distinct,
        "wall_seconds": round(wall, 1),
    }
    ok = (
        result["p99_ms"] < GOAL_P99_MS
        and statuses == {201: len(tokens)}
        and set(repeat) == {409}
        and result["attendances"] == distinct == len(tokens)
    )
    result["pass"] = ok
    print(json.dumps(result, ensure_ascii=False, indent=2))
    print("PASS" if ok else "FAIL")
    (OUT / "checkin.json").write_text(json.dumps(result, ensure_ascii=False, indent=2))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
