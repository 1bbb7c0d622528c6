"""When a need's deadline is near or past (pure; no Django import).

Near is the last quarter of the time the urgency level allows (for 急难愁盼 with 2 hours to
respond: the last 30 minutes; for a 7-day resolution: the last 42 hours), so the warning scales
with the deadline instead of one fixed lead that would be too late for one and too early for
another."""

from datetime import datetime, timedelta
from enum import Enum

NEAR_FRACTION = 0.25
# A deadline passed longer ago than this is not looked at again (it was told when it passed).
LOOK_BACK = timedelta(days=1)


class Stage(Enum):
    NONE = "none"
    NEAR = "near"
    PASSED = "passed"


def stage(*, now: datetime, due: datetime, allowed: timedelta) -> Stage:
    if due <= now:
        return Stage.PASSED
    if due - now <= allowed * NEAR_FRACTION:
        return Stage.NEAR
    return Stage.NONE
