"""Which backups to keep (pure; no Django import): grandfather-father-son.

Keep the newest backup of each of the last `daily` days that have one, of each of the last
`weekly` ISO weeks and of each of the last `monthly` months; the newest backup is always kept.
Everything else may be deleted.
"""

from collections.abc import Callable, Hashable, Iterable
from datetime import datetime


def _newest_per_period(
    stamps: list[datetime], period: Callable[[datetime], Hashable], count: int
) -> set[datetime]:
    kept: set[datetime] = set()
    seen: set[Hashable] = set()
    for stamp in stamps:  # newest first
        key = period(stamp)
        if key in seen:
            continue
        if len(seen) >= count:
            break
        seen.add(key)
        kept.add(stamp)
    return kept


def to_keep(stamps: Iterable[datetime], *, daily: int, weekly: int, monthly: int) -> set[datetime]:
    ordered = sorted(set(stamps), reverse=True)
    if not ordered:
        return set()
    return (
        {ordered[0]}
        | _newest_per_period(ordered, lambda s: s.date(), daily)
        | _newest_per_period(ordered, lambda s: s.isocalendar()[:2], weekly)
        | _newest_per_period(ordered, lambda s: (s.year, s.month), monthly)
    )


def to_prune(
    stamps: Iterable[datetime], *, daily: int, weekly: int, monthly: int
) -> list[datetime]:
    """The backups that may be deleted, oldest first."""
    stamps = set(stamps)
    kept = to_keep(stamps, daily=daily, weekly=weekly, monthly=monthly)
    return sorted(stamps - kept)
