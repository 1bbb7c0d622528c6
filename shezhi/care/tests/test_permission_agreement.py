"""One rule, four readers: for every named user and every state of a care alert (and of a
campaign and its doors), what the action selector answers is what the page shows as buttons,
what the API returns as `allowed_actions`, and what the services accept (each probe rolled
back)."""

from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from shezhi.care import campaigns, services
from shezhi.care.models import Campaign, CampaignStop, CareAlert
from shezhi.care.permissions import (
    CareAction,
    alert_actions_for,
    campaign_actions_for,
    care_actions_for,
    stop_actions_for,
)
from shezhi.care.selectors import alerts_visible_to, campaigns_visible_to, coverage_for_desk
from shezhi.care.tests.factories import register
from shezhi.core.errors import Conflict, DomainError, ErrorCode, Forbidden, NotFound
from shezhi.people.tests.factories import ResidentFactory

ALERT_ACTIONS = frozenset({CareAction.ACKNOWLEDGE, CareAction.REPORT, CareAction.CLOSE})

PROBES: dict[CareAction, Callable[[Any, CareAlert], object]] = {
    CareAction.ACKNOWLEDGE: lambda u, a: services.alert_acknowledge(actor=u, alert_id=a.pk),
    CareAction.REPORT: lambda u, a: services.alert_record_report(
        actor=u, alert_id=a.pk, reported_to="辖区派出所 李警官"
    ),
    CareAction.CLOSE: lambda u, a: services.alert_close(
        actor=u, alert_id=a.pk, note="已上门处置", confirmed=True
    ),
}


def _accepted(action: CareAction, user: Any, alert: CareAlert) -> bool:
    """A refusal is 403, 404 or a state refusal; anything else got past the permission rule."""
    with transaction.atomic():
        try:
            PROBES[action](user, alert)
        except (Forbidden, NotFound):
            return False
        except Conflict as exc:
            if exc.code == ErrorCode.ILLEGAL_TRANSITION:
                return False
        except DomainError:
            pass
        finally:
            transaction.set_rollback(True)
    return True


def _alerts(world: Any) -> dict[str, CareAlert]:
    now = timezone.now()

    def alert(status: str, *, mandatory: bool = False, reported: bool = False) -> CareAlert:
        return CareAlert.objects.create(
            kind=CareAlert.Kind.CRISIS,
            status=status,
            resident=ResidentFactory(grid=world.a["grid"]),
            community=world.a["community"],
            grid=world.a["grid"],
            summary="我不想活了",
            assigned_to=world.alice,
            escalated_to=world.sam if status == CareAlert.Status.ESCALATED else None,
            mandatory_report=mandatory,
            reported_to="派出所" if reported else "",
            reported_at=now if reported else None,
        )

    return {
        "open": alert(CareAlert.Status.OPEN),
        "acknowledged": alert(CareAlert.Status.ACKNOWLEDGED),
        "escalated": alert(CareAlert.Status.ESCALATED),
        "closed": alert(CareAlert.Status.CLOSED),
        "child harm, not yet reported": alert(CareAlert.Status.OPEN, mandatory=True),
        "child harm, reported": alert(CareAlert.Status.ACKNOWLEDGED, mandatory=True, reported=True),
    }


def _page_buttons(html: str, alert: CareAlert) -> frozenset[CareAction] | None:
    """The buttons on the alert's card of the alerts page; None when the card is not there."""
    start = html.find(f'data-testid="alert-{alert.pk}"')
    if start < 0:
        return None
    end = html.find('data-testid="alert-', start + 1)
    card = html[start : end if end > 0 else len(html)]
    shown = {
        CareAction.ACKNOWLEDGE: f'data-testid="ack-{alert.pk}"' in card,
        CareAction.REPORT: f'action="{reverse("care:alert_report", args=[alert.pk])}"' in card,
        CareAction.CLOSE: f'data-testid="close-{alert.pk}"' in card,
    }
    return frozenset(a for a, on in shown.items() if on)


def test_selector_page_api_and_services_agree_for_every_user_and_alert_state(world):
    users = {
        "alice (assignee)": world.alice,
        "sam (supervisor)": world.sam,
        "gina (grid worker)": world.gina,
        "admin": world.admin,
        "charlie (outsider)": world.charlie,
        "bob (volunteer)": world.bob,
        "erin (team leader)": world.erin,
        "dora (resident)": world.dora,
        "partner": world.partner_user,
    }
    alerts = _alerts(world)
    seen: set[CareAction] = set()
    for who, user in users.items():
        client = Client()
        client.force_login(user)
        page = client.get(reverse("care:alerts"))
        desk = CareAction.MANAGE_REGISTRY in care_actions_for(user)
        assert page.status_code == (200 if desk else 403), who
        api = client.get("/api/v1/care/alerts")
        assert api.status_code == 200, who
        listed = {a["id"]: set(a["allowed_actions"]) for a in api.json()}
        html = page.content.decode()
        visible = set(alerts_visible_to(user).values_list("pk", flat=True))
        for state, alert in alerts.items():
            label = f"{who} / {state}"
            alert.refresh_from_db()
            expected = alert_actions_for(user, alert) if alert.pk in visible else frozenset()
            seen |= expected
            # The page and the API list open alerts; a closed one offers nothing to list.
            if alert.status in CareAlert.OPEN_STATUSES and alert.pk in visible:
                assert listed[alert.pk] == set(expected), label
                if desk:
                    assert _page_buttons(html, alert) == expected & ALERT_ACTIONS, label
            else:
                assert alert.pk not in listed and expected == frozenset(), label
                assert _page_buttons(html, alert) is None, label
            accepted = {a for a in PROBES if _accepted(a, user, alert)}
            assert accepted == expected & PROBES.keys(), label
    assert seen >= ALERT_ACTIONS


# --- campaigns and doors ----------------------------------------------------------------------


def _stop_accepted(user: Any, stop: CampaignStop) -> bool:
    with transaction.atomic():
        try:
            campaigns.campaign_stop_record(actor=user, stop_id=stop.pk, outcome="visited")
        except (Forbidden, NotFound):
            return False
        except Conflict as exc:
            if exc.code == ErrorCode.ILLEGAL_TRANSITION:
                return False
        except DomainError:
            pass
        finally:
            transaction.set_rollback(True)
    return True


def test_campaign_and_door_actions_agree_for_every_user_and_campaign_state(world):
    register(world.alice, world.dora_resident, "key")
    active = campaigns.campaign_launch(actor=world.alice, unit_id=world.a["grid"].pk, name="敲门")
    ended = campaigns.campaign_launch(actor=world.alice, unit_id=world.a["grid"].pk, name="已结束")
    Campaign.objects.filter(pk=ended.pk).update(status=Campaign.Status.CLOSED)
    users = [
        world.alice,
        world.sam,
        world.gina,
        world.admin,
        world.charlie,
        world.bob,
        world.erin,
        world.dora,
        world.partner_user,
    ]
    seen: set[CareAction] = set()
    for user in users:
        client = Client()
        client.force_login(user)
        listing = client.get("/api/v1/care/campaigns")
        desk = CareAction.VIEW_CAMPAIGNS in care_actions_for(user)
        assert listing.status_code == (200 if desk else 403), user
        listed = {c["id"]: c["allowed_actions"] for c in listing.json()} if desk else {}
        visible = set(campaigns_visible_to(user).values_list("pk", flat=True))
        for campaign in (active, ended):
            label = f"{user.username} / {campaign.name}"
            campaign.refresh_from_db()
            expected = campaign_actions_for(user, campaign) if campaign.pk in visible else None
            seen |= expected or set()
            if desk:
                assert listed.get(campaign.pk) == (sorted(expected) if expected else None), label
            progress = client.get(f"/api/v1/care/campaigns/{campaign.pk}")
            may_see = expected is not None and CareAction.VIEW_PROGRESS in expected
            assert (progress.status_code == 200) == may_see, label
            doors = client.get(f"/api/v1/care/campaigns/{campaign.pk}/stops")
            page = client.get(reverse("care:stops", args=[campaign.pk]))
            for stop in campaign.stops.select_related("campaign"):
                actions = stop_actions_for(user, stop)
                seen |= actions
                mine = doors.status_code == 200 and stop.pk in {d["id"] for d in doors.json()}
                if mine:
                    [door] = [d for d in doors.json() if d["id"] == stop.pk]
                    assert door["allowed_actions"] == sorted(actions), label
                    form = f'action="{reverse("care:stop_record", args=[stop.pk])}"'
                    assert (form in page.content.decode()) == (CareAction.RECORD_STOP in actions)
                visible_stop = mine or campaign.pk in visible
                expected_ok = visible_stop and CareAction.RECORD_STOP in actions
                assert _stop_accepted(user, stop) == expected_ok, label
    assert {CareAction.VIEW_PROGRESS, CareAction.WALK_DOORS, CareAction.RECORD_STOP} <= seen


def test_coverage_overview_page_and_api_agree_with_the_selector(world):
    """The coverage overview is gated once, in coverage_for_desk: the page, the API and the
    navigation (care_actions_for) agree for every user, the grid worker and outsiders included."""
    cast = ("alice", "charlie", "gina", "sam", "admin", "bob", "erin", "dora", "partner_user")
    for name in cast:
        user = getattr(world, name)
        allowed = CareAction.VIEW_COVERAGE in care_actions_for(user)
        try:
            coverage_for_desk(actor=user)
            served = True
        except Forbidden:
            served = False
        assert served == allowed, name
        client = Client()
        client.force_login(user)
        page = client.get(reverse("care:coverage"))
        api = client.get("/api/v1/care/coverage")
        expected = 200 if allowed else 403
        assert (page.status_code, api.status_code) == (expected, expected), name
    assert CareAction.VIEW_COVERAGE not in care_actions_for(world.gina)  # has her own list
