"""Hours that can be trusted: the start window around the booked time (and a social worker's
waiver), claims bounded by the server's clock and the category's maximum, overlaps, records held
for a social worker, the resident's rating as confirmation, and what counts for stars and proofs."""

from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
from django.db.models import F
from django.utils import timezone

from shezhi.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from shezhi.core.models import AuditEvent
from shezhi.needs import services
from shezhi.needs.models import Need, NeedCategory
from shezhi.notifications.models import Notification
from shezhi.volunteers import holds
from shezhi.volunteers.models import ServiceRecord, Volunteer
from shezhi.volunteers.stars import stars_recompute
from shezhi.volunteers.tests.factories import record as make_record
from shezhi.volunteers.tests.test_stars import give_hours

HELD = ServiceRecord.Status.HELD
COUNTED = ServiceRecord.Status.COUNTED


def tomorrow_at(hour: int):
    day = timezone.localdate() + timedelta(days=1)
    return timezone.make_aware(timezone.datetime(day.year, day.month, day.day, hour, 0))


def accepted_order(world, *, wanted_from=None, wanted_until=None, category="repair") -> Need:
    need = services.need_create(
        actor=world.dora,
        category=category,
        urgency="general",
        description="请帮忙陪同去医院",
        wanted_from=wanted_from,
        wanted_until=wanted_until,
    )
    services.need_dispatch(
        actor=world.alice,
        need_id=need.pk,
        target_kind="volunteer",
        target_id=world.bob_volunteer.pk,
    )
    return services.need_accept(actor=world.bob, need_id=need.pk)


def started(world, need: Need, *, minutes_ago: int) -> Need:
    """Start the order now and move the server's start mark `minutes_ago` into the past."""
    services.need_start(actor=world.bob, need_id=need.pk)
    Need.objects.filter(pk=need.pk).update(
        started_at=F("started_at") - timedelta(minutes=minutes_ago)
    )
    return need


def codes(record: ServiceRecord) -> list[str]:
    return [r["code"] for r in record.hold_reasons]


def bobs_record() -> ServiceRecord:
    return ServiceRecord.objects.get(source__startswith="need:")


# --- start window -----------------------------------------------------------------------------


def test_the_found_case_start_long_before_the_booked_time_is_refused(world):
    need = accepted_order(world, wanted_from=tomorrow_at(8), wanted_until=tomorrow_at(10))
    with pytest.raises(Conflict) as exc:
        services.need_start(actor=world.bob, need_id=need.pk)
    assert exc.value.code == "too_early" and "还没到预约的服务时间" in exc.value.message
    assert Need.objects.get(pk=need.pk).status == "accepted"


def test_start_inside_the_window_is_allowed_and_marks_the_servers_clock(world, settings):
    settings.SHEZHI_SERVICE_START_WINDOW_MINUTES = 30
    need = accepted_order(world, wanted_from=tomorrow_at(8), wanted_until=tomorrow_at(10))
    early = tomorrow_at(7) + timedelta(minutes=31)
    need = services.need_start(actor=world.bob, need_id=need.pk, now=early)
    assert need.status == "in_service" and need.started_at == early


@pytest.mark.parametrize("minutes_before", [31, 120])
def test_start_before_the_configured_window_is_refused(world, settings, minutes_before):
    settings.SHEZHI_SERVICE_START_WINDOW_MINUTES = 30
    need = accepted_order(world, wanted_from=tomorrow_at(8), wanted_until=tomorrow_at(10))
    with pytest.raises(Conflict):
        services.need_start(
            actor=world.bob, need_id=need.pk, now=tomorrow_at(8) - timedelta(minutes=minutes_before)
        )


def test_start_long_after_the_booked_time_is_refused(world, settings):
    settings.SHEZHI_SERVICE_START_WINDOW_MINUTES = 30
    need = accepted_order(world, wanted_from=tomorrow_at(8), wanted_until=tomorrow_at(10))
    with pytest.raises(Conflict) as exc:
        services.need_start(actor=world.bob, need_id=need.pk, now=tomorrow_at(11))
    assert exc.value.code == "too_late"


def test_an_order_without_a_booked_time_has_no_window(world):
    need = accepted_order(world)
    assert services.need_start(actor=world.bob, need_id=need.pk).status == "in_service"


def test_social_worker_waives_the_window_with_a_reason_audited(world):
    need = accepted_order(world, wanted_from=tomorrow_at(8), wanted_until=tomorrow_at(10))
    with pytest.raises(InvalidInput):
        services.need_waive_start_window(actor=world.alice, need_id=need.pk, reason=" ")
    services.need_waive_start_window(actor=world.alice, need_id=need.pk, reason="居民改约到今天")
    assert services.need_start(actor=world.bob, need_id=need.pk).status == "in_service"
    event = AuditEvent.objects.get(object_type="needs.need", summary__contains="准许不按预约")
    assert event.actor == world.alice and "居民改约到今天" in event.summary


def test_only_the_units_social_worker_may_waive_the_window(world):
    need = accepted_order(world, wanted_from=tomorrow_at(8), wanted_until=tomorrow_at(10))
    with pytest.raises(NotFound):  # the outsider of another community
        services.need_waive_start_window(actor=world.charlie, need_id=need.pk, reason="改约")
    with pytest.raises(Forbidden):  # the helper cannot lift their own window
        services.need_waive_start_window(actor=world.bob, need_id=need.pk, reason="改约")
    assert Need.objects.get(pk=need.pk).start_window_waived_at is None


# --- claims -----------------------------------------------------------------------------------


def test_the_found_case_210_minutes_claimed_one_minute_after_start_is_held(world):
    escort = NeedCategory.objects.get(code="health")
    assert escort.max_minutes == 240  # seeded: 陪诊 and the like
    need = accepted_order(world, category="health")
    started(world, need, minutes_ago=1)
    services.need_complete(actor=world.bob, need_id=need.pk, minutes=210, note="陪同就诊")
    record = bobs_record()
    assert record.status == HELD
    assert codes(record) == ["over_elapsed", "unconfirmed"]
    assert "申报210分钟，实际经过1分钟" in record.hold_reasons[0]["text"]
    # The resident's rating confirms the visit, not the length: still held for a social worker.
    services.need_rate(actor=world.dora, need_id=need.pk, score=5)
    record.refresh_from_db()
    assert record.status == HELD and codes(record) == ["over_elapsed"]
    assert world.bob_volunteer.total_hours() == 0


def test_claim_over_the_category_maximum_is_held(world):
    NeedCategory.objects.filter(code="repair").update(max_minutes=60)
    need = accepted_order(world)
    started(world, need, minutes_ago=200)
    services.need_complete(actor=world.bob, need_id=need.pk, minutes=90, note="修好了")
    record = bobs_record()
    assert codes(record) == ["over_category_max", "unconfirmed"]
    assert "上限60分钟" in record.hold_reasons[0]["text"]


def test_completing_without_starting_is_held(world):
    need = accepted_order(world)
    services.need_complete(actor=world.bob, need_id=need.pk, minutes=30, note="修好了")
    assert codes(bobs_record()) == ["no_start", "unconfirmed"]


def test_claim_within_bounds_counts_once_the_resident_rates_it(world):
    need = accepted_order(world)
    started(world, need, minutes_ago=95)
    services.need_complete(actor=world.bob, need_id=need.pk, minutes=90, note="修好了")
    record = bobs_record()
    assert record.status == HELD and codes(record) == ["unconfirmed"]
    assert record.started_at is not None and not record.period_estimated
    services.need_rate(actor=world.dora, need_id=need.pk, score=4)
    record.refresh_from_db()
    assert record.status == COUNTED and record.hold_reasons == []
    assert world.bob_volunteer.total_hours() == Decimal("1.5")


def test_a_low_rating_leaves_the_record_for_the_social_worker(world):
    need = accepted_order(world)
    started(world, need, minutes_ago=40)
    services.need_complete(actor=world.bob, need_id=need.pk, minutes=30, note="看过了")
    services.need_rate(actor=world.dora, need_id=need.pk, score=1, comment="根本没来")
    record = bobs_record()
    assert record.status == HELD and codes(record) == ["low_rating"]


def test_an_order_overlapping_the_volunteers_other_record_is_held(world):
    need = accepted_order(world)
    started(world, need, minutes_ago=60)
    now = timezone.now()
    make_record(
        world.alice,
        world.bob_volunteer,
        world.a["community"],
        service_date=None,
        minutes=None,
        started_at=now - timedelta(minutes=50),
        ended_at=now - timedelta(minutes=20),
        title="社区巡逻",
    )
    services.need_complete(actor=world.bob, need_id=need.pk, minutes=60, note="修好了")
    record = bobs_record()
    assert "overlap" in codes(record)
    assert "社区巡逻" in next(r["text"] for r in record.hold_reasons if r["code"] == "overlap")
    services.need_rate(actor=world.dora, need_id=need.pk, score=5)
    record.refresh_from_db()
    assert record.status == HELD and codes(record) == ["overlap"]


# --- confirmation -----------------------------------------------------------------------------


def held_from_order(world) -> ServiceRecord:
    """The found case: 210 minutes of 陪诊 claimed one minute after the start (held)."""
    need = accepted_order(world, category="health")
    started(world, need, minutes_ago=1)
    services.need_complete(actor=world.bob, need_id=need.pk, minutes=210, note="陪同就诊")
    return bobs_record()


@pytest.fixture
def held(world) -> ServiceRecord:
    return held_from_order(world)


def test_social_worker_confirms_with_adjusted_minutes_audited_and_notified(world, held):
    with pytest.raises(InvalidInput) as exc:  # changing the minutes needs a reason
        holds.service_record_confirm(actor=world.alice, record_id=held.pk, minutes=60)
    assert exc.value.field == "note"
    record = holds.service_record_confirm(
        actor=world.alice, record_id=held.pk, minutes=60, note="电话核实陪诊约1小时"
    )
    assert record.status == COUNTED and record.minutes == 60 and record.hours == 1
    assert record.approved_by == world.alice
    assert record.versions.filter(data__minutes=210).exists()  # the claim stays in the history
    assert AuditEvent.objects.filter(
        object_type="volunteers.servicerecord", object_id=str(held.pk), actor=world.alice
    ).exists()
    note = Notification.objects.get(recipient=world.bob, title="您的服务时长已确认")
    assert "1.0小时" in note.body or "1小时" in note.body
    with pytest.raises(Conflict):  # decided once
        holds.service_record_reject(actor=world.alice, record_id=held.pk, reason="重复")


def test_social_worker_rejects_with_a_reason_and_the_volunteer_is_told(world, held):
    with pytest.raises(InvalidInput):
        holds.service_record_reject(actor=world.alice, record_id=held.pk, reason="")
    record = holds.service_record_reject(actor=world.alice, record_id=held.pk, reason="未到医院")
    assert record.status == ServiceRecord.Status.REJECTED and record.decision_note == "未到医院"
    assert "未到医院" in Notification.objects.filter(recipient=world.bob).latest("id").body
    assert world.bob_volunteer.total_hours() == 0


def test_outsiders_cannot_decide_a_held_record(world, held):
    with pytest.raises(NotFound):  # social worker of another community
        holds.service_record_confirm(actor=world.charlie, record_id=held.pk)
    with pytest.raises(NotFound):  # the volunteer cannot confirm their own hours
        holds.service_record_confirm(actor=world.bob, record_id=held.pk)
    held.refresh_from_db()
    assert held.status == HELD


# --- stars and proofs -------------------------------------------------------------------------


def test_a_held_record_does_not_change_the_star_level_and_confirming_does(world, held):
    give_hours(world.bob_volunteer, 97, recorder=world.alice, n=5)  # 97 h: one short of 1 star
    stars_recompute()
    bob = Volunteer.objects.get(pk=world.bob_volunteer.pk)
    assert (bob.verified_hours, bob.star) == (Decimal(97), 0)
    assert held.hours == Decimal("3.5")  # 210 minutes held: would make 100.5 h and a star
    stars_recompute()
    bob.refresh_from_db()
    assert (bob.verified_hours, bob.star) == (Decimal(97), 0)
    holds.service_record_confirm(actor=world.alice, record_id=held.pk)
    bob.refresh_from_db()
    assert (bob.verified_hours, bob.star) == (Decimal("100.5"), 1)


def test_the_taker_is_told_when_the_window_is_waived(world):
    need = accepted_order(world, wanted_from=tomorrow_at(8), wanted_until=tomorrow_at(10))
    services.need_waive_start_window(actor=world.alice, need_id=need.pk, reason="居民改约")
    note = Notification.objects.get(recipient=world.bob, title="社工已准许您现在开始服务")
    assert "居民改约" in note.body and "朵拉" not in note.body


def test_a_negative_start_window_is_refused_at_start_up(settings):
    from shezhi.needs.checks import service_start_window_is_not_negative

    assert service_start_window_is_not_negative(None) == []
    settings.SHEZHI_SERVICE_START_WINDOW_MINUTES = -5
    assert [e.id for e in service_start_window_is_not_negative(None)] == ["shezhi.E401"]


def test_an_order_completed_just_after_midnight_is_dated_the_day_it_began(world, monkeypatch):
    need = accepted_order(world)
    today = timezone.localdate()
    ten_past = timezone.make_aware(datetime.combine(today + timedelta(days=1), time(0, 10)))
    monkeypatch.setattr(timezone, "now", lambda: ten_past)
    services.need_complete(actor=world.bob, need_id=need.pk, minutes=30, note="修好了")
    record = bobs_record()
    # 30 minutes ending at 00:10 began the evening before: dated then, placed before midnight.
    assert record.service_date == today and record.period_estimated
    assert record.ended_at == timezone.make_aware(
        datetime.combine(today + timedelta(days=1), time())
    )
