"""residents_search(): scoped search by name, address, full ID number or phone."""

from shezhi.people.selectors import residents_search
from shezhi.people.tests.factories import ResidentFactory


def test_search_finds_by_name_id_number_and_phone_within_scope(world):
    dora = world.dora_resident
    assert list(residents_search(actor=world.alice, query="朵拉")) == [dora]
    assert list(residents_search(actor=world.alice, query=dora.id_number.lower())) == [dora]
    if dora.phone:
        assert dora in residents_search(actor=world.alice, query=dora.phone)
    assert dora in residents_search(actor=world.alice, query="")


def test_outsider_finds_nothing_of_another_community(world):
    assert list(residents_search(actor=world.charlie, query="朵拉")) == []
    assert list(residents_search(actor=world.charlie, query=world.dora_resident.id_number)) == []
    assert world.resident_b in residents_search(actor=world.charlie, query="")


def test_partial_id_number_does_not_match(world):
    ResidentFactory(grid=world.a["grid"])
    partial = world.dora_resident.id_number[:6]
    assert world.dora_resident not in residents_search(actor=world.alice, query=partial)
