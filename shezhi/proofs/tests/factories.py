"""Service records straight into the table (the recording rules are the volunteers app's
business and tested there); proofs only read them."""

from datetime import date
from decimal import Decimal

from shezhi.accounts.models import User
from shezhi.volunteers.models import ServiceRecord, Volunteer


def service(
    volunteer: Volunteer,
    recorder: User,
    *,
    day: date,
    hours: str = "2.0",
    title: str = "助老送餐",
    content: str = "为独居老人送午餐",
    organiser: str = "A社区居民委员会",
    status: str = ServiceRecord.Status.COUNTED,
) -> ServiceRecord:
    return ServiceRecord.objects.create(
        volunteer=volunteer,
        title=title,
        service_date=day,
        place="幸福小区",
        content=content,
        minutes=int(Decimal(hours) * 60),
        hours=Decimal(hours),
        organiser=organiser,
        person_in_charge="王主任",
        recorded_by=recorder,
        status=status,
    )
