"""Who may decide a service record: the selector, the desk record page and the services agree."""

from collections.abc import Callable

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from shezhi.core.errors import Conflict, DomainError, Forbidden, NotFound
from shezhi.volunteers import holds, services
from shezhi.volunteers.models import ServiceRecord
from shezhi.volunteers.permissions import RecordAction, record_actions_for
from shezhi.volunteers.tests.factories import held_records

R = RecordAction
CAST = ("alice", "charlie", "gina", "sam", "admin", "bob", "erin", "dora", "partner_user")
RECORDERS = {"alice", "sam", "admin"}  # a social worker of the community, its supervisor, admin
APPROVERS = {"sam", "admin"}


class Rollback(Exception):
    pass


def _lets_through(call: Callable[[], object]) -> bool:
    """The service in a rolled-back savepoint; True unless the guard refused the actor."""
    try:
        with transaction.atomic():
            try:
                call()
            except (Forbidden, NotFound, Conflict):
                return False
            except DomainError:
                pass
            raise Rollback
    except Rollback:
        return True


def _page(user, record: ServiceRecord) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(reverse("desk:record", kwargs={"record_id": record.pk}))
    return response.content.decode() if response.status_code == 200 else ""


@pytest.mark.parametrize("status", ["held", "pending"])
def test_selector_page_and_services_agree(world, status):
    (record,) = held_records(world.bob_volunteer, world.alice)
    if status == "pending":  # a late record awaiting a supervisor
        ServiceRecord.objects.filter(pk=record.pk).update(status=ServiceRecord.Status.PENDING)
        record.refresh_from_db()
    pk = record.pk
    late_url = reverse("desk:late_decide", args=[record.pk])
    for name in CAST:
        user = getattr(world, name)
        allowed = record_actions_for(user, record)
        expected = set()
        if name in RECORDERS:
            expected.add(R.DECIDE_CORRECTION)
            if status == "held":
                expected.add(R.CONFIRM_HELD)
        if status == "pending" and name in APPROVERS:
            expected.add(R.APPROVE_LATE)
        assert allowed == expected, (name, status)
        html = _page(user, record)
        assert (reverse("desk:held_records") in html and "去确认" in html) == (
            R.CONFIRM_HELD in allowed
        ), name
        assert (late_url in html) == (R.APPROVE_LATE in allowed), name
        confirm = _lets_through(lambda u=user: holds.service_record_confirm(actor=u, record_id=pk))
        assert confirm == (R.CONFIRM_HELD in allowed), (name, status)
        approve = _lets_through(
            lambda u=user: services.service_record_approve_late(actor=u, record_id=pk)
        )
        assert approve == (R.APPROVE_LATE in allowed), (name, status)
