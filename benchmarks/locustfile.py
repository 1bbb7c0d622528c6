"""A working day on the stack (scripts/stack.sh), through nginx: Locust users log in with the
demo accounts and do what residents, volunteers and social workers do, the four orders going
round between them.

    scripts/stack.sh load                                  # 200 users, 5 minutes (the goal run)
    scripts/stack.sh load --users 20 --run-time 1m         # a quick look
    scripts/stack.sh load --kill-web-node-at 150           # web node 1 killed halfway

`stack.sh load` runs `locust -f benchmarks/locustfile.py --headless` with the stack's environment
and writes benchmarks/out/stack-load_*.csv. The mix (weights per user class, pauses between
actions): residents (5) open their home page and orders, order help, rate finished orders;
volunteers (4) read their orders, activities and inbox, accept dispatched orders, start and
finish them; social workers (1) read the desk, the ledger and its counts, dispatch pending needs
to the volunteers' pool. Accounts are shared: the demo has few residents and social workers.

When the run ends the task latency is read from the database: for every notification created
during the run, notification created → delivered (inbox and SMS, by the worker or the web nodes'
threads), p50 / p95 / max, and orders placed → the volunteer's notice of the dispatch delivered.
Goal (issue 14): no errors, p95 per page reported, the same with one web node killed halfway.
"""

import json
import os
import random
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

PASSWORD = "shezhi-demo"
CATEGORIES = ["repair", "meals", "home_cleaning", "escort", "shopping"]
REPORT = "--report"

if __name__ != "__main__":  # run by Locust (the report below runs as a plain script)
    import gevent
    from locust import HttpUser, between, events, task
    from locust.env import Environment

    STARTED = {"at": datetime.now(UTC)}

    @events.init_command_line_parser.add_listener
    def _arguments(parser: Any) -> None:
        parser.add_argument(
            "--kill-web-node-at",
            type=float,
            default=0,
            help="seconds after the start at which web node 1 is killed (0: never)",
        )

    def _kill_web_node_later(seconds: float) -> None:
        gevent.sleep(seconds)
        run = Path(os.environ["SHEZHI_STACK_RUN"])
        master = int((run / "web1.pid").read_text())
        children = subprocess.run(
            ["ps", "-o", "pid=", "--ppid", str(master)], capture_output=True, text=True
        ).stdout.split()
        for pid in [master, *map(int, children)]:
            os.kill(pid, signal.SIGKILL)
        (run / "web1.pid").unlink(missing_ok=True)
        print(f"killed web node 1 at {seconds:.0f} s (pids {master} {' '.join(children)})")

    @events.test_start.add_listener
    def _started(environment: Environment, **_kwargs: Any) -> None:
        STARTED["at"] = datetime.now(UTC)
        seconds = environment.parsed_options.kill_web_node_at
        if seconds:
            gevent.spawn(_kill_web_node_later, seconds)

    @events.quitting.add_listener
    def _report(environment: Environment, **_kwargs: Any) -> None:
        # The database is read by a plain Python process: Django under gevent's patches is not
        # worth the risk for one report.
        if os.environ.get("DATABASE_URL"):
            subprocess.run([sys.executable, __file__, REPORT, STARTED["at"].isoformat()])

    class Person(HttpUser):
        abstract = True
        usernames: list[str] = []

        def on_start(self) -> None:
            self.username = random.choice(self.usernames)
            for _ in range(3):  # a log-in cut off by a killed node is tried again
                page = self.client.get("/login/", name="/login/")
                token = page.text.split('name="csrfmiddlewaretoken" value="', 1)[-1]
                self.client.post(
                    "/login/",
                    data={
                        "csrfmiddlewaretoken": token.split('"', 1)[0],
                        "username": self.username,
                        "password": PASSWORD,
                    },
                    name="/login/ (post)",
                )
                if "sessionid" in self.client.cookies:
                    return

        def api(self, method: str, path: str, name: str, ok: tuple[int, ...] = (200,), **kw: Any):
            """An API call; answers in `ok` count as successes (409: someone else was first)."""
            headers = {"X-CSRFToken": self.client.cookies.get("csrftoken", "")}
            with self.client.request(
                method, f"/api/v1{path}", name=name, headers=headers, catch_response=True, **kw
            ) as answer:
                if answer.status_code in ok:
                    answer.success()
                else:
                    answer.failure(f"{answer.status_code}: {answer.text[:200]}")
                return answer

        def items(self, path: str, name: str) -> list[dict[str, Any]]:
            answer = self.api("GET", path, name)
            try:
                return answer.json().get("items", []) if answer.status_code == 200 else []
            except ValueError:
                return []

    class Resident(Person):
        weight = 5
        wait_time = between(5, 15)
        usernames = [f"resident{i}" for i in range(1, 9)]

        @task(3)
        def home(self) -> None:
            self.client.get("/m/", name="/m/ (resident home)")

        @task(2)
        def my_orders(self) -> None:
            self.client.get("/m/my/", name="/m/my/")

        @task(1)
        def order_help(self) -> None:
            self.api(
                "POST",
                "/needs",
                "/api/v1/needs (点单)",
                ok=(201,),
                json={
                    "category": random.choice(CATEGORIES),
                    "urgency": random.choice(["immediate", "caring", "general"]),
                    "description": f"压测：需要帮助 {random.randint(1, 10**6)}",
                },
            )

        @task(1)
        def rate(self) -> None:
            done = self.items("/needs?status=done&limit=5", "/api/v1/needs?status=done")
            if done:
                self.api(
                    "POST",
                    f"/needs/{done[0]['id']}/rate",
                    "/api/v1/needs/[id]/rate (评单)",
                    ok=(200, 409),
                    json={"score": random.choice([4, 5]), "comment": "谢谢"},
                )

    class Volunteer(Person):
        weight = 4
        wait_time = between(5, 15)
        usernames = [f"volunteer{i}" for i in range(1, 191)]

        @task(3)
        def orders(self) -> None:
            self.client.get("/m/orders/", name="/m/orders/")

        @task(2)
        def activities(self) -> None:
            self.client.get("/m/activities/", name="/m/activities/")

        @task(1)
        def me(self) -> None:
            self.client.get("/m/me/", name="/m/me/")

        @task(2)
        def inbox(self) -> None:
            self.api("GET", "/notifications?limit=20", "/api/v1/notifications")

        @task(2)
        def accept(self) -> None:
            offered = self.items("/needs?status=dispatched&limit=5", "/api/v1/needs?dispatched")
            if offered:
                self.api(
                    "POST",
                    f"/needs/{offered[0]['id']}/accept",
                    "/api/v1/needs/[id]/accept (接单)",
                    ok=(200, 403, 404, 409),  # taken by another, or offered to someone else
                )

        @task(2)
        def serve(self) -> None:
            mine = self.items("/needs?status=accepted&limit=5", "/api/v1/needs?accepted")
            if mine:
                need = mine[0]["id"]
                started = self.api(
                    "POST", f"/needs/{need}/start", "/api/v1/needs/[id]/start", ok=(200, 403, 409)
                )
                if started.status_code == 200:
                    self.api(
                        "POST",
                        f"/needs/{need}/complete",
                        "/api/v1/needs/[id]/complete",
                        ok=(200, 409),
                        json={"minutes": 30, "note": "已完成"},
                    )

    class SocialWorker(Person):
        weight = 1
        wait_time = between(3, 10)
        usernames = [f"worker{i}" for i in range(1, 9)]

        @task(2)
        def desk(self) -> None:
            self.client.get("/desk/", name="/desk/ (dashboard)")

        @task(3)
        def ledger(self) -> None:
            self.client.get("/desk/needs/", name="/desk/needs/ (ledger)")
            self.client.get("/desk/needs/?status=pending", name="/desk/needs/?status=pending")

        @task(2)
        def counts(self) -> None:
            self.api("GET", "/needs/counts", "/api/v1/needs/counts")

        @task(3)
        def dispatch(self) -> None:
            pending = self.items("/needs?status=pending&limit=5", "/api/v1/needs?pending")
            if not pending:
                return
            need = random.choice(pending)["id"]
            answer = self.api("GET", f"/needs/{need}/candidates", "/api/v1/needs/[id]/candidates")
            try:
                helpers = [c for c in answer.json() if c.get("kind") == "volunteer"]
            except (ValueError, AttributeError):
                helpers = []
            target = (
                {"target_kind": "volunteer", "target_id": random.choice(helpers[:5])["id"]}
                if helpers
                else {"target_kind": "pool"}
            )
            self.api(
                "POST",
                f"/needs/{need}/dispatch",
                "/api/v1/needs/[id]/dispatch (派单)",
                ok=(200, 409),
                json=target,
            )


def _percentiles(seconds: list[float]) -> dict[str, float]:
    if not seconds:
        return {}
    ordered = sorted(seconds)
    at = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))]  # noqa: E731
    return {"n": len(ordered), "p50": at(0.5), "p95": at(0.95), "max": ordered[-1]}


def report(since: str) -> None:
    """Task latency of the run, from the stack's database."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shezhi.settings")
    import django

    django.setup()
    from shezhi.needs.models import Need
    from shezhi.notifications.models import Delivery

    start = datetime.fromisoformat(since)
    deliveries = Delivery.objects.filter(notification__created_at__gte=start).values_list(
        "status",
        "channel",
        "notification__created_at",
        "sent_at",
        "notification__subject",
        "notification__recipient__role",
    )
    delays, to_volunteer, unsent = [], [], 0
    sent_by_subject: dict[str, datetime] = {}
    volunteer_by_subject: dict[str, datetime] = {}
    for status, _channel, created, sent, subject, role in deliveries:
        if status != Delivery.Status.SENT or sent is None:
            unsent += 1
            continue
        delays.append((sent - created).total_seconds())
        if subject and (subject not in sent_by_subject or sent < sent_by_subject[subject]):
            sent_by_subject[subject] = sent
        if role == "volunteer":  # the dispatched volunteer's notice (created by the dispatch)
            to_volunteer.append((sent - created).total_seconds())
            if subject and sent < volunteer_by_subject.get(subject, sent + timedelta(1)):
                volunteer_by_subject[subject] = sent
    placed = Need.objects.filter(created_at__gte=start).values_list("pk", "created_at")
    to_notice = [
        (sent_by_subject[key] - created).total_seconds()
        for pk, created in placed
        if (key := f"need:{pk}") in sent_by_subject
    ]
    # Includes the social worker's think time before dispatching (the mix's pauses).
    to_volunteer_notice = [
        (volunteer_by_subject[key] - created).total_seconds()
        for pk, created in placed
        if (key := f"need:{pk}") in volunteer_by_subject
    ]
    result = {
        "since": since,
        "notification_to_delivered_s": _percentiles(delays),
        "volunteer_notice_created_to_delivered_s": _percentiles(to_volunteer),
        "order_placed_to_volunteer_notice_delivered_s": _percentiles(to_volunteer_notice),
        "not_delivered_at_end": unsent,
        "order_placed_to_first_notice_delivered_s": _percentiles(to_notice),
        "orders_placed": len(placed),
    }
    out = Path(__file__).resolve().parent / "out"
    out.mkdir(exist_ok=True)
    (out / "stack-load-tasks.json").write_text(json.dumps(result, indent=2))
    print("task latency:", json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__" and len(sys.argv) == 3 and sys.argv[1] == REPORT:
    time.sleep(2)  # deliveries still in flight at the end get a moment
    report(sys.argv[2])
