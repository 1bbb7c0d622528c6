"""/api/v1/proofs: a volunteer's own proofs (issue, list, download) and verification by number
and signature. Each handler calls one service or selector.

Verification needs no log-in, like the public page the QR code opens (/verify/<number>/): it
needs the signature instead (or the file itself), and answers only what that page shows."""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, File, Path, Query, Router, Schema
from ninja.files import UploadedFile

from shezhi.api.errors import CHANGE, raises
from shezhi.api.schemas import ERRORS, Clean, ErrorOut, In
from shezhi.core.downloads import PDF, private_download
from shezhi.core.errors import InvalidInput
from shezhi.proofs import selectors, services
from shezhi.proofs.errors import ProofError
from shezhi.proofs.models import Proof

router = Router(tags=["志愿服务证明"])

ISSUE_ERRORS = {**ERRORS, 429: ErrorOut, 503: ErrorOut}
ProofNo = Annotated[str, Field(max_length=40)]


class ProofIssueIn(In):
    date_from: date = Field(description="服务期间的开始日期（含）")
    date_to: date = Field(description="服务期间的截止日期（含），不晚于今天")


class ProofOut(Schema):
    proof_no: str
    date_from: date
    date_to: date
    total_hours: Decimal
    record_count: int
    issuer: str = Field(description="记录单位（出具单位）")
    issued_at: datetime
    download_url: str
    verify_url: str = Field(description="二维码中的公开核验地址（含签名）")


class ProofVerifyQuery(Clean):
    s: str = Field(max_length=100, description="二维码链接中的签名")


class ProofVerifyOut(Schema):
    authentic: bool
    proof_no: str
    masked_name: str = Field(description="打码姓名，如 张**")
    date_from: date
    date_to: date
    total_hours: Decimal
    issuer: str
    issued_at: datetime


class ProofFileCheckOut(ProofVerifyOut):
    file_checked: bool
    file_matches: bool = Field(description="上传的文件与出具的证明逐字节一致")


def _public(p: selectors.PublicProof) -> dict:
    return {
        "authentic": True,
        "proof_no": p.proof_no,
        "masked_name": p.masked_name,
        "date_from": p.date_from,
        "date_to": p.date_to,
        "total_hours": p.total_hours,
        "issuer": p.issuer,
        "issued_at": p.issued_at,
    }


def _chunks(upload: UploadedFile):
    """The upload's bytes, refused if larger than the public page accepts."""
    if upload.size is not None and upload.size > selectors.MAX_UPLOAD_BYTES:
        raise InvalidInput(_("文件过大：证明文件不超过 20 MB"), field="file")
    return upload.chunks()


def _out(proof: Proof) -> dict:
    return {
        "proof_no": proof.proof_no,
        "date_from": proof.date_from,
        "date_to": proof.date_to,
        "total_hours": proof.total_hours,
        "record_count": proof.record_count,
        "issuer": proof.issuer,
        "issued_at": proof.issued_at,
        "download_url": f"/api/v1/proofs/{proof.proof_no}/pdf",
        "verify_url": selectors.verify_url_of(proof),
    }


@router.post("", response={201: ProofOut, **ISSUE_ERRORS}, summary="开具志愿服务证明（免费）")
@raises(*CHANGE, ProofError.THROTTLED, ProofError.FONT_MISSING)
def proof_issue(request: HttpRequest, payload: ProofIssueIn):
    proof = services.proof_issue(actor=request.auth, **payload.model_dump())
    return 201, _out(proof)


@router.get("", response={200: list[ProofOut], **ERRORS}, summary="我的志愿服务证明")
def proof_list(request: HttpRequest):
    return [_out(p) for p in selectors.my_proofs(actor=request.auth).proofs]


@router.get(
    "/{proof_no}/pdf",
    response={200: None, **ERRORS},
    summary="下载证明 PDF（仅本人）",
    openapi_extra={
        "responses": {
            200: {
                "description": "PDF",
                "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def proof_download(request: HttpRequest, proof_no: Path[ProofNo]):
    proof = services.proof_download(actor=request.auth, proof_no=proof_no)
    return private_download(bytes(proof.pdf), f"志愿服务证明-{proof.proof_no}.pdf", PDF)


@router.get(
    "/{proof_no}/verify",
    auth=None,
    response={200: ProofVerifyOut, **ERRORS},
    summary="按编号和签名核验证明（无需登录）",
)
@raises(ProofError.UNVERIFIABLE)
def proof_verify(request: HttpRequest, proof_no: Path[ProofNo], query: Query[ProofVerifyQuery]):
    check = selectors.proof_check(proof_no=proof_no, signature=query.s)
    return _public(check.proof)


@router.post(
    "/{proof_no}/verify",
    auth=None,
    response={200: ProofFileCheckOut, **ERRORS},
    summary="核验证明并比对上传的文件（无需登录；需签名）",
)
@raises(*CHANGE, ProofError.UNVERIFIABLE)
def proof_verify_upload(
    request: HttpRequest,
    proof_no: Path[ProofNo],
    query: Query[ProofVerifyQuery],
    file: File[UploadedFile],
):
    check = selectors.proof_check(proof_no=proof_no, signature=query.s, upload=_chunks(file))
    return {
        **_public(check.proof),
        "file_checked": check.file_checked,
        "file_matches": check.file_matches,
    }


@router.post(
    "/verify-file",
    auth=None,
    response={200: ProofVerifyOut, **ERRORS},
    summary="只凭证明文件核验（无需登录；逐字节比对）",
)
@raises(*CHANGE, ProofError.UNVERIFIABLE)
def proof_verify_file(request: HttpRequest, file: File[UploadedFile]):
    return _public(selectors.proof_by_file(upload=_chunks(file)))
