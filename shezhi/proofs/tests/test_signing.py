"""The pure signing module: signatures, seals, numbers."""

from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal

from shezhi.proofs import signing

KEY = signing.derive_key("secret-one")
OTHER = signing.derive_key("secret-two")
CONTENT = signing.ProofContent(
    proof_no="ZM20260301-K7Q2M9XP",
    volunteer_id=7,
    volunteer_no="V00000007",
    date_from=date(2026, 1, 1),
    date_to=date(2026, 2, 28),
    total_hours=Decimal("12.5"),
    record_ids=[3, 1, 2],
    issued_at=datetime(2026, 3, 1, 2, 0, tzinfo=UTC),
)


def test_signature_checks_out_with_its_key_and_a_fallback_key():
    sig = signing.sign(KEY, CONTENT)
    assert len(sig) == 43 and signing.SIGNATURE_RE.match(sig)
    assert signing.signature_valid([KEY], CONTENT, sig)
    assert signing.signature_valid([OTHER, KEY], CONTENT, sig)  # after a key rotation
    assert not signing.signature_valid([OTHER], CONTENT, sig)


def test_any_changed_field_breaks_the_signature():
    sig = signing.sign(KEY, CONTENT)
    for changed in (
        replace(CONTENT, total_hours=Decimal("13.5")),
        replace(CONTENT, proof_no="ZM20260301-K7Q2M9XQ"),
        replace(CONTENT, volunteer_id=8),
        replace(CONTENT, date_to=date(2026, 3, 1)),
        replace(CONTENT, record_ids=[1, 2]),
        replace(CONTENT, issued_at=datetime(2026, 3, 1, 2, 0, 1, tzinfo=UTC)),
    ):
        assert not signing.signature_valid([KEY], changed, sig)


def test_record_order_and_hours_notation_do_not_change_the_canonical_form():
    same = replace(CONTENT, record_ids=[1, 2, 3], total_hours=Decimal("12.50"))
    assert same.canonical() == CONTENT.canonical()


def test_seal_binds_the_pdf_hash():
    seal = signing.seal(KEY, CONTENT, "a" * 64)
    assert signing.seal_valid([KEY], CONTENT, "a" * 64, seal)
    assert not signing.seal_valid([KEY], CONTENT, "b" * 64, seal)


def test_malformed_signatures_are_refused_without_computing():
    for bad in ("", "abc", "x" * 44, "é" * 43, "\x00" * 43):
        assert not signing.signature_valid([KEY], CONTENT, bad)


def test_proof_numbers_carry_the_date_and_random_characters_only():
    numbers = {signing.new_proof_no(date(2026, 3, 1)) for _ in range(200)}
    assert len(numbers) == 200
    assert all(n.startswith("ZM20260301-") and signing.looks_like_proof_no(n) for n in numbers)
    assert not signing.looks_like_proof_no("ZM20260301-K7Q2M9X0")  # 0 is not in the alphabet
    assert not signing.looks_like_proof_no("../../etc/passwd")
