"""Candidates prepared for fast look-up: arrays, the cell index and the workload bonus.
Pure: no Django import."""

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from shezhi.matching.cells import CellIndex
from shezhi.matching.geometry import MASK_WORDS, IntArray, haversine_to, hour_mask, mask_words
from shezhi.matching.model import CandidateKey, MatchCandidate, MatchConfig, MatchNeed

SCALE = 1000  # score quantum

# Parallel arrays, one entry per (need, candidate) pair: "cand", "skill", "level", "distance", …
Edges = dict[str, npt.NDArray[Any]]


def select(e: Edges, keep: npt.NDArray[Any]) -> Edges:
    """The pairs of `e` that `keep` (a mask or an index array) selects, in every column."""
    return {key: a[keep] for key, a in e.items()}


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
                self.avail[i] = mask_words(hour_mask(c.availability))

        skills = sorted({s for c in cands for s in c.skills})
        self.skill_codes = skills
        self.skill_idx = {s: i for i, s in enumerate(skills)}
        self.all_bucket = len(skills)  # pseudo-skill: every candidate

        self.cell_m = cell_m / 3  # a need looks at the cells its radius' bounding box touches
        self._full: CellIndex | None = None
        self.active = self.index(self.remaining > 0)

    def index(self, member: npt.NDArray[np.bool_]) -> CellIndex:
        return CellIndex(
            self.cands, self.lat, self.lon, self.skill_idx, self.all_bucket, self.cell_m, member
        )

    @property
    def full(self) -> CellIndex:
        """Every candidate, also those without room: only to explain an empty list."""
        if self._full is None:
            self._full = self.index(np.ones(len(self.cands), bool))
        return self._full

    def skill_ids(self, need: MatchNeed) -> list[int]:
        if not need.required_skills:
            return [self.all_bucket]
        return sorted(self.skill_idx[s] for s in need.required_skills if s in self.skill_idx)

    def gather(self, need: MatchNeed, skill_ids: list[int]) -> tuple[IntArray, IntArray, IntArray]:
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

    def anyone_near(self, need: MatchNeed, radius: float) -> bool:
        c, _, _ = self.gather(need, [self.all_bucket])
        assert need.location is not None
        d = haversine_to(self.lat[c], self.lon[c], need.location[0], need.location[1])
        return bool(np.any(d <= radius))

    def slot_bonus_one(self, i: int, slot: int) -> int:
        load = 1.0 - (int(self.open[i]) + slot) / max(int(self.max[i]), 1)
        return int(np.rint(self.config.w_workload * min(max(load, 0.0), 1.0) * SCALE))

    def slot_bonus(self, cand: IntArray, slot: IntArray) -> IntArray:
        """Quantised workload bonus of a candidate's `slot`-th new order (0 = the next one)."""
        mx = np.maximum(self.max[cand], 1)
        load = np.clip(1.0 - (self.open[cand] + slot) / mx, 0.0, 1.0)
        return np.rint(self.config.w_workload * load * SCALE).astype(np.int64)

    def pair_values(self, e: Edges, urgency: Any, radius: Any) -> IntArray:
        """Quantised score of each pair without the workload bonus (charged per order slot).
        `urgency` and `radius` are one value for all pairs or one per pair."""
        cfg = self.config
        s, c = e["skill"], e["cand"]
        comp_skill = np.where(s == self.all_bucket, 1.0, np.clip(e["level"], 0, 5) / 5.0)
        d = e["distance"]
        comp_dist = np.where(np.isnan(d), 0.5, np.clip(1.0 - np.nan_to_num(d) / radius, 0, 1))
        comp_cont = np.minimum(e["times"], cfg.continuity_cap) / max(cfg.continuity_cap, 1)
        comp_rating = np.clip(self.rating[c], 0, 5) / 5.0
        pair = (
            cfg.serve_bonus
            + urgency
            + cfg.w_skill * comp_skill
            + cfg.w_distance * comp_dist
            + cfg.w_availability * e["overlap"]
            + cfg.w_continuity * comp_cont
            + cfg.w_rating * comp_rating
        )
        return np.rint(pair * SCALE).astype(np.int64)  # type: ignore[no-any-return]
