"""/api/v1 the volunteer's own summary (hours, stars, time-bank balance, teams)."""

from datetime import date
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Field, Schema

from shezhi.api.errors import raises
from shezhi.api.render import ref
from shezhi.api.schemas import ERRORS
from shezhi.api.volunteers.common import router
from shezhi.core.errors import ErrorCode
from shezhi.timebank.selectors import balance_of
from shezhi.volunteers import selectors


class MembershipOut(Schema):
    team: dict[str, Any] | None
    role: str


class VolunteerSummaryOut(Schema):
    volunteer_no: str
    hours_this_year: Decimal
    hours_total: Decimal
    records_count: int
    pending_count: int = Field(description="逾期待审批的记录数")
    star: int
    barred_until: date | None = Field(description="因弄虚作假禁止评星至")
    balance: Decimal | None = Field(description="时间银行余额；未开户为 null")
    teams: list[MembershipOut]


@router.get(
    "/me/volunteer",
    response={200: VolunteerSummaryOut, **ERRORS},
    summary="我的志愿服务概况（时长、星级、时间币余额）",
)
@raises(ErrorCode.NOT_FOUND)
def my_summary(request: HttpRequest):
    page = selectors.my_page(actor=request.auth, limit=0)
    return {
        "volunteer_no": page.volunteer.volunteer_no,
        "hours_this_year": page.hours_this_year,
        "hours_total": page.hours_total,
        "records_count": page.records_count,
        "pending_count": page.pending_count,
        "star": page.star,
        "barred_until": page.barred_until,
        "balance": balance_of(volunteer=page.volunteer),
        "teams": [
            {"team": ref(m.team), "role": m.role}
            for m in selectors.teams_of(volunteer=page.volunteer)
        ],
    }
