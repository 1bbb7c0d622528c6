import factory
from django.utils import timezone

from shezhi.needs.models import Need, NeedCategory, UrgencyLevel


class NeedFactory(factory.django.DjangoModelFactory):
    """A pending need in `community`; pass resident= to place it with a resident."""

    class Meta:
        model = Need

    title = factory.Sequence(lambda n: f"需求{n}")
    description = "家里的热水器坏了，请帮忙看看"
    category = factory.LazyFunction(lambda: NeedCategory.objects.get(code="repair"))
    urgency = factory.LazyFunction(lambda: UrgencyLevel.objects.get(code="general"))
    source = Need.Source.PHONE
    community = factory.LazyAttribute(lambda o: o.resident.community if o.resident else None)
    grid = factory.LazyAttribute(lambda o: o.resident.grid if o.resident else None)
    resident = None
    latitude = 30.55
    longitude = 114.30
    respond_by = factory.LazyFunction(lambda: timezone.now() + timezone.timedelta(hours=48))
    resolve_by = factory.LazyFunction(lambda: timezone.now() + timezone.timedelta(hours=168))
