"""Rules that make service hours trustworthy (pure; no Django import).

- Start window: an order with a booked (wanted) time may be started only from `window` before
  the booked start to `window` after the booked end; an order without a booked time has no window.
- Claim bounds: the minutes claimed at completion may exceed neither the time that passed on the
  server's clock between start and completion nor the category's maximum for one service.
- Overlap: two periods [start, end) of one volunteer that share any instant.
- Hold reasons: why a record waits for a social worker before it counts (code + Chinese text).

Confirmation by the resident: a record made from an order is provisional ("unconfirmed") until the
resident rates the order. A rating of 3 or more confirms that the service happened and clears that
reason; a rating of 2 or less replaces it with "low_rating", which only a social worker clears.
Every other reason (bounds, overlap, no start) also needs a social worker: the rating confirms the
visit took place, not how long it lasted.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

# A rating at or below this does not confirm the service (the order goes to review as well).
CONFIRMING_RATING = 3


class HoldCode(StrEnum):
    OVER_ELAPSED = "over_elapsed"
    OVER_CATEGORY_MAX = "over_category_max"
    NO_START = "no_start"
    OVERLAP = "overlap"
    UNCONFIRMED = "unconfirmed"
    LOW_RATING = "low_rating"


# Plain texts shown to the social worker (the record stores a text with the figures as well).
HOLD_LABELS: dict[HoldCode, str] = {
    HoldCode.OVER_ELAPSED: "申报时长超过开始到办结实际经过的时间",
    HoldCode.OVER_CATEGORY_MAX: "申报时长超过该类服务单次上限",
    HoldCode.NO_START: "未点“开始服务”就办结，时长无法核对",
    HoldCode.OVERLAP: "与本人其他服务记录时间重叠",
    HoldCode.UNCONFIRMED: "服务对象尚未评价确认",
    HoldCode.LOW_RATING: "服务对象评价较低，需社工核实",
}

# Reasons a resident's rating clears; the others wait for a social worker.
CLEARED_BY_RATING = frozenset({HoldCode.UNCONFIRMED})


@dataclass(frozen=True)
class Hold:
    code: HoldCode
    text: str

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code.value, "text": self.text}


def hold(code: HoldCode, detail: str = "") -> Hold:
    text = HOLD_LABELS[code]
    return Hold(code, f"{text}（{detail}）" if detail else text)


# --- start window -----------------------------------------------------------------------------


class StartVerdict(StrEnum):
    OK = "ok"
    TOO_EARLY = "too_early"
    TOO_LATE = "too_late"


def start_window(
    wanted_from: datetime | None, wanted_until: datetime | None, window_minutes: int
) -> tuple[datetime, datetime] | None:
    """The period in which the service may be started; None when nothing is booked."""
    if wanted_from is None:
        return None
    window = timedelta(minutes=max(window_minutes, 0))
    end = wanted_until if wanted_until is not None and wanted_until > wanted_from else wanted_from
    return wanted_from - window, end + window


def check_start(
    now: datetime,
    wanted_from: datetime | None,
    wanted_until: datetime | None,
    window_minutes: int,
) -> StartVerdict:
    period = start_window(wanted_from, wanted_until, window_minutes)
    if period is None:
        return StartVerdict.OK
    opens, closes = period
    if now < opens:
        return StartVerdict.TOO_EARLY
    if now > closes:
        return StartVerdict.TOO_LATE
    return StartVerdict.OK


# --- claimed time -----------------------------------------------------------------------------


def elapsed_minutes(started_at: datetime | None, completed_at: datetime) -> int | None:
    """Whole minutes between start and completion on the server's clock (whole minutes served;
    the record's period must contain the minutes it credits); None when never started."""
    if started_at is None:
        return None
    return max(0, int((completed_at - started_at).total_seconds() // 60))


def claim_holds(*, claimed: int, elapsed: int | None, category_max: int | None) -> list[Hold]:
    """Why a claim of `claimed` minutes cannot count without a social worker."""
    holds: list[Hold] = []
    if elapsed is None:
        holds.append(hold(HoldCode.NO_START, f"申报{claimed}分钟"))
    elif claimed > elapsed:
        holds.append(hold(HoldCode.OVER_ELAPSED, f"申报{claimed}分钟，实际经过{elapsed}分钟"))
    if category_max is not None and claimed > category_max:
        holds.append(hold(HoldCode.OVER_CATEGORY_MAX, f"申报{claimed}分钟，上限{category_max}分钟"))
    return holds


def holds_after_rating(codes: Iterable[str], score: int) -> tuple[list[str], bool]:
    """The hold codes left after the resident rates `score`, and whether the rating changed them.
    A confirming rating removes UNCONFIRMED; a low one turns it into LOW_RATING."""
    before = list(codes)
    if HoldCode.UNCONFIRMED.value not in before:
        return before, False
    after = [c for c in before if c != HoldCode.UNCONFIRMED.value]
    if score < CONFIRMING_RATING and HoldCode.LOW_RATING.value not in after:
        after.append(HoldCode.LOW_RATING.value)
    return after, True


# --- periods ----------------------------------------------------------------------------------


def overlaps(a_start: datetime, a_end: datetime, b_start: datetime, b_end: datetime) -> bool:
    """Half-open periods [start, end): touching ends (08:00–09:00 and 09:00–10:00) do not clash."""
    return a_start < b_end and b_start < a_end


def booked_period(
    wanted_from: datetime | None, wanted_until: datetime | None, max_minutes: int
) -> tuple[datetime, datetime] | None:
    """The period an accepted order occupies its helper: from the booked start for at most the
    category's maximum (a wide wanted window, e.g. "any time this week", does not block the week).
    None when nothing is booked."""
    if wanted_from is None:
        return None
    end = wanted_from + timedelta(minutes=max(max_minutes, 1))
    if wanted_until is not None and wanted_from < wanted_until < end:
        end = wanted_until
    return wanted_from, end
