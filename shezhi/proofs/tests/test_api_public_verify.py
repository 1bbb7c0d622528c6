"""/api/v1/proofs verification is public like the QR code's page: no log-in, but the signature
(or the file itself); it answers only what the public page shows."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from shezhi.proofs import selectors, services
from shezhi.proofs.models import Proof

PUBLIC_FIELDS = {
    "authentic",
    "proof_no",
    "masked_name",
    "date_from",
    "date_to",
    "total_hours",
    "issuer",
    "issued_at",
}


@pytest.fixture
def proof(world, bob_records):
    issued = services.proof_issue(
        actor=world.bob, date_from=date(2026, 1, 1), date_to=date(2026, 1, 31)
    )
    return Proof.objects.get(pk=issued.pk)


def test_anonymous_verify_with_signature_shows_only_the_public_page(world, proof):
    base = f"/api/v1/proofs/{proof.proof_no}/verify"
    r = Client().get(base, {"s": proof.signature})
    assert r.status_code == 200, r.content
    assert set(r.json()) == PUBLIC_FIELDS and r.json()["masked_name"] == "鲍*"
    assert world.bob_volunteer.name not in r.content.decode()
    # No signature, a wrong one: refused the same as a made-up number.
    assert Client().get(base).status_code == 400
    r = Client().get(base, {"s": "x" * 43})
    assert r.status_code == 404 and "无法验证" in r.json()["message"]
    # The volunteer's own operations still need a log-in.
    assert Client().get("/api/v1/proofs").status_code == 401
    assert Client().get(f"/api/v1/proofs/{proof.proof_no}/pdf").status_code == 401


def test_anonymous_file_checks(proof):
    good = bytes(proof.pdf)
    r = Client().post(
        f"/api/v1/proofs/{proof.proof_no}/verify?s={proof.signature}",
        {"file": SimpleUploadedFile("p.pdf", good, content_type="application/pdf")},
    )
    assert r.status_code == 200, r.content
    assert r.json()["file_checked"] is True and r.json()["file_matches"] is True
    r = Client().post(
        f"/api/v1/proofs/{proof.proof_no}/verify?s={proof.signature}",
        {"file": SimpleUploadedFile("p.pdf", good + b" ", content_type="application/pdf")},
    )
    assert r.json()["file_matches"] is False
    r = Client().post("/api/v1/proofs/verify-file", {"file": SimpleUploadedFile("p.pdf", good)})
    assert r.status_code == 200 and r.json()["proof_no"] == proof.proof_no
    assert set(r.json()) == PUBLIC_FIELDS
    r = Client().post(
        "/api/v1/proofs/verify-file", {"file": SimpleUploadedFile("p.pdf", good[:-1])}
    )
    assert r.status_code == 404 and "无法验证" in r.json()["message"]
    r = Client().post("/api/v1/proofs/verify-file", {})
    assert r.status_code == 400


def test_an_oversized_or_missing_file_is_a_chinese_400(proof, monkeypatch):
    monkeypatch.setattr(selectors, "MAX_UPLOAD_BYTES", 10)
    r = Client().post(
        "/api/v1/proofs/verify-file", {"file": SimpleUploadedFile("p.pdf", bytes(proof.pdf))}
    )
    assert r.status_code == 400 and "文件过大" in r.json()["message"]
    r = Client().post("/api/v1/proofs/verify-file", {})
    assert r.status_code == 400 and any(ch >= "\u4e00" for ch in r.json()["message"])
