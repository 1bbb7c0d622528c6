"""Star levels (星级志愿者) from verified hours, and findings of falsified hours.

The recompute works in bulk: one correlated aggregate UPDATE for the hours, one CASE UPDATE per
region policy (broadest first, so the nearest policy wins) and one UPDATE for barred volunteers;
no per-volunteer loop, so it scales to hundreds of thousands of volunteers.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import (
    Case,
    DecimalField,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from shezhi.accounts.models import User
from shezhi.core import audit
from shezhi.core.errors import Forbidden, InvalidInput, NotFound
from shezhi.core.inputs import clean_text
from shezhi.core.models import AuditEvent
from shezhi.core.rollups import rollups_touch_rows
from shezhi.org.models import OrgUnit
from shezhi.volunteers.models import (
    FalsificationFinding,
    RegionPolicy,
    ServiceRecord,
    ServiceRecordVersion,
    Volunteer,
)
from shezhi.volunteers.policy import DEFAULT_POLICY, Policy, policy_for, to_policy
from shezhi.volunteers.services import may_approve_late, may_record_for, record_snapshot


def star_case(thresholds: tuple[int, ...]) -> Case:
    whens = [
        When(verified_hours__gte=Decimal(t), then=Value(level))
        for level, t in sorted(enumerate(thresholds, start=1), reverse=True)
    ]
    return Case(*whens, default=Value(0), output_field=IntegerField())


def counted_hours_subquery() -> Coalesce:
    hours = (
        ServiceRecord.objects.filter(
            volunteer_id=OuterRef("pk"), status=ServiceRecord.Status.COUNTED
        )
        .order_by()
        .values("volunteer_id")
        .annotate(h=Sum("hours"))
        .values("h")
    )
    return Coalesce(
        Subquery(hours, output_field=DecimalField(max_digits=9, decimal_places=1)),
        Value(Decimal("0")),
        output_field=DecimalField(max_digits=9, decimal_places=1),
    )


def star_expression(today: date) -> Case:
    """The star each volunteer should have: 0 while barred, else by the nearest region policy's
    thresholds (deepest region first), else by the defaults."""
    regions = RegionPolicy.objects.select_related("unit").order_by("-unit__level", "unit__path")
    whens = [When(star_barred_until__gte=today, then=Value(0))]
    whens += [
        When(
            # UPDATE cannot join: the region's communities come as a subquery.
            community_id__in=OrgUnit.objects.filter(path__startswith=row.unit.path).values("pk"),
            then=star_case(to_policy(row).star_thresholds),
        )
        for row in regions
    ]
    return Case(
        *whens, default=star_case(DEFAULT_POLICY.star_thresholds), output_field=IntegerField()
    )


@dataclass(frozen=True)
class Recompute:
    volunteers: int
    hours_changed: int
    stars_changed: int


@transaction.atomic
def stars_recompute(*, today: date | None = None, volunteers: QuerySet | None = None) -> Recompute:
    """Recompute verified hours and star levels for all volunteers (or the given queryset).

    Only rows whose value changes are written: on PostgreSQL every UPDATE writes a new row
    version, so a nightly run that rewrote 200,000 unchanged volunteers cost most of its time."""
    today = today or timezone.localdate()
    base = volunteers if volunteers is not None else Volunteer.objects.all()
    hours = counted_hours_subquery()
    hours_changed = base.exclude(verified_hours=hours).update(verified_hours=hours)
    star = star_expression(today)
    # The figures count volunteers by star level: say which rows change before they do.
    rollups_touch_rows("volunteers.Volunteer", base.exclude(star=star).values_list("pk", flat=True))
    stars_changed = base.exclude(star=star).update(star=star)
    return Recompute(base.count(), hours_changed, stars_changed)


def star_of(volunteer: Volunteer, hours: Decimal, *, today: date | None = None) -> int:
    """The star a volunteer has with `hours` verified hours (0 while barred)."""
    today = today or timezone.localdate()
    if volunteer.star_barred_until and volunteer.star_barred_until >= today:
        return 0
    policy: Policy = policy_for(volunteer.community)
    return policy.star_for(hours)


@transaction.atomic
def falsification_find(
    *,
    actor: User,
    volunteer_id: int,
    record_ids: list[int],
    reason: str,
    today: date | None = None,
) -> FalsificationFinding:
    """A supervisor finds a volunteer's hours falsified: the records concerned stop counting
    (each keeps a new version) and the volunteer is barred from stars for the region's period."""
    today = today or timezone.localdate()
    volunteer = (
        Volunteer.objects.select_for_update().filter(pk=volunteer_id).select_related("community")
    ).first()
    if volunteer is None or not may_record_for(actor, volunteer.community):
        raise NotFound("未找到该志愿者", field="volunteer_id")
    if not may_approve_late(actor, volunteer.community):
        raise Forbidden("只有督导可以认定弄虚作假")
    reason = clean_text(reason, field="reason", label="认定事实", max_length=500)
    ids = sorted({int(i) for i in record_ids or []})
    records = list(
        ServiceRecord.objects.select_for_update().filter(pk__in=ids, volunteer=volunteer)
    )
    if not ids or len(records) != len(ids):
        raise InvalidInput("请选择该志愿者的服务记录", field="record_ids")
    policy = policy_for(volunteer.community)
    barred_until = today + timedelta(days=policy.bar_days)
    finding = FalsificationFinding.objects.create(
        volunteer=volunteer, reason=reason, found_by=actor, barred_until=barred_until
    )
    finding.records.set(records)
    for record in records:
        if record.status == ServiceRecord.Status.FALSIFIED:
            continue
        if not ServiceRecordVersion.objects.filter(record=record).exists():
            ServiceRecordVersion.objects.create(
                record=record,
                version=record.version,
                data=record_snapshot(record),
                reason="原始记录",
            )
        record.status = ServiceRecord.Status.FALSIFIED
        record.version += 1
        ServiceRecordVersion.objects.create(
            record=record,
            version=record.version,
            data=record_snapshot(record),
            changed_by=actor,
            reason=f"认定弄虚作假：{reason}"[:300],
        )
        record.save(update_fields=["status", "version", "updated_at"])
    if not volunteer.star_barred_until or volunteer.star_barred_until < barred_until:
        volunteer.star_barred_until = barred_until
        volunteer.save(update_fields=["star_barred_until", "updated_at"])
    stars_recompute(today=today, volunteers=Volunteer.objects.filter(pk=volunteer.pk))
    audit.record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=finding,
        summary=f"认定志愿者 {volunteer.volunteer_no} 弄虚作假，禁止评星至 {barred_until}",
        changes={"records": ids, "barred_until": str(barred_until)},
    )
    return finding


def barred(volunteer: Volunteer, *, today: date | None = None) -> bool:
    today = today or timezone.localdate()
    return bool(volunteer.star_barred_until and volunteer.star_barred_until >= today)
