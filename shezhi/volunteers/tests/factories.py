from datetime import date, datetime, time

import factory
from django.utils import timezone

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
    if fields["service_date"] == timezone.localdate() and "now" not in fields:
        # Just after midnight today's hours have not passed yet: record as of noon at the earliest.
        noon = timezone.make_aware(datetime.combine(fields["service_date"], time(12)))
        fields["now"] = max(timezone.now(), noon)
    return service_record_create(
        recorder=recorder, volunteer=volunteer, organiser_unit=unit, **fields
    )


def held_records(volunteer, recorder, n=1, *, minutes=210):
    """Bulk rows held for a social worker (the rules that hold them are tested elsewhere)."""
    from datetime import date, timedelta
    from decimal import Decimal

    from shezhi.volunteers.models import ServiceRecord

    return ServiceRecord.objects.bulk_create(
        ServiceRecord(
            volunteer=volunteer,
            title=f"陪诊：陪同就诊{i}",
            service_date=date(2026, 11, 1) + timedelta(days=i),
            place="市第一医院",
            content="陪同就诊",
            minutes=minutes,
            hours=Decimal("3.5"),
            organiser="A社区",
            organiser_unit=volunteer.community,
            person_in_charge="王主任",
            recorded_by=recorder,
            source=f"need:{900000 + i}",
            status=ServiceRecord.Status.HELD,
            hold_reasons=[
                {"code": "over_elapsed", "text": "申报时长超过开始到办结实际经过的时间"},
                {"code": "unconfirmed", "text": "服务对象尚未评价确认"},
            ],
        )
        for i in range(n)
    )
