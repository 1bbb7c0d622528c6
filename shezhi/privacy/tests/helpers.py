"""A resident whose name, ID number and phone are written all over the platform, and a scan of
every text column of every table for them."""

import json
from dataclasses import dataclass

from django.db import connection
from django.utils import timezone

from shezhi.care.models import Visit
from shezhi.core import audit
from shezhi.core.models import AuditEvent
from shezhi.needs.tests.factories import NeedFactory
from shezhi.notifications.models import Notification
from shezhi.notifications.services import notify_by_sms
from shezhi.people.models import Resident
from shezhi.people.selectors import resident_reveal
from shezhi.volunteers.tests.factories import VolunteerFactory

NAME = "欧阳测删"
PHONE = "13912345678"


@dataclass
class Marked:
    resident: Resident
    name: str
    id_number: str
    phone: str

    @property
    def needles(self) -> tuple[str, str, str]:
        return (self.name, self.id_number, self.phone)


def spread_resident(world) -> Marked:
    """Dora, renamed to a unique name, with her identifiers in her needs, a visit note, an SMS,
    the audit trail (text and JSON), and a volunteer registration of her own."""
    r = world.dora_resident
    Resident.objects.filter(pk=r.pk).update(name=NAME, phone=PHONE)
    r.refresh_from_db()
    world.dora.display_name = NAME
    world.dora.save()
    NeedFactory(
        resident=r,
        description=f"{NAME}家热水器坏了，电话{PHONE}",
        contact_phone=PHONE,
        address="3栋2单元501",
        created_by=world.alice,
    )
    Visit.objects.create(
        resident=r, visitor=world.gina, visited_on=timezone.localdate(), note=f"{NAME}精神好"
    )
    notify_by_sms(mobile=PHONE, kind=Notification.Kind.GENERAL, title="提醒", body="请按时取药")
    resident_reveal(actor=world.alice, resident_id=r.pk)
    audit.record(
        actor=world.alice,
        action=AuditEvent.Action.UPDATE,
        obj=r,
        summary=f"修改居民{NAME}（身份证{r.id_number}）",
        changes={"phone": ["13800000000", PHONE], "name": [NAME, NAME]},
    )
    VolunteerFactory(
        community=world.a["community"],
        user=world.dora,
        name=NAME,
        id_number=r.id_number,
        phone=PHONE,
    )
    return Marked(r, NAME, r.id_number, PHONE)


def scan(needles: tuple[str, ...]) -> list[tuple[str, str]]:
    """(table, column) of every stored value containing a needle, read raw from every table in
    the database (JSON as stored, also \\u-escaped)."""
    forms = {n for n in needles if n} | {json.dumps(n)[1:-1] for n in needles if n}
    forms |= {n.lower() for n in forms}
    hits: list[tuple[str, str]] = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            columns = [d[0] for d in cursor.description]
            for row in cursor.fetchall():
                for column, value in zip(columns, row, strict=True):
                    if isinstance(value, memoryview | bytes):
                        value = bytes(value).decode("utf-8", "ignore")
                    if not isinstance(value, str):
                        if isinstance(value, dict | list):
                            value = json.dumps(value, ensure_ascii=False)
                        else:
                            continue
                    if any(f in value for f in forms):
                        hits.append((table, column))
    return hits
