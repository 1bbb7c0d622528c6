"""The pickers' search endpoints (see web.pickers): scoped to the actor, masked names."""

from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

from shezhi.people import selectors as people_selectors
from shezhi.web.access import staff_only


@staff_only
@require_GET
def pick_residents(request: HttpRequest) -> JsonResponse:
    picked = people_selectors.residents_pick(actor=request.user, query=request.GET.get("q", ""))
    items = [
        {"id": p.id, "name": p.name, "compound": p.compound, "grid": p.grid, "label": p.label}
        for p in picked
    ]
    return JsonResponse({"items": items})
