import pytest

from shezhi.core.errors import Forbidden, InvalidInput, NotFound
from shezhi.core.models import AuditEvent
from shezhi.people import selectors, services
from shezhi.people.models import Resident

GOOD_ID = "11010519491231002X"


def register(world, **overrides):
    data = {
        "name": "王秀英",
        "id_number": GOOD_ID,
        "grid_id": world.a["grid"].pk,
        "phone": "13812345678",
        "tag_codes": ["living_alone"],
        "consent_given": True,
    }
    data.update(overrides)
    return services.resident_create(actor=world.alice, **data)


def test_registration_derives_birth_and_gender_from_the_id_and_is_audited(world):
    resident = register(world)
    assert str(resident.birth_date) == "1949-12-31" and resident.gender == "F"
    assert resident.community == world.a["community"]
    assert resident.consent_version and resident.consent_recorded_by == world.alice
    event = AuditEvent.objects.get(object_type="people.resident", object_id=str(resident.pk))
    assert event.actor == world.alice and event.action == "create"


def test_wrong_check_digit_is_refused_naming_the_field(world):
    with pytest.raises(InvalidInput) as exc:
        register(world, id_number="110105194912310021")
    assert exc.value.field == "id_number" and "校验位" in exc.value.message
    assert not Resident.objects.filter(name="王秀英").exists()


def test_bad_phone_and_missing_consent_are_refused(world):
    with pytest.raises(InvalidInput) as exc:
        register(world, phone="12345")
    assert exc.value.field == "phone"
    with pytest.raises(InvalidInput) as exc:
        register(world, consent_given=False)
    assert exc.value.field == "consent_given"


def test_duplicate_id_number_is_refused(world):
    register(world)
    with pytest.raises(InvalidInput, match="已"):
        register(world, name="另一人")


def test_outsider_cannot_register_into_or_read_another_community(world):
    with pytest.raises(NotFound):
        services.resident_create(
            actor=world.charlie,
            name="x",
            id_number=GOOD_ID,
            grid_id=world.a["grid"].pk,
            consent_given=True,
        )
    with pytest.raises(NotFound):
        selectors.resident_get(actor=world.charlie, resident_id=world.dora_resident.pk)


def test_update_records_a_diff_without_copying_the_phone(world):
    resident = register(world)
    services.resident_update(
        actor=world.alice, resident_id=resident.pk, phone="13900001111", address="5栋101"
    )
    event = AuditEvent.objects.filter(action="update").get()
    assert event.changes["address"] == ["", "5栋101"]
    assert event.changes["phone"] == ["***", "***"]
    assert "13900001111" not in str(event.changes)


def test_reveal_is_audited_and_refused_to_volunteers(world):
    resident = selectors.resident_reveal(actor=world.alice, resident_id=world.dora_resident.pk)
    assert resident.id_number == world.dora_resident.id_number
    assert (
        AuditEvent.objects.filter(action="read_unmasked", object_id=str(resident.pk)).count() == 1
    )
    with pytest.raises(NotFound):  # volunteers cannot see residents at all
        selectors.resident_reveal(actor=world.bob, resident_id=world.dora_resident.pk)


def test_roles_that_may_not_unmask_get_forbidden(world):
    from shezhi.accounts.models import Role
    from shezhi.accounts.tests.factories import UserFactory

    street_admin = UserFactory(role=Role.STREET_ADMIN, unit=world.a["street"])
    with pytest.raises(Forbidden):
        selectors.resident_reveal(actor=street_admin, resident_id=world.dora_resident.pk)


def test_scope_per_role(world):
    def visible(user):
        return set(selectors.residents_visible_to(user).values_list("pk", flat=True))

    a, b = world.dora_resident.pk, world.resident_b.pk
    assert visible(world.alice) == {a}
    assert visible(world.charlie) == {b}
    assert visible(world.sam) == {a}  # street supervisor sees the street
    assert visible(world.gina) == {a}  # grid worker sees the grid
    assert visible(world.admin) == {a, b}
    assert visible(world.bob) == set()
    assert visible(world.dora) == {a}
    assert visible(world.partner_user) == set()
