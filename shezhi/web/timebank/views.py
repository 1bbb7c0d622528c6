"""Time-bank pages (时间银行): the account page (the holder's own, or staff of the holder's unit),
spending, transfers to recorded relatives, recording a relative (staff), the printable statement
(对账单), and the staff desk for deposits from service records and their review.

Each view parses input, calls one selector or service and renders; out-of-scope accounts are
404; a service's DomainError goes back onto the form in Chinese."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from shezhi.core.errors import DomainError, NotFound
from shezhi.core.page_errors import form_error, message_error, not_found
from shezhi.timebank import selectors, services
from shezhi.web.access import staff_only
from shezhi.web.paging import page_number, page_of
from shezhi.web.timebank.forms import (
    DepositForm,
    KinshipForm,
    PeriodForm,
    ReviewForm,
    SpendForm,
    TransferForm,
)

# Errors on these fields mean the object in the URL or form is missing or out of scope: a 404.
_OBJECT_FIELDS = frozenset({None, "account_id", "deposit_id", "record_id"})


def _get(fn, **kwargs):
    try:
        return fn(**kwargs)
    except NotFound as exc:
        raise not_found(exc) from None


def _account_page(
    request: HttpRequest, account_id: int, status: int = 200, **forms
) -> HttpResponse:
    page = _get(selectors.account_get, actor=request.user, account_id=account_id)
    context = {
        "page": page,
        "spend_form": forms.get("spend_form") or SpendForm(),
        "transfer_form": forms.get("transfer_form") or TransferForm(relatives=page.relatives),
        "kinship_form": forms.get("kinship_form") or KinshipForm(),
    }
    return render(request, "web/timebank/account.html", context, status=status)


@login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    account = selectors.my_account(actor=request.user)
    if account is None:
        return render(request, "web/timebank/none.html")
    return redirect("timebank:account", account_id=account.pk)


@login_required
@require_GET
def account(request: HttpRequest, account_id: int) -> HttpResponse:
    return _account_page(request, account_id)


def _submit(request: HttpRequest, account_id: int, form, form_name: str, action) -> HttpResponse:
    """Run `action(cleaned_data)` (one service call) for a valid form; on a DomainError show the
    account page again with the message on the form."""
    if form.is_valid():
        try:
            message = action(form.cleaned_data)
        except DomainError as exc:
            form_error(form, exc, objects=_OBJECT_FIELDS)
        else:
            messages.success(request, message)
            return redirect("timebank:account", account_id=account_id)
    return _account_page(request, account_id, status=400, **{form_name: form})


@login_required
@require_POST
def spend(request: HttpRequest, account_id: int) -> HttpResponse:
    def action(d):
        services.coins_spend(
            actor=request.user, account_id=account_id, amount=d["amount"], service=d["service"]
        )
        return _("已兑换服务“%(s)s”，扣除 %(n)s 个时间币") % {"s": d["service"], "n": d["amount"]}

    return _submit(request, account_id, SpendForm(request.POST), "spend_form", action)


@login_required
@require_POST
def transfer(request: HttpRequest, account_id: int) -> HttpResponse:
    page = _get(selectors.account_get, actor=request.user, account_id=account_id)
    form = TransferForm(request.POST, relatives=page.relatives)

    def action(d):
        services.coins_transfer(
            actor=request.user,
            account_id=account_id,
            to_account_id=d["to_account"],
            amount=d["amount"],
            note=d["note"],
        )
        return _("已转赠 %(n)s 个时间币") % {"n": d["amount"]}

    return _submit(request, account_id, form, "transfer_form", action)


@login_required
@require_POST
def relative(request: HttpRequest, account_id: int) -> HttpResponse:
    def action(d):
        kinship = services.kinship_record(
            actor=request.user,
            account_id=account_id,
            relation=d["relation"],
            evidence=d["evidence"],
            relative_resident_id=d["relative_resident_id"],
            relative_volunteer_id=d["relative_volunteer_id"],
        )
        return _("已登记亲属：%(r)s %(n)s") % {
            "r": kinship.get_relation_display(),
            "n": kinship.relative.holder_name,
        }

    return _submit(request, account_id, KinshipForm(request.POST), "kinship_form", action)


@login_required
@require_GET
def statement(request: HttpRequest, account_id: int) -> HttpResponse:
    form = PeriodForm(request.GET or None)
    period = form.cleaned_data if form.is_bound and form.is_valid() else {}
    result = None
    if not form.errors:
        try:
            result = selectors.statement(
                actor=request.user,
                account_id=account_id,
                date_from=period.get("date_from"),
                date_to=period.get("date_to"),
            )
        except DomainError as exc:
            form_error(form, exc, objects=_OBJECT_FIELDS)
    if result is None:
        # Show the form with its error; the account must still be visible to the actor.
        _get(selectors.account_get, actor=request.user, account_id=account_id)
    elif not form.is_bound:
        form = PeriodForm(initial={"date_from": result.date_from, "date_to": result.date_to})
    return render(
        request,
        "web/timebank/statement.html",
        {"form": form, "s": result, "account_id": account_id},
        status=400 if form.errors else 200,
    )


# --- the staff desk ---------------------------------------------------------------------------


@staff_only
@require_GET
def desk(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")[:30]
    pending = selectors.deposits_to_review(actor=request.user)
    accounts = page_of(
        selectors.accounts_in_scope(actor=request.user, query=query),
        page_number(request.GET.get("page")),
    )
    return render(
        request,
        "web/timebank/desk.html",
        {
            "pending": list(pending[:100]),
            "pending_total": pending.count(),
            "records": selectors.records_to_deposit(actor=request.user),
            "accounts": accounts,
            "q": query,
            "deposit_form": DepositForm(),
            "review_form": ReviewForm(),
        },
    )


@staff_only
@require_POST
def deposit(request: HttpRequest) -> HttpResponse:
    form = DepositForm(request.POST)
    if not form.is_valid():
        messages.error(request, "；".join(form.labelled_errors()))
        return redirect("timebank:desk")
    try:
        result = services.deposit_from_record(
            actor=request.user,
            record_id=form.cleaned_data["record"],
            category=form.cleaned_data["category"],
        )
    except DomainError as exc:
        message_error(request, exc, objects=_OBJECT_FIELDS)
    else:
        messages.success(
            request,
            _("服务记录已申请存入 %(n)s 个时间币（%(s)s）")
            % {"n": result.amount, "s": result.get_status_display()},
        )
    return redirect("timebank:desk")


@staff_only
@require_POST
def review(request: HttpRequest, deposit_id: int) -> HttpResponse:
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, "；".join(form.labelled_errors()))
        return redirect("timebank:desk")
    try:
        result = services.deposit_review(
            actor=request.user,
            deposit_id=deposit_id,
            approve=form.cleaned_data["approve"],
            reason=form.cleaned_data["reason"],
        )
    except DomainError as exc:
        message_error(request, exc, objects=_OBJECT_FIELDS)
    else:
        messages.success(request, _("存入申请：%(s)s") % {"s": result.get_status_display()})
    return redirect("timebank:desk")


@staff_only
@require_POST
def reverse(request: HttpRequest, deposit_id: int) -> HttpResponse:
    reason = request.POST.get("reason", "")[:300]
    try:
        txn = services.deposit_reverse(actor=request.user, deposit_id=deposit_id, reason=reason)
    except DomainError as exc:
        message_error(request, exc, objects=_OBJECT_FIELDS)
        return redirect("timebank:desk")
    messages.success(request, _("已冲正：%(m)s") % {"m": txn.memo})
    return redirect("timebank:account", account_id=txn.postings.order_by("amount")[0].account_id)
