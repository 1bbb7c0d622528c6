"""Role × state: team_actions_for, the team page's buttons, the API's allowed_actions and the
team services agree for every user of the cast (the outsider included)."""

from collections.abc import Callable

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from shezhi.accounts.models import STAFF_ROLES, User
from shezhi.core.errors import Conflict, DomainError, Forbidden, NotFound
from shezhi.volunteers import teams
from shezhi.volunteers.models import Team
from shezhi.volunteers.permissions import TeamAction, team_actions_for
from shezhi.volunteers.selectors import team_get

T = TeamAction
CAST = ("alice", "charlie", "gina", "sam", "admin", "bob", "erin", "dora", "partner_user")


class Rollback(Exception):
    pass


def _lets_through(call: Callable[[], object]) -> bool:
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


def _team_in(world, state: str) -> Team:
    if state == "founded":  # erin leads it; bob is a member
        teams.team_set_role(
            actor=world.alice,
            team_id=world.team.pk,
            volunteer_id=world.erin_volunteer.pk,
            role="leader",
        )
        teams.team_join(actor=world.bob, team_id=world.team.pk)
        return world.team
    return teams.team_apply(
        actor=world.bob,
        community_id=world.a["community"].pk,
        name="助老服务队",
        kind="silver",
        charter="每周探访独居老人",
    )


def _page_buttons(html: str, ns: str, team: Team) -> set[TeamAction]:
    shown = set()
    if f'action="{reverse(ns + ":team_join", args=[team.pk])}"' in html:
        shown.add(T.JOIN)
    if "退出服务队" in html:
        shown.add(T.LEAVE)
    if f'action="{reverse("desk:team_review", args=[team.pk])}"' in html:
        shown.add(T.REVIEW)
    if f'action="{reverse(ns + ":team_role", args=[team.pk])}"' in html:
        shown.add(T.MANAGE_MEMBERS)
    return shown


@pytest.mark.parametrize("state", ["applied", "founded"])
def test_team_actions_agree(world, state):
    team = _team_in(world, state)
    member = world.bob_volunteer if state == "founded" else world.erin_volunteer
    seen = {}
    for name in CAST:
        user: User = getattr(world, name)
        where = f"{name} / {state}"
        try:
            visible = team_get(actor=user, team_id=team.pk)
        except NotFound:
            visible = None
        actions = team_actions_for(user, visible) if visible else frozenset()
        seen[name] = actions

        client = Client()
        client.force_login(user)
        ns = "desk" if user.role in STAFF_ROLES else "m"
        page = client.get(reverse(f"{ns}:team", args=[team.pk]))
        api = client.get(f"/api/v1/teams/{team.pk}")
        if visible is None:
            assert page.status_code in (403, 404) and api.status_code == 404, where
        else:
            assert page.status_code == 200, where
            # The team's members see the management forms only when they may use them.
            buttons = _page_buttons(page.content.decode(), ns, team)
            expected = set(actions) - ({T.MANAGE_MEMBERS} if state == "applied" else set())
            assert buttons == expected, where
            assert set(api.json()["allowed_actions"]) == {a.value for a in actions}, where

        calls = {
            T.REVIEW: lambda u=user: teams.team_review(actor=u, team_id=team.pk, approve=True),
            T.JOIN: lambda u=user: teams.team_join(actor=u, team_id=team.pk),
            T.LEAVE: lambda u=user: teams.team_leave(actor=u, team_id=team.pk),
            T.MANAGE_MEMBERS: lambda u=user: teams.team_set_role(
                actor=u, team_id=team.pk, volunteer_id=member.pk, role="deputy"
            ),
        }
        for action, call in calls.items():
            assert _lets_through(call) == (action in actions), f"{where}: {action}"

    assert seen["charlie"] == frozenset()
    if state == "applied":
        assert seen["alice"] == {T.REVIEW} and seen["bob"] == frozenset()
    else:
        assert seen["erin"] == {T.MANAGE_MEMBERS}
        assert seen["bob"] == {T.LEAVE}
        assert seen["alice"] == {T.MANAGE_MEMBERS}
