from datetime import date, time

import pytest

from shezhi.accounts.models import Role
from shezhi.accounts.tests.factories import UserFactory
from shezhi.core.errors import Conflict, Forbidden, InvalidInput, ItemRefused, NotFound
from shezhi.core.models import AuditEvent
from shezhi.core.validators import compose_id_number
from shezhi.volunteers.models import Consent, Volunteer
from shezhi.volunteers.services import (
    Registration,
    may_take_hazardous_position,
    volunteer_register,
    volunteers_register_many,
)

TODAY = date(2026, 11, 20)
# An area code the factories never use, so their ID numbers cannot collide with these.
AREA = "420111"


def register(world, *, born=date(1985, 3, 4), seq=17, **kw):
    fields = dict(
        actor=world.alice,
        name="张三",
        gender="",
        birth_date=None,
        id_number=compose_id_number(AREA, born, seq),
        phone="13912345678",
        community_id=world.a["community"].pk,
        skills=["repair"],
        consent_version="2026-01",
        today=TODAY,
    )
    fields.update(kw)
    return volunteer_register(**fields)


def test_registration_records_art5_fields_consent_and_issues_a_number(world):
    v = register(
        world,
        compound_id=world.a["compound"].pk,
        service_categories=["elderly", "community"],
        languages=["普通话", "粤语"],
        political_status="party",
        dual_report_community_id=world.a["community"].pk,
        availability=[(5, time(9), time(12))],
        certificates=[{"kind": "nurse", "number": "N123", "expires_on": date(2028, 1, 1)}],
    )
    assert v.volunteer_no.startswith("ZY2026") and len(v.volunteer_no) == 14
    assert (v.gender, v.birth_date) == ("M", date(1985, 3, 4))
    assert [s.code for s in v.skills.all()] == ["repair"]
    assert v.user.role == Role.VOLUNTEER and not v.user.has_usable_password()
    assert v.availability.get().weekday == 5
    assert v.certificates.get().kind == "nurse"
    consent = v.consents.get()
    assert (consent.kind, consent.text_version) == (Consent.Kind.SELF, "2026-01")
    assert not v.is_sensitive
    assert AuditEvent.objects.filter(
        object_type="volunteers.volunteer", object_id=str(v.pk)
    ).exists()


def test_numbers_are_issued_in_sequence(world):
    first = register(world)
    second = register(world, seq=19, phone="13912345679")
    assert int(second.volunteer_no[-8:]) == int(first.volunteer_no[-8:]) + 1


def test_duplicate_and_invalid_id_numbers_are_refused(world):
    register(world)
    with pytest.raises(Conflict) as exc:
        register(world)
    assert exc.value.field == "id_number"
    with pytest.raises(InvalidInput) as exc:
        register(world, id_number="420106198503040171")
    assert exc.value.field == "id_number"


def test_birth_date_and_gender_must_agree_with_the_id_number(world):
    with pytest.raises(InvalidInput):
        register(world, birth_date=date(1985, 3, 5))
    with pytest.raises(InvalidInput):
        register(world, gender="F")


def test_consent_version_is_required(world):
    with pytest.raises(InvalidInput) as exc:
        register(world, consent_version="")
    assert exc.value.field == "consent_version"


def test_minor_of_15_needs_a_guardian_and_is_not_sensitive(world):
    with pytest.raises(InvalidInput) as exc:
        register(world, born=date(2011, 1, 1))
    assert exc.value.field == "guardian_consent"
    v = register(
        world,
        born=date(2011, 1, 1),
        guardian_consent=True,
        guardian_name="张父",
        guardian_phone="13800000000",
        guardian_relation="父亲",
    )
    assert not v.is_sensitive
    assert v.consents.filter(kind=Consent.Kind.GUARDIAN, guardian_name="张父").exists()
    assert not may_take_hazardous_position(v, on=TODAY)


def test_child_under_14_needs_a_guardian_and_is_flagged_sensitive(world):
    with pytest.raises(InvalidInput):
        register(world, born=date(2014, 6, 1), guardian_consent=True, guardian_name="张母")
    v = register(
        world,
        born=date(2014, 6, 1),
        guardian_consent=True,
        guardian_name="张母",
        guardian_phone="13800000001",
    )
    assert v.is_sensitive


def test_adults_may_take_hazardous_positions_from_their_18th_birthday(world):
    v = register(world, born=date(2008, 11, 20))
    assert may_take_hazardous_position(v, on=TODAY)
    assert not may_take_hazardous_position(v, on=date(2026, 11, 19))


def test_dual_report_only_for_party_members(world):
    with pytest.raises(InvalidInput):
        register(world, dual_report_community_id=world.a["community"].pk)


@pytest.mark.parametrize(
    "bad",
    [
        {"skills": ["flying"]},
        {"service_categories": ["space"]},
        {"political_status": "x"},
        {"availability": [(7, time(9), time(10))]},
        {"availability": [(1, time(10), time(9))]},
        {"certificates": [{"kind": "wizard", "number": "1"}]},
        {"phone": "123"},
        {"name": " "},
        {"compound_id": -1},
    ],
)
def test_bad_fields_are_refused_with_nothing_written(world, bad):
    from shezhi.volunteers.models import Volunteer

    before = Volunteer.objects.count()
    with pytest.raises((InvalidInput, NotFound)):
        register(world, **bad)
    assert Volunteer.objects.count() == before


def test_outsider_cannot_register_into_another_community(world):
    with pytest.raises(NotFound):
        register(world, actor=world.charlie)


def test_a_resident_registers_only_themselves(world):
    v = register(world, actor=world.dora)
    assert v.user == world.dora
    with pytest.raises(Conflict):
        register(world, actor=world.dora, seq=21)
    other = UserFactory(role=Role.RESIDENT)
    with pytest.raises(Forbidden):
        register(world, actor=world.dora, user=other, seq=23)


def test_id_number_never_appears_in_the_volunteer_number_or_str(world):
    v = register(world)
    assert v.id_number not in v.volunteer_no
    assert v.id_number not in str(v)


def registration(born=date(1990, 1, 1), seq=11, **kw) -> Registration:
    fields = dict(
        name="批量",
        gender="",
        birth_date=None,
        id_number=compose_id_number(AREA, born, seq),
        phone="13912345678",
        skills=["repair"],
        consent_version="2026-01",
    )
    fields.update(kw)
    return Registration(**fields)


def register_many(world, registrations, actor=None):
    return volunteers_register_many(
        actor=actor or world.alice,
        community_id=world.a["community"].pk,
        registrations=registrations,
        today=TODAY,
    )


def test_many_registrations_get_consecutive_numbers_accounts_consents_and_audit(world):
    first = register(world, seq=13)
    child = registration(
        born=date(2015, 2, 2),
        seq=15,
        guardian_consent=True,
        guardian_name="家长",
        guardian_phone="13800000000",
    )
    many = register_many(world, [registration(), child, registration(seq=17, skills=[])])
    numbers = [int(v.volunteer_no[-8:]) for v in many]
    assert numbers == [int(first.volunteer_no[-8:]) + n for n in (1, 2, 3)]
    assert all(v.user.role == Role.VOLUNTEER and not v.user.has_usable_password() for v in many)
    assert [v.user.username for v in many] == [v.volunteer_no for v in many]
    assert [sorted(c.kind for c in v.consents.all()) for v in many] == [
        ["self"],
        ["guardian", "self"],
        ["self"],
    ]
    assert [v.is_sensitive for v in many] == [False, True, False]
    assert [[s.code for s in v.skills.all()] for v in many] == [["repair"], ["repair"], []]
    audited = AuditEvent.objects.filter(object_type="volunteers.volunteer", actor=world.alice)
    assert {int(e.object_id) for e in audited} == {first.pk, *(v.pk for v in many)}
    assert all(e.actor_id == world.alice.pk for e in audited)


@pytest.mark.parametrize(
    "bad, index, field",
    [
        ({"id_number": "420106199001010000"}, 1, "id_number"),
        ({"born": date(1990, 1, 1), "seq": 11}, 1, "id_number"),  # the first one's ID number
        ({"skills": ["no-such-skill"]}, 1, "skills"),
        ({"born": date(2012, 5, 5)}, 1, "guardian_consent"),
    ],
)
def test_a_refused_registration_names_its_index_and_writes_nothing(world, bad, index, field):
    bad = dict(bad)
    born, seq = bad.pop("born", date(1991, 1, 1)), bad.pop("seq", 19)
    before = Volunteer.objects.count(), AuditEvent.objects.count()
    with pytest.raises(ItemRefused) as caught:
        register_many(world, [registration(), registration(born=born, seq=seq, **bad)])
    assert (caught.value.index, caught.value.field) == (index, field)
    assert (Volunteer.objects.count(), AuditEvent.objects.count()) == before


def test_an_id_number_registered_before_is_refused_in_a_batch(world):
    register(world, born=date(1990, 1, 1), seq=11)
    with pytest.raises(ItemRefused) as caught:
        register_many(world, [registration(seq=13), registration()])
    assert (caught.value.index, caught.value.code) == (1, "conflict")


def test_only_staff_of_the_community_register_many(world):
    before = Volunteer.objects.count()
    with pytest.raises(Forbidden):
        register_many(world, [registration()], actor=world.dora)
    with pytest.raises(NotFound):
        register_many(world, [registration()], actor=world.charlie)
    assert Volunteer.objects.count() == before
