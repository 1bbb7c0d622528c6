"""The four-orders state machine (点单→派单→接单→评单). Pure: no Django import.

待受理 → 已派单 → 已接单 → 服务中 → 已办结 → 已评价, with 退回/重新派单, 取消 and 无法办理.
"""

from enum import StrEnum


class Status(StrEnum):
    PENDING = "pending"
    DISPATCHED = "dispatched"
    ACCEPTED = "accepted"
    IN_SERVICE = "in_service"
    DONE = "done"
    RATED = "rated"
    CANCELLED = "cancelled"
    UNRESOLVABLE = "unresolvable"


STATUS_LABELS: dict[Status, str] = {
    Status.PENDING: "待受理",
    Status.DISPATCHED: "已派单",
    Status.ACCEPTED: "已接单",
    Status.IN_SERVICE: "服务中",
    Status.DONE: "已办结",
    Status.RATED: "已评价",
    Status.CANCELLED: "已取消",
    Status.UNRESOLVABLE: "无法办理",
}


class Action(StrEnum):
    DISPATCH = "dispatch"
    REDISPATCH = "redispatch"
    RETURN = "return"
    ACCEPT = "accept"
    START = "start"
    COMPLETE = "complete"
    RATE = "rate"
    CANCEL = "cancel"
    UNRESOLVABLE = "unresolvable"
    REOPEN = "reopen"


ACTION_LABELS: dict[Action, str] = {
    Action.DISPATCH: "派单",
    Action.REDISPATCH: "重新派单",
    Action.RETURN: "退回",
    Action.ACCEPT: "接单",
    Action.START: "开始服务",
    Action.COMPLETE: "办结",
    Action.RATE: "评价",
    Action.CANCEL: "取消",
    Action.UNRESOLVABLE: "无法办理",
    Action.REOPEN: "复核后重新受理",
}

# action -> (states it may start from, state it leads to)
TRANSITIONS: dict[Action, tuple[frozenset[Status], Status]] = {
    Action.DISPATCH: (frozenset({Status.PENDING}), Status.DISPATCHED),
    Action.REDISPATCH: (frozenset({Status.DISPATCHED, Status.ACCEPTED}), Status.DISPATCHED),
    Action.RETURN: (frozenset({Status.DISPATCHED, Status.ACCEPTED}), Status.PENDING),
    Action.ACCEPT: (frozenset({Status.DISPATCHED}), Status.ACCEPTED),
    Action.START: (frozenset({Status.ACCEPTED}), Status.IN_SERVICE),
    Action.COMPLETE: (frozenset({Status.ACCEPTED, Status.IN_SERVICE}), Status.DONE),
    Action.RATE: (frozenset({Status.DONE}), Status.RATED),
    Action.CANCEL: (
        frozenset({Status.PENDING, Status.DISPATCHED, Status.ACCEPTED}),
        Status.CANCELLED,
    ),
    Action.UNRESOLVABLE: (
        frozenset({Status.PENDING, Status.DISPATCHED, Status.ACCEPTED, Status.IN_SERVICE}),
        Status.UNRESOLVABLE,
    ),
    # A low rating sends the need back to the social worker, who may open it again.
    Action.REOPEN: (frozenset({Status.RATED, Status.DONE}), Status.PENDING),
}

REASON_REQUIRED = frozenset({Action.RETURN, Action.CANCEL, Action.UNRESOLVABLE, Action.REOPEN})
CLOSED = frozenset({Status.DONE, Status.RATED, Status.CANCELLED, Status.UNRESOLVABLE})
OPEN = frozenset(Status) - CLOSED


class IllegalTransition(ValueError):
    """Raised with a Chinese message that says what state the need is in."""


def next_status(current: Status, action: Action, *, note: str = "") -> Status:
    sources, target = TRANSITIONS[action]
    if current not in sources:
        allowed = "、".join(STATUS_LABELS[s] for s in sorted(sources))
        raise IllegalTransition(
            f"当前状态为「{STATUS_LABELS[current]}」，不能{ACTION_LABELS[action]}"
            f"（仅{allowed}状态可以{ACTION_LABELS[action]}）"
        )
    if action in REASON_REQUIRED and not note.strip():
        raise IllegalTransition(f"{ACTION_LABELS[action]}须填写原因")
    return target


def allowed_actions(current: Status) -> list[Action]:
    return [a for a, (sources, _) in TRANSITIONS.items() if current in sources]
