from decimal import Decimal

from django.db.models import QuerySet, Sum

from shezhi.accounts.models import User
from shezhi.volunteers.models import ServiceRecord, Volunteer


def volunteer_of(user: User) -> Volunteer | None:
    return Volunteer.objects.filter(user=user).first()


def service_records_of(user: User) -> QuerySet[ServiceRecord]:
    return ServiceRecord.objects.filter(volunteer__user=user).select_related("organiser_unit")


def total_hours_of(user: User) -> Decimal:
    return service_records_of(user).aggregate(h=Sum("hours"))["h"] or Decimal("0")
