import pytest
from django.core.exceptions import ValidationError

from shezhi.org.models import Level, OrgUnit, Station
from shezhi.org.tests.factories import OrgUnitFactory, make_tree


def test_paths_chain_the_codes_and_within_selects_the_subtree(db):
    a, b = make_tree("A"), make_tree("B")
    assert a["grid"].path.startswith(a["compound"].path) and a["grid"].path.count("/") == 6
    subtree = set(OrgUnit.objects.within(a["street"]).values_list("pk", flat=True))
    assert a["grid"].pk in subtree and b["grid"].pk not in subtree
    assert a["grid"].ancestor(Level.COMMUNITY) == a["community"]


def test_a_unit_must_hang_under_the_level_above(db):
    tree = make_tree()
    misplaced = OrgUnit(level=Level.GRID, code="999", name="错网格", parent=tree["street"])
    with pytest.raises(ValidationError, match="网格的上级应为小区"):
        misplaced.full_clean()
    with pytest.raises(ValidationError):
        OrgUnit(level=Level.DISTRICT, code="1", name="区", parent=tree["district"]).full_clean()


def test_codes_are_unique_among_siblings(db):
    tree = make_tree()
    OrgUnitFactory(level=Level.COMPOUND, parent=tree["community"], code="777")
    with pytest.raises(ValidationError):
        OrgUnit(
            level=Level.COMPOUND, parent=tree["community"], code="777", name="重复"
        ).full_clean()


def test_station_tier_matches_its_unit(db):
    tree = make_tree()
    Station(tier=Station.Tier.STREET, name="街道社工站", unit=tree["street"]).full_clean()
    with pytest.raises(ValidationError, match="社区社工室应设在社区"):
        Station(tier=Station.Tier.COMMUNITY, name="x", unit=tree["street"]).full_clean()
