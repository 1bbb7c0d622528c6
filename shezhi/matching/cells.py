"""The spatial grid × skill bucket index over the candidates. Pure: no Django import.

Candidates sit in grid cells about a third of a service radius wide, split into skill buckets, so
a need only looks at the cells its radius reaches and only at the buckets of skills it accepts."""

from collections.abc import Mapping, Sequence
from math import cos, radians

import numpy as np

from shezhi.matching.geometry import M_PER_DEG_LAT, BoolArray, FloatArray, IntArray
from shezhi.matching.model import MatchCandidate, MatchNeed

Span = tuple[int, int]


class CellIndex:
    """Grid cells × skill buckets over the candidates in `member`: per (cell i, cell j, skill)
    a contiguous span of the b_* arrays; candidates without a location in per-skill spans."""

    def __init__(
        self,
        cands: Sequence[MatchCandidate],
        lat: FloatArray,
        lon: FloatArray,
        skill_idx: Mapping[str, int],
        all_bucket: int,
        cell_m: float,
        member: BoolArray,
    ):
        located = ~np.isnan(lat)
        ref_lat = float(np.nanmax(np.abs(lat))) if located.any() else 0.0
        self.dlat = cell_m / M_PER_DEG_LAT
        self.dlon = cell_m / (M_PER_DEG_LAT * max(cos(radians(min(ref_lat, 85.0))), 0.01))
        ci = np.where(located, np.floor(np.nan_to_num(lat) / self.dlat), 0).astype(np.int64)
        cj = np.where(located, np.floor(np.nan_to_num(lon) / self.dlon), 0).astype(np.int64)
        pc, ps, pl = postings(cands, skill_idx, all_bucket, member)
        loc = located[pc] if len(cands) else np.zeros(0, bool)
        order = np.lexsort((pc[loc], ps[loc], cj[pc[loc]], ci[pc[loc]]))
        b_cand, b_skill, b_level = pc[loc][order], ps[loc][order], pl[loc][order]
        self.buckets = bucket_spans(np.stack([ci[b_cand], cj[b_cand], b_skill], axis=1))
        self.free_spans: dict[int, Span] = {}
        parts_c, parts_s, parts_l = [b_cand], [b_skill], [b_level]
        free = ~loc
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
        self.b_lat = lat[self.b_cand]
        self.b_lon = lon[self.b_cand]

    def spans(self, need: MatchNeed, skill_ids: list[int], radius: float) -> list[Span]:
        """Spans of the cells the need's radius reaches (+ unlocated candidates), per skill."""
        out: list[Span] = []
        if need.location is not None:
            out += self.located_spans(need.location, skill_ids, radius)
        for s in skill_ids:
            span = self.free_spans.get(s)
            if span:
                out.append(span)
        return out

    def located_spans(
        self, location: tuple[float, float], skill_ids: list[int], radius: float
    ) -> list[Span]:
        """Spans of the cells within the radius' bounding box around `location`, per skill."""
        lat, lon = location
        rlat = radius / M_PER_DEG_LAT
        rlon = radius / (M_PER_DEG_LAT * max(cos(radians(min(abs(lat) + 0.1, 85.0))), 0.01))
        i0, i1 = int(np.floor((lat - rlat) / self.dlat)), int(np.floor((lat + rlat) / self.dlat))
        j0, j1 = int(np.floor((lon - rlon) / self.dlon)), int(np.floor((lon + rlon) / self.dlon))
        out: list[Span] = []
        get = self.buckets.get
        for i in range(i0, i1 + 1):
            for j in range(j0, j1 + 1):
                for s in skill_ids:
                    span = get((i, j, s))
                    if span:
                        out.append(span)
        return out


def postings(
    cands: Sequence[MatchCandidate],
    skill_idx: Mapping[str, int],
    all_bucket: int,
    member: BoolArray,
) -> tuple[IntArray, IntArray, IntArray]:
    """(candidate, skill, level) per skill of each member, plus one row in the all-skills bucket."""
    p_cand: list[int] = []
    p_skill: list[int] = []
    p_level: list[int] = []
    for i in np.flatnonzero(member).tolist():
        for code, level in cands[i].skills.items():
            p_cand.append(i)
            p_skill.append(skill_idx[code])
            p_level.append(int(level))
        p_cand.append(i)
        p_skill.append(all_bucket)
        p_level.append(0)
    return np.array(p_cand, np.int64), np.array(p_skill, np.int64), np.array(p_level, np.int64)


def bucket_spans(keys: IntArray) -> dict[tuple[int, int, int], Span]:
    """The span of each run of equal (cell i, cell j, skill) rows in the sorted `keys`."""
    buckets: dict[tuple[int, int, int], Span] = {}
    if len(keys):
        change = np.ones(len(keys), bool)
        change[1:] = np.any(keys[1:] != keys[:-1], axis=1)
        starts = np.flatnonzero(change)
        ends = np.append(starts[1:], len(keys))
        heads = keys[starts].tolist()
        for (a, b, c), lo, hi in zip(heads, starts.tolist(), ends.tolist(), strict=True):
            buckets[(a, b, c)] = (lo, hi)
    return buckets
