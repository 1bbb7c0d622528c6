"""Every list page of shezhi/web/urls.py runs a fixed number of SQL queries however long its list
is: each page is rendered with N rows and again with 3N rows (made with the factories and the
services), and the two counts must be equal. The page must also have grown, so that a page which
stopped showing its rows cannot pass."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from itertools import count

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from shezhi.accounts.models import User
from shezhi.activities import services as activity_services
from shezhi.activities import signups
from shezhi.activities.services import PositionSpec
from shezhi.care.campaigns import campaign_launch
from shezhi.care.jobs import overdue_compute
from shezhi.care.services import contact_assign
from shezhi.care.tests.factories import register
from shezhi.cases.tests.factories import open_case
from shezhi.imports.tests.factories import run_import, volunteer_file, volunteer_row
from shezhi.needs import services as need_services
from shezhi.notifications.services import notify
from shezhi.people.tests.factories import ResidentFactory
from shezhi.timebank.tests.factories import bob_account, deposited
from shezhi.volunteers.models import SkillTag
from shezhi.volunteers.services import correction_request_file
from shezhi.volunteers.tests.factories import TeamFactory, VolunteerFactory, add_member, record

N = 2
_seq = count(1)


@dataclass(frozen=True)
class Page:
    """A list page: who opens it, its address and how to add `n` rows to its list."""

    user: Callable[[object], User]
    url: Callable[[object], str]
    grow: Callable[[object, int], None]


def _future_activity(world, *, positions: int = 2, scope: str = "unit"):
    """A published activity starting in a few days (the real clock: open positions are future)."""
    now = timezone.now()
    starts = now + timedelta(days=3, hours=next(_seq))
    made = activity_services.activity_create(
        actor=world.alice,
        now=now,
        spec=activity_services.ActivitySpec(
            title=f"助老活动{next(_seq)}",
            category="elderly",
            description="陪老人聊天",
            venue="A社区党群服务中心",
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
            person_in_charge="王主任",
            positions=[
                PositionSpec(name=f"岗位{i}", quota=2, skills=["repair"] if i else ())
                for i in range(positions)
            ],
            organiser_unit_id=world.a["community"].pk,
            scope=scope,
        ),
    )
    return activity_services.activity_publish(actor=world.alice, activity_id=made.pk, now=now)


def _need(world, **kwargs):
    # Four hours apart: a helper cannot accept two orders booked at the same time.
    start = timezone.now() + timedelta(days=1, hours=4 * (next(_seq) % 30))
    return need_services.need_create(
        actor=world.dora,
        category="repair",
        urgency="general",
        description="热水器坏了，没有热水洗澡",
        contact_phone="13812345678",
        wanted_from=start,
        wanted_until=start + timedelta(hours=2),
        **kwargs,
    )


def _dispatched_to_bob(world):
    need = _need(world)
    return need_services.need_dispatch(
        actor=world.alice,
        need_id=need.pk,
        target_kind="volunteer",
        target_id=world.bob_volunteer.pk,
    )


# --- how each list grows ---------------------------------------------------------------------


def grow_open_positions(world, n):
    for i in range(n):
        act = _future_activity(world, scope="everyone" if i % 2 else "unit")
        if i % 2:  # some positions the volunteer has joined, some full with a waiting list
            signups.signup_create(actor=world.bob, position_id=act.positions.first().pk)
        other = VolunteerFactory(
            community=world.a["community"], skills=[SkillTag.objects.get(code="repair")]
        )
        signups.signup_create(actor=other.user, position_id=act.positions.last().pk)


def grow_orders(world, n):
    for _ in range(n):
        _dispatched_to_bob(world)
        taken = _dispatched_to_bob(world)
        need_services.need_accept(actor=world.bob, need_id=taken.pk)


def grow_my_needs(world, n):
    for _ in range(n):
        _need(world)


def grow_records(world, n):
    for i in range(n):
        record(
            world.alice,
            world.bob_volunteer,
            world.a["community"],
            service_date=timezone.localdate() - timedelta(days=i % 5),
            title=f"助老送餐{next(_seq)}",
        )


def grow_late_records(world, n):
    for _ in range(n):  # past the 10-working-day window: held for the supervisor
        record(
            world.alice,
            world.bob_volunteer,
            world.a["community"],
            service_date=timezone.localdate() - timedelta(days=40),
            title=f"逾期记录{next(_seq)}",
        )


def grow_corrections(world, n):
    for _ in range(n):
        made = record(
            world.alice,
            world.bob_volunteer,
            world.a["community"],
            service_date=timezone.localdate(),
            title=f"助老送餐{next(_seq)}",
        )
        correction_request_file(
            actor=world.bob,
            record_id=made.pk,
            changes={"minutes": 90},
            reason="实际服务了一个半小时",
        )


def grow_care_visits(world, n):
    for _ in range(n):  # due today, with Gina as the contact person
        resident = ResidentFactory(grid=world.a["grid"])
        register(world.alice, resident, now=timezone.now() - timedelta(days=60))
        contact_assign(actor=world.alice, resident_id=resident.pk, contact_id=world.gina.pk)


def grow_care_alerts(world, n):
    for _ in range(n):  # overdue residents: the job opens one alert each
        register(
            world.alice,
            ResidentFactory(grid=world.a["grid"]),
            now=timezone.now() - timedelta(days=90),
        )
    overdue_compute(now=timezone.now())


def grow_campaigns(world, n):
    for _ in range(n):
        register(world.alice, ResidentFactory(grid=world.a["grid"]))
        campaign_launch(
            actor=world.alice, unit_id=world.a["community"].pk, name=f"敲门行动{next(_seq)}"
        )


def grow_imports(world, n):
    for _ in range(n):  # a bad file each: the job and its errors are listed
        run_import(
            world.alice,
            "volunteers",
            volunteer_file([volunteer_row(next(_seq), 性别="?")]),
            unit=world.a["community"],
        )


def grow_team(world, n):
    for _ in range(n):
        add_member(world.team, VolunteerFactory(community=world.a["community"]))


def grow_inbox(world, n):
    for _ in range(n):
        notify(recipient=world.bob, kind="general", title=f"新订单{next(_seq)}", link="/m/orders/")


def grow_timebank(world, n):
    for _ in range(n):
        deposited(world)


def grow_residents(world, n):
    for _ in range(n):
        ResidentFactory(grid=world.a["grid"])


def grow_needs_ledger(world, n):
    for _ in range(n):
        _need(world)


def grow_teams(world, n):
    for _ in range(n):
        team = TeamFactory(community=world.a["community"])
        add_member(team, VolunteerFactory(community=world.a["community"]))


def grow_volunteers(world, n):
    repair = SkillTag.objects.get(code="repair")
    for _ in range(n):
        VolunteerFactory(community=world.a["community"], skills=[repair])


def grow_care_registry(world, n):
    for _ in range(n):
        register(world.alice, ResidentFactory(grid=world.a["grid"]))


def grow_cases(world, n):
    for _ in range(n):
        open_case(world.alice, ResidentFactory(grid=world.a["grid"]))


def grow_activities(world, n):
    for _ in range(n):
        _future_activity(world)


def grow_activity_signups(world, n):
    act = _activity_of(world)
    position = act.positions.first()
    for _ in range(n):
        volunteer = VolunteerFactory(
            community=world.a["community"], skills=[SkillTag.objects.get(code="repair")]
        )
        signups.signup_create(actor=volunteer.user, position_id=position.pk)


def _activity_of(world):
    from shezhi.activities.models import Activity

    found = Activity.objects.filter(title="名单活动").first()
    if found is None:
        now = timezone.now()
        made = activity_services.activity_create(
            actor=world.alice,
            now=now,
            spec=activity_services.ActivitySpec(
                title="名单活动",
                category="elderly",
                description="陪老人聊天",
                venue="A社区党群服务中心",
                starts_at=now + timedelta(days=2),
                ends_at=now + timedelta(days=2, hours=2),
                person_in_charge="王主任",
                positions=[PositionSpec(name="陪聊", quota=500)],
                organiser_unit_id=world.a["community"].pk,
            ),
        )
        found = activity_services.activity_publish(actor=world.alice, activity_id=made.pk, now=now)
    return found


PAGES: dict[str, Page] = {
    # the phone
    "m:activities": Page(lambda w: w.bob, lambda w: "/m/activities/", grow_open_positions),
    "m:orders": Page(lambda w: w.bob, lambda w: "/m/orders/", grow_orders),
    "m:my_needs": Page(lambda w: w.dora, lambda w: "/m/my/", grow_my_needs),
    "m:hours": Page(lambda w: w.bob, lambda w: "/m/hours/", grow_records),
    "m:me": Page(lambda w: w.bob, lambda w: "/m/me/", grow_records),
    "m:team": Page(lambda w: w.erin, lambda w: f"/m/teams/{w.team.pk}/", grow_team),
    "care:today": Page(lambda w: w.gina, lambda w: "/m/care/", grow_care_visits),
    "m:inbox": Page(lambda w: w.bob, lambda w: "/m/inbox/", grow_inbox),
    "timebank:account": Page(
        lambda w: w.bob, lambda w: f"/timebank/accounts/{bob_account(w).pk}/", grow_timebank
    ),
    # the desk
    "desk:needs": Page(lambda w: w.alice, lambda w: "/desk/needs/", grow_needs_ledger),
    "desk:residents": Page(lambda w: w.alice, lambda w: "/desk/residents/", grow_residents),
    "desk:records": Page(lambda w: w.alice, lambda w: "/desk/records/", grow_records),
    "desk:late_records": Page(lambda w: w.sam, lambda w: "/desk/records/late/", grow_late_records),
    "desk:corrections": Page(lambda w: w.alice, lambda w: "/desk/corrections/", grow_corrections),
    "desk:imports": Page(lambda w: w.alice, lambda w: "/desk/imports/", grow_imports),
    "desk:teams": Page(lambda w: w.alice, lambda w: "/desk/teams/", grow_teams),
    "desk:volunteers": Page(lambda w: w.alice, lambda w: "/desk/volunteers/", grow_volunteers),
    "desk:team": Page(lambda w: w.alice, lambda w: f"/desk/teams/{w.team.pk}/", grow_team),
    "desk:dispatch_bulk": Page(
        lambda w: w.alice, lambda w: "/desk/dispatch/bulk/", grow_needs_ledger
    ),
    "desk:timebank": Page(lambda w: w.alice, lambda w: "/desk/timebank/", grow_timebank),
    "care:registry": Page(lambda w: w.alice, lambda w: "/desk/care/", grow_care_registry),
    "care:alerts": Page(lambda w: w.alice, lambda w: "/desk/care/alerts/", grow_care_alerts),
    "care:campaigns": Page(lambda w: w.alice, lambda w: "/desk/care/campaigns/", grow_campaigns),
    "cases:list": Page(lambda w: w.alice, lambda w: "/desk/cases/", grow_cases),
    "activities:desk_list": Page(lambda w: w.alice, lambda w: "/desk/activities/", grow_activities),
    "activities:desk_detail": Page(
        lambda w: w.alice,
        lambda w: f"/desk/activities/{_activity_of(w).pk}/",
        grow_activity_signups,
    ),
}


def _render(client: Client, url: str) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(queries.captured_queries), len(response.content)


@pytest.mark.parametrize("name", list(PAGES))
def test_list_page_runs_a_fixed_number_of_queries(client, world, name):
    page = PAGES[name]
    client.force_login(page.user(world))
    page.grow(world, N)
    url = page.url(world)
    client.get(url)  # warm caches (content types, site settings) once
    few, small = _render(client, url)
    page.grow(world, 2 * N)
    many, large = _render(client, url)
    assert large > small, f"{name}: the page did not show the new rows"
    assert many == few, f"{name}: {few} queries with {N} rows, {many} with {3 * N}"
