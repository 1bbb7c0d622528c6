"""Role × state: the selector, the page's buttons, the API's allowed_actions and the services
agree on what each user of the cast may do with a need in each state."""

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from shezhi.accounts.models import STAFF_ROLES, Role, User
from shezhi.core.errors import Conflict, DomainError, Forbidden, NotFound
from shezhi.needs import services
from shezhi.needs.models import Need
from shezhi.needs.permissions import NeedAction, need_actions_for
from shezhi.needs.selectors import need_get

A = NeedAction
CAST = ("alice", "charlie", "gina", "sam", "admin", "bob", "erin", "dora", "partner_user")
# Refusals that are the permission's answer; any other domain error (a too-early start, bad
# input) comes after the guard let the actor through.
REFUSAL_CODES = {"illegal_transition", "taken", "no_booked_time"}
# The form each action posts to, per page (dispatch and redispatch share one form).
DESK_FORMS = {
    "desk:dispatch": {A.DISPATCH, A.REDISPATCH},
    "desk:review": {A.REVIEW},
    "desk:edit": {A.EDIT},
    "desk:waive_start": {A.WAIVE_START},
    "desk:cancel": {A.CANCEL},
    "desk:unresolvable": {A.UNRESOLVABLE},
}
ORDER_FORMS = {
    "m:accept": {A.ACCEPT},
    "m:decline": {A.RETURN},
    "m:start": {A.START},
    "m:complete": {A.COMPLETE},
}
RESIDENT_FORMS = {"m:rate": {A.RATE}, "m:cancel": {A.CANCEL}}


class Rollback(Exception):
    pass


def _need_in(world, state: str) -> Need:
    """A need of dora's, booked the day after tomorrow, dispatched to bob, moved to `state`."""
    start = timezone.now().replace(hour=10, minute=0, second=0, microsecond=0) + timedelta(days=2)
    need = services.need_create(
        actor=world.dora,
        category="repair",
        urgency="general",
        description="热水器坏了，没有热水洗澡",
        wanted_from=start,
        wanted_until=start + timedelta(hours=2),
    )
    alice, bob, pk = world.alice, world.bob, need.pk
    steps: list[Callable[[], object]] = []
    if state != "pending":
        steps.append(
            lambda: services.need_dispatch(
                actor=alice, need_id=pk, target_kind="volunteer", target_id=world.bob_volunteer.pk
            )
        )
    if state in ("accepted", "in_service", "done", "rated", "review"):
        steps.append(lambda: services.need_accept(actor=bob, need_id=pk))
    if state in ("in_service", "done", "rated", "review"):
        steps.append(
            lambda: services.need_waive_start_window(actor=alice, need_id=pk, reason="改约")
        )
        steps.append(lambda: services.need_start(actor=bob, need_id=pk))
    if state in ("done", "rated", "review"):
        steps.append(
            lambda: services.need_complete(actor=bob, need_id=pk, minutes=60, note="修好了")
        )
    if state in ("rated", "review"):
        score = 1 if state == "review" else 5
        steps.append(lambda: services.need_rate(actor=world.dora, need_id=pk, score=score))
    if state == "cancelled":
        steps.append(lambda: services.need_cancel(actor=alice, need_id=pk, reason="重复登记"))
    if state == "unresolvable":
        steps.append(
            lambda: services.need_mark_unresolvable(actor=alice, need_id=pk, reason="无法联系")
        )
    for step in steps:
        step()
    need.refresh_from_db()
    return need


def _calls(actor: User, need: Need) -> dict[frozenset[NeedAction], Callable[[], object]]:
    pk = need.pk
    return {
        frozenset({A.DISPATCH, A.REDISPATCH}): lambda: services.need_dispatch(
            actor=actor, need_id=pk, target_kind="pool"
        ),
        frozenset({A.RETURN}): lambda: services.need_return(actor=actor, need_id=pk, reason="忙"),
        frozenset({A.ACCEPT}): lambda: services.need_accept(actor=actor, need_id=pk),
        frozenset({A.START}): lambda: services.need_start(actor=actor, need_id=pk),
        frozenset({A.COMPLETE}): lambda: services.need_complete(
            actor=actor, need_id=pk, minutes=30, note="完成"
        ),
        frozenset({A.RATE}): lambda: services.need_rate(actor=actor, need_id=pk, score=5),
        frozenset({A.CANCEL}): lambda: services.need_cancel(
            actor=actor, need_id=pk, reason="不要了"
        ),
        frozenset({A.UNRESOLVABLE}): lambda: services.need_mark_unresolvable(
            actor=actor, need_id=pk, reason="办不了"
        ),
        frozenset({A.REVIEW}): lambda: services.need_review(
            actor=actor, need_id=pk, reopen=False, note="已回访"
        ),
        frozenset({A.REOPEN}): lambda: services.need_review(
            actor=actor, need_id=pk, reopen=True, note="重新办理"
        ),
        frozenset({A.EDIT}): lambda: services.need_update(
            actor=actor, need_id=pk, expected_version=need.version, title="热水器维修"
        ),
        frozenset({A.WAIVE_START}): lambda: services.need_waive_start_window(
            actor=actor, need_id=pk, reason="居民改约"
        ),
    }


def _service_lets_through(call: Callable[[], object]) -> bool:
    """Run the service in a savepoint that is always rolled back; True unless it was refused."""
    try:
        with transaction.atomic():
            try:
                call()
            except (Forbidden, NotFound):
                return False
            except Conflict as exc:
                if exc.code in REFUSAL_CODES:
                    return False
            except DomainError:
                pass
            raise Rollback
    except Rollback:
        return True


def _page(user: User, need: Need) -> tuple[int, str, dict[str, set[NeedAction]]]:
    client = Client()
    client.force_login(user)
    if user.role in STAFF_ROLES:
        name, forms = "desk:need", DESK_FORMS
    elif user.role == Role.RESIDENT:
        name, forms = "m:need", RESIDENT_FORMS
    else:
        name, forms = "m:order", ORDER_FORMS
    response = client.get(reverse(name, args=[need.pk]))
    return response.status_code, response.content.decode(), forms


STATES = ("pending", "dispatched", "accepted", "in_service", "done", "rated", "review")
STATES += ("cancelled", "unresolvable")


@pytest.mark.parametrize("state", STATES)
def test_selector_page_api_and_services_agree(world, state):
    need = _need_in(world, state)
    seen: dict[str, frozenset[NeedAction]] = {}
    for name in CAST:
        user: User = getattr(world, name)
        try:
            visible = need_get(actor=user, need_id=need.pk)
        except NotFound:
            visible = None
        actions = need_actions_for(user, visible) if visible else frozenset()
        seen[name] = actions
        where = f"{name} / {state}"

        status, html, forms = _page(user, need)
        if visible is None:
            assert status in (403, 404), where
        else:
            assert status == 200, where
            for url_name, needed in forms.items():
                shown = f'action="{reverse(url_name, args=[need.pk])}"' in html
                assert shown == bool(actions & needed), f"{where}: {url_name}"

        api = Client()
        api.force_login(user)
        response = api.get(f"/api/v1/needs/{need.pk}")
        if visible is None:
            assert response.status_code == 404, where
        else:
            assert set(response.json()["allowed_actions"]) == {a.value for a in actions}, where

        for group, call in _calls(user, need).items():
            assert _service_lets_through(call) == bool(actions & group), f"{where}: {set(group)}"

    # The outsider (another community's social worker) may do nothing; the rules are not empty.
    assert seen["charlie"] == frozenset()
    for name, expected in EXPECTED.get(state, {}).items():
        assert seen[name] == expected, f"{name} / {state}"


# Spot checks, so that agreement on "nothing allowed" cannot pass for the wrong reason.
EXPECTED: dict[str, dict[str, frozenset[NeedAction]]] = {
    "pending": {
        "dora": frozenset({A.CANCEL}),
        "alice": frozenset({A.DISPATCH, A.CANCEL, A.UNRESOLVABLE, A.EDIT}),
        "gina": frozenset(),
    },
    "dispatched": {
        "bob": frozenset({A.ACCEPT, A.RETURN}),
        "dora": frozenset({A.CANCEL}),
        "sam": frozenset({A.REDISPATCH, A.RETURN, A.CANCEL, A.UNRESOLVABLE, A.EDIT, A.WAIVE_START}),
    },
    "accepted": {"bob": frozenset({A.START, A.COMPLETE, A.RETURN}), "dora": frozenset()},
    "in_service": {"bob": frozenset({A.COMPLETE}), "alice": frozenset({A.UNRESOLVABLE, A.EDIT})},
    "done": {"dora": frozenset({A.RATE}), "bob": frozenset()},
    "review": {"alice": frozenset({A.REVIEW, A.REOPEN}), "dora": frozenset()},
    "rated": {"alice": frozenset(), "dora": frozenset()},
    "cancelled": {"alice": frozenset(), "admin": frozenset()},
}
