"""Coverage of the registry: who is overdue, by grid."""

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query

from shezhi.api.care.common import router
from shezhi.api.care.schemas import (
    CoverageOut,
    CoverageQuery,
)
from shezhi.api.schemas import ERRORS
from shezhi.care import selectors
from shezhi.care.cadence import days_overdue
from shezhi.care.permissions import (
    CareAction,
    care_actions_for,
)
from shezhi.core.permissions import require


@router.get(
    "/coverage",
    response={200: CoverageOut, **ERRORS},
    summary="走访覆盖率（按网格、小区或社区）和逾期最久名单",
)
def coverage(request: HttpRequest, filters: Query[CoverageQuery]):
    actor = request.auth
    # The overview page's gate (a grid worker has their own list instead).
    require(CareAction.VIEW_COVERAGE, care_actions_for(actor), message="您的角色无权查看走访覆盖率")
    rows = selectors.coverage(actor=actor, by=filters.by)
    day = timezone.localdate()
    return {
        "by": filters.by,
        "registered": sum(r.registered for r in rows),
        "covered": sum(r.covered for r in rows),
        "rows": [
            {
                "unit_id": r.unit_id,
                "unit_name": r.unit_name,
                "registered": r.registered,
                "covered": r.covered,
                "share": round(r.share, 4),
            }
            for r in rows
        ],
        "overdue_longest": [
            {
                "resident_id": p.resident_id,
                "name": p.resident.name,
                "risk_level": p.risk_level,
                "grid": p.grid.name,
                "next_visit_due": p.next_visit_due,
                "days_overdue": days_overdue(p.next_visit_due, day),
                "last_seen_on": p.last_seen_on,
            }
            for p in selectors.overdue_longest(actor=actor, today=day)
        ],
    }
