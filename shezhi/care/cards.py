"""What a visitor sees of a resident on the care pages and in the API: the care card, and how
much of the phone and address is shown. A one-on-one contact person must find the door and
call, so sees both (the full phone only on the card, and each such read is audited); staff who
visit (social and grid workers, supervisors) see the address; everyone else sees them masked."""

from dataclasses import dataclass

from shezhi.accounts.models import User
from shezhi.care.models import CareProfile, ContactAssignment, Visit
from shezhi.care.selectors import care_resident_get, contact_history, visits_of
from shezhi.core import audit
from shezhi.core.masking import mask_address, mask_mobile
from shezhi.core.models import AuditEvent
from shezhi.people.models import Resident

RECENT_VISITS = 10


def is_active_contact(user: User, resident_id: int) -> bool:
    return ContactAssignment.objects.filter(
        resident_id=resident_id, contact=user, ended_on__isnull=True
    ).exists()


def shown_address(user: User, resident: Resident, *, is_contact: bool) -> str:
    """The compound and flat in full for those who visit, else the compound only."""
    compound = resident.compound.name if resident.compound_id else ""
    full = f"{compound}{resident.address}"
    if is_contact or user.is_superuser or user.can_unmask:
        return full
    return mask_address(full, keep=len(compound)) if resident.address else compound


def listed_phone(resident: Resident) -> str:
    """Lists always mask the phone; the full number is on the contact person's card."""
    return mask_mobile(resident.phone)


@dataclass(frozen=True)
class CareCard:
    resident: Resident
    profile: CareProfile | None
    contacts: list[ContactAssignment]
    visits: list[Visit]
    is_contact: bool
    phone: str
    phone_full: bool
    address: str

    @property
    def current_contacts(self) -> list[ContactAssignment]:
        return [c for c in self.contacts if c.ended_on is None]


def care_card(*, actor: User, resident_id: int) -> CareCard:
    """The resident's care card (risk and reasons, cadence, contacts, recent visits). Outside
    the actor's care scope it is not found."""
    resident = care_resident_get(actor=actor, resident_id=resident_id)
    is_contact = is_active_contact(actor, resident.pk)
    phone_full = is_contact and bool(resident.phone)
    if phone_full:
        audit.record(
            actor=actor,
            action=AuditEvent.Action.READ_UNMASKED,
            obj=resident,
            summary="一对一联系人查看关爱对象手机号",
        )
    return CareCard(
        resident=resident,
        profile=CareProfile.objects.filter(resident=resident).first(),
        contacts=list(contact_history(actor=actor, resident_id=resident.pk)),
        visits=list(visits_of(actor=actor, resident_id=resident.pk)[:RECENT_VISITS]),
        is_contact=is_contact,
        phone=resident.phone if phone_full else mask_mobile(resident.phone),
        phone_full=phone_full,
        address=shown_address(actor, resident, is_contact=is_contact),
    )
