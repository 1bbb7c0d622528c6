"""What a user may do with one object, answered in one place per aggregate.

Each aggregate's app has `permissions.py` with an Action enum and `<thing>_actions_for(actor, obj)
-> frozenset[Action]`: services guard with `require(...)`, templates show buttons from the set and
the API returns it as `allowed_actions`, so page, API and service cannot disagree."""

from collections.abc import Collection
from enum import StrEnum

from shezhi.core.errors import Conflict, ErrorCode, Forbidden


def require(
    action: StrEnum,
    allowed: Collection[StrEnum],
    *,
    message: str = "您没有权限进行此操作",
    state_refusal: bool = False,
) -> None:
    """Refuse `action` unless it is in `allowed`: 403, or 409 when the object's state (not the
    actor's role) is what stands in the way."""
    if action in allowed:
        return
    if state_refusal:
        raise Conflict(message, code=ErrorCode.ILLEGAL_TRANSITION)
    raise Forbidden(message)
