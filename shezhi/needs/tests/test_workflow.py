import pytest

from shezhi.needs.workflow import (
    CLOSED,
    TRANSITIONS,
    Action,
    IllegalTransition,
    Status,
    allowed_actions,
    next_status,
)


def test_the_happy_path_of_the_four_orders():
    status = Status.PENDING
    for action in (Action.DISPATCH, Action.ACCEPT, Action.START, Action.COMPLETE, Action.RATE):
        status = next_status(status, action)
    assert status == Status.RATED


@pytest.mark.parametrize("action", [a for a in Action if a not in (Action.REOPEN,)])
def test_closed_needs_move_only_by_reopening(action):
    for closed in (Status.CANCELLED, Status.UNRESOLVABLE):
        with pytest.raises(IllegalTransition):
            next_status(closed, action, note="原因")


def test_every_illegal_pair_is_refused_with_the_current_state_named():
    for action, (sources, _) in TRANSITIONS.items():
        for status in set(Status) - sources:
            with pytest.raises(IllegalTransition, match="当前状态为"):
                next_status(status, action, note="原因")


@pytest.mark.parametrize("action", [Action.RETURN, Action.CANCEL, Action.UNRESOLVABLE])
def test_side_paths_need_a_reason(action):
    with pytest.raises(IllegalTransition, match="须填写原因"):
        next_status(Status.DISPATCHED, action, note="  ")
    assert next_status(Status.DISPATCHED, action, note="居民已自行解决")


def test_return_goes_back_to_pending_and_redispatch_stays_dispatched():
    assert next_status(Status.ACCEPTED, Action.RETURN, note="临时有事") == Status.PENDING
    assert next_status(Status.ACCEPTED, Action.REDISPATCH) == Status.DISPATCHED


def test_allowed_actions_of_a_pending_need():
    assert set(allowed_actions(Status.PENDING)) == {
        Action.DISPATCH,
        Action.CANCEL,
        Action.UNRESOLVABLE,
    }


def test_done_and_rated_are_closed():
    assert {Status.DONE, Status.RATED} <= CLOSED
