"""The time-bank pages through the test client: the holder's account page, spending, transfers
to recorded relatives, the printable statement and the staff desk for deposits and reviews.
Charlie (another community) and Erin (another volunteer) always get 404."""

from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from shezhi.timebank import selectors, services
from shezhi.timebank.models import Account, Deposit, Kinship, TimeBankPolicy
from shezhi.volunteers.tests.factories import record


def text(response) -> str:
    return response.content.decode()


def as_(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def served(world, minutes=180):
    return record(
        world.alice,
        world.bob_volunteer,
        world.a["community"],
        minutes=minutes,
        service_date=timezone.localdate(),
    )


@pytest.fixture
def account(world):
    """Bob holds 3 coins."""
    services.deposit_from_record(actor=world.alice, record_id=served(world).pk, category="elderly")
    return Account.objects.get(volunteer=world.bob_volunteer)


def test_a_volunteer_without_an_account_is_told_how_to_get_one(world):
    response = as_(world.bob).get("/m/timebank/")
    assert response.status_code == 200 and "还没有时间银行账户" in text(response)


def test_the_holder_sees_the_balance_on_their_account_page(world, account):
    response = as_(world.bob).get("/m/timebank/", follow=True)
    assert response.status_code == 200
    assert 'data-testid="balance">3.00' in text(response)
    assert "助老服务" in text(response)


def test_outsiders_get_404_for_the_account_and_its_statement(world, account):
    for user in (world.charlie, world.erin, world.dora):
        client = as_(user)
        assert client.get(f"/timebank/accounts/{account.pk}/").status_code == 404
        assert client.get(f"/timebank/accounts/{account.pk}/statement/").status_code == 404
        response = client.post(
            f"/timebank/accounts/{account.pk}/spend/", {"amount": "1", "service": "理发"}
        )
        assert response.status_code == 404
    assert selectors.balance_of(volunteer=world.bob_volunteer) == Decimal("3.00")


def test_spending_through_the_page(world, account):
    client = as_(world.bob)
    refused = client.post(
        f"/timebank/accounts/{account.pk}/spend/", {"amount": "5", "service": "理发"}
    )
    assert refused.status_code == 400 and "余额不足" in text(refused)
    bad = client.post(f"/timebank/accounts/{account.pk}/spend/", {"amount": "-1", "service": ""})
    assert bad.status_code == 400
    done = client.post(
        f"/timebank/accounts/{account.pk}/spend/", {"amount": "1.5", "service": "理发"}, follow=True
    )
    assert done.status_code == 200 and 'data-testid="balance">1.50' in text(done)


def test_relative_recorded_by_staff_then_transfer_by_the_holder(world, account):
    form = {
        "relation": "parent",
        "evidence": "户口簿",
        "relative_resident_id": world.dora_resident.pk,
    }
    assert (
        as_(world.bob).post(f"/timebank/accounts/{account.pk}/relatives/", form).status_code == 400
    )
    assert not Kinship.objects.exists()
    staff = as_(world.alice).post(f"/timebank/accounts/{account.pk}/relatives/", form)
    assert staff.status_code == 302
    kinship = Kinship.objects.get()
    done = as_(world.bob).post(
        f"/timebank/accounts/{account.pk}/transfer/",
        {"to_account": kinship.relative_id, "amount": "2", "note": "给妈妈"},
    )
    assert done.status_code == 302
    assert services.balance(kinship.relative) == Decimal("2.00")
    dora_page = as_(world.dora).get("/m/timebank/", follow=True)
    assert 'data-testid="balance">2.00' in text(dora_page)


def test_the_statement_prints_running_balances(world, account):
    services.coins_spend(actor=world.bob, account_id=account.pk, amount="0.5", service="理发")
    response = as_(world.alice).get(f"/timebank/accounts/{account.pk}/statement/")
    body = text(response)
    # Print styles come from a static file (the CSP refuses inline styles).
    assert response.status_code == 200 and "shezhi/statement.css" in body
    css = b"".join(as_(world.alice).get("/static/shezhi/statement.css").streaming_content)
    assert b"@media print" in css
    assert body.count('data-testid="row"') == 2
    assert "3.00" in body and 'data-testid="closing">2.50' in body
    bad = as_(world.bob).get(
        f"/timebank/accounts/{account.pk}/statement/",
        {"date_from": "2026-02-01", "date_to": "2026-01-01"},
    )
    assert bad.status_code == 400 and "开始日期不能晚于截止日期" in text(bad)


def test_the_desk_deposits_records_and_a_second_reviewer_approves(world):
    TimeBankPolicy.objects.create(unit=world.a["street"], reviewers_required=2)
    r = served(world, minutes=120)
    desk = as_(world.alice).get("/desk/timebank/")
    assert desk.status_code == 200 and r.title in text(desk)
    as_(world.alice).post("/desk/timebank/deposits/", {"record": r.pk, "category": "elderly"})
    deposit = Deposit.objects.get()
    assert deposit.status == Deposit.Status.PENDING
    assert "待我审核" in text(as_(world.sam).get("/desk/timebank/"))
    as_(world.sam).post(f"/desk/timebank/deposits/{deposit.pk}/review/", {"approve": "yes"})
    deposit.refresh_from_db()
    assert deposit.status == Deposit.Status.APPROVED
    assert selectors.balance_of(volunteer=world.bob_volunteer) == Decimal("2.00")


def test_the_desk_is_for_staff_and_outsiders_cannot_review(world):
    TimeBankPolicy.objects.create(unit=world.a["street"], reviewers_required=2)
    r = served(world)
    deposit = services.deposit_from_record(actor=world.alice, record_id=r.pk, category="elderly")
    assert as_(world.bob).get("/desk/timebank/").status_code == 403
    response = as_(world.charlie).post(
        f"/desk/timebank/deposits/{deposit.pk}/review/", {"approve": "yes"}
    )
    assert response.status_code == 404
    assert r.title not in text(as_(world.charlie).get("/desk/timebank/"))


def test_a_supervisor_reverses_a_deposit_from_the_account_page(world, account):
    deposit = account.deposits.get()
    page = as_(world.sam).get(f"/timebank/accounts/{account.pk}/")
    assert f"/desk/timebank/deposits/{deposit.pk}/reverse/" in text(page)
    response = as_(world.sam).post(
        f"/desk/timebank/deposits/{deposit.pk}/reverse/", {"reason": "认定弄虚作假"}
    )
    assert response.status_code == 302
    assert services.balance(account) == Decimal("0.00")
    outsider = as_(world.charlie).post(
        f"/desk/timebank/deposits/{deposit.pk}/reverse/", {"reason": "x"}
    )
    assert outsider.status_code == 404
