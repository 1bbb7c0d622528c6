"""The simple candidate list for dispatch: skill fit first, then nearest, then least busy.
Pure: no Django import. (A global matching engine replaces this later.)"""

from dataclasses import dataclass
from math import asin, cos, radians, sin, sqrt

EARTH_RADIUS_M = 6_371_000.0
Point = tuple[float, float]  # (latitude, longitude)


@dataclass(frozen=True)
class Candidate:
    kind: str  # volunteer | team | social_worker | partner
    id: int
    name: str
    location: Point | None
    skills: frozenset[str]
    open_orders: int = 0


@dataclass(frozen=True)
class RankedCandidate:
    candidate: Candidate
    skill_fit: bool
    distance_m: float | None

    @property
    def explanation(self) -> str:
        parts = ["技能匹配" if self.skill_fit else "技能不完全匹配"]
        if self.distance_m is not None:
            parts.append(f"距离 {self.distance_m:,.0f} 米")
        parts.append(f"在办 {self.candidate.open_orders} 单")
        return "；".join(parts)


def distance_m(a: Point, b: Point) -> float:
    """Great-circle (haversine) distance in metres."""
    lat1, lon1, lat2, lon2 = map(radians, (*a, *b))
    h = sin((lat2 - lat1) / 2) ** 2 + cos(lat1) * cos(lat2) * sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_M * asin(sqrt(h))


def rank(
    *,
    need_location: Point | None,
    need_skills: frozenset[str],
    candidates: list[Candidate],
    limit: int = 20,
) -> list[RankedCandidate]:
    ranked = [
        RankedCandidate(
            candidate=c,
            skill_fit=not need_skills or bool(need_skills & c.skills),
            distance_m=(
                distance_m(need_location, c.location) if need_location and c.location else None
            ),
        )
        for c in candidates
    ]
    ranked.sort(
        key=lambda r: (
            not r.skill_fit,
            r.distance_m is None,
            r.distance_m or 0.0,
            r.candidate.open_orders,
            r.candidate.kind,
            r.candidate.id,
        )
    )
    return ranked[:limit]
