"""Two spends of the same coins at the same moment: exactly one succeeds, the balance never goes
below zero. Needs real concurrent transactions, so it runs on PostgreSQL."""

from decimal import Decimal

import pytest

from shezhi.core.errors import Conflict
from shezhi.core.tests.concurrency import race
from shezhi.timebank import services
from shezhi.timebank.models import Kinship, Transaction
from shezhi.timebank.tests.factories import bob_account, deposited

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.mark.parametrize("rounds", range(5))
def test_two_spends_of_the_same_coins_cannot_both_succeed(world, rounds):
    deposited(world, minutes=120)  # 2 coins
    account = bob_account(world)
    results = race(
        [
            lambda: services.coins_spend(
                actor=world.bob, account_id=account.pk, amount="1.5", service="理发"
            ),
            lambda: services.coins_spend(
                actor=world.alice, account_id=account.pk, amount="1.5", service="助浴"
            ),
        ]
    )
    assert sorted(type(r).__name__ for r in results) == ["Conflict", "Transaction"], results
    assert services.balance(account) == Decimal("0.50")
    assert Transaction.objects.filter(kind="spend").count() == 1


def test_a_spend_and_a_transfer_racing_for_the_same_coins_leave_no_negative_balance(world):
    deposited(world, minutes=120)
    account = bob_account(world)
    kinship = services.kinship_record(
        actor=world.alice,
        account_id=account.pk,
        relation=Kinship.Relation.PARENT,
        evidence="户口簿",
        relative_resident_id=world.dora_resident.pk,
    )
    results = race(
        [
            lambda: services.coins_spend(
                actor=world.bob, account_id=account.pk, amount=2, service="理发"
            ),
            lambda: services.coins_transfer(
                actor=world.bob,
                account_id=account.pk,
                to_account_id=kinship.relative_id,
                amount=2,
            ),
        ]
    )
    assert len([r for r in results if isinstance(r, Conflict)]) == 1, results
    assert services.balance(account) == Decimal("0.00")
    assert services.balance(kinship.relative) in (Decimal("0.00"), Decimal("2.00"))


def test_two_reviewers_approving_at_once_post_the_deposit_once(world):
    from shezhi.timebank.models import TimeBankPolicy

    TimeBankPolicy.objects.create(unit=world.a["street"], reviewers_required=2)
    deposit = deposited(world, minutes=120)
    results = race(
        [
            lambda: services.deposit_review(actor=world.sam, deposit_id=deposit.pk, approve=True),
            lambda: services.deposit_review(actor=world.admin, deposit_id=deposit.pk, approve=True),
        ]
    )
    assert len([r for r in results if isinstance(r, Conflict)]) == 1, results
    assert Transaction.objects.filter(kind="deposit").count() == 1
    assert services.balance(bob_account(world)) == Decimal("2.00")
