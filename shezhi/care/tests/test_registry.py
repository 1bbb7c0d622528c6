"""Care profiles and one-on-one contact persons: rules, history, scoping."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from shezhi.accounts.models import Role
from shezhi.accounts.tests.factories import UserFactory
from shezhi.care import jobs, selectors, services
from shezhi.care.models import CareAlert, ContactAssignment
from shezhi.care.tests.factories import register
from shezhi.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from shezhi.core.models import AuditEvent
from shezhi.org.tests.factories import OrgUnitFactory
from shezhi.people.tests.factories import ResidentFactory

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2024, 1, 31, 10, 0, tzinfo=TZ)


@pytest.fixture
def other_grid(world):
    """A second grid in community A (Gina's colleague's grid)."""
    return OrgUnitFactory(level=5, parent=world.a["compound"], name="A二网格")


def test_social_worker_registers_a_resident_with_risk_level_and_due_date(world):
    profile = register(world.alice, world.dora_resident, "key", now=NOW)
    assert profile.risk_level == "key" and profile.risk_reasons == "80岁以上独居"
    assert profile.registered_on == date(2024, 1, 31)
    assert profile.next_visit_due == date(2024, 2, 29)  # monthly, clamped, leap year
    assert profile.community == world.a["community"] and profile.grid == world.a["grid"]
    assert AuditEvent.objects.filter(object_type="care.careprofile").count() == 1


def test_changing_the_risk_level_recomputes_the_due_date_and_is_audited(world):
    register(world.alice, world.dora_resident, "general", now=NOW)
    profile = register(world.alice, world.dora_resident, "high", now=NOW)
    assert profile.next_visit_due == date(2024, 2, 7)
    event = AuditEvent.objects.filter(object_type="care.careprofile").first()
    assert event.changes["risk_level"] == ["general", "high"]


def test_major_change_requires_a_visit_within_24_hours(world):
    discharged = NOW - timedelta(hours=2)
    profile = services.care_profile_set(
        actor=world.alice,
        resident_id=world.dora_resident.pk,
        risk_level="high",
        risk_reasons="独居，刚出院",
        major_change="出院",
        major_change_at=discharged,
        now=NOW,
    )
    assert profile.urgent_visit_by == discharged + timedelta(hours=24)


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"risk_level": "urgent"}, "risk_level"),
        ({"risk_reasons": "  "}, "risk_reasons"),
        ({"major_change_at": NOW + timedelta(hours=1), "major_change": "出院"}, "major_change_at"),
        ({"major_change_at": NOW}, "major_change"),
    ],
)
def test_bad_profile_input_is_refused_with_the_field(world, kwargs, field):
    args = {"risk_level": "high", "risk_reasons": "独居"} | kwargs
    with pytest.raises(InvalidInput) as exc:
        services.care_profile_set(
            actor=world.alice, resident_id=world.dora_resident.pk, now=NOW, **args
        )
    assert exc.value.field == field


def test_outsider_cannot_register_a_resident_of_another_community(world):
    with pytest.raises(NotFound):
        register(world.charlie, world.dora_resident)


def test_grid_worker_cannot_register_a_resident_of_another_grid(world, other_grid):
    neighbour = ResidentFactory(grid=other_grid)
    with pytest.raises(NotFound):
        register(world.gina, neighbour)
    assert register(world.gina, world.dora_resident).pk


def test_volunteer_may_not_keep_the_registry(world):
    services.contact_assign(
        actor=world.alice, resident_id=world.dora_resident.pk, contact_id=world.bob.pk
    )
    with pytest.raises(Forbidden):
        register(world.bob, world.dora_resident)


def test_contact_persons_of_each_kind_and_history_is_kept(world):
    resident = world.dora_resident
    gina = services.contact_assign(
        actor=world.alice, resident_id=resident.pk, contact_id=world.gina.pk, now=NOW
    )
    bob = services.contact_assign(
        actor=world.alice, resident_id=resident.pk, contact_id=world.bob.pk, now=NOW
    )
    alice = services.contact_assign(
        actor=world.sam, resident_id=resident.pk, contact_id=world.alice.pk, now=NOW
    )
    assert [gina.kind, bob.kind, alice.kind] == ["grid_worker", "volunteer", "social_worker"]
    services.contact_end(
        actor=world.alice, assignment_id=bob.pk, reason="志愿者搬家", now=NOW + timedelta(days=3)
    )
    again = services.contact_assign(
        actor=world.alice,
        resident_id=resident.pk,
        contact_id=world.bob.pk,
        now=NOW + timedelta(days=10),
    )
    history = list(selectors.contact_history(actor=world.alice, resident_id=resident.pk))
    assert len(history) == 4
    assert history[-1].pk == bob.pk and history[-1].ended_on == date(2024, 2, 3)
    assert history[-1].end_reason == "志愿者搬家"
    assert again.is_active and ContactAssignment.objects.filter(pk=bob.pk).exists()


def test_the_same_contact_twice_at_once_is_a_conflict(world):
    args = {
        "actor": world.alice,
        "resident_id": world.dora_resident.pk,
        "contact_id": world.gina.pk,
    }
    services.contact_assign(**args)
    with pytest.raises(Conflict):
        services.contact_assign(**args)


def test_contacts_must_belong_to_the_residents_grid_or_community(world, other_grid):
    other_grid_worker = UserFactory(role=Role.GRID_WORKER, unit=other_grid)
    resident = world.dora_resident
    for contact in [other_grid_worker, world.charlie, world.dora, world.sam, world.partner_user]:
        with pytest.raises(InvalidInput) as exc:
            services.contact_assign(
                actor=world.alice, resident_id=resident.pk, contact_id=contact.pk
            )
        assert exc.value.field == "contact"
    with pytest.raises(NotFound):
        services.contact_assign(actor=world.alice, resident_id=resident.pk, contact_id=999999)


def test_contact_assignment_closes_the_no_contact_alert(world):
    register(world.alice, world.dora_resident)
    jobs.overdue_compute(now=NOW)
    alert = CareAlert.objects.get(kind="no_contact_person")
    services.contact_assign(
        actor=world.alice, resident_id=world.dora_resident.pk, contact_id=world.gina.pk
    )
    alert.refresh_from_db()
    assert alert.status == "closed"


def test_ending_a_contact_needs_a_reason_and_sane_dates(world):
    a = services.contact_assign(
        actor=world.alice, resident_id=world.dora_resident.pk, contact_id=world.gina.pk, now=NOW
    )
    with pytest.raises(InvalidInput):
        services.contact_end(actor=world.alice, assignment_id=a.pk, reason=" ", now=NOW)
    with pytest.raises(InvalidInput):
        services.contact_end(
            actor=world.alice, assignment_id=a.pk, reason="调岗", ended_on=date(2024, 1, 1), now=NOW
        )
    with pytest.raises(InvalidInput):
        services.contact_end(
            actor=world.alice, assignment_id=a.pk, reason="调岗", ended_on=date(2024, 2, 5), now=NOW
        )
    with pytest.raises(NotFound):
        services.contact_end(actor=world.charlie, assignment_id=a.pk, reason="调岗", now=NOW)
    services.contact_end(actor=world.alice, assignment_id=a.pk, reason="调岗", now=NOW)
    with pytest.raises(Conflict):
        services.contact_end(actor=world.alice, assignment_id=a.pk, reason="调岗", now=NOW)


def test_grid_worker_sees_only_their_grid(world, other_grid):
    neighbour = ResidentFactory(grid=other_grid)
    register(world.alice, world.dora_resident)
    register(world.alice, neighbour)
    assert {p.resident_id for p in selectors.care_profiles_visible_to(world.gina)} == {
        world.dora_resident.pk
    }
    assert selectors.care_profiles_visible_to(world.alice).count() == 2
    assert selectors.care_profiles_visible_to(world.sam).count() == 2
    assert selectors.care_profiles_visible_to(world.charlie).count() == 0
    with pytest.raises(NotFound):
        selectors.care_profile_get(actor=world.gina, resident_id=neighbour.pk)
    with pytest.raises(NotFound):
        selectors.care_profile_get(actor=world.charlie, resident_id=world.dora_resident.pk)


def test_volunteer_sees_only_residents_they_are_contact_of(world):
    register(world.alice, world.dora_resident)
    assert selectors.care_profiles_visible_to(world.bob).count() == 0
    a = services.contact_assign(
        actor=world.alice, resident_id=world.dora_resident.pk, contact_id=world.bob.pk
    )
    assert selectors.care_profiles_visible_to(world.bob).count() == 1
    assert selectors.care_profiles_visible_to(world.erin).count() == 0
    services.contact_end(actor=world.alice, assignment_id=a.pk, reason="结束结对")
    with pytest.raises(NotFound):
        selectors.care_profile_get(actor=world.bob, resident_id=world.dora_resident.pk)


def test_resident_account_sees_no_care_profile(world):
    register(world.alice, world.dora_resident)
    assert selectors.care_profiles_visible_to(world.dora).count() == 0
