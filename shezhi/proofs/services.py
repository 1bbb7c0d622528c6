"""Issuing proofs (志愿服务证明) and handing out their files. Free of charge, self-service.

The PDF is rendered outside the database transaction (it takes about a second, and SQLite would
hold its write lock meanwhile); the proof row and its audit event are then written together.
"""

import hashlib
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shezhi.accounts.models import User
from shezhi.core import audit
from shezhi.core.errors import Conflict, DomainError, Forbidden, InvalidInput
from shezhi.core.models import AuditEvent
from shezhi.proofs import pdf, selectors, signing
from shezhi.proofs.errors import ProofError
from shezhi.proofs.models import Proof
from shezhi.volunteers.models import Volunteer

MAX_RECORDS = 10_000
ISSUER_UNITS_SHOWN = 5


class FontMissing(DomainError):
    """The server cannot render Chinese: an installation fault, not the caller's."""

    status = 503
    code = ProofError.FONT_MISSING


class TooManyProofs(DomainError):
    status = 429
    code = ProofError.THROTTLED


def _issuer(units: list[str]) -> str:
    """The recording unit(s) — "谁记录谁证明" — most records first."""
    ranked = [name for name, _n in Counter(u for u in units if u).most_common()]
    if not ranked:
        return _("社区志愿服务站")
    shown = "、".join(ranked[:ISSUER_UNITS_SHOWN])
    if len(ranked) > ISSUER_UNITS_SHOWN:
        shown += _("等 %(n)s 个单位") % {"n": len(ranked)}
    return shown[:300]


def _check_period(date_from: date, date_to: date, today: date) -> None:
    if date_from > date_to:
        raise InvalidInput(_("开始日期不能晚于截止日期"), field="date_to")
    if date_to > today:
        raise InvalidInput(_("截止日期不能晚于今天"), field="date_to")


def _check_quota(volunteer: Volunteer, now) -> None:
    limit = int(settings.SHEZHI_PROOFS_PER_DAY)
    recent = Proof.objects.filter(volunteer=volunteer, issued_at__gte=now - timedelta(days=1))
    if recent.count() >= limit:
        raise TooManyProofs(
            _("24 小时内最多开具 %(n)s 份证明，请稍后再试；已开具的证明可随时重新下载")
            % {"n": limit}
        )


# (id, service_date, title, content, hours, recording unit) of one counted service record
RecordRow = tuple[int, date, str, str, Decimal, str]


def proof_issue(*, actor: User, date_from: date, date_to: date) -> Proof:
    """Issue the actor (a registered volunteer) a signed PDF proof of the counted service
    records in [date_from, date_to]."""
    volunteer = _issuing_volunteer(actor)
    now = timezone.now().replace(microsecond=0)
    _check_period(date_from, date_to, timezone.localdate(now))
    _check_quota(volunteer, now)
    records = _counted_records(volunteer, date_from, date_to)
    content = signing.ProofContent(
        proof_no=signing.new_proof_no(timezone.localdate(now)),
        volunteer_id=volunteer.pk,
        volunteer_no=volunteer.volunteer_no,
        date_from=date_from,
        date_to=date_to,
        total_hours=sum((Decimal(r[4]) for r in records), Decimal("0")),
        record_ids=[r[0] for r in records],
        issued_at=now,
    )
    issuer = _issuer([r[5] for r in records])
    key = selectors.signing_keys()[0]
    signature = signing.sign(key, content)
    data = _render(volunteer, content, records, issuer=issuer, signature=signature)
    digest = hashlib.sha256(data).hexdigest()
    proof = Proof(
        proof_no=content.proof_no,
        volunteer=volunteer,
        volunteer_no=volunteer.volunteer_no,
        date_from=date_from,
        date_to=date_to,
        total_hours=content.total_hours,
        record_count=len(records),
        record_ids=list(content.record_ids),
        issuer=issuer,
        issued_at=now,
        signature=signature,
        pdf_sha256=digest,
        seal=signing.seal(key, content, digest),
        pdf=data,
    )
    _save_audited(actor, proof)
    return proof


def _issuing_volunteer(actor: User) -> Volunteer:
    volunteer = Volunteer.objects.select_related("community").filter(user=actor).first()
    if volunteer is None:
        raise Forbidden(_("只有登记的志愿者可以开具志愿服务证明"))
    return volunteer


def _counted_records(volunteer: Volunteer, date_from: date, date_to: date) -> list[RecordRow]:
    """The records the proof counts: at least one, at most MAX_RECORDS."""
    records = list(
        selectors.countable_records(
            volunteer=volunteer, date_from=date_from, date_to=date_to
        ).values_list("id", "service_date", "title", "content", "hours", "organiser")
    )
    if not records:
        raise InvalidInput(
            _("%(start)s 至 %(end)s 期间没有可出具证明的志愿服务记录（逾期待审批的记录不计入）")
            % {"start": date_from.isoformat(), "end": date_to.isoformat()},
            field="date_from",
        )
    if len(records) > MAX_RECORDS:
        raise InvalidInput(
            _("所选期间的记录超过 %(n)s 条，请缩短期间，分几份开具") % {"n": MAX_RECORDS},
            field="date_from",
        )
    return records


def _render(
    volunteer: Volunteer,
    content: signing.ProofContent,
    records: list[RecordRow],
    *,
    issuer: str,
    signature: str,
) -> bytes:
    """The PDF of the proof (outside any transaction: it takes about a second)."""
    document = pdf.ProofDocument(
        proof_no=content.proof_no,
        full_name=volunteer.name,
        volunteer_no=volunteer.volunteer_no,
        date_from=content.date_from,
        date_to=content.date_to,
        total_hours=content.total_hours,
        rows=[
            pdf.ProofRow(
                service_date=r[1], title=r[2], content=r[3], hours=r[4], recording_unit=r[5]
            )
            for r in records
        ],
        issued_at=timezone.localtime(content.issued_at),
        issuer=issuer,
        platform=str(settings.SHEZHI_SITE_NAME),
        verify_url=selectors.verify_url(content.proof_no, signature),
    )
    try:
        return pdf.render_proof(document)
    except pdf.FontUnavailable as exc:
        raise FontMissing(str(exc)) from exc


def _save_audited(actor: User, proof: Proof) -> None:
    """The proof row and its audit event together."""
    try:
        with transaction.atomic():
            proof.save(force_insert=True)
            audit.record(
                actor=actor,
                action=AuditEvent.Action.CREATE,
                obj=proof,
                summary=(
                    f"开具志愿服务证明 {proof.proof_no}：{proof.record_count} 条记录，"
                    f"{proof.total_hours} 小时"
                ),
                changes={
                    "proof_no": proof.proof_no,
                    "date_from": proof.date_from.isoformat(),
                    "date_to": proof.date_to.isoformat(),
                    "records": proof.record_count,
                    "total_hours": str(proof.total_hours),
                    "pdf_sha256": proof.pdf_sha256,
                },
            )
    except IntegrityError as exc:  # a number drawn twice (40 random bits): ask to retry
        raise Conflict(_("证明编号冲突，请重新开具")) from exc


def proof_download(*, actor: User, proof_no: str) -> Proof:
    """The owner's proof with its file; the download is audited (an export of personal data)."""
    proof = selectors.proof_of_owner(actor=actor, proof_no=proof_no)
    audit.record(
        actor=actor,
        action=AuditEvent.Action.EXPORT,
        obj=proof,
        summary=f"下载志愿服务证明 {proof.proof_no}",
    )
    return proof
