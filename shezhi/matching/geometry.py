"""Distances and week-hour masks for the matching engine. Pure: no Django import."""

from collections.abc import Iterable
from math import cos, radians

import numpy as np
import numpy.typing as npt

from shezhi.matching.model import HOURS_PER_WEEK, Interval

EARTH_RADIUS_M = 6_371_000.0
M_PER_DEG_LAT = 111_000.0  # a little under the true 111,195 m: cells are never too small
M_PER_DEG_TRUE = 111_194.93
MASK_WORDS = 3  # 168 hours in three 64-bit words

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres between two points given in degrees."""
    return float(haversine_to(np.array([lat1]), np.array([lon1]), lat2, lon2)[0])


def haversine_to(lat: FloatArray, lon: FloatArray, lat0: float, lon0: float) -> FloatArray:
    """Distances in metres from each (lat, lon) to the one point (lat0, lon0)."""
    p1, p2 = np.radians(lat), radians(lat0)
    dphi = p2 - p1
    dl = np.radians(lon0 - lon)
    h = np.sin(dphi / 2) ** 2 + np.cos(p1) * cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.minimum(h, 1.0)))  # type: ignore[no-any-return]


def haversine_pairs(
    lat: FloatArray, lon: FloatArray, lat0: FloatArray, lon0: FloatArray
) -> FloatArray:
    """Distances in metres between the points of two equally long arrays, pair by pair."""
    p1, p2 = np.radians(lat), np.radians(lat0)
    h = (
        np.sin((p2 - p1) / 2) ** 2
        + np.cos(p1) * np.cos(p2) * np.sin(np.radians(lon0 - lon) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.minimum(h, 1.0)))  # type: ignore[no-any-return]


def hour_mask(intervals: Iterable[Interval]) -> int:
    """The set of week hours covered by `intervals` as a 168-bit integer."""
    mask = 0
    for start, end in intervals:
        lo, hi = max(0, int(start)), min(HOURS_PER_WEEK, int(end))
        if hi > lo:
            mask |= ((1 << (hi - lo)) - 1) << lo
    return mask


def mask_words(mask: int) -> list[int]:
    """A 168-bit hour mask as MASK_WORDS 64-bit words (for numpy bit counting)."""
    return [(mask >> (64 * w)) & 0xFFFF_FFFF_FFFF_FFFF for w in range(MASK_WORDS)]
