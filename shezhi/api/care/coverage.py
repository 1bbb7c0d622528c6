"""Coverage of the registry: who is overdue, by grid."""

from django.http import HttpRequest
from ninja import Query

from shezhi.api.care.common import router
from shezhi.api.care.schemas import (
    CoverageOut,
    CoverageQuery,
)
from shezhi.api.schemas import ERRORS
from shezhi.care import selectors
from shezhi.care.cadence import days_overdue


@router.get(
    "/coverage",
    response={200: CoverageOut, **ERRORS},
    summary="走访覆盖率（按网格、小区或社区）和逾期最久名单",
)
def coverage(request: HttpRequest, filters: Query[CoverageQuery]):
    overview = selectors.coverage_for_desk(actor=request.auth, by=filters.by)
    return {
        "by": overview.by,
        "registered": overview.registered,
        "covered": overview.covered,
        "rows": [
            {
                "unit_id": r.unit_id,
                "unit_name": r.unit_name,
                "registered": r.registered,
                "covered": r.covered,
                "share": round(r.share, 4),
            }
            for r in overview.rows
        ],
        "overdue_longest": [
            {
                "resident_id": p.resident_id,
                "name": p.resident.name,
                "risk_level": p.risk_level,
                "grid": p.grid.name,
                "next_visit_due": p.next_visit_due,
                "days_overdue": days_overdue(p.next_visit_due, overview.today),
                "last_seen_on": p.last_seen_on,
            }
            for p in overview.overdue
        ],
    }
