"""Deleting one resident's personal data everywhere while keeping counts and the records the law
requires (see policy.rules): their own rows are blanked field by field, then their name, ID
number and phone are masked in every free-text and JSON column of every table of the platform.

Only the identity columns of *other* people (another resident's name or phone, a user's name) are
left alone: a namesake or a family member sharing a phone keeps their own record. Encrypted case
text is never touched here: case files within retention are kept (policy "case")."""

import json
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from django.apps import apps
from django.db import models
from django.db.models import Q, TextField
from django.db.models.functions import Cast

from shezhi.accounts.models import ApiToken, User
from shezhi.activities.models import Rating
from shezhi.care.models import CampaignStop, CareProfile, Visit
from shezhi.cases.crypto import EncryptedTextField
from shezhi.needs.models import Need
from shezhi.notifications.models import Notification
from shezhi.people.models import Resident
from shezhi.privacy.models import RightsRequest
from shezhi.privacy.scrub import contains, needles, scrub_json, scrub_text
from shezhi.volunteers.models import Consent, Volunteer

# Columns that name *someone*: left alone by the sweep (a namesake keeps their name); the
# deleted person's own values in them are blanked explicitly below.
IDENTITY_COLUMNS: dict[str, frozenset[str]] = {
    "people.resident": frozenset({"name", "id_number", "phone"}),
    "volunteers.volunteer": frozenset({"name", "id_number", "phone", "volunteer_no"}),
    "accounts.user": frozenset(
        {"username", "first_name", "last_name", "email", "display_name", "phone", "password"}
    ),
}
VISIT_NOTES = (
    "health_note",
    "meals_note",
    "safety_note",
    "mood_note",
    "living_note",
    "needs_note",
    "note",
)
NEED_TEXTS = ("description", "address", "contact_phone", "completion_note", "rating_comment")


def placeholder_id(prefix: str, pk: int) -> str:
    """A unique 18-character stand-in for a deleted ID number (never a valid one: it has a
    letter in front)."""
    return f"{prefix}{pk:0{18 - len(prefix)}d}"


def _year_start(day: date) -> date:
    return date(day.year, 1, 1)


def text_columns(model: type[models.Model]) -> list[models.Field]:
    """Free-text and JSON columns a person's identifiers may have been written into."""
    skip = IDENTITY_COLUMNS.get(model._meta.label_lower, frozenset())
    out: list[models.Field] = []
    for field in model._meta.concrete_fields:
        if field.name in skip or isinstance(field, EncryptedTextField) or field.choices:
            continue
        if isinstance(field, models.CharField | models.TextField | models.JSONField):
            out.append(field)
    return out


def _sweep_filter(field: models.Field, targets: tuple[str, ...]) -> tuple[dict[str, Any], Q]:
    """The rows whose column contains a target. JSON is matched as text, both as written and
    \\u-escaped (SQLite stores JSON with ASCII escapes)."""
    if isinstance(field, models.JSONField):
        forms = {t for t in targets} | {json.dumps(t)[1:-1] for t in targets}
        q = Q()
        for t in forms:
            q |= Q(_as_text__contains=t)
        return {"_as_text": Cast(field.name, TextField())}, q
    q = Q()
    for t in targets:
        q |= Q(**{f"{field.name}__contains": t})
    return {}, q


def sweep(targets: Iterable[str]) -> dict[str, int]:
    """Mask the targets in every free-text column of every Shezhi table; rows changed per
    table. Each column is searched by the database; only matching rows are loaded."""
    targets = tuple(t for t in targets if t)
    changed: dict[str, int] = {}
    if not targets:
        return changed
    for model in apps.get_models():
        if not model.__module__.startswith("shezhi.") or model._meta.proxy:
            continue
        for field in text_columns(model):
            annotations, q = _sweep_filter(field, targets)
            rows = model._default_manager.annotate(**annotations).filter(q)
            for pk, value in rows.values_list("pk", field.name):
                if value is None or not contains(value, targets):
                    continue
                new = (
                    scrub_json(value, targets)
                    if isinstance(field, models.JSONField)
                    else scrub_text(value, targets)
                )
                model._default_manager.filter(pk=pk).update(**{field.name: new})
                label = model._meta.label_lower
                changed[label] = changed.get(label, 0) + 1
    return changed


def _blank(qs: models.QuerySet, fields: Iterable[str]) -> int:
    return qs.update(**{f: "" for f in fields})


def anonymise_resident(
    resident: Resident, *, now: datetime, keep_identity: bool = False
) -> dict[str, int]:
    """Blank the resident's personal data everywhere (call inside the caller's transaction,
    with the resident row locked). Returns rows changed per record type.

    `keep_identity`: a case file within retention still needs to know whose it is, so the
    resident's name, ID number and phone stay (and are swept later by the retention job); the
    account, needs, visits and the rest go now."""
    user: User | None = resident.user
    volunteer = Volunteer.objects.filter(
        Q(id_number=resident.id_number) | (Q(user=user) if user else Q(pk__in=[]))
    ).first()
    targets = set(needles(resident.name, resident.id_number, resident.phone))
    if user is not None:
        targets |= set(needles(user.display_name, "", user.phone))
    if volunteer is not None:
        targets |= set(needles(volunteer.name, volunteer.id_number, volunteer.phone))
    done: dict[str, int] = {}

    needs = Need.objects.filter(resident=resident)
    done["need"] = _blank(needs, NEED_TEXTS)
    done["care"] = _blank(Visit.objects.filter(resident=resident), VISIT_NOTES)
    done["care"] += _blank(CareProfile.objects.filter(resident=resident), ["major_change_note"])
    done["care"] += _blank(CampaignStop.objects.filter(resident=resident), ["note"])
    done["request"] = _blank(RightsRequest.objects.filter(resident=resident), ["details"])
    if user is not None:
        done["rating"] = _blank(Rating.objects.filter(rater=user), ["comment"])
        done["notification"] = Notification.objects.filter(recipient=user).update(mobile="")
        ApiToken.objects.filter(user=user).delete()
        user.username = f"deleted-{user.pk}"
        user.first_name = user.last_name = user.email = user.display_name = user.phone = ""
        user.is_active = False
        user.set_unusable_password()
        user.save()
        done["account"] = 1
    if keep_identity:
        return {k: v for k, v in done.items() if v}
    if volunteer is not None:
        Volunteer.objects.filter(pk=volunteer.pk).update(
            name="已删除",
            id_number=placeholder_id("V", volunteer.pk),
            phone="",
            address="",
            birth_date=_year_start(volunteer.birth_date),
        )
        Consent.objects.filter(volunteer=volunteer).update(guardian_name="", guardian_phone="")
        done["volunteer"] = 1
    Resident.objects.filter(pk=resident.pk).update(
        name="已删除",
        id_number=placeholder_id("D", resident.pk),
        phone="",
        address="",
        household=None,
        birth_date=_year_start(resident.birth_date),
        sms_notices=False,
        anonymised_at=now,
    )
    done["resident"] = 1
    for label, n in sweep(targets).items():
        done[f"sweep:{label}"] = n
    return {k: v for k, v in done.items() if v}
