import factory

from shezhi.org.models import Level, OrgUnit, PartnerOrganisation


class OrgUnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrgUnit

    level = Level.DISTRICT
    code = factory.Sequence(lambda n: f"{n:03d}")
    name = factory.Sequence(lambda n: f"单元{n}")
    latitude = 30.55
    longitude = 114.30


def make_tree(name: str = "A") -> dict[str, OrgUnit]:
    """A district → street → community → compound → grid chain named after `name`."""
    district = OrgUnitFactory(level=Level.DISTRICT, name=f"{name}区")
    street = OrgUnitFactory(level=Level.STREET, parent=district, name=f"{name}街道")
    community = OrgUnitFactory(level=Level.COMMUNITY, parent=street, name=f"{name}社区")
    compound = OrgUnitFactory(level=Level.COMPOUND, parent=community, name=f"{name}小区")
    grid = OrgUnitFactory(level=Level.GRID, parent=compound, name=f"{name}网格")
    return {
        "district": district,
        "street": street,
        "community": community,
        "compound": compound,
        "grid": grid,
    }


class PartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartnerOrganisation

    name = factory.Sequence(lambda n: f"合作单位{n}")
    services = "家电维修"
