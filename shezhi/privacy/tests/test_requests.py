"""Requests: who may file and answer them, the deadline, one open per kind, notices, audit."""

from datetime import date

import pytest
from django.test import override_settings

from shezhi.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from shezhi.core.models import AuditEvent
from shezhi.notifications.models import Notification
from shezhi.privacy import services
from shezhi.privacy.models import RightsRequest
from shezhi.privacy.selectors import due_on, request_get, requests_visible_to, rights_resident

Kind, Status = RightsRequest.Kind, RightsRequest.Status


def _file(world, kind=Kind.CORRECTION, details="出生日期应为1945年3月9日", actor=None):
    actor = actor or world.dora
    resident = rights_resident(actor=actor, resident_id=world.dora_resident.pk)
    return services.rights_request_create(
        actor=actor, resident=resident, kind=kind, details=details
    )


def test_resident_files_for_themself_and_staff_are_told(world):
    req = _file(world)
    assert req.due_on > req.created_at.date() and not req.on_behalf
    assert Notification.objects.filter(recipient=world.dora, kind="data_rights").exists()
    staff = Notification.objects.filter(recipient=world.alice, kind="data_rights").get()
    assert f"#{req.pk}" in staff.body and world.dora_resident.name not in staff.title + staff.body
    assert AuditEvent.objects.filter(object_type="privacy.rightsrequest", action="create").exists()


@override_settings(SHEZHI_PRIVACY_ANSWER_WORKDAYS=3)
def test_deadline_counts_working_days(db):
    # Friday + 3 working days = Wednesday
    assert due_on(None, date(2026, 12, 4)) == date(2026, 12, 9)


def test_worker_files_on_behalf(world):
    req = _file(world, actor=world.gina)
    assert req.on_behalf and req.requested_by == world.gina


def test_outsider_and_volunteer_cannot_reach_the_resident(world):
    for actor in (world.charlie, world.bob):
        with pytest.raises(NotFound):
            rights_resident(actor=actor, resident_id=world.dora_resident.pk)
    req = _file(world)
    with pytest.raises(NotFound):
        request_get(actor=world.charlie, request_id=req.pk)
    assert not requests_visible_to(world.charlie).exists()
    assert not requests_visible_to(world.bob).exists()


def test_correction_must_say_what_is_wrong(world):
    with pytest.raises(InvalidInput) as exc:
        _file(world, details="  ")
    assert exc.value.field == "details"


def test_unknown_kind_is_refused(world):
    with pytest.raises(InvalidInput):
        _file(world, kind="erase_everything")


def test_one_open_request_per_kind(world):
    _file(world)
    with pytest.raises(Conflict):
        _file(world)
    _file(world, kind=Kind.ACCESS, details="")  # another kind is fine


def test_answer_correction_and_resident_is_told(world):
    req = _file(world)
    done = services.rights_request_answer(
        actor=world.alice, request=req, accept=True, answer="已将出生日期改为1945年3月9日"
    )
    assert done.status == Status.DONE and done.answered_by == world.alice
    titles = Notification.objects.filter(recipient=world.dora).values_list("title", flat=True)
    assert any("已办结" in t for t in titles)


def test_refusal_needs_a_reason(world):
    req = _file(world)
    with pytest.raises(InvalidInput):
        services.rights_request_answer(actor=world.alice, request=req, accept=False, answer="")
    refused = services.rights_request_answer(
        actor=world.alice, request=req, accept=False, answer="出生日期与户口本一致，无误"
    )
    assert refused.status == Status.REFUSED


def test_grid_worker_and_resident_cannot_answer(world):
    req = _file(world)
    for actor in (world.gina, world.dora):
        with pytest.raises(Forbidden):
            services.rights_request_answer(actor=actor, request=req, accept=True, answer="好")
    assert RightsRequest.objects.get(pk=req.pk).status == Status.OPEN
