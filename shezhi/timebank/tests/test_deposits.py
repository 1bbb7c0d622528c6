from decimal import Decimal

import pytest
from django.db.models import Sum

from shezhi.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from shezhi.core.models import AuditEvent
from shezhi.timebank import selectors, services
from shezhi.timebank.models import (
    Account,
    Deposit,
    Posting,
    TimeBankPolicy,
    Transaction,
)
from shezhi.timebank.tests.factories import bob_account, deposited, served
from shezhi.volunteers.models import ServiceRecord


def test_a_counted_elderly_care_record_deposits_one_coin_per_hour_by_default(world):
    deposit = deposited(world, minutes=120)
    assert deposit.status == Deposit.Status.APPROVED
    assert deposit.amount == Decimal("2.00") and deposit.rate == Decimal("1")
    account = bob_account(world)
    assert selectors.balance_of(volunteer=world.bob_volunteer) == Decimal("2.00")
    clearing = Account.objects.get(kind=Account.Kind.CLEARING, community=world.a["community"])
    assert services.balance(clearing) == Decimal("-2.00")
    assert account.account_no.startswith("TB")
    opened = AuditEvent.objects.get(object_type="timebank.account", object_id=str(account.pk))
    assert opened.actor == world.alice


def test_balance_of_is_none_without_an_account(world):
    assert selectors.balance_of(volunteer=world.erin_volunteer) is None


def test_every_transaction_is_balanced_double_entry(world):
    deposited(world, minutes=180)
    services.coins_spend(
        actor=world.bob, account_id=bob_account(world).pk, amount="1.5", service="理发"
    )
    for txn in Transaction.objects.all():
        assert txn.postings.count() >= 2
        assert txn.postings.aggregate(s=Sum("amount"))["s"] == 0
    assert Posting.objects.aggregate(s=Sum("amount"))["s"] == 0


def test_a_category_the_region_does_not_bank_is_refused(world):
    r = served(world)
    with pytest.raises(InvalidInput) as exc:
        services.deposit_from_record(actor=world.alice, record_id=r.pk, category="environment")
    assert exc.value.field == "category" and "助老服务" in exc.value.message
    assert not Deposit.objects.exists() and not Account.objects.exists()


def test_an_unknown_category_is_refused(world):
    r = served(world)
    with pytest.raises(InvalidInput):
        services.deposit_from_record(actor=world.alice, record_id=r.pk, category="gold")


def test_the_nearest_region_policy_sets_rates_per_category(world):
    TimeBankPolicy.objects.create(unit=world.a["street"], rates={"elderly": "1.5"})
    assert deposited(world, minutes=120).amount == Decimal("3.00")
    TimeBankPolicy.objects.create(
        unit=world.a["community"], rates={"disabled": "2", "elderly": "0.5"}
    )
    assert deposited(world, minutes=60, category="disabled").amount == Decimal("2.00")
    assert deposited(world, minutes=60).amount == Decimal("0.50")


def test_a_record_deposits_once_however_often_it_is_asked(world):
    r = served(world)
    first = services.deposit_from_record(actor=world.alice, record_id=r.pk, category="elderly")
    again = services.deposit_from_record(actor=world.sam, record_id=r.pk, category="elderly")
    assert again.pk == first.pk
    assert Transaction.objects.count() == 1
    assert selectors.balance_of(volunteer=world.bob_volunteer) == Decimal("2.00")


def test_a_record_that_does_not_count_cannot_deposit(world):
    r = served(world)
    ServiceRecord.objects.filter(pk=r.pk).update(status=ServiceRecord.Status.PENDING)
    with pytest.raises(Conflict):
        services.deposit_from_record(actor=world.alice, record_id=r.pk, category="elderly")


def test_outsider_cannot_deposit_someone_elses_record(world):
    r = served(world)
    with pytest.raises(NotFound):
        services.deposit_from_record(actor=world.charlie, record_id=r.pk, category="elderly")
    with pytest.raises(NotFound):
        services.deposit_from_record(actor=world.erin, record_id=r.pk, category="elderly")
    with pytest.raises(NotFound):
        services.deposit_from_record(actor=world.alice, record_id=987654, category="elderly")


def test_a_deposit_beyond_the_balance_cap_is_refused_and_nothing_is_written(world):
    TimeBankPolicy.objects.create(unit=world.a["community"], balance_cap=Decimal("3"))
    deposited(world, minutes=120)
    r = served(world, minutes=120)
    with pytest.raises(Conflict) as exc:
        services.deposit_from_record(actor=world.alice, record_id=r.pk, category="elderly")
    assert "上限" in exc.value.message
    assert Deposit.objects.count() == 1 and Transaction.objects.count() == 1
    assert selectors.balance_of(volunteer=world.bob_volunteer) == Decimal("2.00")


def test_default_cap_is_1500_coins(world):
    from shezhi.timebank.policy import bank_policy_for

    assert bank_policy_for(world.a["community"]).balance_cap == Decimal("1500")


# --- reviewers --------------------------------------------------------------------------------


@pytest.fixture
def two_reviewers(world):
    return TimeBankPolicy.objects.create(unit=world.a["street"], reviewers_required=2)


def test_with_two_reviewers_coins_arrive_only_after_a_second_staff_member_approves(
    world, two_reviewers
):
    deposit = deposited(world)
    assert deposit.status == Deposit.Status.PENDING
    assert selectors.balance_of(volunteer=world.bob_volunteer) == Decimal("0.00")
    assert list(selectors.deposits_to_review(actor=world.sam)) == [deposit]
    assert list(selectors.deposits_to_review(actor=world.alice)) == []
    with pytest.raises(Conflict):
        services.deposit_review(actor=world.alice, deposit_id=deposit.pk, approve=True)
    deposit = services.deposit_review(actor=world.sam, deposit_id=deposit.pk, approve=True)
    assert deposit.status == Deposit.Status.APPROVED
    assert selectors.balance_of(volunteer=world.bob_volunteer) == Decimal("2.00")
    assert {r.reviewer for r in deposit.reviews.all()} == {world.alice, world.sam}
    with pytest.raises(Conflict):
        services.deposit_review(actor=world.admin, deposit_id=deposit.pk, approve=True)


def test_the_volunteer_cannot_review_their_own_deposit(world, two_reviewers):
    deposit = deposited(world)
    with pytest.raises(Forbidden):
        services.deposit_review(actor=world.bob, deposit_id=deposit.pk, approve=True)
    assert list(selectors.deposits_to_review(actor=world.bob)) == []


def test_outsider_cannot_review(world, two_reviewers):
    deposit = deposited(world)
    with pytest.raises(NotFound):
        services.deposit_review(actor=world.charlie, deposit_id=deposit.pk, approve=True)
    with pytest.raises(NotFound):
        services.deposit_review(actor=world.erin, deposit_id=deposit.pk, approve=True)
    assert list(selectors.deposits_to_review(actor=world.charlie)) == []


def test_a_volunteers_own_request_needs_staff_review_even_with_one_reviewer(world):
    r = served(world)
    deposit = services.deposit_from_record(actor=world.bob, record_id=r.pk, category="elderly")
    assert deposit.status == Deposit.Status.PENDING and not deposit.reviews.exists()
    services.deposit_review(actor=world.alice, deposit_id=deposit.pk, approve=True)
    assert selectors.balance_of(volunteer=world.bob_volunteer) == Decimal("2.00")


def test_refusing_needs_a_reason_and_posts_nothing(world, two_reviewers):
    deposit = deposited(world)
    with pytest.raises(InvalidInput) as exc:
        services.deposit_review(actor=world.sam, deposit_id=deposit.pk, approve=False)
    assert exc.value.field == "reason"
    deposit = services.deposit_review(
        actor=world.sam, deposit_id=deposit.pk, approve=False, reason="与活动签到不符"
    )
    assert deposit.status == Deposit.Status.REJECTED
    assert not Transaction.objects.exists()
    again = services.deposit_from_record(
        actor=world.alice, record_id=deposit.record_id, category="elderly"
    )
    assert again.pk == deposit.pk and again.status == Deposit.Status.REJECTED


def test_deposits_and_reviews_are_audited(world, two_reviewers):
    deposit = deposited(world)
    services.deposit_review(actor=world.sam, deposit_id=deposit.pk, approve=True)
    events = AuditEvent.objects.filter(object_type="timebank.deposit", object_id=str(deposit.pk))
    assert {e.actor for e in events} == {world.alice, world.sam}


# --- reversal ---------------------------------------------------------------------------------


def test_a_supervisor_reverses_a_deposit_with_a_new_balancing_transaction(world):
    deposit = deposited(world)
    with pytest.raises(Forbidden):
        services.deposit_reverse(actor=world.alice, deposit_id=deposit.pk, reason="认定弄虚作假")
    with pytest.raises(NotFound):
        services.deposit_reverse(actor=world.charlie, deposit_id=deposit.pk, reason="x")
    with pytest.raises(InvalidInput):
        services.deposit_reverse(actor=world.sam, deposit_id=deposit.pk, reason="")
    txn = services.deposit_reverse(actor=world.sam, deposit_id=deposit.pk, reason="认定弄虚作假")
    assert txn.kind == Transaction.Kind.REVERSAL and txn.reverses.deposit == deposit
    assert selectors.balance_of(volunteer=world.bob_volunteer) == Decimal("0.00")
    assert Posting.objects.aggregate(s=Sum("amount"))["s"] == 0
    deposit.refresh_from_db()
    assert deposit.status == Deposit.Status.REVERSED
    with pytest.raises(Conflict):
        services.deposit_reverse(actor=world.sam, deposit_id=deposit.pk, reason="再次")
    again = services.deposit_from_record(
        actor=world.alice, record_id=deposit.record_id, category="elderly"
    )
    assert again.pk == deposit.pk and Transaction.objects.count() == 2


def test_coins_already_spent_cannot_be_reversed_below_zero(world):
    deposit = deposited(world)
    services.coins_spend(actor=world.bob, account_id=deposit.account_id, amount=1, service="理发")
    with pytest.raises(Conflict) as exc:
        services.deposit_reverse(actor=world.sam, deposit_id=deposit.pk, reason="认定弄虚作假")
    assert "余额" in exc.value.message
    assert selectors.balance_of(volunteer=world.bob_volunteer) == Decimal("1.00")


@pytest.mark.parametrize(
    "rates",
    [
        {"gold": "1"},
        {"elderly": "0"},
        {"elderly": "-1"},
        {"elderly": "11"},
        {"elderly": "x"},
        ["elderly"],
    ],
)
def test_a_policy_with_bad_rates_is_refused(rates):
    from shezhi.timebank.policy import parse_rates

    with pytest.raises(InvalidInput) as exc:
        parse_rates(rates)
    assert exc.value.field == "rates"


def test_empty_rates_mean_elderly_care_at_one_coin_per_hour():
    from shezhi.timebank.policy import parse_rates

    assert parse_rates({}) == {"elderly": Decimal("1")}
