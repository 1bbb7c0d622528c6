"""Proof pages: the volunteer's own list, issue form and download (mobile), and the public
verification page that the QR code opens (no login). Each view calls one selector or service."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from shezhi.core.downloads import PDF, private_download
from shezhi.core.errors import DomainError, NotFound
from shezhi.core.page_errors import NO_OBJECT, form_error, not_found
from shezhi.proofs import selectors, services
from shezhi.web.proofs.forms import PeriodForm, UploadForm


@login_required
@require_http_methods(["GET", "POST"])
def mine(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = PeriodForm(request.POST)
        if form.is_valid():
            try:
                proof = services.proof_issue(actor=request.user, **form.cleaned_data)
            except DomainError as exc:
                form_error(form, exc, objects=NO_OBJECT)
            else:
                messages.success(
                    request,
                    _("已开具证明 %(no)s：%(n)s 条记录，共 %(h)s 小时")
                    % {"no": proof.proof_no, "n": proof.record_count, "h": proof.total_hours},
                )
                return redirect("proofs:mine")
    else:
        today = timezone.localdate()
        form = PeriodForm(initial={"date_from": today.replace(month=1, day=1), "date_to": today})
    page = selectors.my_proofs(actor=request.user)
    return render(
        request,
        "proofs/mine.html",
        {"form": form, "volunteer": page.volunteer, "proofs": page.proofs},
        status=400 if form.errors else 200,
    )


@login_required
@require_GET
def download(request: HttpRequest, proof_no: str) -> HttpResponse:
    try:
        proof = services.proof_download(actor=request.user, proof_no=proof_no)
    except NotFound as exc:
        raise not_found(exc) from exc
    filename = f"志愿服务证明-{proof.proof_no}.pdf"
    return private_download(bytes(proof.pdf), filename, PDF)


def _unverifiable(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return render(request, "proofs/unverifiable.html", {"reason": exc.message}, status=404)


@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest, proof_no: str) -> HttpResponse:
    """Public: the QR code's target. A changed figure, a made-up number or a wrong signature
    all answer "无法验证" with 404; an uploaded file is compared byte for byte."""
    signature = request.GET.get("s", "")
    form = UploadForm(request.POST, request.FILES) if request.method == "POST" else UploadForm()
    upload = form.cleaned_data["file"].chunks() if form.is_bound and form.is_valid() else None
    try:
        check = selectors.proof_check(proof_no=proof_no, signature=signature, upload=upload)
    except NotFound as exc:
        return _unverifiable(request, exc)
    return render(
        request,
        "proofs/verify.html",
        {"check": check, "proof": check.proof, "form": form},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def verify_file(request: HttpRequest) -> HttpResponse:
    """Public: upload a proof file without its number; it is found by its exact bytes."""
    form = UploadForm(request.POST, request.FILES) if request.method == "POST" else UploadForm()
    if not (form.is_bound and form.is_valid()):
        return render(
            request, "proofs/verify_file.html", {"form": form}, status=400 if form.errors else 200
        )
    try:
        proof = selectors.proof_by_file(upload=form.cleaned_data["file"].chunks())
    except NotFound as exc:
        return _unverifiable(request, exc)
    return render(request, "proofs/verify_file.html", {"form": UploadForm(), "proof": proof})
