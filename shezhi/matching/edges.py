"""Candidate edges of one need: the hard constraints one by one, so that an empty list names
the constraint that emptied it, then the scores. Pure: no Django import."""

from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from shezhi.matching.geometry import haversine_to, hour_mask, mask_words
from shezhi.matching.model import MatchNeed
from shezhi.matching.pool import Edges, Pool, select

# A hard constraint: the pairs it keeps (None: it does not apply to this need) and the columns
# it adds; checked in this order, the first to empty the list is the reason given.
Constraint = Callable[[Pool, MatchNeed, Edges], npt.NDArray[np.bool_] | None]


def edges_for(pool: Pool, need: MatchNeed, limit: int | None) -> tuple[Edges, str | None]:
    """Feasible candidates of one need with their scores; or the emptying constraint."""
    radius = pool.config.radius_for(need)
    e = within_radius(pool, need, radius)
    if not len(e["cand"]):
        return {}, empty_reason(pool, need, radius)
    for reason, constraint in CONSTRAINTS:
        keep = constraint(pool, need, e)
        if keep is not None:
            e = select(e, keep)
            if not len(e["cand"]):
                return {}, reason
    e["times"] = times_served(pool, need, e["cand"])
    e["pair"] = pool.pair_values(e, pool.config.urgency_value(need.urgency), radius)
    if limit is not None and len(e["cand"]) > limit:
        value = e["pair"] + pool.slot_bonus(e["cand"], np.zeros(len(e["cand"]), np.int64))
        top = np.lexsort((e["cand"], -value))[:limit]
        top.sort()
        e = select(e, top)
    return {
        "cand": e["cand"],
        "skill": np.where(e["skill"] == pool.all_bucket, -1, e["skill"]),
        "level": e["level"],
        "distance": e["distance"],
        "overlap": e["overlap"],
        "times": e["times"],
        "pair": e["pair"],
    }, None


def within_radius(pool: Pool, need: MatchNeed, radius: float) -> Edges:
    """Candidates with an accepted skill inside the need's radius (or without a location)."""
    c, s, lv = pool.gather(need, pool.skill_ids(need))
    if need.location is not None:
        d = haversine_to(pool.lat[c], pool.lon[c], need.location[0], need.location[1])
        keep = np.isnan(d) | (d <= radius)
    else:
        d = np.full(len(c), np.nan)
        keep = np.isnan(pool.lat[c])
    e = {"cand": c, "skill": s, "level": lv, "distance": d}
    e = select(e, keep)
    e["overlap"] = np.ones(len(e["cand"]))
    return e


def empty_reason(pool: Pool, need: MatchNeed, radius: float) -> str:
    """Why no one is within reach: no location, no one with the skill, or no one at all."""
    if need.location is None:
        return "no_location"
    if need.required_skills and pool.anyone_near(need, radius):
        return "skill"
    return "no_nearby"


def certificates_held(pool: Pool, need: MatchNeed, e: Edges) -> npt.NDArray[np.bool_] | None:
    if not need.required_certificates:
        return None
    held = [need.required_certificates <= pool.cands[i].certificates for i in e["cand"].tolist()]
    return np.array(held, bool)


def time_overlap(pool: Pool, need: MatchNeed, e: Edges) -> npt.NDArray[np.bool_] | None:
    """Keeps those free for part of the wanted time; sets the overlap column (share of it)."""
    if need.window is None:
        return None
    wmask = hour_mask([need.window])
    total = bin(wmask).count("1")
    if not total:
        return None
    c = e["cand"]
    words = np.array(mask_words(wmask), np.uint64)
    common = np.bitwise_count(pool.avail[c] & words).sum(axis=1)
    e["overlap"] = np.where(pool.any_time[c], 1.0, common / total)
    return e["overlap"] > 0


def preferences_met(pool: Pool, need: MatchNeed, e: Edges) -> npt.NDArray[np.bool_] | None:
    """The helper's gender the resident asked for, and no helper who declined this need."""
    if not (need.preferred_gender or need.excluded):
        return None
    c = e["cand"]
    keep = np.ones(len(c), bool)
    if need.preferred_gender:
        keep &= pool.gender[c] == need.preferred_gender
    if need.excluded:
        keep &= np.array([pool.cands[i].key not in need.excluded for i in c.tolist()])
    return keep


def no_minor_alone(pool: Pool, need: MatchNeed, e: Edges) -> npt.NDArray[np.bool_] | None:
    """No minor on a hazardous need; no unaccompanied minor on a home visit."""
    if not (need.home_visit or need.hazardous):
        return None
    return ~(pool.minor[e["cand"]] if need.hazardous else pool.alone_minor[e["cand"]])


def has_room(pool: Pool, need: MatchNeed, e: Edges) -> npt.NDArray[np.bool_] | None:
    return pool.remaining[e["cand"]] > 0  # type: ignore[no-any-return]


CONSTRAINTS: tuple[tuple[str, Constraint], ...] = (
    ("certificate", certificates_held),
    ("availability", time_overlap),
    ("preference", preferences_met),
    ("minor", no_minor_alone),
    ("capacity", has_room),
)


def times_served(pool: Pool, need: MatchNeed, c: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """How often each candidate already served this need's resident."""
    times = np.zeros(len(c), np.int64)
    for key, n in need.previous_helpers.items():
        i = pool.index_of.get(key)
        if i is not None:
            times[c == i] = max(0, int(n))
    return times
