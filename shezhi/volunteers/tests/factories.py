from datetime import date

import factory

from shezhi.accounts.models import Role
from shezhi.accounts.tests.factories import UserFactory
from shezhi.core.validators import compose_id_number
from shezhi.volunteers.models import Team, TeamMembership, Volunteer


class VolunteerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Volunteer
        skip_postgeneration_save = True

    user = factory.SubFactory(
        UserFactory, role=Role.VOLUNTEER, unit=factory.SelfAttribute("..community")
    )
    volunteer_no = factory.Sequence(lambda n: f"V{n:08d}")
    name = factory.Sequence(lambda n: f"李{n}")
    gender = "M"
    birth_date = date(1990, 1, 1)
    id_number = factory.Sequence(lambda n: compose_id_number("420106", date(1990, 1, 1), 2 * n + 1))
    phone = factory.Sequence(lambda n: f"139{n:08d}")
    compound = factory.LazyAttribute(lambda o: o.community.children.first())

    @factory.post_generation
    def skills(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.skills.set(extracted)


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"志愿服务队{n}")


def add_member(team: Team, volunteer: Volunteer) -> TeamMembership:
    return TeamMembership.objects.create(team=team, volunteer=volunteer)


def record(recorder, volunteer, unit, **overrides):
    """A service record made through the service (so every rule applies)."""
    from shezhi.volunteers.services import service_record_create

    fields = {
        "title": "助老送餐",
        "service_date": None,
        "place": "幸福小区",
        "content": "为独居老人送午餐",
        "minutes": 60,
        "person_in_charge": "王主任",
    }
    fields.update(overrides)
    return service_record_create(
        recorder=recorder, volunteer=volunteer, organiser_unit=unit, **fields
    )
