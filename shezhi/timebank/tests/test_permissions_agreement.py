"""Role × state: account_actions_for / deposit_actions_for, the account page's forms, the API's
allowed_actions and the services agree for every user of the cast (the outsider included)."""

from collections.abc import Callable

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from shezhi.accounts.models import User
from shezhi.core.errors import DomainError, Forbidden, NotFound
from shezhi.timebank import selectors, services
from shezhi.timebank.models import Deposit
from shezhi.timebank.permissions import (
    AccountAction,
    DepositAction,
    account_actions_for,
    deposit_actions_for,
    may_reverse_by_role,
)
from shezhi.timebank.tests.factories import deposited

CAST = ("alice", "charlie", "gina", "sam", "admin", "bob", "erin", "dora", "partner_user")
# A NotFound about the object acted on is the refusal; one about another field (the relative,
# the target account) means the guard let the actor through.
REFUSAL_FIELDS = {None, "account_id", "deposit_id"}


class Rollback(Exception):
    pass


def _lets_through(call: Callable[[], object]) -> bool:
    try:
        with transaction.atomic():
            try:
                call()
            except Forbidden:
                return False
            except NotFound as exc:
                if exc.field in REFUSAL_FIELDS:
                    return False
            except DomainError:
                pass
            raise Rollback
    except Rollback:
        return True


@pytest.mark.parametrize("state", ["approved", "reversed"])
def test_account_and_deposit_actions_agree(world, state):
    deposit = deposited(world)
    if state == "reversed":
        services.deposit_reverse(actor=world.sam, deposit_id=deposit.pk, reason="记录有误")
    deposit = Deposit.objects.select_related("account__community", "record__organiser_unit").get(
        pk=deposit.pk
    )
    account = deposit.account
    seen = {}
    for name in CAST:
        user: User = getattr(world, name)
        where = f"{name} / {state}"
        try:
            selectors.account_get(actor=user, account_id=account.pk)
            actions: frozenset = account_actions_for(user, account)
        except NotFound:
            actions = frozenset()
        reverse_allowed = DepositAction.REVERSE in deposit_actions_for(user, deposit)
        seen[name] = (actions, reverse_allowed)

        client = Client()
        client.force_login(user)
        page = client.get(reverse("timebank:account", args=[account.pk]))
        api = client.get(f"/api/v1/timebank/accounts/{account.pk}")
        if not actions:
            assert page.status_code == 404 and api.status_code == 404, where
        else:
            html = page.content.decode()
            for url_name, action in (
                ("timebank:spend", AccountAction.SPEND),
                ("timebank:relative", AccountAction.RECORD_KINSHIP),
            ):
                shown = f'action="{reverse(url_name, args=[account.pk])}"' in html
                assert shown == (action in actions), f"{where}: {url_name}"
            shown = f'action="{reverse("timebank:reverse", args=[deposit.pk])}"' in html
            assert shown == reverse_allowed, f"{where}: reverse button"
            assert set(api.json()["allowed_actions"]) == {a.value for a in actions}, where
            (row,) = [d for d in api.json()["deposits"] if d["id"] == deposit.pk]
            assert row["allowed_actions"] == (["reverse"] if reverse_allowed else []), where

        calls = {
            AccountAction.SPEND: lambda u=user: services.coins_spend(
                actor=u, account_id=account.pk, amount="1", service="助餐"
            ),
            AccountAction.TRANSFER: lambda u=user: services.coins_transfer(
                actor=u, account_id=account.pk, to_account_id=account.pk + 10**6, amount="1"
            ),
            AccountAction.RECORD_KINSHIP: lambda u=user: services.kinship_record(
                actor=u,
                account_id=account.pk,
                relation="child",
                evidence="户口簿",
                relative_resident_id=world.dora_resident.pk,
            ),
        }
        for action, call in calls.items():
            assert _lets_through(call) == (action in actions), f"{where}: {action}"
        reversing = _lets_through(
            lambda u=user: services.deposit_reverse(actor=u, deposit_id=deposit.pk, reason="核对")
        )
        # A reversed deposit is refused for its state (409), after the role let the actor in.
        past_role = may_reverse_by_role(user, deposit) and user != world.bob
        assert reversing == (reverse_allowed or (state == "reversed" and past_role)), where

    assert seen["charlie"] == (frozenset(), False)
    assert seen["bob"] == (frozenset({AccountAction.SPEND, AccountAction.TRANSFER}), False)
    assert seen["alice"][0] == frozenset(AccountAction)
    assert seen["sam"][1] == (state == "approved")
