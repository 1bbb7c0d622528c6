"""The matching engine. Pure: no Django import.

1. Candidate generation: candidates sit in a spatial grid (cells about one service radius wide)
   split into skill buckets, so a need only looks at the 3 × 3 cells around it and only at the
   buckets of skills it accepts — never a dense needs × candidates matrix.
2. Hard constraints filter that short list: skill, certificates, radius (haversine), time-window
   overlap, stated preferences, no minor alone on a home visit, remaining capacity.
3. A weighted score per (need, candidate); the workload component is charged per order slot, so
   a helper's third order is worth less than their first (load balancing).
4. One min-cost flow over all needs at once (OR-Tools SimpleMinCostFlow): source → need (1) →
   candidate → sink via one arc per free order slot, plus a source → sink bypass for needs that
   cannot be served. Maximising the score serves urgent needs first (their bonus dominates),
   then as many needs as possible, then the best fits. A single need is solved by taking its
   best candidate (exact).
5. Every proposal and every unmatched need carries a Chinese explanation.

Scores are quantised to 1/1000 before solving, so totals are exact sums of integers and equal
inputs give equal outputs regardless of input order."""

from collections.abc import Iterable, Mapping, Sequence
from math import cos, radians
from typing import Any

import numpy as np
import numpy.typing as npt

from shezhi.matching.model import (
    HOURS_PER_WEEK,
    IMMEDIATE,
    CandidateKey,
    Components,
    Interval,
    MatchCandidate,
    MatchConfig,
    MatchNeed,
    MatchResult,
    Proposal,
    Ranked,
    Unmatched,
)

EARTH_RADIUS_M = 6_371_000.0
M_PER_DEG_LAT = 111_000.0  # a little under the true 111,195 m: cells are never too small
M_PER_DEG_TRUE = 111_194.93
SCALE = 1000  # score quantum
MASK_WORDS = 3  # 168 hours in three 64-bit words
BATCH = 512  # needs per vectorised candidate-generation batch

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres between two points given in degrees."""
    return float(_haversine(np.array([lat1]), np.array([lon1]), lat2, lon2)[0])


def _haversine(lat: FloatArray, lon: FloatArray, lat0: float, lon0: float) -> FloatArray:
    p1, p2 = np.radians(lat), radians(lat0)
    dphi = p2 - p1
    dl = np.radians(lon0 - lon)
    h = np.sin(dphi / 2) ** 2 + np.cos(p1) * cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.minimum(h, 1.0)))  # type: ignore[no-any-return]


def _haversine_pairs(
    lat: FloatArray, lon: FloatArray, lat0: FloatArray, lon0: FloatArray
) -> FloatArray:
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


def _words(mask: int) -> list[int]:
    return [(mask >> (64 * w)) & 0xFFFF_FFFF_FFFF_FFFF for w in range(MASK_WORDS)]


class Pool:
    """Candidates prepared for fast look-up: arrays plus the grid × skill bucket index."""

    def __init__(self, candidates: Sequence[MatchCandidate], config: MatchConfig, cell_m: float):
        self.config = config
        self.cands = sorted(candidates, key=lambda c: c.key)
        cands = self.cands
        m = len(cands)
        self.index_of: dict[CandidateKey, int] = {c.key: i for i, c in enumerate(cands)}
        self.lat = np.array([c.location[0] if c.location else np.nan for c in cands], float)
        self.lon = np.array([c.location[1] if c.location else np.nan for c in cands], float)
        self.open = np.array([max(0, c.open_orders) for c in cands], np.int64)
        self.max = np.array([max(0, c.max_orders) for c in cands], np.int64)
        self.remaining = np.maximum(self.max - self.open, 0)
        self.rating = np.array(
            [config.neutral_rating if c.rating is None else c.rating for c in cands], float
        )
        self.gender = np.array([c.gender or "" for c in cands], dtype=object)
        self.alone_minor = np.array(
            [c.is_minor and c.kind not in config.accompanied_kinds for c in cands], bool
        )
        self.minor = np.array([c.is_minor for c in cands], bool)
        self.any_time = np.array([c.availability is None for c in cands], bool)
        self.avail = np.zeros((m, MASK_WORDS), np.uint64)
        for i, c in enumerate(cands):
            if c.availability is not None:
                self.avail[i] = _words(hour_mask(c.availability))

        skills = sorted({s for c in cands for s in c.skills})
        self.skill_codes = skills
        self.skill_idx = {s: i for i, s in enumerate(skills)}
        self.all_bucket = len(skills)  # pseudo-skill: every candidate

        self.cell_m = cell_m / 3  # a need looks at the cells its radius' bounding box touches
        self._full: _Index | None = None
        self.active = _Index(self, self.remaining > 0)

    @property
    def full(self) -> "_Index":
        """Every candidate, also those without room: only to explain an empty list."""
        if self._full is None:
            self._full = _Index(self, np.ones(len(self.cands), bool))
        return self._full

    # -- candidate generation -----------------------------------------------------------------

    def _gather(self, need: MatchNeed, skill_ids: list[int]) -> tuple[IntArray, IntArray, IntArray]:
        """Candidates in the 3 × 3 cells around the need (+ unlocated ones) in those buckets,
        each once with its best matching skill: (candidate, skill index, level)."""
        index = self.full
        spans = index.spans(need, skill_ids, self.config.radius_for(need))
        parts_c = [index.b_cand[lo:hi] for lo, hi in spans]
        parts_s = [index.b_skill[lo:hi] for lo, hi in spans]
        parts_l = [index.b_level[lo:hi] for lo, hi in spans]
        if not parts_c:
            empty = np.zeros(0, np.int64)
            return empty, empty, empty
        c = np.concatenate(parts_c)
        s_arr = np.concatenate(parts_s)
        lv = np.concatenate(parts_l)
        order = np.lexsort((s_arr, -lv, c))
        c, s_arr, lv = c[order], s_arr[order], lv[order]
        first = np.ones(len(c), bool)
        first[1:] = c[1:] != c[:-1]
        return c[first], s_arr[first], lv[first]

    def _skill_ids(self, need: MatchNeed) -> list[int]:
        if not need.required_skills:
            return [self.all_bucket]
        return sorted(self.skill_idx[s] for s in need.required_skills if s in self.skill_idx)

    def edges_for(
        self, need: MatchNeed, limit: int | None
    ) -> tuple[dict[str, npt.NDArray[Any]], str | None]:
        """Feasible candidates of one need with their scores; or the emptying constraint."""
        cfg = self.config
        radius = cfg.radius_for(need)
        c, s, lv = self._gather(need, self._skill_ids(need))
        if need.location is not None:
            d = _haversine(self.lat[c], self.lon[c], need.location[0], need.location[1])
            keep = np.isnan(d) | (d <= radius)
        else:
            d = np.full(len(c), np.nan)
            keep = np.isnan(self.lat[c])
        c, s, lv, d = c[keep], s[keep], lv[keep], d[keep]
        if not len(c):
            if need.location is None:
                return {}, "no_location"
            if need.required_skills and self._anyone_near(need, radius):
                return {}, "skill"
            return {}, "no_nearby"
        if need.required_certificates:
            keep = np.array(
                [need.required_certificates <= self.cands[i].certificates for i in c.tolist()],
                bool,
            )
            c, s, lv, d = c[keep], s[keep], lv[keep], d[keep]
            if not len(c):
                return {}, "certificate"
        overlap = np.ones(len(c))
        if need.window is not None:
            wmask = hour_mask([need.window])
            total = bin(wmask).count("1")
            if total:
                words = np.array(_words(wmask), np.uint64)
                common = np.bitwise_count(self.avail[c] & words).sum(axis=1)
                overlap = np.where(self.any_time[c], 1.0, common / total)
                keep = overlap > 0
                c, s, lv, d, overlap = c[keep], s[keep], lv[keep], d[keep], overlap[keep]
                if not len(c):
                    return {}, "availability"
        if need.preferred_gender or need.excluded:
            keep = np.ones(len(c), bool)
            if need.preferred_gender:
                keep &= self.gender[c] == need.preferred_gender
            if need.excluded:
                keep &= np.array([self.cands[i].key not in need.excluded for i in c.tolist()])
            c, s, lv, d, overlap = c[keep], s[keep], lv[keep], d[keep], overlap[keep]
            if not len(c):
                return {}, "preference"
        if need.home_visit or need.hazardous:
            keep = ~(self.minor[c] if need.hazardous else self.alone_minor[c])
            c, s, lv, d, overlap = c[keep], s[keep], lv[keep], d[keep], overlap[keep]
            if not len(c):
                return {}, "minor"
        keep = self.remaining[c] > 0
        c, s, lv, d, overlap = c[keep], s[keep], lv[keep], d[keep], overlap[keep]
        if not len(c):
            return {}, "capacity"

        times = np.zeros(len(c), np.int64)
        if need.previous_helpers:
            for key, n in need.previous_helpers.items():
                i = self.index_of.get(key)
                if i is not None:
                    times[c == i] = max(0, int(n))
        comp_skill = np.where(s == self.all_bucket, 1.0, np.clip(lv, 0, 5) / 5.0)
        comp_dist = np.where(np.isnan(d), 0.5, np.clip(1.0 - np.nan_to_num(d) / radius, 0, 1))
        comp_cont = np.minimum(times, cfg.continuity_cap) / max(cfg.continuity_cap, 1)
        comp_rating = np.clip(self.rating[c], 0, 5) / 5.0
        pair = (
            cfg.serve_bonus
            + cfg.urgency_value(need.urgency)
            + cfg.w_skill * comp_skill
            + cfg.w_distance * comp_dist
            + cfg.w_availability * overlap
            + cfg.w_continuity * comp_cont
            + cfg.w_rating * comp_rating
        )
        pair_int = np.rint(pair * SCALE).astype(np.int64)
        slot0 = self.slot_bonus(c, np.zeros(len(c), np.int64))
        if limit is not None and len(c) > limit:
            top = np.lexsort((c, -(pair_int + slot0)))[:limit]
            top.sort()
            c, s, lv, d, overlap, times, pair_int = (  # type: ignore[assignment]
                a[top] for a in (c, s, lv, d, overlap, times, pair_int)
            )
        s = np.where(s == self.all_bucket, -1, s)
        return {
            "cand": c,
            "skill": s,
            "level": lv,
            "distance": d,
            "overlap": overlap,
            "times": times,
            "pair": pair_int,
        }, None

    def batch_edges(
        self, needs: Sequence[MatchNeed], lo: int, hi: int, limit: int | None
    ) -> dict[str, npt.NDArray[Any]]:
        """Feasible pairs of needs[lo:hi], vectorised over the whole batch (same rules as
        edges_for, which explains empty lists), best `limit` per need, sorted by need."""
        cfg = self.config
        index = self.active
        span_need: list[int] = []
        span_lo: list[int] = []
        span_hi: list[int] = []
        multi = False
        for k in range(lo, hi):
            need = needs[k]
            skill_ids = self._skill_ids(need)
            multi |= len(skill_ids) > 1
            for s_lo, s_hi in index.spans(need, skill_ids, cfg.radius_for(need)):
                span_need.append(k)
                span_lo.append(s_lo)
                span_hi.append(s_hi)
        starts = np.array(span_lo, np.int64)
        lengths = np.array(span_hi, np.int64) - starts
        total_len = int(lengths.sum())
        first = np.cumsum(lengths) - lengths
        pos = np.arange(total_len, dtype=np.int64) - np.repeat(first - starts, lengths)
        nk = np.repeat(np.array(span_need, np.int64), lengths)
        batch = needs[lo:hi]
        nlat = np.array([x.location[0] if x.location else np.nan for x in batch])
        nlon = np.array([x.location[1] if x.location else np.nan for x in batch])
        radius = np.array([cfg.radius_for(x) for x in batch])
        # Cheap flat-earth prefilter (1 % margin) before the exact haversine.
        rel = nk - lo
        blat, blon = index.b_lat[pos], index.b_lon[pos]
        dy = (blat - nlat[rel]) * M_PER_DEG_TRUE
        dx = (blon - nlon[rel]) * (M_PER_DEG_TRUE * np.cos(np.radians(nlat)))[rel]
        near = np.isnan(blat) | (dx * dx + dy * dy <= (radius[rel] * 1.01) ** 2)
        pos, nk = pos[near], nk[near]
        c, s, lv = index.b_cand[pos], index.b_skill[pos], index.b_level[pos]
        if multi:  # a candidate found through two skills: keep its best one
            order = np.lexsort((s, -lv, c, nk))
            nk, c, s, lv = nk[order], c[order], s[order], lv[order]
            keep = np.ones(len(c), bool)
            keep[1:] = (c[1:] != c[:-1]) | (nk[1:] != nk[:-1])
            nk, c, s, lv = nk[keep], c[keep], s[keep], lv[keep]

        rel = nk - lo
        d = _haversine_pairs(self.lat[c], self.lon[c], nlat[rel], nlon[rel])
        keep = np.where(np.isnan(self.lat[c]), True, d <= radius[rel])
        home = np.array([x.home_visit for x in batch], bool)
        keep &= ~(home[rel] & self.alone_minor[c])
        hazardous = np.array([x.hazardous for x in batch], bool)
        keep &= ~(hazardous[rel] & self.minor[c])
        pref = [x.preferred_gender or "" for x in batch]
        if any(pref):
            want = np.array(pref, dtype=object)[rel]
            keep &= (want == "") | (self.gender[c] == want)
        nk, c, s, lv, d, rel = nk[keep], c[keep], s[keep], lv[keep], d[keep], rel[keep]

        overlap = np.ones(len(c))
        if any(x.window is not None for x in batch):
            masks = np.zeros((len(batch), MASK_WORDS), np.uint64)
            totals = np.zeros(len(batch))
            for j, x in enumerate(batch):
                if x.window is not None:
                    wm = hour_mask([x.window])
                    masks[j] = _words(wm)
                    totals[j] = bin(wm).count("1")
            has = (totals[rel] > 0) & ~self.any_time[c]
            common = np.bitwise_count(self.avail[c] & masks[rel]).sum(axis=1)
            overlap = np.where(has, common / np.maximum(totals[rel], 1), 1.0)
            keep = overlap > 0
            nk, c, s, lv, d, rel, overlap = (a[keep] for a in (nk, c, s, lv, d, rel, overlap))  # type: ignore[assignment]

        special = [j for j, x in enumerate(batch) if x.required_certificates or x.excluded]
        if special:
            keep = np.ones(len(c), bool)
            for j in special:
                x = batch[j]
                for p in np.flatnonzero(rel == j).tolist():
                    cand = self.cands[int(c[p])]
                    if not x.required_certificates <= cand.certificates or cand.key in x.excluded:
                        keep[p] = False
            nk, c, s, lv, d, rel, overlap = (a[keep] for a in (nk, c, s, lv, d, rel, overlap))  # type: ignore[assignment]

        times = np.zeros(len(c), np.int64)
        prev = [(j, x) for j, x in enumerate(batch) if x.previous_helpers]
        if prev:
            m = len(self.cands)
            pk: list[int] = []
            pt: list[int] = []
            for j, x in prev:
                for key, t in x.previous_helpers.items():
                    i = self.index_of.get(key)
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

        urg = np.array([cfg.urgency_value(x.urgency) for x in batch])
        comp_skill = np.where(s == self.all_bucket, 1.0, np.clip(lv, 0, 5) / 5.0)
        r = radius[rel]
        comp_dist = np.where(np.isnan(d), 0.5, np.clip(1.0 - np.nan_to_num(d) / r, 0, 1))
        comp_cont = np.minimum(times, cfg.continuity_cap) / max(cfg.continuity_cap, 1)
        comp_rating = np.clip(self.rating[c], 0, 5) / 5.0
        pair = (
            cfg.serve_bonus
            + urg[rel]
            + cfg.w_skill * comp_skill
            + cfg.w_distance * comp_dist
            + cfg.w_availability * overlap
            + cfg.w_continuity * comp_cont
            + cfg.w_rating * comp_rating
        )
        pair_int = np.rint(pair * SCALE).astype(np.int64)
        value = pair_int + self.slot_bonus(c, np.zeros(len(c), np.int64))
        order = np.lexsort((c, -value, nk))
        nk, c, s, lv, d, overlap, times, pair_int = (  # type: ignore[assignment]
            a[order] for a in (nk, c, s, lv, d, overlap, times, pair_int)
        )
        if limit is not None and len(nk):
            group_start = np.searchsorted(nk, nk, side="left")
            keep = (np.arange(len(nk)) - group_start) < limit
            nk, c, s, lv, d, overlap, times, pair_int = (
                a[keep] for a in (nk, c, s, lv, d, overlap, times, pair_int)
            )
        return {
            "need": nk,
            "cand": c,
            "skill": np.where(s == self.all_bucket, -1, s),
            "level": lv,
            "distance": d,
            "overlap": overlap,
            "times": times,
            "pair": pair_int,
        }

    def _anyone_near(self, need: MatchNeed, radius: float) -> bool:
        c, _, _ = self._gather(need, [self.all_bucket])
        assert need.location is not None
        d = _haversine(self.lat[c], self.lon[c], need.location[0], need.location[1])
        return bool(np.any(d <= radius))

    def slot_bonus_one(self, i: int, slot: int) -> int:
        load = 1.0 - (int(self.open[i]) + slot) / max(int(self.max[i]), 1)
        return int(np.rint(self.config.w_workload * min(max(load, 0.0), 1.0) * SCALE))

    def slot_bonus(self, cand: IntArray, slot: IntArray) -> IntArray:
        """Quantised workload bonus of a candidate's `slot`-th new order (0 = the next one)."""
        mx = np.maximum(self.max[cand], 1)
        load = np.clip(1.0 - (self.open[cand] + slot) / mx, 0.0, 1.0)
        return np.rint(self.config.w_workload * load * SCALE).astype(np.int64)

    # -- explanations --------------------------------------------------------------------------

    def components(
        self, need: MatchNeed, e: dict[str, npt.NDArray[Any]], k: int, slot: int
    ) -> Components:
        cfg = self.config
        i = int(e["cand"][k])
        d = float(e["distance"][k])
        radius = cfg.radius_for(need)
        times = int(e["times"][k])
        mx = max(int(self.max[i]), 1)
        return Components(
            skill=1.0 if int(e["skill"][k]) < 0 else min(int(e["level"][k]), 5) / 5.0,
            distance=0.5 if d != d else max(0.0, 1.0 - d / radius),
            availability=float(e["overlap"][k]),
            workload=max(0.0, min(1.0, 1.0 - (int(self.open[i]) + slot) / mx)),
            continuity=min(times, cfg.continuity_cap) / max(cfg.continuity_cap, 1),
            rating=min(max(float(self.rating[i]), 0.0), 5.0) / 5.0,
            urgency=cfg.urgency_value(need.urgency),
        )

    def explain(
        self,
        need: MatchNeed,
        e: dict[str, npt.NDArray[Any]],
        k: int,
        labels: Mapping[str, str],
    ) -> str:
        i = int(e["cand"][k])
        cand = self.cands[i]
        parts: list[str] = []
        skill = int(e["skill"][k])
        if skill >= 0:
            code = self.skill_codes[skill]
            parts.append(f"技能匹配: {labels.get(code, code)}（{int(e['level'][k])}级）")
        else:
            parts.append("无特定技能要求")
        if need.required_certificates:
            parts.append("持证: " + "、".join(sorted(need.required_certificates)))
        d = float(e["distance"][k])
        parts.append("不受距离限制" if d != d else f"距离 {d:,.0f} m")
        if need.window is not None:
            parts.append(f"时段重合 {float(e['overlap'][k]):.0%}")
        parts.append(f"在办 {cand.open_orders} 单（上限 {cand.max_orders}）")
        times = int(e["times"][k])
        if times:
            parts.append(f"曾服务该居民 {times} 次")
        if cand.rating is not None:
            parts.append(f"评分 {cand.rating:.1f}")
        if need.urgency == IMMEDIATE:
            parts.append("马上办优先")
        return "; ".join(parts)


class _Index:
    """Grid cells × skill buckets over the candidates in `member`: per (cell i, cell j, skill)
    a contiguous span of the b_* arrays; candidates without a location in per-skill spans."""

    def __init__(self, pool: "Pool", member: BoolArray):
        m = len(pool.cands)
        located = ~np.isnan(pool.lat)
        ref_lat = float(np.nanmax(np.abs(pool.lat))) if located.any() else 0.0
        self.dlat = pool.cell_m / M_PER_DEG_LAT
        self.dlon = pool.cell_m / (M_PER_DEG_LAT * max(cos(radians(min(ref_lat, 85.0))), 0.01))
        ci = np.where(located, np.floor(np.nan_to_num(pool.lat) / self.dlat), 0).astype(np.int64)
        cj = np.where(located, np.floor(np.nan_to_num(pool.lon) / self.dlon), 0).astype(np.int64)
        p_cand: list[int] = []
        p_skill: list[int] = []
        p_level: list[int] = []
        all_bucket = pool.all_bucket
        for i in np.flatnonzero(member).tolist():
            for code, level in pool.cands[i].skills.items():
                p_cand.append(i)
                p_skill.append(pool.skill_idx[code])
                p_level.append(int(level))
            p_cand.append(i)
            p_skill.append(all_bucket)
            p_level.append(0)
        pc = np.array(p_cand, np.int64)
        ps = np.array(p_skill, np.int64)
        pl = np.array(p_level, np.int64)
        loc = located[pc] if m else np.zeros(0, bool)
        order = np.lexsort((pc[loc], ps[loc], cj[pc[loc]], ci[pc[loc]]))
        b_cand, b_skill, b_level = pc[loc][order], ps[loc][order], pl[loc][order]
        keys = np.stack([ci[b_cand], cj[b_cand], b_skill], axis=1)
        self.buckets: dict[tuple[int, int, int], tuple[int, int]] = {}
        if len(keys):
            change = np.ones(len(keys), bool)
            change[1:] = np.any(keys[1:] != keys[:-1], axis=1)
            starts = np.flatnonzero(change)
            ends = np.append(starts[1:], len(keys))
            heads = keys[starts].tolist()
            for (a, b, c), lo, hi in zip(heads, starts.tolist(), ends.tolist(), strict=True):
                self.buckets[(a, b, c)] = (lo, hi)
        free = ~loc
        self.free_spans: dict[int, tuple[int, int]] = {}
        parts_c, parts_s, parts_l = [b_cand], [b_skill], [b_level]
        at = len(b_cand)
        for s in np.unique(ps[free]).tolist():
            sel = free & (ps == s)
            parts_c.append(pc[sel])
            parts_s.append(ps[sel])
            parts_l.append(pl[sel])
            self.free_spans[int(s)] = (at, at + int(sel.sum()))
            at += int(sel.sum())
        self.b_cand = np.concatenate(parts_c)
        self.b_skill = np.concatenate(parts_s)
        self.b_level = np.concatenate(parts_l)
        self.b_lat = pool.lat[self.b_cand]
        self.b_lon = pool.lon[self.b_cand]

    def spans(self, need: MatchNeed, skill_ids: list[int], radius: float) -> list[tuple[int, int]]:
        """Spans of the cells the need's radius reaches (+ unlocated candidates), per skill."""
        out: list[tuple[int, int]] = []
        if need.location is not None:
            lat, lon = need.location
            rlat = radius / M_PER_DEG_LAT
            rlon = radius / (M_PER_DEG_LAT * max(cos(radians(min(abs(lat) + 0.1, 85.0))), 0.01))
            i0, i1 = (
                int(np.floor((lat - rlat) / self.dlat)),
                int(np.floor((lat + rlat) / self.dlat)),
            )
            j0, j1 = (
                int(np.floor((lon - rlon) / self.dlon)),
                int(np.floor((lon + rlon) / self.dlon)),
            )
            get = self.buckets.get
            for i in range(i0, i1 + 1):
                for j in range(j0, j1 + 1):
                    for s in skill_ids:
                        span = get((i, j, s))
                        if span:
                            out.append(span)
        for s in skill_ids:
            span = self.free_spans.get(s)
            if span:
                out.append(span)
        return out


UNMATCHED_TEXT = {
    "no_location": "需求没有位置信息，且没有不受距离限制的服务对象",
    "no_nearby": "服务半径 {radius:,.0f} m 内没有可派的服务对象",
    "skill": "服务半径 {radius:,.0f} m 内无人具备所需技能：{skills}",
    "certificate": "附近具备技能的人中无人持有所需证书：{certs}",
    "availability": "附近符合条件的人在需求时段都没有空",
    "preference": "附近符合条件的人都不满足居民的偏好（性别或回避对象）",
    "minor": "附近符合条件的只有未成年志愿者，不能单独上门服务",
    "capacity": "附近符合条件的人在办订单都已满额",
    "competition": "{n} 名符合条件的候选人均已分配给更紧急或更匹配的需求",
}


def _unmatched(
    need: MatchNeed, reason: str, config: MatchConfig, labels: Mapping[str, str], n: int = 0
) -> Unmatched:
    text = UNMATCHED_TEXT[reason].format(
        radius=config.radius_for(need),
        skills="、".join(labels.get(s, s) for s in sorted(need.required_skills)),
        certs="、".join(sorted(need.required_certificates)),
        n=n,
    )
    return Unmatched(need_id=need.id, reason=reason, explanation=text)


def cell_size(needs: Sequence[MatchNeed], config: MatchConfig) -> float:
    radii = [config.radius_default_m, config.radius_immediate_m]
    radii += [n.radius_m for n in needs if n.radius_m is not None]
    return max(max(radii), 1.0)


def rank_candidates(
    need: MatchNeed,
    candidates: Sequence[MatchCandidate],
    config: MatchConfig | None = None,
    labels: Mapping[str, str] | None = None,
    limit: int = 10,
) -> tuple[list[Ranked], Unmatched | None]:
    """The best feasible candidates for one need, best first, each explained; or why none."""
    config = config or MatchConfig()
    labels = labels or {}
    pool = Pool(candidates, config, cell_size([need], config))
    e, reason = pool.edges_for(need, limit=None)
    if reason is not None:
        return [], _unmatched(need, reason, config, labels)
    cand = e["cand"].astype(np.int64)
    total = e["pair"].astype(np.int64) + pool.slot_bonus(cand, np.zeros(len(cand), np.int64))
    order = sorted(range(len(cand)), key=lambda k: (-int(total[k]), pool.cands[cand[k]].key))
    ranked = [
        Ranked(
            need_id=need.id,
            candidate=pool.cands[int(cand[k])],
            score=int(total[k]) / SCALE,
            components=pool.components(need, e, k, 0),
            distance_m=None if np.isnan(e["distance"][k]) else float(e["distance"][k]),
            skill_level=int(e["level"][k]),
            overlap=float(e["overlap"][k]),
            times_served=int(e["times"][k]),
            explanation=pool.explain(need, e, k, labels),
        )
        for k in order[:limit]
    ]
    return ranked, None


def match(
    needs: Sequence[MatchNeed],
    candidates: Sequence[MatchCandidate],
    config: MatchConfig | None = None,
    labels: Mapping[str, str] | None = None,
) -> MatchResult:
    """The optimal assignment of all `needs` at once (see the module docstring)."""
    config = config or MatchConfig()
    labels = labels or {}
    needs = sorted(needs, key=lambda n: n.id)
    pool = Pool(candidates, config, cell_size(needs, config))
    parts = [
        pool.batch_edges(needs, lo, min(lo + BATCH, len(needs)), config.max_edges_per_need)
        for lo in range(0, len(needs), BATCH)
    ]
    e = {key: np.concatenate([p[key] for p in parts]) for key in parts[0]} if parts else {}
    need_of = e["need"].astype(np.int64) if e else np.zeros(0, np.int64)
    counts = np.bincount(need_of, minlength=len(needs))
    unmatched: dict[int, Unmatched] = {}
    for k in np.flatnonzero(counts == 0).tolist():
        _, reason = pool.edges_for(needs[k], limit=1)
        unmatched[k] = _unmatched(needs[k], reason or "capacity", config, labels)
    n_edges = len(need_of)
    if n_edges == 0:
        return MatchResult((), tuple(unmatched[k] for k in sorted(unmatched)), 0.0, "empty", 0)
    cand = e["cand"].astype(np.int64)
    pair = e["pair"].astype(np.int64)

    if len(needs) == 1:
        chosen = _solve_single(pool, cand, pair)
        method = "single"
    else:
        chosen = _solve_flow(pool, len(needs), need_of, cand, pair)
        method = "min_cost_flow"

    # Slots in need order per candidate, so that each proposal's score is reproducible.
    proposals: list[Proposal] = []
    used: dict[int, int] = {}
    total = 0
    for arc in chosen.tolist():
        k = int(need_of[arc])
        i = int(cand[arc])
        slot = used.get(i, 0)
        used[i] = slot + 1
        score = int(pair[arc]) + pool.slot_bonus_one(i, slot)
        total += score
        d = float(e["distance"][arc])
        proposals.append(
            Proposal(
                need_id=needs[k].id,
                candidate=pool.cands[i],
                score=score / SCALE,
                components=pool.components(needs[k], e, arc, slot),
                distance_m=None if d != d else d,
                explanation=pool.explain(needs[k], e, arc, labels),
            )
        )
    served = {int(need_of[a]) for a in chosen.tolist()}
    for k in range(len(needs)):
        if k not in served and k not in unmatched:
            unmatched[k] = _unmatched(needs[k], "competition", config, labels, int(counts[k]))
    return MatchResult(
        proposals=tuple(proposals),
        unmatched=tuple(unmatched[k] for k in sorted(unmatched)),
        total_score=total / SCALE,
        method=method,
        edges=n_edges,
    )


def _solve_single(pool: Pool, cand: IntArray, pair: IntArray) -> IntArray:
    value = pair + pool.slot_bonus(cand, np.zeros(len(cand), np.int64))
    keys = [pool.cands[i].key for i in cand.tolist()]
    best = min(range(len(cand)), key=lambda a: (-int(value[a]), keys[a]))
    return np.array([best], np.int64)


def _solve_flow(pool: Pool, n: int, need_of: IntArray, cand: IntArray, pair: IntArray) -> IntArray:
    """Indices of the chosen (need, candidate) arcs, in arc order."""
    from ortools.graph.python import min_cost_flow  # type: ignore[import-untyped]

    used, cnode = np.unique(cand, return_inverse=True)
    source, sink = 0, 1 + n + len(used)
    degree = np.bincount(cnode, minlength=len(used))
    slots = np.minimum(pool.remaining[used], degree)
    slot_cand = np.repeat(np.arange(len(used)), slots)
    starts = np.concatenate([[0], np.cumsum(slots)[:-1]])
    slot_k = np.arange(int(slots.sum())) - np.repeat(starts, slots)
    slot_cost = -pool.slot_bonus(used[slot_cand], slot_k)

    tails = np.concatenate(
        [np.zeros(n, np.int64), 1 + need_of, 1 + n + slot_cand, np.array([source])]
    )
    heads = np.concatenate(
        [1 + np.arange(n), 1 + n + cnode, np.full(len(slot_cand), sink), np.array([sink])]
    )
    caps = np.concatenate([np.ones(n + len(cand) + len(slot_cand), np.int64), np.array([n])])
    costs = np.concatenate([np.zeros(n, np.int64), -pair, slot_cost, np.zeros(1, np.int64)]).astype(
        np.int64
    )
    flow = min_cost_flow.SimpleMinCostFlow()
    flow.add_arcs_with_capacity_and_unit_cost(tails, heads, caps, costs)
    flow.set_nodes_supplies(np.array([source, sink]), np.array([n, -n]))
    status = flow.solve()
    if status != flow.OPTIMAL:  # pragma: no cover - the bypass arc makes it always feasible
        raise RuntimeError(f"min cost flow failed: {status}")
    arcs = np.arange(n, n + len(cand))
    return arcs[flow.flows(arcs) > 0] - n  # type: ignore[no-any-return]
