"""一键派单 on the desk: the matching engine proposes a helper for every pending need of a
community or street; the social worker reviews (keeps, changes to the community pool, or skips
each row) and confirms in one step."""

import re

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from shezhi.core.errors import DomainError
from shezhi.core.page_errors import ANY_FIELD, NO_OBJECT, message_error, page_errors
from shezhi.needs import selectors as need_selectors
from shezhi.needs import services as need_services
from shezhi.needs.models import Need
from shezhi.web.access import staff_only

CHOICE = re.compile(rf"^({'|'.join(Need.AssigneeKind.values)}):(\d{{1,18}})$")
MAX_ID = 2**63 - 1


def _number(raw: str) -> int | None:
    """A positive id from a query or form value; anything else (incl. '²', '٣') is None."""
    if raw.isascii() and raw.isdigit() and len(raw) <= 19 and 0 < int(raw) <= MAX_ID:
        return int(raw)
    return None


def _unit_id(request: HttpRequest) -> int:
    raw = request.GET.get("unit") or request.POST.get("unit") or ""
    if (unit_id := _number(raw)) is not None:
        return unit_id
    if not raw and request.user.unit_id:
        return request.user.unit_id
    raise Http404(_("未找到该社区或街道"))


@staff_only
def desk_dispatch_bulk(request: HttpRequest) -> HttpResponse:
    unit_id = _unit_id(request)
    if request.method == "POST":
        return _confirm(request, unit_id)
    try:
        plan = need_services.needs_propose_dispatch(actor=request.user, unit_id=unit_id)
    except DomainError as exc:
        page_errors(exc, objects=ANY_FIELD, forbidden=True)
        raise
    rows = [
        (p, f"{p.target_kind}:{p.target_id}", Need.AssigneeKind(p.target_kind).label)
        for p in plan.proposals
    ]
    return render(
        request,
        "web/desk/dispatch_bulk.html",
        {"plan": plan, "rows": rows, "unmatched": plan.unmatched},
    )


def _confirm(request: HttpRequest, unit_id: int) -> HttpResponse:
    items: list[need_services.ConfirmItem] = []
    for raw_id in request.POST.getlist("need")[: need_services.MAX_CONFIRM_ITEMS + 1]:
        need_id = _number(raw_id)
        choice = request.POST.get(f"choice_{raw_id}", "skip")
        version = _number(request.POST.get(f"version_{raw_id}", "")[:10])
        matched = CHOICE.fullmatch(choice) if choice.isascii() else None
        if need_id is None or version is None or matched is None:
            continue  # skipped, or not a row this page rendered
        kind, target = matched.group(1), int(matched.group(2))
        items.append(
            need_services.ConfirmItem(
                need_id=need_id,
                target_kind=kind,
                target_id=target or None,
                expected_version=min(version, 2**31 - 1),
            )
        )
    back = f"{reverse('desk:dispatch_bulk')}?unit={unit_id}"
    try:
        batch = need_services.needs_dispatch_batch_create(
            actor=request.user, proposals=items, unit_id=unit_id
        )
    except DomainError as exc:
        message_error(request, exc, objects=NO_OBJECT, forbidden=True)
        return redirect(back)
    # Dispatched by the task queue (hundreds of rows do not hold the request); the batch page
    # shows the outcome, and posting the form again cannot dispatch twice (each row carries
    # the version it was reviewed at).
    return redirect("desk:dispatch_batch", batch_id=batch.pk)


@staff_only
@require_GET
def desk_dispatch_batch(request: HttpRequest, batch_id: int) -> HttpResponse:
    """The outcome of a confirmed 一键派单: who got what (need → helper), not just a count; while
    the queue works on it, a page that looks again every few seconds."""
    try:
        batch = need_selectors.dispatch_batch_of(actor=request.user, batch_id=batch_id)
    except DomainError as exc:
        page_errors(exc, objects=ANY_FIELD, forbidden=True)
        raise
    unit_id = batch.unit_id or request.user.unit_id
    back = reverse("desk:dispatch_bulk") + (f"?unit={unit_id}" if unit_id else "")
    done = [
        (need, need.assignee_label, Need.AssigneeKind(need.assignee_kind).label)
        for need in need_selectors.dispatch_batch_needs(actor=request.user, batch=batch)
    ]
    context = {
        "done": done,
        "failed": [tuple(row) for row in batch.failed],
        "back": back,
        "pending": batch.status == batch.Status.QUEUED,
        "count": len(batch.items),
    }
    response = render(request, "web/desk/dispatch_done.html", context)
    if context["pending"]:
        response["Refresh"] = "3"  # every browser honours it; no script, no change to base.html
    return response
