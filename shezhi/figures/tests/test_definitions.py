"""Each figure's 口径 on hand-built data: what counts, what does not (cancellations,
corrections, deregistrations, records moved), and small-count suppression."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from shezhi.accounts.models import Role
from shezhi.accounts.tests.factories import UserFactory
from shezhi.core.rollups import rollups_touch_rows
from shezhi.figures import selectors
from shezhi.figures.periods import Period
from shezhi.needs.models import Need, NeedTransition
from shezhi.needs.tests.factories import NeedFactory
from shezhi.volunteers.models import PoliticalStatus, ServiceRecord
from shezhi.volunteers.tests.factories import VolunteerFactory, record


def _month():
    today = timezone.localdate()
    return Period.month(today.year, today.month)


def _values(world, unit, *codes, actor=None):
    found = selectors.figures_for(
        actor=actor or world.admin, unit=unit, period=_month(), codes=list(codes)
    )
    return {v.figure.code: v for v in found}


def _set(need, **fields):
    rollups_touch_rows("needs.Need", [need.pk])
    Need.objects.filter(pk=need.pk).update(**fields)


def test_needs_received_solved_on_time_rating_and_reopened(
    world, django_capture_on_commit_callbacks
):
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        on_time, late, cancelled, open_ = (
            NeedFactory(resident=world.dora_resident, created_by=world.alice) for _ in range(4)
        )
    with django_capture_on_commit_callbacks(execute=True):
        _set(on_time, status="rated", completed_at=now, rated_at=now, rating=5)
        _set(
            late,
            status="rated",
            completed_at=now,
            resolve_by=now - timedelta(hours=1),
            rated_at=now,
            rating=2,
        )
        _set(cancelled, status="cancelled")
        NeedTransition.objects.create(
            need=late, action="reopen", from_status="rated", to_status="pending", actor=world.alice
        )
    v = _values(
        world,
        world.a["street"],
        "needs_received",
        "needs_solved",
        "needs_on_time",
        "needs_on_time_rate",
        "needs_rating_avg",
        "needs_reopened",
    )
    assert v["needs_received"].value == 4  # a cancelled need was still received
    assert v["needs_solved"].value == 2
    assert v["needs_on_time"].value == 1
    assert v["needs_on_time_rate"].value == Decimal("50.0")
    assert v["needs_rating_avg"].value == Decimal("3.5")
    assert v["needs_reopened"].value == 1
    # Reopened and pending again: no longer solved until solved again.
    with django_capture_on_commit_callbacks(execute=True):
        _set(late, status="pending")
    assert _values(world, world.a["street"], "needs_solved")["needs_solved"].value == 1


def test_registered_volunteers_by_party_leave_when_deregistered(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        member = VolunteerFactory(
            community=world.a["community"], political_status=PoliticalStatus.PARTY_MEMBER
        )
    v = _values(world, world.a["community"], "volunteers_registered")["volunteers_registered"]
    assert v.value == 3  # bob, erin and the party member
    rows = dict(
        selectors.figure_breakdown(
            actor=world.admin,
            unit=world.a["community"],
            code="volunteers_registered",
            period=_month(),
            by="party",
        )
    )
    assert rows["中共党员（含预备党员）"].value == 1
    with django_capture_on_commit_callbacks(execute=True):
        member.is_active = False
        member.save()
    v = _values(world, world.a["community"], "volunteers_registered")["volunteers_registered"]
    assert v.value == 2


def test_hours_follow_corrections_and_exclude_rejected_records(
    world, django_capture_on_commit_callbacks
):
    today = timezone.localdate()
    with django_capture_on_commit_callbacks(execute=True):
        made = record(
            world.alice, world.bob_volunteer, world.a["community"], service_date=today, minutes=120
        )
        record(world.alice, world.erin_volunteer, world.a["community"], service_date=today)
    v = _values(world, world.a["street"], "service_hours", "service_records", "volunteers_active")
    assert (v["service_hours"].value, v["service_records"].value) == (Decimal("3.0"), 2)
    assert v["volunteers_active"].value == 2
    with django_capture_on_commit_callbacks(execute=True):
        corrected = ServiceRecord.objects.get(pk=made.pk)
        corrected.hours, corrected.minutes = Decimal("1.5"), 90  # a correction approved
        corrected.save()
    assert _values(world, world.a["street"], "service_hours")["service_hours"].value == Decimal(
        "2.5"
    )
    with django_capture_on_commit_callbacks(execute=True):
        rollups_touch_rows("volunteers.ServiceRecord", [made.pk])
        ServiceRecord.objects.filter(pk=made.pk).update(status="rejected")
    v = _values(world, world.a["street"], "service_hours", "volunteers_active")
    assert (v["service_hours"].value, v["volunteers_active"].value) == (Decimal("1.0"), 1)


def test_distinct_people_are_counted_once_across_communities(
    world, django_capture_on_commit_callbacks
):
    today = timezone.localdate()
    with django_capture_on_commit_callbacks(execute=True):
        record(world.alice, world.bob_volunteer, world.a["community"], service_date=today)
        record(
            world.admin,
            world.bob_volunteer,
            world.b["community"],
            service_date=today - timedelta(days=1) if today.day > 1 else today,
            title="另一社区",
        )
    per_community = [
        _values(world, world.a["community"], "volunteers_active")["volunteers_active"].value,
        _values(world, world.b["community"], "volunteers_active")["volunteers_active"].value,
    ]
    assert per_community == [1, 1]
    # Both communities sit in different districts here: the tree's top for A counts bob once.
    assert _values(world, world.a["district"], "volunteers_active")["volunteers_active"].value == 1


def test_small_case_counts_show_as_under_five_to_leaders(world, django_capture_on_commit_callbacks):
    from shezhi.cases.tests.factories import open_case

    leader = UserFactory(role=Role.STREET_ADMIN, unit=world.a["street"])
    with django_capture_on_commit_callbacks(execute=True):
        open_case(world.alice, world.dora_resident)
    hidden = _values(world, world.a["street"], "cases_opened", actor=leader)["cases_opened"]
    assert (hidden.value, hidden.shown, hidden.list_url) == (None, "<5", None)
    seen = _values(world, world.a["street"], "cases_opened", actor=world.sam)["cases_opened"]
    assert (seen.value, seen.shown) == (1, "1")
