"""The desk list of late service records (补录审批): each row's approval form follows
`record_actions_for`, not a list of roles."""

from datetime import date, datetime

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from shezhi.volunteers.models import ServiceRecord
from shezhi.volunteers.permissions import RecordAction, record_actions_for
from shezhi.volunteers.tests.factories import record

URL = "/desk/records/late/"
# Recorded on 17 November for a service of 12 October: past the ten working days, so late.
NOW = timezone.make_aware(datetime(2026, 11, 17, 10, 0))


def _page(user) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(URL)
    assert response.status_code == 200
    return response.content.decode()


def test_each_row_offers_what_the_records_selector_allows(world):
    late = record(
        world.alice,
        world.bob_volunteer,
        world.a["community"],
        service_date=date(2026, 10, 12),
        now=NOW,
    )
    assert late.status == ServiceRecord.Status.PENDING
    form = f'action="{reverse("desk:late_decide", args=[late.pk])}"'
    for user, approves in ((world.sam, True), (world.admin, True), (world.alice, False)):
        html = _page(user)
        allowed = RecordAction.APPROVE_LATE in record_actions_for(user, late)
        assert allowed == approves, user
        assert (form in html) == allowed, user
        assert ("只有督导可以审批逾期记录" in html) == (not allowed), user
    # The outsider (another community's social worker) does not see the record at all.
    assert late.title not in _page(world.charlie) and form not in _page(world.charlie)
