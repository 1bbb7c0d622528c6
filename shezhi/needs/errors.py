"""Error codes the needs app raises beyond the cross-app ones in `core.errors.ErrorCode`
(stale, illegal_transition, …). Values are part of the API: never rename one."""

from enum import StrEnum


class NeedError(StrEnum):
    TAKEN = "taken"  # another volunteer accepted the order first
    TOO_EARLY = "too_early"  # service start before the booked time window
    TOO_LATE = "too_late"  # service start after the booked time window
    NO_BOOKED_TIME = "no_booked_time"  # the order has no booked time to start early
