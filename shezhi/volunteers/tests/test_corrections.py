from datetime import date, datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from shezhi.core.errors import Conflict, InvalidInput, NotFound
from shezhi.core.models import AuditEvent
from shezhi.volunteers.models import CorrectionRequest, ServiceRecord
from shezhi.volunteers.services import (
    correction_request_decide,
    correction_request_file,
    honour_create,
    training_record_create,
)
from shezhi.volunteers.tests.factories import record


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime(2026, 11, day, hour, minute))


@pytest.fixture
def rec(world):
    return record(
        world.alice,
        world.bob_volunteer,
        world.a["community"],
        minutes=None,
        started_at=at(16, 9),
        ended_at=at(16, 10),
    )


def test_volunteer_files_and_social_worker_approves_a_correction_keeping_history(world, rec):
    req = correction_request_file(
        actor=world.bob,
        record_id=rec.pk,
        changes={"ended_at": "2026-11-16T11:30", "place": "阳光小区"},
        reason="实际服务到11点半",
    )
    assert req.status == CorrectionRequest.Status.PENDING
    correction_request_decide(actor=world.alice, request_id=req.pk, approve=True)
    rec.refresh_from_db()
    assert (rec.minutes, rec.hours, rec.place, rec.version) == (150, Decimal("2.5"), "阳光小区", 2)
    versions = list(rec.versions.order_by("version"))
    assert [v.version for v in versions] == [1, 2]
    assert versions[0].data["minutes"] == 60 and versions[0].data["place"] == "幸福小区"
    assert versions[1].data["minutes"] == 150
    assert ServiceRecord.objects.filter(pk=rec.pk).exists()
    assert AuditEvent.objects.filter(object_id=str(rec.pk), action="update").exists()


def test_rejecting_a_correction_needs_a_reason_and_leaves_the_record(world, rec):
    req = correction_request_file(
        actor=world.bob, record_id=rec.pk, changes={"minutes": 55}, reason="少记了"
    )
    with pytest.raises(InvalidInput):
        correction_request_decide(actor=world.alice, request_id=req.pk, approve=False)
    correction_request_decide(
        actor=world.alice, request_id=req.pk, approve=False, reason="与签到表不符"
    )
    req.refresh_from_db()
    rec.refresh_from_db()
    assert req.status == CorrectionRequest.Status.REJECTED
    assert req.decision_reason == "与签到表不符"
    assert (rec.minutes, rec.version) == (60, 1)


def test_a_decided_request_cannot_be_decided_again(world, rec):
    req = correction_request_file(
        actor=world.bob, record_id=rec.pk, changes={"minutes": 50}, reason="多记了"
    )
    correction_request_decide(actor=world.alice, request_id=req.pk, approve=True)
    with pytest.raises(Conflict):
        correction_request_decide(actor=world.alice, request_id=req.pk, approve=True)


def test_only_one_open_request_per_record(world, rec):
    correction_request_file(actor=world.bob, record_id=rec.pk, changes={"minutes": 50}, reason="a")
    with pytest.raises(Conflict):
        correction_request_file(
            actor=world.bob, record_id=rec.pk, changes={"minutes": 40}, reason="b"
        )


def test_another_volunteer_cannot_ask_to_correct_my_record(world, rec):
    with pytest.raises(NotFound):
        correction_request_file(
            actor=world.erin, record_id=rec.pk, changes={"minutes": 50}, reason="x"
        )


def test_outsider_cannot_decide_a_correction(world, rec):
    req = correction_request_file(
        actor=world.bob, record_id=rec.pk, changes={"minutes": 50}, reason="x"
    )
    with pytest.raises(NotFound):
        correction_request_decide(actor=world.charlie, request_id=req.pk, approve=True)


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"minutes": 60},
        {"hours": "9"},
        {"volunteer": 2},
        {"service_date": "明天"},
        {"minutes": "abc"},
    ],
)
def test_bad_correction_requests_are_refused(world, rec, changes):
    with pytest.raises(InvalidInput):
        correction_request_file(actor=world.bob, record_id=rec.pk, changes=changes, reason="x")


def test_a_correction_that_would_overlap_is_refused_on_approval(world, rec):
    record(
        world.alice,
        world.bob_volunteer,
        world.a["community"],
        minutes=None,
        started_at=at(16, 12),
        ended_at=at(16, 13),
    )
    req = correction_request_file(
        actor=world.bob, record_id=rec.pk, changes={"ended_at": "2026-11-16T12:30"}, reason="x"
    )
    with pytest.raises(InvalidInput):
        correction_request_decide(actor=world.alice, request_id=req.pk, approve=True)
    rec.refresh_from_db()
    assert rec.ended_at == at(16, 10)


def test_correcting_the_date_moves_the_stated_period(world, rec):
    req = correction_request_file(
        actor=world.bob, record_id=rec.pk, changes={"service_date": "2026-11-13"}, reason="日期记错"
    )
    correction_request_decide(actor=world.alice, request_id=req.pk, approve=True)
    rec.refresh_from_db()
    assert (rec.service_date, rec.started_at) == (date(2026, 11, 13), at(13, 9))


def test_training_and_honours_are_recorded_in_scope(world):
    t = training_record_create(
        actor=world.alice,
        volunteer_id=world.bob_volunteer.pk,
        name="急救培训",
        content="心肺复苏",
        minutes=120,
        organiser="A社区",
        day=date(2026, 11, 1),
    )
    h = honour_create(
        actor=world.alice,
        volunteer_id=world.bob_volunteer.pk,
        name="优秀志愿者",
        day=date(2026, 10, 1),
        grantor="A街道",
    )
    assert t.volunteer == h.volunteer == world.bob_volunteer
    with pytest.raises(NotFound):
        honour_create(
            actor=world.charlie,
            volunteer_id=world.bob_volunteer.pk,
            name="x",
            day=date(2026, 10, 1),
            grantor="y",
        )
    with pytest.raises(InvalidInput):
        training_record_create(
            actor=world.alice,
            volunteer_id=world.bob_volunteer.pk,
            name="x",
            content="y",
            minutes=0,
            organiser="z",
            day=date(2026, 11, 1),
        )
