"""An admin's emergency access to a case from the desk (/desk/cases/emergency/): by case number
with a stated reason, for a duration up to the maximum setting, with the supervisor told; the
admin's active grants with expiry and a revoke button; the supervisor sees grants on the case's
access-log page. An unknown number and a case outside reach get the same answer."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from shezhi.accounts.models import Role
from shezhi.accounts.tests.factories import UserFactory
from shezhi.cases.models import EmergencyAccess, Stage
from shezhi.cases.tests.factories import log_session, open_case, to_stage
from shezhi.notifications.models import Notification

pytestmark = pytest.mark.django_db

URL = "/desk/cases/emergency/"
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.get_fixed_timezone(8 * 60))


@pytest.fixture
def case(world):
    c = to_stage(open_case(world.alice, world.dora_resident), world.alice, Stage.INTERVENTION)
    log_session(c, world.alice, content="社工面谈内容")
    return c


@pytest.fixture
def clock(monkeypatch):
    """A controlled clock for the views, selectors and services (all read timezone.now)."""
    state = {"now": T0}
    monkeypatch.setattr(timezone, "now", lambda: state["now"])
    return state


def ask(client, user, case_number, **extra):
    client.force_login(user)
    data = {"case_number": case_number, "reason": "社工休假，需核查危机处置", "hours": "2"}
    data |= {"confirm": "on"} | extra
    return client.post(URL, data)


def test_only_admins_reach_the_page(client, world):
    client.force_login(world.admin)
    shown = client.get(URL).content.decode()
    assert 'data-testid="emergency-form"' in shown and "通知该个案的督导" in shown
    for outsider in (world.alice, world.sam, world.gina, world.bob):
        client.force_login(outsider)
        assert client.get(URL).status_code == 403
    client.logout()
    assert client.get(URL).status_code == 302  # to the login page


def test_the_nav_shows_the_page_to_admins_only(client, world):
    client.force_login(world.admin)
    assert 'data-testid="nav-case-emergency"' in client.get("/desk/").content.decode()
    client.force_login(world.alice)
    assert 'data-testid="nav-case-emergency"' not in client.get("/desk/").content.decode()


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"reason": ""}, "紧急访问须填写理由"),
        ({"reason": "   "}, "紧急访问须填写理由"),
        ({"confirm": ""}, "请确认将通知督导"),
        ({"hours": "7"}, "有效的选项"),  # above SHEZHI_CASE_EMERGENCY_MAX_HOURS
        ({"hours": "0"}, "有效的选项"),
        ({"case_number": "abc"}, "整数"),
    ],
)
def test_bad_requests_are_refused_on_the_form(client, world, case, settings, extra, message):
    settings.SHEZHI_CASE_EMERGENCY_MAX_HOURS = 6
    r = ask(client, world.admin, extra.pop("case_number", case.pk), **extra)
    assert r.status_code == 400
    assert message in r.content.decode()
    assert not EmergencyAccess.objects.exists()
    assert not Notification.objects.exists()


def test_durations_offered_stop_at_the_maximum_setting(client, world, settings):
    settings.SHEZHI_CASE_EMERGENCY_MAX_HOURS = 6
    client.force_login(world.admin)
    shown = client.get(URL).content.decode()
    assert '<option value="6"' in shown and '<option value="7"' not in shown
    assert "最长 6 小时" in shown


def test_unknown_number_and_case_out_of_reach_look_the_same(client, world, case):
    other_admin = UserFactory(role=Role.DISTRICT_ADMIN, unit=world.b["district"])
    missing = ask(client, world.admin, case.pk + 1000)
    out_of_reach = ask(client, other_admin, case.pk)
    assert missing.status_code == out_of_reach.status_code == 400
    for r in (missing, out_of_reach):
        assert "未找到该个案" in r.content.decode()

    def errors(r):
        html = r.content.decode()
        return html[html.index('data-testid="emergency-form"') : html.index("</form>")]

    # The form echoes the number asked for; apart from that, the two answers are identical.
    assert errors(missing).replace(str(case.pk + 1000), "N") == errors(out_of_reach).replace(
        str(case.pk), "N"
    )
    # Before any grant, the case page itself is the same 404 as a missing case.
    client.force_login(world.admin)
    assert client.get(f"/desk/cases/{case.pk}/").status_code == 404
    assert client.get(f"/desk/cases/{case.pk + 1000}/").status_code == 404
    assert not EmergencyAccess.objects.exists() and not Notification.objects.exists()


def test_grant_opens_the_case_notifies_the_supervisor_and_lists_the_grant(
    client, world, case, clock
):
    r = ask(client, world.admin, case.pk)
    assert r.status_code == 302 and r.url == URL
    shown = client.get(URL).content.decode()
    grant = EmergencyAccess.objects.get(case=case, user=world.admin)
    assert grant.expires_at == T0 + timedelta(hours=2)
    assert "督导和个案社工已收到通知" in shown
    listed = shown[shown.index('data-testid="emergency-grants"') :]
    assert f"#{case.pk}" in listed and "2026-03-02 11:00" in listed
    assert f'data-testid="revoke-{grant.pk}"' in listed
    assert world.dora_resident.name not in shown  # the list names the case number only
    assert client.get(f"/desk/cases/{case.pk}/").status_code == 200

    notice = Notification.objects.get(recipient=world.sam)
    assert notice.kind == Notification.Kind.CASE_EMERGENCY_ACCESS
    assert notice.link == f"/desk/cases/{case.pk}/" and f"#{case.pk}" in notice.title
    client.force_login(world.sam)
    assert notice.title in client.get("/m/inbox/").content.decode()
    # The supervisor reviews the grant, with its reason, on the case's access-log page.
    log = client.get(f"/desk/cases/{case.pk}/access-log/").content.decode()
    grants = log[
        log.index('data-testid="emergency-grants"') : log.index('data-testid="access-log"')
    ]
    assert "社工休假，需核查危机处置" in grants and "root" in grants and "生效中" in grants


def test_grant_expires_on_the_clock(client, world, case, clock):
    ask(client, world.admin, case.pk)
    grant = EmergencyAccess.objects.get()
    clock["now"] = grant.expires_at - timedelta(minutes=1)
    assert client.get(f"/desk/cases/{case.pk}/").status_code == 200
    assert f'data-testid="grant-{grant.pk}"' in client.get(URL).content.decode()

    clock["now"] = grant.expires_at
    assert client.get(f"/desk/cases/{case.pk}/").status_code == 404
    shown = client.get(URL).content.decode()
    assert f'data-testid="grant-{grant.pk}"' not in shown and "没有生效中的紧急访问" in shown
    client.force_login(world.sam)
    assert "已到期" in client.get(f"/desk/cases/{case.pk}/access-log/").content.decode()


def test_revoke_ends_access_at_once(client, world, case, clock):
    ask(client, world.admin, case.pk)
    grant = EmergencyAccess.objects.get()
    clock["now"] = T0 + timedelta(minutes=30)
    # A non-admin cannot revoke; an admin elsewhere and an unknown grant get 404; GET is refused.
    client.force_login(world.alice)
    assert client.post(f"{URL}{grant.pk}/revoke/").status_code == 403
    other_admin = UserFactory(role=Role.DISTRICT_ADMIN, unit=world.b["district"])
    client.force_login(other_admin)
    assert client.post(f"{URL}{grant.pk}/revoke/").status_code == 404
    client.force_login(world.admin)
    assert client.post(f"{URL}987654/revoke/").status_code == 404
    assert client.get(f"{URL}{grant.pk}/revoke/").status_code == 405
    grant.refresh_from_db()
    assert grant.revoked_at is None

    r = client.post(f"{URL}{grant.pk}/revoke/")
    assert r.status_code == 302 and r.url == URL
    grant.refresh_from_db()
    assert grant.revoked_at == T0 + timedelta(minutes=30)
    shown = client.get(URL).content.decode()
    assert "已结束个案" in shown and f'data-testid="grant-{grant.pk}"' not in shown
    assert client.get(f"/desk/cases/{case.pk}/").status_code == 404
    client.force_login(world.sam)
    log = client.get(f"/desk/cases/{case.pk}/access-log/").content.decode()
    assert "2026-03-02 09:30 撤销" in log


def test_other_staff_do_not_see_the_grants_on_the_access_log(client, world, case):
    ask(client, world.admin, case.pk)
    client.force_login(world.alice)  # the worker does not review the access log
    assert client.get(f"/desk/cases/{case.pk}/access-log/").status_code == 403
    client.force_login(world.charlie)
    assert client.get(f"/desk/cases/{case.pk}/access-log/").status_code == 404
