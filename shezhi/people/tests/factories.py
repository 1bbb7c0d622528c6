from datetime import date

import factory

from shezhi.core.validators import compose_id_number
from shezhi.people.models import Resident


class ResidentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Resident

    name = factory.Sequence(lambda n: f"张{n}")
    gender = "F"
    birth_date = date(1945, 3, 8)
    id_number = factory.Sequence(lambda n: compose_id_number("420106", date(1945, 3, 8), 2 * n))
    phone = factory.Sequence(lambda n: f"138{n:08d}")
    compound = factory.LazyAttribute(lambda o: o.grid.parent)
    address = "3栋2单元501"
