"""Visits: date rules, scoping, cadence after a visit, nobody home twice, needs, risk changes."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from shezhi.care import selectors, services
from shezhi.care.models import CareAlert, CareProfile, Visit
from shezhi.care.services import NeedDraft
from shezhi.care.tests.factories import register
from shezhi.core.errors import Forbidden, InvalidInput, NotFound
from shezhi.needs.models import Need
from shezhi.notifications.models import Notification
from shezhi.org.tests.factories import OrgUnitFactory
from shezhi.people.tests.factories import ResidentFactory

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2024, 2, 29, 9, 0, tzinfo=TZ)


def log(actor, resident, *, on=date(2024, 2, 29), contact=True, now=NOW, **kw):
    return services.visit_log(
        actor=actor, resident_id=resident.pk, visited_on=on, contact_made=contact, now=now, **kw
    )


@pytest.fixture
def dora(world):
    register(world.alice, world.dora_resident, "key", now=NOW - timedelta(days=40))
    return world.dora_resident


def test_grid_worker_logs_a_visit_with_the_checklist(world, dora):
    visit = log(
        world.gina,
        dora,
        checklist={"health": "concern", "meals": "ok", "safety": "urgent"},
        notes={"health": "腿脚不便", "safety": "燃气灶老化"},
        note="精神不错",
        mode="home",
    )
    assert (visit.health, visit.health_note, visit.safety, visit.mood) == (
        "concern",
        "腿脚不便",
        "urgent",
        "unknown",
    )
    profile = CareProfile.objects.get(resident=dora)
    assert profile.last_seen_on == date(2024, 2, 29)
    assert profile.next_visit_due == date(2024, 3, 29)


def test_a_visit_in_the_future_is_refused(world, dora):
    with pytest.raises(InvalidInput) as exc:
        log(world.gina, dora, on=date(2024, 3, 1))
    assert exc.value.field == "visited_on" and "晚于今天" in exc.value.message


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"on": date(2022, 1, 1)}, "visited_on"),
        ({"contact": "yes"}, "contact_made"),
        ({"checklist": {"wallet": "ok"}}, "checklist"),
        ({"checklist": {"health": "fine"}}, "health"),
        ({"mode": "telepathy"}, "mode"),
        ({"risk_level": "extreme"}, "risk_level"),
        ({"note": "长" * 1001}, "note"),
    ],
)
def test_bad_visit_input_is_refused_with_the_field(world, dora, kwargs, field):
    with pytest.raises(InvalidInput) as exc:
        log(world.gina, dora, **kwargs)
    assert exc.value.field == field
    assert not Visit.objects.exists()


def test_visit_to_a_resident_outside_the_visitors_units_is_not_found(world, dora):
    other = ResidentFactory(grid=OrgUnitFactory(level=5, parent=world.a["compound"]))
    with pytest.raises(NotFound):
        log(world.gina, other)
    with pytest.raises(NotFound):
        log(world.charlie, dora)
    with pytest.raises(NotFound):
        log(world.bob, dora)  # not their contact


def test_volunteer_contact_person_logs_visits_but_only_suggests_a_risk_change(world, dora):
    services.contact_assign(actor=world.alice, resident_id=dora.pk, contact_id=world.bob.pk)
    visit = log(world.bob, dora, risk_level="high")
    assert visit.suggested_risk_level == "high"
    assert CareProfile.objects.get(resident=dora).risk_level == "key"


def test_staff_visit_changes_the_risk_level(world, dora):
    log(world.gina, dora, risk_level="high", risk_reasons="近期跌倒两次")
    profile = CareProfile.objects.get(resident=dora)
    assert profile.risk_level == "high" and profile.risk_reasons == "近期跌倒两次"
    assert profile.next_visit_due == date(2024, 3, 7)


def test_a_visit_to_an_unregistered_resident_can_register_them(world):
    resident = world.dora_resident
    log(world.gina, resident, risk_level="general")
    profile = CareProfile.objects.get(resident=resident)
    assert profile.risk_level == "general" and profile.next_visit_due == date(2024, 5, 29)


def test_nobody_home_does_not_move_the_due_date(world, dora):
    before = CareProfile.objects.get(resident=dora).next_visit_due
    log(world.gina, dora, contact=False)
    profile = CareProfile.objects.get(resident=dora)
    assert profile.next_visit_due == before and profile.last_visit_on == date(2024, 2, 29)
    assert profile.last_seen_on is None


def test_nobody_answered_twice_in_a_row_raises_one_alert(world, dora):
    log(world.gina, dora, on=date(2024, 2, 27), contact=False)
    assert not CareAlert.objects.filter(kind="nobody_home_twice").exists()
    log(world.gina, dora, on=date(2024, 2, 28), contact=False)
    log(world.gina, dora, on=date(2024, 2, 29), contact=False)
    alert = CareAlert.objects.get(kind="nobody_home_twice")
    assert alert.assigned_to == world.alice and alert.resident == dora
    assert alert.due_by == NOW + timedelta(hours=24)
    [told] = Notification.objects.filter(recipient=world.alice, kind="care_alert")
    assert "连续两次无人应答" in told.title and dora.name not in told.title + told.body
    log(world.gina, dora, contact=True)
    alert.refresh_from_db()
    assert alert.status == "closed"


def test_nobody_home_then_seen_then_nobody_home_is_no_alert(world, dora):
    log(world.gina, dora, on=date(2024, 2, 26), contact=False)
    log(world.gina, dora, on=date(2024, 2, 27), contact=True)
    log(world.gina, dora, on=date(2024, 2, 28), contact=False)
    assert not CareAlert.objects.filter(kind="nobody_home_twice").exists()


def test_a_visit_raises_a_prefilled_need_in_the_ledger(world, dora):
    visit = log(
        world.gina,
        dora,
        need=NeedDraft(category="meals", urgency="caring", description="行动不便，需要助餐"),
    )
    need = Need.objects.get()
    assert visit.raised_need == need
    assert (need.resident, need.source, need.grid) == (dora, "visit", world.a["grid"])
    assert need.contact_phone == dora.phone


def test_a_bad_need_rolls_the_whole_visit_back(world, dora):
    with pytest.raises(InvalidInput) as exc:
        log(world.gina, dora, need=NeedDraft(category="nope", urgency="caring", description="x"))
    assert exc.value.field == "category"
    assert not Visit.objects.exists()


def test_volunteer_cannot_raise_a_need_from_a_visit(world, dora):
    services.contact_assign(actor=world.alice, resident_id=dora.pk, contact_id=world.bob.pk)
    with pytest.raises(Forbidden):
        log(world.bob, dora, need=NeedDraft(category="meals", urgency="caring", description="助餐"))


def test_danger_in_visit_notes_opens_a_crisis_alert(world, dora):
    visit = log(world.gina, dora, notes={"mood": "老伴走后说活着没意思"})
    alert = CareAlert.objects.get(kind="crisis")
    assert alert.source_type == "care.visit" and alert.source_id == str(visit.pk)
    assert alert.category == "suicide" and alert.assigned_to == world.alice


def test_a_visit_after_a_major_change_clears_the_urgent_deadline(world, dora):
    services.care_profile_set(
        actor=world.alice,
        resident_id=dora.pk,
        risk_level="high",
        risk_reasons="独居",
        major_change="丧偶",
        now=NOW - timedelta(hours=3),
    )
    assert CareProfile.objects.get(resident=dora).urgent_visit_by is not None
    log(world.gina, dora, contact=False)
    assert CareProfile.objects.get(resident=dora).urgent_visit_by is not None
    log(world.gina, dora)
    assert CareProfile.objects.get(resident=dora).urgent_visit_by is None


def test_visits_of_resident_are_scoped(world, dora):
    log(world.gina, dora)
    assert selectors.visits_of(actor=world.alice, resident_id=dora.pk).count() == 1
    with pytest.raises(NotFound):
        selectors.visits_of(actor=world.charlie, resident_id=dora.pk)


def test_danger_in_the_need_raised_from_a_visit_is_scanned(world, dora):
    log(
        world.gina,
        dora,
        need=NeedDraft(category="meals", urgency="immediate", description="老人三天没吃饭了"),
    )
    alert = CareAlert.objects.get(kind="crisis")
    assert alert.category == "no_food" and alert.resident == dora
