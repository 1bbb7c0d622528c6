from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.admin.sites import site
from django.test import RequestFactory
from django.utils import timezone

from shezhi.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from shezhi.core.models import AuditEvent
from shezhi.needs.tests.factories import NeedFactory
from shezhi.timebank import selectors, services
from shezhi.timebank.models import Account, AppendOnlyError, Kinship, Posting, Transaction
from shezhi.timebank.tests.factories import bob_account, deposited


@pytest.fixture
def funded(world):
    """Bob holds 3 coins."""
    deposited(world, minutes=180)
    return bob_account(world)


@pytest.fixture
def dora_is_bobs_mother(world, funded):
    return services.kinship_record(
        actor=world.alice,
        account_id=funded.pk,
        relation=Kinship.Relation.PARENT,
        evidence="户口簿",
        relative_resident_id=world.dora_resident.pk,
    )


# --- spending ---------------------------------------------------------------------------------


def test_spending_returns_coins_to_the_clearing_account(world, funded):
    services.coins_spend(actor=world.bob, account_id=funded.pk, amount="1.5", service="上门理发")
    assert services.balance(funded) == Decimal("1.50")
    clearing = Account.objects.get(kind=Account.Kind.CLEARING)
    assert services.balance(clearing) == Decimal("-1.50")
    assert AuditEvent.objects.filter(object_type="timebank.transaction", actor=world.bob).exists()


def test_spending_more_than_the_balance_is_refused_and_nothing_is_written(world, funded):
    with pytest.raises(Conflict) as exc:
        services.coins_spend(actor=world.bob, account_id=funded.pk, amount=4, service="理发")
    assert "余额不足" in exc.value.message and exc.value.field == "amount"
    assert Transaction.objects.count() == 1
    assert services.balance(funded) == Decimal("3.00")


def test_the_balance_can_reach_zero_but_never_below(world, funded):
    services.coins_spend(actor=world.bob, account_id=funded.pk, amount=3, service="理发")
    with pytest.raises(Conflict):
        services.coins_spend(actor=world.bob, account_id=funded.pk, amount="0.01", service="理发")
    assert services.balance(funded) == Decimal("0.00")


@pytest.mark.parametrize(
    "amount",
    [0, -1, "-0.5", "abc", "", None, True, "1.234", 10**9, "NaN", "Infinity", "1e999", [1]],
)
def test_bad_amounts_are_refused_in_chinese(world, funded, amount):
    with pytest.raises(InvalidInput) as exc:
        services.coins_spend(actor=world.bob, account_id=funded.pk, amount=amount, service="理发")
    assert exc.value.field == "amount" and "时间币" in exc.value.message
    assert Transaction.objects.count() == 1


def test_staff_may_spend_on_behalf_of_the_holder_but_outsiders_may_not(world, funded):
    services.coins_spend(actor=world.alice, account_id=funded.pk, amount=1, service="助浴")
    for outsider in (world.charlie, world.erin, world.dora, world.gina):
        with pytest.raises(NotFound):
            services.coins_spend(actor=outsider, account_id=funded.pk, amount=1, service="助浴")
    assert services.balance(funded) == Decimal("2.00")


def test_unknown_or_clearing_accounts_are_not_found(world, funded):
    clearing = Account.objects.get(kind=Account.Kind.CLEARING)
    for account_id in (987654, clearing.pk, "1", None):
        with pytest.raises(NotFound):
            services.coins_spend(actor=world.admin, account_id=account_id, amount=1, service="x")


def test_spending_on_ones_own_order_pays_it_once(world, dora_is_bobs_mother):
    services.coins_transfer(
        actor=world.bob, account_id=dora_is_bobs_mother.holder_id,
        to_account_id=dora_is_bobs_mother.relative_id, amount=2,
    )  # fmt: skip
    need = NeedFactory(resident=world.dora_resident, created_by=world.dora)
    dora_account = dora_is_bobs_mother.relative
    txn = services.coins_spend(
        actor=world.dora, account_id=dora_account.pk, amount=1, service="维修", need_id=need.pk
    )
    assert txn.need == need
    with pytest.raises(Conflict):
        services.coins_spend(
            actor=world.dora, account_id=dora_account.pk, amount=1, service="维修", need_id=need.pk
        )
    other = NeedFactory(resident=world.resident_b, created_by=world.charlie)
    with pytest.raises(NotFound):
        services.coins_spend(
            actor=world.dora, account_id=dora_account.pk, amount=1, service="维修", need_id=other.pk
        )
    assert services.balance(dora_account) == Decimal("1.00")


# --- relatives and transfers ------------------------------------------------------------------


def test_coins_go_to_a_recorded_direct_relative(world, dora_is_bobs_mother):
    k = dora_is_bobs_mother
    services.coins_transfer(
        actor=world.bob,
        account_id=k.holder_id,
        to_account_id=k.relative_id,
        amount=2,
        note="给妈妈",
    )
    assert services.balance(k.holder) == Decimal("1.00")
    assert services.balance(k.relative) == Decimal("2.00")
    assert k.relative.kind == Account.Kind.RESIDENT and k.relative.resident == world.dora_resident
    assert selectors.my_account(actor=world.dora) == k.relative


def test_transfer_to_a_non_relative_is_refused(world, funded):
    erin = services.account_open(actor=world.alice, volunteer_id=world.erin_volunteer.pk)
    with pytest.raises(InvalidInput) as exc:
        services.coins_transfer(
            actor=world.bob, account_id=funded.pk, to_account_id=erin.pk, amount=1
        )
    assert "直系亲属" in exc.value.message
    assert services.balance(erin) == 0 and Transaction.objects.count() == 1


def test_transfer_to_oneself_or_to_an_unknown_account_is_refused(world, funded):
    with pytest.raises(InvalidInput):
        services.coins_transfer(
            actor=world.bob, account_id=funded.pk, to_account_id=funded.pk, amount=1
        )
    with pytest.raises(NotFound):
        services.coins_transfer(
            actor=world.bob, account_id=funded.pk, to_account_id=987654, amount=1
        )


def test_transfer_of_more_than_the_balance_is_refused(world, dora_is_bobs_mother):
    k = dora_is_bobs_mother
    with pytest.raises(Conflict):
        services.coins_transfer(
            actor=world.bob, account_id=k.holder_id, to_account_id=k.relative_id, amount=5
        )
    assert Transaction.objects.count() == 1


def test_transfer_respects_the_relatives_cap(world, dora_is_bobs_mother):
    from shezhi.timebank.models import TimeBankPolicy

    TimeBankPolicy.objects.create(unit=world.a["community"], balance_cap=Decimal("2"))
    k = dora_is_bobs_mother
    with pytest.raises(Conflict) as exc:
        services.coins_transfer(
            actor=world.bob, account_id=k.holder_id, to_account_id=k.relative_id, amount=3
        )
    assert "上限" in exc.value.message


def test_only_staff_in_scope_record_kinships(world, funded):
    kwargs = {
        "account_id": funded.pk,
        "relation": "parent",
        "evidence": "户口簿",
        "relative_resident_id": world.dora_resident.pk,
    }
    with pytest.raises(Forbidden):
        services.kinship_record(actor=world.bob, **kwargs)
    with pytest.raises(NotFound):
        services.kinship_record(actor=world.charlie, **kwargs)
    with pytest.raises(NotFound):  # a relative outside Alice's scope
        services.kinship_record(
            actor=world.alice, **{**kwargs, "relative_resident_id": world.resident_b.pk}
        )
    assert not Kinship.objects.exists()


@pytest.mark.parametrize("relation", ["friend", "sibling", "", None])
def test_only_direct_relations_are_accepted(world, funded, relation):
    with pytest.raises(InvalidInput) as exc:
        services.kinship_record(
            actor=world.alice, account_id=funded.pk, relation=relation, evidence="户口簿",
            relative_resident_id=world.dora_resident.pk,
        )  # fmt: skip
    assert exc.value.field == "relation"


def test_kinship_needs_evidence_one_person_and_not_oneself(world, funded):
    base = {"actor": world.alice, "account_id": funded.pk, "relation": "child"}
    with pytest.raises(InvalidInput):
        services.kinship_record(**base, evidence="", relative_resident_id=world.dora_resident.pk)
    with pytest.raises(InvalidInput):
        services.kinship_record(**base, evidence="户口簿")
    with pytest.raises(InvalidInput):
        services.kinship_record(
            **base, evidence="户口簿", relative_volunteer_id=world.bob_volunteer.pk
        )
    k = services.kinship_record(
        **base, evidence="户口簿", relative_resident_id=world.dora_resident.pk
    )
    assert k.verified_by == world.alice
    with pytest.raises(Conflict):
        services.kinship_record(
            **base, evidence="户口簿", relative_resident_id=world.dora_resident.pk
        )
    assert AuditEvent.objects.filter(object_type="timebank.kinship").count() == 1


# --- accounts ---------------------------------------------------------------------------------


def test_accounts_open_explicitly_once_for_the_person_or_their_staff(world):
    a = services.account_open(actor=world.erin, volunteer_id=world.erin_volunteer.pk)
    assert services.account_open(actor=world.alice, volunteer_id=world.erin_volunteer.pk) == a
    with pytest.raises(NotFound):
        services.account_open(actor=world.charlie, resident_id=world.dora_resident.pk)
    with pytest.raises(NotFound):
        services.account_open(actor=world.bob, volunteer_id=world.erin_volunteer.pk)
    with pytest.raises(InvalidInput):
        services.account_open(actor=world.alice)
    assert AuditEvent.objects.filter(object_type="timebank.account").count() == 1


# --- append-only ------------------------------------------------------------------------------


def test_postings_and_transactions_cannot_be_changed_or_deleted(world, funded):
    posting = Posting.objects.filter(account=funded).first()
    posting.amount = Decimal("1000")
    with pytest.raises(AppendOnlyError):
        posting.save()
    with pytest.raises(AppendOnlyError):
        posting.delete()
    with pytest.raises(AppendOnlyError):
        Posting.objects.filter(account=funded).update(amount=1000)
    with pytest.raises(AppendOnlyError):
        Posting.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        Transaction.objects.first().delete()
    assert services.balance(funded) == Decimal("3.00")


def test_the_admin_shows_the_ledger_read_only(world):
    request = RequestFactory().get("/")
    request.user = world.admin
    for model in (Posting, Transaction, Account, Kinship):
        model_admin = site._registry[model]
        assert not model_admin.has_add_permission(request)
        assert not model_admin.has_change_permission(request)
        assert not model_admin.has_delete_permission(request)


# --- statement and scoping --------------------------------------------------------------------


def test_statement_lists_the_period_with_a_running_balance(world, dora_is_bobs_mother):
    k = dora_is_bobs_mother
    services.coins_spend(actor=world.bob, account_id=k.holder_id, amount="0.5", service="理发")
    services.coins_transfer(
        actor=world.bob, account_id=k.holder_id, to_account_id=k.relative_id, amount=2
    )
    s = selectors.statement(actor=world.bob, account_id=k.holder_id)
    assert s.opening == 0
    assert [(r.amount, r.balance) for r in s.rows] == [
        (Decimal("3.00"), Decimal("3.00")),
        (Decimal("-0.50"), Decimal("2.50")),
        (Decimal("-2.00"), Decimal("0.50")),
    ]
    assert [r.kind for r in s.rows] == ["服务存入", "兑换服务", "转赠亲属"]
    assert s.rows[2].counterpart == "朵*" and "社区" in s.rows[0].counterpart
    assert (s.credits, s.debits, s.closing) == (Decimal("3.00"), Decimal("2.50"), Decimal("0.50"))
    later = timezone.localdate() + timedelta(days=1)
    s2 = selectors.statement(
        actor=world.alice, account_id=k.holder_id, date_from=later, date_to=later
    )
    assert s2.rows == [] and s2.opening == s2.closing == Decimal("0.50")


def test_statement_period_must_be_sensible(world, funded):
    today = timezone.localdate()
    with pytest.raises(InvalidInput):
        selectors.statement(
            actor=world.bob,
            account_id=funded.pk,
            date_from=today,
            date_to=today - timedelta(days=1),
        )
    with pytest.raises(InvalidInput):
        selectors.statement(
            actor=world.bob, account_id=funded.pk, date_from=today.replace(year=today.year - 6)
        )


def test_statement_is_for_the_holder_and_staff_only(world, funded):
    assert selectors.statement(actor=world.alice, account_id=funded.pk).rows
    assert selectors.statement(actor=world.sam, account_id=funded.pk).rows
    for outsider in (world.charlie, world.erin, world.dora, world.gina, world.partner_user):
        with pytest.raises(NotFound):
            selectors.statement(actor=outsider, account_id=funded.pk)


def test_staff_list_accounts_of_their_communities_with_balances(world, funded):
    rows = list(selectors.accounts_in_scope(actor=world.alice))
    assert [(a.pk, a.balance) for a in rows] == [(funded.pk, Decimal("3.00"))]
    assert list(selectors.accounts_in_scope(actor=world.charlie)) == []
    assert list(selectors.accounts_in_scope(actor=world.bob)) == []


def test_records_not_yet_deposited_are_offered_to_staff_only(world, funded):
    from shezhi.timebank.tests.factories import served

    r = served(world, minutes=60)
    assert [x.pk for x in selectors.records_to_deposit(actor=world.alice)] == [r.pk]
    assert selectors.records_to_deposit(actor=world.charlie) == []
    assert selectors.records_to_deposit(actor=world.bob) == []


def test_statement_opening_balance_counts_entries_before_the_period(world):
    from shezhi.timebank.tests.factories import served

    r = served(world)
    services.deposit_from_record(
        actor=world.alice,
        record_id=r.pk,
        category="elderly",
        now=timezone.now() - timedelta(days=40),
    )
    account = bob_account(world)
    services.coins_spend(actor=world.bob, account_id=account.pk, amount=1, service="理发")
    today = timezone.localdate()
    s = selectors.statement(
        actor=world.bob, account_id=account.pk, date_from=today - timedelta(days=7), date_to=today
    )
    assert s.opening == Decimal("2.00")
    assert [(row.amount, row.balance) for row in s.rows] == [(Decimal("-1.00"), Decimal("1.00"))]
