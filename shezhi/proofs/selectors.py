"""Reads of proofs: the owner's list and file, and the public verification (no login)."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from shezhi.accounts.models import User
from shezhi.core.errors import NotFound
from shezhi.core.masking import mask_name
from shezhi.proofs import signing
from shezhi.proofs.errors import ProofError
from shezhi.proofs.models import Proof
from shezhi.volunteers.models import ServiceRecord, Volunteer

MAX_UPLOAD_BYTES = 20 * 1024 * 1024


def signing_keys() -> list[bytes]:
    """The current key first, then keys from SECRET_KEY_FALLBACKS (after a key rotation)."""
    secrets = [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]
    return [signing.derive_key(s) for s in secrets]


def public_base_url() -> str:
    return str(settings.SHEZHI_PUBLIC_BASE_URL).rstrip("/")


def verify_url(proof_no: str, signature: str) -> str:
    path = reverse("proofs:verify", kwargs={"proof_no": proof_no})
    return f"{public_base_url()}{path}?{urlencode({'s': signature})}"


def verify_url_of(proof: Proof) -> str:
    return verify_url(proof.proof_no, proof.signature)


def content_of(proof: Proof) -> signing.ProofContent:
    return signing.ProofContent(
        proof_no=proof.proof_no,
        volunteer_id=proof.volunteer_id,
        volunteer_no=proof.volunteer_no,
        date_from=proof.date_from,
        date_to=proof.date_to,
        total_hours=Decimal(proof.total_hours),
        record_ids=[int(i) for i in proof.record_ids],
        issued_at=proof.issued_at,
    )


def countable_records(
    *, volunteer: Volunteer, date_from: date, date_to: date
) -> QuerySet[ServiceRecord]:
    """Records a proof may list: the volunteer's counted records of the period (late records
    still awaiting approval, refused ones and falsified ones are left out)."""
    return ServiceRecord.objects.filter(
        volunteer=volunteer,
        status=ServiceRecord.Status.COUNTED,
        service_date__gte=date_from,
        service_date__lte=date_to,
    ).order_by("service_date", "id")


@dataclass(frozen=True)
class MyProofs:
    volunteer: Volunteer | None
    proofs: list[Proof]


def my_proofs(*, actor: User, limit: int = 100) -> MyProofs:
    volunteer = Volunteer.objects.filter(user=actor).first() if actor.is_authenticated else None
    if volunteer is None:
        return MyProofs(None, [])
    proofs = list(Proof.objects.filter(volunteer=volunteer).defer("pdf", "record_ids")[:limit])
    return MyProofs(volunteer, proofs)


def proof_of_owner(*, actor: User, proof_no: str) -> Proof:
    """The actor's own proof, with its file. Anyone else's answers "not found"."""
    if not signing.looks_like_proof_no(proof_no) or not actor.is_authenticated:
        raise NotFound(_("未找到该证明"))
    proof = Proof.objects.filter(proof_no=proof_no, volunteer__user=actor).first()
    if proof is None:
        raise NotFound(_("未找到该证明"))
    return proof


# --- public verification ------------------------------------------------------------------


@dataclass(frozen=True)
class PublicProof:
    """What the public page may show: no full name, no ID number, no records."""

    proof_no: str
    masked_name: str
    date_from: date
    date_to: date
    total_hours: Decimal
    issuer: str
    issued_at: datetime


@dataclass(frozen=True)
class ProofCheck:
    proof: PublicProof
    file_checked: bool
    file_matches: bool


def _unverifiable() -> NotFound:
    return NotFound(_("无法验证：证明编号不存在，或签名与证明不符"), code=ProofError.UNVERIFIABLE)


def _public(proof: Proof) -> PublicProof:
    return PublicProof(
        proof_no=proof.proof_no,
        masked_name=mask_name(proof.volunteer.name),
        date_from=proof.date_from,
        date_to=proof.date_to,
        total_hours=Decimal(proof.total_hours),
        issuer=proof.issuer,
        issued_at=proof.issued_at,
    )


def _authentic(proof: Proof, *, signature: str | None) -> bool:
    """The stored figures still carry the server's seal and, if given, the URL's signature."""
    keys = signing_keys()
    content = content_of(proof)
    if not signing.seal_valid(keys, content, proof.pdf_sha256, proof.seal):
        return False
    return signature is None or signing.signature_valid(keys, content, signature)


def _hash_upload(chunks: Iterable[bytes]) -> str:
    return signing.sha256_hex(chunks)


def proof_check(
    *, proof_no: str, signature: str, upload: Iterable[bytes] | None = None
) -> ProofCheck:
    """Verify a proof by its number and the signature from its QR code, and optionally an
    uploaded copy of its file (any changed byte changes the hash). Raises NotFound for a
    number that does not exist and for a wrong signature alike."""
    if not signing.looks_like_proof_no(proof_no) or not signing.SIGNATURE_RE.match(signature):
        raise _unverifiable()
    proof = Proof.objects.select_related("volunteer").defer("pdf").filter(proof_no=proof_no).first()
    if proof is None or not _authentic(proof, signature=signature):
        raise _unverifiable()
    if upload is None:
        return ProofCheck(_public(proof), file_checked=False, file_matches=False)
    matches = _hash_upload(upload) == proof.pdf_sha256
    return ProofCheck(_public(proof), file_checked=True, file_matches=matches)


def proof_by_file(*, upload: Iterable[bytes]) -> PublicProof:
    """Find the proof an uploaded file is, byte for byte; NotFound if it is none (or changed)."""
    digest = _hash_upload(upload)
    proof = Proof.objects.select_related("volunteer").defer("pdf").filter(pdf_sha256=digest).first()
    if proof is None or not _authentic(proof, signature=None):
        raise NotFound(
            _("无法验证：该文件不是本平台出具的证明，或文件已被改动"), code=ProofError.UNVERIFIABLE
        )
    return _public(proof)
