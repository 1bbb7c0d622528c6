"""/api/v1/proofs through the HTTP API."""

import pytest
from django.test import Client

from shezhi.proofs.models import Proof


def api(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def issued(world, bob_records):
    response = api(world.bob).post(
        "/api/v1/proofs",
        {"date_from": "2026-01-01", "date_to": "2026-01-31"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    return response.json()


def test_volunteer_issues_lists_and_downloads_over_the_api(world, issued):
    assert issued["total_hours"] in ("3.5", 3.5)
    assert issued["record_count"] == 2
    assert "/verify/" + issued["proof_no"] + "/?s=" in issued["verify_url"]
    assert issued["verify_url"].startswith("http://127.0.0.1:8000/")
    listed = api(world.bob).get("/api/v1/proofs").json()
    assert [p["proof_no"] for p in listed] == [issued["proof_no"]]
    response = api(world.bob).get(issued["download_url"])
    assert response.status_code == 200 and response.content.startswith(b"%PDF-")


def test_outsider_gets_404_for_the_file_and_an_empty_list(world, issued):
    for user in (world.charlie, world.erin):
        assert api(user).get(issued["download_url"]).status_code == 404
        assert api(user).get("/api/v1/proofs").json() == []


def test_verify_endpoint_confirms_and_refuses(world, issued):
    proof = Proof.objects.get()
    base = f"/api/v1/proofs/{proof.proof_no}/verify"
    body = api(world.charlie).get(base, {"s": proof.signature}).json()
    assert body["authentic"] is True and body["masked_name"] == "鲍*"
    assert world.bob_volunteer.name not in str(body)
    for path, s in (
        (base, "x" * 43),
        ("/api/v1/proofs/ZM20260101-ABCDEFGH/verify", proof.signature),
        (base, ""),
    ):
        response = api(world.charlie).get(path, {"s": s})
        assert response.status_code == 404 and "无法验证" in response.json()["message"]


def test_empty_period_over_the_api_is_a_400_with_a_chinese_message(world, bob_records):
    response = api(world.bob).post(
        "/api/v1/proofs",
        {"date_from": "2025-01-01", "date_to": "2025-01-31"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "没有可出具证明" in response.json()["message"]


def test_non_volunteer_cannot_issue(world, bob_records):
    response = api(world.charlie).post(
        "/api/v1/proofs",
        {"date_from": "2026-01-01", "date_to": "2026-01-31"},
        content_type="application/json",
    )
    assert response.status_code == 403 and response.json()["message"]
