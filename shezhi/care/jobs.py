"""The scheduled care jobs: escalation of unacknowledged alerts and the overdue computation.
Both are set-based (a fixed number of statements whatever the number of residents) and take
the clock as a parameter; `shezhi care_jobs` runs them (cron or a task queue)."""

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import CharField, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Cast
from django.utils import timezone

from shezhi.accounts.models import Role, User
from shezhi.care.models import CareAlert, CareProfile, ContactAssignment, ScanWatermark
from shezhi.care.services.common import BATCH
from shezhi.care.services.scanning import notify_alert, scan_text
from shezhi.core.models import AuditEvent
from shezhi.core.rollups import rollups_touch_rows
from shezhi.needs.models import Need
from shezhi.notifications.models import Notification
from shezhi.org.models import OrgUnit
from shezhi.people.models import Resident


def _street_supervisors(community_ids: Iterable[int]) -> dict[int, int | None]:
    """community id → the id of a supervisor of its street (or None)."""
    street_of = dict(
        OrgUnit.objects.filter(pk__in=list(community_ids)).values_list("pk", "parent_id")
    )
    supervisors: dict[int, int] = {}
    for unit_id, user_id in (
        User.objects.filter(
            role=Role.SUPERVISOR, unit_id__in=set(street_of.values()), is_active=True
        )
        .order_by("-id")
        .values_list("unit_id", "id")
    ):
        supervisors[unit_id] = user_id
    return {c: supervisors.get(s) for c, s in street_of.items()}


@transaction.atomic
def alerts_escalate(*, now: datetime) -> int:
    """Alerts still unacknowledged past their deadline go to the street supervisor.
    Set-based: one read, one conditional UPDATE per supervisor, one bulk audit insert."""
    due = CareAlert.objects.filter(status=CareAlert.Status.OPEN, due_by__lt=now)
    by_community: dict[int, list[int]] = {}
    for pk, community_id in due.values_list("pk", "community_id"):
        by_community.setdefault(community_id, []).append(pk)
    if not by_community:
        return 0
    to_supervisor = _street_supervisors(by_community)
    groups: dict[int | None, list[int]] = {}
    for community_id, ids in by_community.items():
        groups.setdefault(to_supervisor.get(community_id), []).extend(ids)
    escalated = 0
    for supervisor_id, ids in groups.items():
        escalated += CareAlert.objects.filter(pk__in=ids, status=CareAlert.Status.OPEN).update(
            status=CareAlert.Status.ESCALATED,
            escalated_to_id=supervisor_id,
            escalated_at=now,
            updated_at=now,
        )
    done = CareAlert.objects.filter(
        status=CareAlert.Status.ESCALATED, escalated_at=now
    ).values_list("pk", "escalated_to_id")
    AuditEvent.objects.bulk_create(
        [
            AuditEvent(
                actor=None,
                action=AuditEvent.Action.TRANSITION,
                object_type="care.carealert",
                object_id=str(pk),
                summary="超时未确认，升级至街道督导" if sup else "超时未确认，升级（街道无督导）",
                changes={"status": ["open", "escalated"]},
            )
            for pk, sup in done
        ],
        batch_size=BATCH,
    )
    _notify_supervisors([(pk, sup) for pk, sup in done if sup is not None])
    return escalated


def _notify_supervisors(escalated: list[tuple[int, int]]) -> None:
    """Each supervisor hears of each alert escalated to them (few: only unacknowledged ones)."""
    alerts = CareAlert.objects.in_bulk([pk for pk, _ in escalated])
    supervisors = User.objects.in_bulk({sup for _, sup in escalated})
    for pk, sup in escalated:
        notify_alert(alerts[pk], supervisors[sup], kind=Notification.Kind.CARE_ESCALATED)


# --- the scheduled overdue job ----------------------------------------------------------


@dataclass(frozen=True)
class OverdueResult:
    overdue_opened: int
    overdue_closed: int
    no_contact_opened: int
    no_contact_closed: int


def _insert_alerts(kind: str, rows: QuerySet[Any], summary: str, now: datetime) -> int:
    """INSERT … SELECT: one statement opens an alert for every (resident, community, grid) row
    of `rows` that has no open alert of this kind yet: ON CONFLICT DO NOTHING lets the partial
    unique constraint skip the others (also those a concurrent run has just opened). Returns the
    number inserted. Portable between SQLite (3.24+) and PostgreSQL."""
    select_sql, select_params = rows.query.sql_with_params()
    qn = connection.ops.quote_name
    columns = ", ".join(
        qn(c)
        for c in (
            "kind",
            "status",
            "summary",
            "created_at",
            "updated_at",
            "resident_id",
            "community_id",
            "grid_id",
            "category",
            "signals",
            "source_type",
            "source_id",
            "close_note",
            "mandatory_report",
            "reported_to",
        )
    )
    stamp = connection.ops.adapt_datetimefield_value(now)
    sql = (
        f"INSERT INTO {qn(CareAlert._meta.db_table)} ({columns}) "
        f"SELECT %s, %s, %s, %s, %s, s.*, '', '[]', '', '', '', FALSE, '' "
        f"FROM ({select_sql}) s WHERE TRUE ON CONFLICT DO NOTHING"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [kind, CareAlert.Status.OPEN, summary, stamp, stamp, *select_params])
        inserted = max(cursor.rowcount, 0)
    if inserted:  # the figures count alerts (a raw insert sends no signal)
        made = CareAlert.objects.filter(kind=kind, created_at=now).values_list("pk", flat=True)
        rollups_touch_rows("care.CareAlert", made, created=True)
    return inserted


def overdue_alerts_update(now: datetime) -> tuple[int, int]:
    """Open an overdue alert for each resident past their visit date; close the ones no longer
    overdue. (opened, closed)"""
    today = timezone.localdate(now)
    overdue = Q(is_active=True) & (Q(next_visit_due__lt=today) | Q(urgent_visit_by__lt=now))
    # No "has no open alert yet" filter: ON CONFLICT DO NOTHING and the partial unique
    # constraint skip those, so no query joins the alert table (whose statistics may be stale
    # right after a big insert and lead PostgreSQL to quadratic plans).
    rows = (
        CareProfile.objects.filter(overdue)
        .values_list("resident_id", "community_id", "grid_id")
        .order_by()
    )
    opened = _insert_alerts(CareAlert.Kind.OVERDUE, rows, "走访逾期，请尽快安排走访", now)
    closed = (
        CareAlert.objects.filter(kind=CareAlert.Kind.OVERDUE, status__in=CareAlert.OPEN_STATUSES)
        .filter(~Exists(CareProfile.objects.filter(overdue, resident_id=OuterRef("resident_id"))))
        .update(
            status=CareAlert.Status.CLOSED,
            closed_at=now,
            close_note="已按周期走访，自动关闭",
            updated_at=now,
        )
    )
    return opened, closed


# Driven from the registry and the tag table (small), never from all residents, and with
# NOT EXISTS rather than NOT IN so that PostgreSQL plans anti-joins.
def has_contact(ref: str) -> Exists:
    return Exists(
        ContactAssignment.objects.filter(resident_id=OuterRef(ref), ended_on__isnull=True)
    )


def no_contact_alerts_update(now: datetime) -> tuple[int, int]:
    """Open a "no contact person" alert for each resident on the registry or with a tag and no
    contact person; close the ones that have one now or need no care. (opened, closed)"""
    tags = Resident.tags.through.objects
    opened = _insert_alerts(
        CareAlert.Kind.NO_CONTACT_PERSON,
        CareProfile.objects.filter(is_active=True)
        .filter(~has_contact("resident_id"))
        .values_list("resident_id", "community_id", "grid_id")
        .order_by(),
        "关爱对象尚无一对一联系人",
        now,
    )
    opened += _insert_alerts(
        CareAlert.Kind.NO_CONTACT_PERSON,
        Resident.objects.filter(Exists(tags.filter(resident_id=OuterRef("pk"))))
        .filter(~has_contact("pk"))
        .values_list("pk", "community_id", "grid_id")
        .order_by(),
        "关爱对象尚无一对一联系人",
        now,
    )
    registered = Exists(
        CareProfile.objects.filter(resident_id=OuterRef("resident_id"), is_active=True)
    ) | Exists(tags.filter(resident_id=OuterRef("resident_id")))
    closed = (
        CareAlert.objects.filter(
            kind=CareAlert.Kind.NO_CONTACT_PERSON, status__in=CareAlert.OPEN_STATUSES
        )
        .filter(Q(has_contact("resident_id")) | ~Q(registered))
        .update(
            status=CareAlert.Status.CLOSED,
            closed_at=now,
            close_note="已有一对一联系人或不再需要关爱，自动关闭",
            updated_at=now,
        )
    )
    return opened, closed


@transaction.atomic
def overdue_compute(*, now: datetime) -> OverdueResult:
    """Who is overdue, and who has a tag or a profile but no contact person. Set-based: a
    handful of queries whatever the number of residents; alerts are opened in bulk (at most
    one open alert per resident and kind, guarded by a unique constraint) and closed in one
    UPDATE when the reason has gone."""
    overdue_opened, overdue_closed = overdue_alerts_update(now)
    no_contact_opened, no_contact_closed = no_contact_alerts_update(now)
    result = OverdueResult(overdue_opened, overdue_closed, no_contact_opened, no_contact_closed)
    AuditEvent.objects.create(
        actor=None,
        action=AuditEvent.Action.UPDATE,
        object_type="care.job",
        object_id="overdue_compute",
        summary=(
            f"逾期计算：新增逾期{overdue_opened}，关闭逾期{overdue_closed}，"
            f"新增无联系人{no_contact_opened}，关闭无联系人{no_contact_closed}"
        ),
        changes=asdict(result),
    )
    return result


def _watermark(name: str, now: datetime) -> ScanWatermark:
    mark, _ = ScanWatermark.objects.select_for_update().get_or_create(
        name=name, defaults={"scanned_until": now - timedelta(days=1)}
    )
    return mark


@transaction.atomic
def needs_scan(*, now: datetime) -> int:
    """Triage of texts the needs ledger stores (descriptions, ratings' comments) without the
    ledger calling up into this app: every run reads what was written since the last one and
    opens crisis alerts (once per text). Run it every minute with `care_jobs`."""
    opened = 0
    mark = _watermark("needs", now)
    since = mark.scanned_until
    streams = [
        ("needs.need", "created_at", lambda n: f"{n.title}\n{n.description}"),
        ("needs.rating", "rated_at", lambda n: n.rating_comment),
    ]
    for source_type, field, text_of in streams:
        rows = (
            Need.objects.filter(**{f"{field}__gt": since, f"{field}__lte": now})
            .exclude(
                Exists(
                    CareAlert.objects.filter(
                        source_type=source_type, source_id=Cast(OuterRef("pk"), CharField())
                    )
                )
            )
            .select_related("resident", "community")
            .order_by(field, "pk")
        )
        for need in rows.iterator(chunk_size=500):
            text = text_of(need)
            if text and scan_text(
                actor=None,
                text=text,
                source_type=source_type,
                source_id=str(need.pk),
                resident=need.resident,
                community=need.community,
                now=now,
            ):
                opened += 1
    mark.scanned_until = now
    mark.save(update_fields=["scanned_until"])
    return opened
