"""Walking routes for door-knocking campaigns (敲门行动) (pure; no Django import).

Households are located by their compound (the platform has no per-door coordinates): the route
visits compounds nearest-first from a starting point, and inside a compound goes building by
building, unit by unit, floor by floor ("3栋2单元501" → (3, 2, 501)). Every stop appears once.
"""

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

_NUMBERS = re.compile(r"\d+")


@dataclass(frozen=True)
class Stop:
    key: int
    latitude: float | None
    longitude: float | None
    address: str = ""


def metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance (haversine) in metres."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6_371_000 * math.asin(min(1.0, math.sqrt(h)))


def door_key(address: str) -> tuple[tuple[int, ...], str]:
    """Natural order of an address: the numbers in it, then the text."""
    return tuple(int(n) for n in _NUMBERS.findall(address or "")), address or ""


def order(stops: Sequence[Stop], start: tuple[float, float] | None = None) -> list[int]:
    """The keys of `stops` in walking order, each exactly once (duplicate keys are dropped)."""
    unique = list({s.key: s for s in reversed(stops)}.values())[::-1]
    places: dict[tuple[float, float] | None, list[Stop]] = {}
    for stop in unique:
        where = (
            (stop.latitude, stop.longitude)
            if stop.latitude is not None and stop.longitude is not None
            else None
        )
        places.setdefault(where, []).append(stop)
    located = [p for p in places if p is not None]
    route: list[tuple[float, float]] = []
    remaining = set(located)
    if remaining:
        here = start if start is not None else min(remaining)
        while remaining:
            origin = here
            here = min(remaining, key=lambda p: (metres(origin, p), p))
            route.append(here)
            remaining.discard(here)
    result: list[int] = []
    for place in [*route, None]:
        for stop in sorted(places.get(place, []), key=lambda s: (door_key(s.address), s.key)):
            result.append(stop.key)
    return result
