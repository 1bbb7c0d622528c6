"""Deletion (PIPL art. 47): personal data gone from every table; counts and kept records stay;
an open case keeps the case file and the client's identity, and says why."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from shezhi.cases.models import Case, CaseClosure, Stage
from shezhi.cases.tests.factories import open_case
from shezhi.core.errors import Conflict, Forbidden
from shezhi.needs.models import Need
from shezhi.notifications.models import Notification
from shezhi.people.models import Resident
from shezhi.privacy import services
from shezhi.privacy.models import RightsRequest
from shezhi.privacy.retention import retention_run
from shezhi.privacy.selectors import deletion_plan, rights_resident
from shezhi.privacy.tests.helpers import scan, spread_resident
from shezhi.volunteers.models import Volunteer

Kind, Status = RightsRequest.Kind, RightsRequest.Status


def _delete(world, resident):
    req = services.rights_request_create(actor=world.dora, resident=resident, kind=Kind.DELETION)
    return services.rights_request_answer(actor=world.alice, request=req, accept=True, answer="")


def test_the_scan_finds_the_spread_data_before_deletion(world):
    marked = spread_resident(world)
    tables = {t for t, _ in scan(marked.needles)}
    # the scan is real: it sees every place the helper wrote to
    assert {"people_resident", "needs_need", "care_visit", "core_auditevent"} <= tables
    assert {"notifications_notification", "volunteers_volunteer", "accounts_user"} <= tables


def test_deletion_leaves_no_name_id_number_or_phone_in_any_table(world):
    marked = spread_resident(world)
    needs_before = Need.objects.count()
    req = _delete(world, marked.resident)
    assert req.status == Status.DONE
    assert scan(marked.needles) == []
    # counts stay: the resident row, their need, their volunteer number and records
    assert Resident.objects.filter(pk=marked.resident.pk).exists()
    assert Need.objects.count() == needs_before
    volunteer = Volunteer.objects.get(user=world.dora)
    assert volunteer.volunteer_no and volunteer.name == "已删除"
    resident = Resident.objects.get(pk=marked.resident.pk)
    assert resident.anonymised_at is not None
    assert resident.birth_date == date(resident.birth_date.year, 1, 1)
    world.dora.refresh_from_db()
    assert not world.dora.is_active and not world.dora.has_usable_password()


def test_deletion_keeps_another_residents_data(world):
    spread_resident(world)
    other = world.resident_b
    _delete(world, world.dora_resident)
    other_after = Resident.objects.get(pk=other.pk)
    assert (other_after.name, other_after.phone) == (other.name, other.phone)


def test_the_resident_is_told_before_the_account_goes(world):
    _delete(world, world.dora_resident)
    titles = list(Notification.objects.filter(recipient=world.dora).values_list("title", flat=True))
    assert any("删除" in t and "已办结" in t for t in titles)


def test_a_second_deletion_is_refused(world):
    _delete(world, world.dora_resident)
    resident = rights_resident(actor=world.alice, resident_id=world.dora_resident.pk)
    with pytest.raises(Forbidden):
        services.rights_request_create(actor=world.alice, resident=resident, kind=Kind.DELETION)


def test_open_case_keeps_case_and_identity_and_says_why(world):
    marked = spread_resident(world)
    case = open_case(world.alice, marked.resident)
    plan = deletion_plan(marked.resident)
    assert plan["cases_in_retention"] == 1 and "个案" in plan["note"]
    req = _delete(world, marked.resident)
    assert req.status == Status.PARTLY
    assert "个案" in req.outcome["note"]
    assert {k["code"] for k in req.outcome["kept"]} >= {"case", "resident"}
    resident = Resident.objects.get(pk=marked.resident.pk)
    assert resident.name == marked.name and resident.anonymised_at is None
    assert Case.objects.get(pk=case.pk).client_id == resident.pk
    # the rest is gone now: the account and the need's own words
    world.dora.refresh_from_db()
    assert not world.dora.is_active
    assert Need.objects.get(resident=resident).description == ""
    # while the case is in retention the job keeps the identity …
    retention_run()
    assert Resident.objects.get(pk=resident.pk).anonymised_at is None
    # … and once it is closed and past retention, the job finishes the deletion
    Case.objects.filter(pk=case.pk).update(status=Stage.CLOSED)
    CaseClosure.objects.create(
        case=case,
        closed_on=timezone.localdate() - timedelta(days=11 * 365),
        reason=CaseClosure.Reason.GOALS_MET,
        outcome=CaseClosure.Outcome.ACHIEVED,
        closed_by=world.alice,
    )
    run = retention_run()
    assert run.report["resident"] == 1
    assert scan(marked.needles) == []


def test_deletion_answered_twice_is_refused(world):
    req = services.rights_request_create(
        actor=world.dora, resident=world.dora_resident, kind=Kind.DELETION
    )
    services.rights_request_answer(actor=world.alice, request=req, accept=True, answer="")
    with pytest.raises(Conflict):
        services.rights_request_answer(actor=world.alice, request=req, accept=True, answer="")
