"""Which backups --prune keeps (pure)."""

from datetime import UTC, datetime, timedelta

from shezhi.backups.retention import to_keep, to_prune

START = datetime(2026, 1, 1, 2, 0, tzinfo=UTC)


def _nightly(days: int) -> list[datetime]:
    return [START + timedelta(days=d) for d in range(days)]


def test_nothing_to_prune_when_nothing_exists():
    assert to_prune([], daily=7, weekly=4, monthly=12) == []


def test_a_year_of_nightly_backups_keeps_days_weeks_and_months():
    stamps = _nightly(365)
    kept = to_keep(stamps, daily=7, weekly=4, monthly=12)
    newest = stamps[-1]
    assert set(stamps[-7:]) <= kept  # the last seven nights
    assert newest in kept
    weeks = {s.isocalendar()[:2] for s in kept}
    assert len(weeks) >= 4
    months = {(s.year, s.month) for s in kept}
    assert len(months) == 12
    assert len(kept) <= 7 + 4 + 12
    assert set(to_prune(stamps, daily=7, weekly=4, monthly=12)) == set(stamps) - kept


def test_two_backups_a_day_keep_the_newest_of_each_day():
    morning, evening = START, START + timedelta(hours=12)
    assert to_keep([morning, evening], daily=7, weekly=0, monthly=0) == {evening}
    assert to_prune([morning, evening], daily=7, weekly=0, monthly=0) == [morning]


def test_the_newest_backup_is_kept_whatever_the_knobs():
    stamps = _nightly(3)
    assert to_keep(stamps, daily=0, weekly=0, monthly=0) == {stamps[-1]}
