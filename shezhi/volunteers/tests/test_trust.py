"""The pure rules of trustworthy hours: start window, claim bounds, overlap, rating."""

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from shezhi.volunteers.trust import (
    HOLD_LABELS,
    HoldCode,
    StartVerdict,
    booked_period,
    check_start,
    claim_holds,
    elapsed_minutes,
    holds_after_rating,
    overlaps,
    start_window,
)

T0 = datetime(2026, 12, 4, 0, 0, tzinfo=UTC)  # 08:00 in Shanghai


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


minutes = st.integers(min_value=-3000, max_value=3000)


def test_every_hold_code_has_a_chinese_text():
    assert set(HOLD_LABELS) == set(HoldCode)
    assert all(text and text.isascii() is False for text in HOLD_LABELS.values())


def test_no_booked_time_means_no_window():
    assert start_window(None, None, 60) is None
    assert check_start(at(-100000), None, None, 60) == StartVerdict.OK


def test_window_runs_from_before_the_booked_start_to_after_the_booked_end():
    assert start_window(at(0), at(120), 30) == (at(-30), at(150))
    assert check_start(at(-31), at(0), at(120), 30) == StartVerdict.TOO_EARLY
    assert check_start(at(-30), at(0), at(120), 30) == StartVerdict.OK
    assert check_start(at(150), at(0), at(120), 30) == StartVerdict.OK
    assert check_start(at(151), at(0), at(120), 30) == StartVerdict.TOO_LATE


def test_the_found_case_start_the_evening_before_is_too_early():
    assert check_start(at(-13 * 60), at(0), at(60), 60) == StartVerdict.TOO_EARLY


@settings(deadline=None)  # no timed tests: a busy machine must not fail them
@given(now=minutes, length=st.integers(1, 600), window=st.integers(0, 240))
def test_start_verdict_agrees_with_the_window(now, length, window):
    verdict = check_start(at(now), at(0), at(length), window)
    inside = -window <= now <= length + window
    assert (verdict == StartVerdict.OK) == inside


def test_elapsed_counts_whole_minutes_on_the_servers_clock():
    assert elapsed_minutes(None, at(5)) is None
    assert elapsed_minutes(at(0), at(0) + timedelta(seconds=59)) == 0
    assert elapsed_minutes(at(0), at(90) + timedelta(seconds=30)) == 90
    assert elapsed_minutes(at(10), at(0)) == 0  # clock went back: never negative


def test_the_found_case_210_minutes_one_minute_after_start():
    got = claim_holds(claimed=210, elapsed=1, category_max=240)
    assert [h.code for h in got] == [HoldCode.OVER_ELAPSED]
    assert "申报210分钟，实际经过1分钟" in got[0].text


def test_claim_bounds():
    assert claim_holds(claimed=60, elapsed=60, category_max=60) == []
    assert [h.code for h in claim_holds(claimed=61, elapsed=90, category_max=60)] == [
        HoldCode.OVER_CATEGORY_MAX
    ]
    assert [h.code for h in claim_holds(claimed=30, elapsed=None, category_max=60)] == [
        HoldCode.NO_START
    ]
    assert claim_holds(claimed=30, elapsed=30, category_max=None) == []


@settings(deadline=None)  # no timed tests: a busy machine must not fail them
@given(claimed=st.integers(1, 1440), elapsed=st.integers(0, 1440), cap=st.integers(1, 1440))
def test_a_claim_is_held_exactly_when_it_exceeds_a_bound(claimed, elapsed, cap):
    held = {h.code for h in claim_holds(claimed=claimed, elapsed=elapsed, category_max=cap)}
    assert (HoldCode.OVER_ELAPSED in held) == (claimed > elapsed)
    assert (HoldCode.OVER_CATEGORY_MAX in held) == (claimed > cap)


def test_a_confirming_rating_clears_only_the_unconfirmed_reason():
    assert holds_after_rating(["unconfirmed"], 3) == ([], True)
    assert holds_after_rating(["over_elapsed", "unconfirmed"], 5) == (["over_elapsed"], True)
    assert holds_after_rating(["unconfirmed"], 2) == (["low_rating"], True)
    assert holds_after_rating(["overlap"], 5) == (["overlap"], False)


def test_touching_periods_do_not_overlap():
    assert not overlaps(at(0), at(60), at(60), at(120))
    assert overlaps(at(0), at(61), at(60), at(120))


@settings(deadline=None)  # no timed tests: a busy machine must not fail them
@given(a=minutes, la=st.integers(1, 600), b=minutes, lb=st.integers(1, 600))
def test_overlap_is_symmetric_and_means_a_shared_minute(a, la, b, lb):
    one = overlaps(at(a), at(a + la), at(b), at(b + lb))
    assert one == overlaps(at(b), at(b + lb), at(a), at(a + la))
    shared = set(range(a, a + la)) & set(range(b, b + lb))
    assert one == bool(shared)


def test_booked_period_is_bounded_by_the_category_maximum():
    assert booked_period(None, None, 240) is None
    assert booked_period(at(0), at(7 * 24 * 60), 240) == (at(0), at(240))  # "any time this week"
    assert booked_period(at(0), at(60), 240) == (at(0), at(60))
