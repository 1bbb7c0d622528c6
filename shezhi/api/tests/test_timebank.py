from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from shezhi.timebank.models import Account, TimeBankPolicy, Transaction
from shezhi.timebank.tests.factories import deposited
from shezhi.volunteers.tests.factories import record


@pytest.fixture
def bob_record(world):
    return record(
        world.alice,
        world.bob_volunteer,
        world.a["community"],
        minutes=180,
        service_date=timezone.localdate(),
    )


@pytest.fixture
def bob_funded(world, bob_record, as_user):
    """Bob holds 3 coins, deposited through the API."""
    response = as_user(world.alice).post(
        "/timebank/deposits", {"record_id": bob_record.pk, "category": "elderly"}
    )
    assert response.status_code == 201, response.json()
    return Account.objects.get(volunteer=world.bob_volunteer)


def test_deposit_through_the_api_is_idempotent(world, bob_record, as_user):
    alice = as_user(world.alice)
    body = {"record_id": bob_record.pk, "category": "elderly"}
    first = alice.post("/timebank/deposits", body).json()
    again = alice.post("/timebank/deposits", body).json()
    assert first["id"] == again["id"] and first["status"] == "approved"
    assert Decimal(first["amount"]) == Decimal("3")
    assert Transaction.objects.count() == 1


def test_deposit_of_an_ineligible_category_answers_400_in_chinese(world, bob_record, as_user):
    response = as_user(world.alice).post(
        "/timebank/deposits", {"record_id": bob_record.pk, "category": "culture"}
    )
    assert response.status_code == 400
    assert response.json()["field"] == "category" and "时间银行" in response.json()["message"]


def test_my_account_shows_the_derived_balance(world, bob_funded, as_user):
    body = as_user(world.bob).get("/timebank/me").json()
    assert Decimal(body["balance"]) == Decimal("3")
    assert Decimal(body["balance_cap"]) == Decimal("1500")
    assert as_user(world.erin).get("/timebank/me").status_code == 404


def test_outsider_gets_404_for_account_and_statement(world, bob_funded, as_user):
    for user in (world.charlie, world.erin, world.dora):
        client = as_user(user)
        assert client.get(f"/timebank/accounts/{bob_funded.pk}").status_code == 404
        assert client.get(f"/timebank/accounts/{bob_funded.pk}/statement").status_code == 404
        response = client.post(
            f"/timebank/accounts/{bob_funded.pk}/spend", {"amount": "1", "service": "理发"}
        )
        assert response.status_code == 404
    assert as_user(world.charlie).get("/timebank/accounts").json()["total"] == 0


def test_statement_json_carries_the_running_balance(world, bob_funded, as_user):
    bob = as_user(world.bob)
    assert (
        bob.post(
            f"/timebank/accounts/{bob_funded.pk}/spend", {"amount": "1.25", "service": "理发"}
        ).status_code
        == 201
    )
    body = as_user(world.alice).get(f"/timebank/accounts/{bob_funded.pk}/statement").json()
    assert [(Decimal(r["amount"]), Decimal(r["balance"])) for r in body["rows"]] == [
        (Decimal("3"), Decimal("3")),
        (Decimal("-1.25"), Decimal("1.75")),
    ]
    assert Decimal(body["closing"]) == Decimal("1.75")
    bad = bob.get(
        f"/timebank/accounts/{bob_funded.pk}/statement",
        date_from="2026-02-01",
        date_to="2026-01-01",
    )
    assert bad.status_code == 400 and bad.json()["message"]


@pytest.mark.parametrize("amount", ["abc", "-1", "0", "1.001", "1e9", None, True])
def test_bad_amounts_answer_400(world, bob_funded, as_user, amount):
    response = as_user(world.bob).post(
        f"/timebank/accounts/{bob_funded.pk}/spend", {"amount": amount, "service": "理发"}
    )
    assert response.status_code == 400, response.json()
    assert response.json()["message"]
    assert Transaction.objects.count() == 1


def test_spending_more_than_the_balance_answers_409(world, bob_funded, as_user):
    response = as_user(world.bob).post(
        f"/timebank/accounts/{bob_funded.pk}/spend", {"amount": 4, "service": "理发"}
    )
    assert response.status_code == 409 and "余额不足" in response.json()["message"]


def test_transfer_only_to_a_relative_recorded_by_staff(world, bob_funded, as_user):
    bob, alice = as_user(world.bob), as_user(world.alice)
    relative = {
        "relation": "parent",
        "evidence": "户口簿",
        "relative_resident_id": world.dora_resident.pk,
    }
    assert bob.post(f"/timebank/accounts/{bob_funded.pk}/relatives", relative).status_code == 403
    created = alice.post(f"/timebank/accounts/{bob_funded.pk}/relatives", relative)
    assert created.status_code == 201 and created.json()["relation_label"] == "父母"
    dora_account = created.json()["account_id"]
    erin = alice.post("/timebank/accounts", {"volunteer_id": world.erin_volunteer.pk}).json()
    refused = bob.post(
        f"/timebank/accounts/{bob_funded.pk}/transfer", {"to_account_id": erin["id"], "amount": 1}
    )
    assert refused.status_code == 400 and "直系亲属" in refused.json()["message"]
    to_self = bob.post(
        f"/timebank/accounts/{bob_funded.pk}/transfer",
        {"to_account_id": bob_funded.pk, "amount": 1},
    )
    assert to_self.status_code == 400
    done = bob.post(
        f"/timebank/accounts/{bob_funded.pk}/transfer", {"to_account_id": dora_account, "amount": 2}
    )
    assert done.status_code == 201 and done.json()["kind"] == "transfer"
    assert Decimal(as_user(world.dora).get("/timebank/me").json()["balance"]) == Decimal("2")


def test_two_reviewers_through_the_api(world, bob_record, as_user):
    TimeBankPolicy.objects.create(unit=world.a["street"], reviewers_required=2)
    deposit = (
        as_user(world.alice)
        .post("/timebank/deposits", {"record_id": bob_record.pk, "category": "elderly"})
        .json()
    )
    assert deposit["status"] == "pending" and deposit["approvals"] == 1
    own = as_user(world.bob).post(f"/timebank/deposits/{deposit['id']}/review", {"approve": True})
    assert own.status_code == 403
    outsider = as_user(world.charlie).post(
        f"/timebank/deposits/{deposit['id']}/review", {"approve": True}
    )
    assert outsider.status_code == 404
    sam = as_user(world.sam)
    assert [d["id"] for d in sam.get("/timebank/deposits/pending").json()] == [deposit["id"]]
    done = sam.post(f"/timebank/deposits/{deposit['id']}/review", {"approve": True}).json()
    assert done["status"] == "approved" and done["approvals"] == 2


def test_the_schema_documents_the_time_bank(db, client):
    paths = client.get("/api/schema/").json()["paths"]
    assert "/api/v1/timebank/accounts/{account_id}/statement" in paths
    assert "/api/v1/timebank/deposits/{deposit_id}/review" in paths


def test_reversal_through_the_api_is_for_supervisors(world, bob_funded, as_user):
    deposit_id = bob_funded.deposits.get().pk

    def offered(user) -> list[str]:  # what the account's deposit row offers this user
        (row,) = as_user(user).get(f"/timebank/accounts/{bob_funded.pk}").json()["deposits"]
        return row["allowed_actions"]

    assert offered(world.sam) == ["reverse"] and offered(world.alice) == []
    assert as_user(world.bob).get("/timebank/me").json()["deposits"][0]["allowed_actions"] == []
    url = f"/timebank/deposits/{deposit_id}/reverse"
    assert as_user(world.alice).post(url, {"reason": "记录有误"}).status_code == 403
    assert as_user(world.charlie).post(url, {"reason": "记录有误"}).status_code == 404
    done = as_user(world.sam).post(url, {"reason": "记录有误"})
    assert done.status_code == 201 and done.json()["kind"] == "reversal"
    assert Decimal(as_user(world.bob).get("/timebank/me").json()["balance"]) == 0
    assert offered(world.sam) == []  # reversed: nothing left to do with it


def test_pending_deposits_run_a_fixed_number_of_queries(world, as_user):
    """Each row's allowed_actions reads nothing more: the same queries for one row or three."""
    TimeBankPolicy.objects.create(unit=world.a["street"], reviewers_required=2)
    sam = as_user(world.sam)

    def pending_after(n: int) -> int:
        for _ in range(n):
            deposited(world)
        with CaptureQueriesContext(connection) as queries:
            rows = sam.get("/timebank/deposits/pending").json()
        assert all(r["allowed_actions"] == [] for r in rows)  # pending: reviewed, not reversed
        return len(queries)

    assert pending_after(1) == pending_after(2)


@pytest.mark.parametrize("value", ["0", "1700000000", "2026/01/01", "yesterday"])
def test_statement_refuses_dates_not_written_year_month_day(world, bob_funded, as_user, value):
    response = as_user(world.alice).get(
        f"/timebank/accounts/{bob_funded.pk}/statement", date_to=value
    )
    assert response.status_code == 400
    assert response.json()["field"] == "date_to"
    assert "YYYY-MM-DD" in response.json()["message"]
