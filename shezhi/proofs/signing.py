"""Signing of volunteer-service proofs (pure; no Django import).

A proof is signed over its canonical content with HMAC-SHA256. The key is derived from the
deployment's secret, so that a proof number cannot be verified (or forged) without the server.
The signature goes into the QR code's URL; a second MAC (the seal) binds the SHA-256 of the
issued PDF to the same content, so that neither the stored hash nor the figures can be changed
in the database without the key.
"""

import base64
import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

SCHEME = "shezhi-proof-v1"
# No 0/O, 1/I/L: a number read aloud or typed from paper is not misread.
NUMBER_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
NUMBER_RE = re.compile(r"^ZM\d{8}-[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{8}$")
SIGNATURE_RE = re.compile(r"^[A-Za-z0-9_-]{43}$")


@dataclass(frozen=True)
class ProofContent:
    """What a proof asserts; exactly these fields are signed."""

    proof_no: str
    volunteer_id: int
    volunteer_no: str
    date_from: date
    date_to: date
    total_hours: Decimal
    record_ids: Sequence[int]
    issued_at: datetime

    def canonical(self) -> bytes:
        issued = self.issued_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        hours = self.total_hours.quantize(Decimal("0.1"))
        records = ",".join(str(i) for i in sorted(self.record_ids))
        lines = [
            SCHEME,
            f"no={self.proof_no}",
            f"volunteer={self.volunteer_id}:{self.volunteer_no}",
            f"period={self.date_from.isoformat()}/{self.date_to.isoformat()}",
            f"hours={hours}",
            f"records={records}",
            f"issued={issued}",
        ]
        return "\n".join(lines).encode()


def derive_key(secret: str) -> bytes:
    """A key used for proofs only, derived from the deployment secret."""
    return hmac.new(secret.encode(), b"shezhi.proofs.signing-key.v1", hashlib.sha256).digest()


def _mac(key: bytes, message: bytes) -> str:
    digest = hmac.new(key, message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def sign(key: bytes, content: ProofContent) -> str:
    """The URL-safe signature (43 characters) printed in the QR code."""
    return _mac(key, content.canonical())


def seal(key: bytes, content: ProofContent, pdf_sha256: str) -> str:
    """A MAC over the content and the hash of the issued PDF bytes."""
    return _mac(key, content.canonical() + b"\npdf=" + pdf_sha256.encode())


def signature_valid(keys: Iterable[bytes], content: ProofContent, signature: str) -> bool:
    """Constant-time check against the current key and any fallback keys."""
    if not SIGNATURE_RE.match(signature):
        return False
    return any(hmac.compare_digest(sign(k, content), signature) for k in keys)


def seal_valid(keys: Iterable[bytes], content: ProofContent, pdf_sha256: str, value: str) -> bool:
    return any(hmac.compare_digest(seal(k, content, pdf_sha256), value) for k in keys)


def new_proof_no(day: date) -> str:
    """ZM20261123-K7Q2M9XP: the issue date and 8 random characters (40 bits), nothing personal."""
    tail = "".join(secrets.choice(NUMBER_ALPHABET) for _ in range(8))
    return f"ZM{day:%Y%m%d}-{tail}"


def looks_like_proof_no(value: str) -> bool:
    return bool(NUMBER_RE.match(value))


def sha256_hex(chunks: Iterable[bytes]) -> str:
    h = hashlib.sha256()
    for chunk in chunks:
        h.update(chunk)
    return h.hexdigest()
