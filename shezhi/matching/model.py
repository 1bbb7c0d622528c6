"""Plain data in and out of the matching engine. Pure: no Django import.

Times are hours of the week, 0 = Monday 00:00, 168 = the next Monday; an interval is
(start, end) with start < end, end exclusive. Points are (latitude, longitude) in degrees."""

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

Point = tuple[float, float]
Interval = tuple[int, int]
CandidateKey = tuple[str, int]  # (kind, id)

HOURS_PER_WEEK = 168
IMMEDIATE = "immediate"


def week_interval(start: datetime, end: datetime) -> Interval | None:
    """A wanted service time (local wall-clock datetimes) as hours of the week, widened outward to
    whole hours. A week or more means any time (None); a window running past Sunday midnight is
    cut there, because an engine interval lies within one week."""
    if end - start >= timedelta(days=7):
        return None
    first = start.weekday() * 24 + start.hour
    hours = (end - start.replace(minute=0, second=0, microsecond=0)) / timedelta(hours=1)
    return (first, min(HOURS_PER_WEEK, first + max(1, math.ceil(hours))))


@dataclass(frozen=True)
class MatchNeed:
    id: int
    category: str
    location: Point | None
    # Any one of these skills qualifies (the category's accepted skills); empty = anybody.
    required_skills: frozenset[str] = frozenset()
    # All of these certificates are required.
    required_certificates: frozenset[str] = frozenset()
    window: Interval | None = None  # when the service should happen; None = any time
    urgency: str = "general"  # "immediate" (马上办) | "caring" (贴心办) | "general"
    home_visit: bool = True
    # Hazardous work (heights, electricity, ...): no minor takes it, not even within a team.
    hazardous: bool = False
    previous_helpers: Mapping[CandidateKey, int] = field(default_factory=dict)  # times served
    preferred_gender: str | None = None  # "M" | "F" when the resident asked
    excluded: frozenset[CandidateKey] = frozenset()  # declined it before / resident refused
    radius_m: float | None = None  # overrides the configured radius


@dataclass(frozen=True)
class MatchCandidate:
    kind: str  # volunteer | team | social_worker | partner
    id: int
    name: str
    location: Point | None  # None = comes from anywhere (a partner organisation)
    skills: Mapping[str, int] = field(default_factory=dict)  # skill code -> level 1..5
    certificates: frozenset[str] = frozenset()
    availability: tuple[Interval, ...] | None = None  # weekly; None = any time
    open_orders: int = 0
    max_orders: int = 3
    rating: float | None = None  # average 1..5
    gender: str = ""
    is_minor: bool = False

    @property
    def key(self) -> CandidateKey:
        return (self.kind, self.id)


@dataclass(frozen=True)
class MatchConfig:
    radius_immediate_m: float = 600.0  # the 8-minute walking circle for 马上办
    radius_default_m: float = 1200.0  # the 15-minute circle
    # Serving a need at all outweighs how well it is served; urgency outweighs both.
    serve_bonus: float = 10.0
    urgency_bonus: tuple[tuple[str, float], ...] = (("immediate", 1000.0), ("caring", 100.0))
    w_skill: float = 2.0
    w_distance: float = 2.0
    w_availability: float = 1.0
    w_workload: float = 1.0
    w_continuity: float = 1.5
    w_rating: float = 0.5
    continuity_cap: int = 3  # served 3 times or more = full continuity
    neutral_rating: float = 3.0
    max_edges_per_need: int = 64  # best-scoring candidates kept per need
    # A team may go on a home visit with a minor member; a minor volunteer alone may not.
    accompanied_kinds: frozenset[str] = frozenset({"team"})

    def radius_for(self, need: MatchNeed) -> float:
        if need.radius_m is not None:
            return need.radius_m
        return self.radius_immediate_m if need.urgency == IMMEDIATE else self.radius_default_m

    def urgency_value(self, urgency: str) -> float:
        return dict(self.urgency_bonus).get(urgency, 0.0)


@dataclass(frozen=True)
class Components:
    """Each component in [0, 1] before weighting (urgency is the configured bonus)."""

    skill: float
    distance: float
    availability: float
    workload: float
    continuity: float
    rating: float
    urgency: float


@dataclass(frozen=True)
class Ranked:
    """One feasible candidate for one need."""

    need_id: int
    candidate: MatchCandidate
    score: float
    components: Components
    distance_m: float | None
    skill_level: int
    overlap: float
    times_served: int
    explanation: str


@dataclass(frozen=True)
class Proposal:
    need_id: int
    candidate: MatchCandidate
    score: float
    components: Components
    distance_m: float | None
    explanation: str


@dataclass(frozen=True)
class Unmatched:
    need_id: int
    reason: str  # no_location | no_nearby | skill | certificate | availability | preference
    #              | minor | capacity | competition
    explanation: str


@dataclass(frozen=True)
class MatchResult:
    proposals: tuple[Proposal, ...]
    unmatched: tuple[Unmatched, ...]
    total_score: float
    method: str  # "min_cost_flow" | "single" | "empty"
    edges: int
