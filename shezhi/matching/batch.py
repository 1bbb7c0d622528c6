"""Candidate edges of many needs at once, vectorised over a batch of needs (the same rules as
edges.edges_for, which explains empty lists), best `limit` per need. Pure: no Django import."""

from collections.abc import Sequence

import numpy as np

from shezhi.matching.cells import CellIndex
from shezhi.matching.geometry import (
    M_PER_DEG_TRUE,
    MASK_WORDS,
    BoolArray,
    FloatArray,
    IntArray,
    haversine_pairs,
    hour_mask,
    mask_words,
)
from shezhi.matching.model import MatchNeed
from shezhi.matching.pool import Edges, Pool, select

BATCH = 512  # needs per vectorised candidate-generation batch


def batch_edges(
    pool: Pool, needs: Sequence[MatchNeed], lo: int, hi: int, limit: int | None
) -> Edges:
    """Feasible pairs of needs[lo:hi] with their scores, best `limit` per need, sorted by need.
    Column "rel" (dropped on return) is a pair's need's position in the batch."""
    batch = needs[lo:hi]
    nlat = np.array([x.location[0] if x.location else np.nan for x in batch])
    nlon = np.array([x.location[1] if x.location else np.nan for x in batch])
    radius = np.array([pool.config.radius_for(x) for x in batch])
    pos, nk, multi = bucket_positions(pool, needs, lo, hi)
    pos, nk = roughly_near(pool.active, pos, nk - lo, nlat, nlon, radius)
    nk += lo
    index = pool.active
    e: Edges = {"need": nk, "cand": index.b_cand[pos], "skill": index.b_skill[pos]}
    e["level"] = index.b_level[pos]
    if multi:
        e = best_skill_once(e)
    e["rel"] = e["need"] - lo
    e["distance"] = haversine_pairs(
        pool.lat[e["cand"]], pool.lon[e["cand"]], nlat[e["rel"]], nlon[e["rel"]]
    )
    e = select(e, distance_minor_gender(pool, batch, e, radius))
    e = with_overlap(pool, batch, e)
    e = certificates_and_declines(pool, batch, e)
    e["times"] = batch_times_served(pool, batch, e)
    urgency = np.array([pool.config.urgency_value(x.urgency) for x in batch])
    e["pair"] = pool.pair_values(e, urgency[e["rel"]], radius[e["rel"]])
    e = best_per_need(pool, e, limit)
    return {
        "need": e["need"],
        "cand": e["cand"],
        "skill": np.where(e["skill"] == pool.all_bucket, -1, e["skill"]),
        "level": e["level"],
        "distance": e["distance"],
        "overlap": e["overlap"],
        "times": e["times"],
        "pair": e["pair"],
    }


def bucket_positions(
    pool: Pool, needs: Sequence[MatchNeed], lo: int, hi: int
) -> tuple[IntArray, IntArray, bool]:
    """Every (position in the active index, need index) the needs' cell spans cover, and
    whether some need accepts several skills (then a candidate may come twice)."""
    index = pool.active
    span_need: list[int] = []
    span_lo: list[int] = []
    span_hi: list[int] = []
    multi = False
    for k in range(lo, hi):
        need = needs[k]
        skill_ids = pool.skill_ids(need)
        multi |= len(skill_ids) > 1
        for s_lo, s_hi in index.spans(need, skill_ids, pool.config.radius_for(need)):
            span_need.append(k)
            span_lo.append(s_lo)
            span_hi.append(s_hi)
    starts = np.array(span_lo, np.int64)
    lengths = np.array(span_hi, np.int64) - starts
    total_len = int(lengths.sum())
    first = np.cumsum(lengths) - lengths
    pos = np.arange(total_len, dtype=np.int64) - np.repeat(first - starts, lengths)
    nk = np.repeat(np.array(span_need, np.int64), lengths)
    return pos, nk, multi


def roughly_near(
    index: CellIndex,
    pos: IntArray,
    rel: IntArray,
    nlat: FloatArray,
    nlon: FloatArray,
    radius: FloatArray,
) -> tuple[IntArray, IntArray]:
    """Cheap flat-earth prefilter (1 % margin) before the exact haversine."""
    blat, blon = index.b_lat[pos], index.b_lon[pos]
    dy = (blat - nlat[rel]) * M_PER_DEG_TRUE
    dx = (blon - nlon[rel]) * (M_PER_DEG_TRUE * np.cos(np.radians(nlat)))[rel]
    near = np.isnan(blat) | (dx * dx + dy * dy <= (radius[rel] * 1.01) ** 2)
    return pos[near], rel[near]


def best_skill_once(e: Edges) -> Edges:
    """A candidate found through two skills of a need: keep its best one."""
    nk, c, s, lv = e["need"], e["cand"], e["skill"], e["level"]
    e = select(e, np.lexsort((s, -lv, c, nk)))
    nk, c = e["need"], e["cand"]
    keep = np.ones(len(c), bool)
    keep[1:] = (c[1:] != c[:-1]) | (nk[1:] != nk[:-1])
    return select(e, keep)


def distance_minor_gender(
    pool: Pool, batch: Sequence[MatchNeed], e: Edges, radius: FloatArray
) -> BoolArray:
    """Within the radius; no (unaccompanied) minor where barred; the gender asked for."""
    c, rel = e["cand"], e["rel"]
    keep = np.where(np.isnan(pool.lat[c]), True, e["distance"] <= radius[rel])
    home = np.array([x.home_visit for x in batch], bool)
    keep &= ~(home[rel] & pool.alone_minor[c])
    hazardous = np.array([x.hazardous for x in batch], bool)
    keep &= ~(hazardous[rel] & pool.minor[c])
    pref = [x.preferred_gender or "" for x in batch]
    if any(pref):
        want = np.array(pref, dtype=object)[rel]
        keep &= (want == "") | (pool.gender[c] == want)
    return keep


def with_overlap(pool: Pool, batch: Sequence[MatchNeed], e: Edges) -> Edges:
    """The overlap column (share of the wanted time the helper is free); no overlap, no pair."""
    c, rel = e["cand"], e["rel"]
    e["overlap"] = np.ones(len(c))
    if not any(x.window is not None for x in batch):
        return e
    masks = np.zeros((len(batch), MASK_WORDS), np.uint64)
    totals = np.zeros(len(batch))
    for j, x in enumerate(batch):
        if x.window is not None:
            wm = hour_mask([x.window])
            masks[j] = mask_words(wm)
            totals[j] = bin(wm).count("1")
    has = (totals[rel] > 0) & ~pool.any_time[c]
    common = np.bitwise_count(pool.avail[c] & masks[rel]).sum(axis=1)
    e["overlap"] = np.where(has, common / np.maximum(totals[rel], 1), 1.0)
    return select(e, e["overlap"] > 0)


def certificates_and_declines(pool: Pool, batch: Sequence[MatchNeed], e: Edges) -> Edges:
    """Certificates the need requires; no helper who declined it (rare: checked pair by pair)."""
    special = [j for j, x in enumerate(batch) if x.required_certificates or x.excluded]
    if not special:
        return e
    c, rel = e["cand"], e["rel"]
    keep = np.ones(len(c), bool)
    for j in special:
        x = batch[j]
        for p in np.flatnonzero(rel == j).tolist():
            cand = pool.cands[int(c[p])]
            if not x.required_certificates <= cand.certificates or cand.key in x.excluded:
                keep[p] = False
    return select(e, keep)


def batch_times_served(pool: Pool, batch: Sequence[MatchNeed], e: Edges) -> IntArray:
    """How often each pair's candidate already served its need's resident."""
    c, rel = e["cand"], e["rel"]
    times = np.zeros(len(c), np.int64)
    m = len(pool.cands)
    pk: list[int] = []
    pt: list[int] = []
    for j, x in enumerate(batch):
        for key, t in x.previous_helpers.items():
            i = pool.index_of.get(key)
            if i is not None:
                pk.append(j * m + i)
                pt.append(max(0, int(t)))
    if pk:
        order = np.argsort(np.array(pk, np.int64), kind="stable")
        keys = np.array(pk, np.int64)[order]
        vals = np.array(pt, np.int64)[order]
        q = rel * m + c
        at = np.clip(np.searchsorted(keys, q), 0, len(keys) - 1)
        times = np.where(keys[at] == q, vals[at], 0)
    return times


def best_per_need(pool: Pool, e: Edges, limit: int | None) -> Edges:
    """Pairs sorted by need, best first (ties: candidate order), at most `limit` per need."""
    value = e["pair"] + pool.slot_bonus(e["cand"], np.zeros(len(e["cand"]), np.int64))
    e = select(e, np.lexsort((e["cand"], -value, e["need"])))
    nk = e["need"]
    if limit is not None and len(nk):
        group_start = np.searchsorted(nk, nk, side="left")
        e = select(e, (np.arange(len(nk)) - group_start) < limit)
    return e
