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

The parts: geometry.py (distances, hour masks), cells.py (the grid × skill index), pool.py (the
candidates' arrays, workload bonus, pair scores), edges.py (one need's edges, explaining an empty
list), batch.py (edges of many needs at once), explain.py (the texts); this module the solver.

Scores are quantised to 1/1000 before solving, so totals are exact sums of integers and equal
inputs give equal outputs regardless of input order."""

from collections.abc import Mapping, Sequence

import numpy as np

from shezhi.matching.batch import BATCH, batch_edges
from shezhi.matching.edges import edges_for
from shezhi.matching.explain import components, explain, unmatched_need
from shezhi.matching.geometry import IntArray
from shezhi.matching.model import (
    MatchCandidate,
    MatchConfig,
    MatchNeed,
    MatchResult,
    Proposal,
    Ranked,
    Unmatched,
)
from shezhi.matching.pool import SCALE, Edges, Pool


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
    e, reason = edges_for(pool, need, limit=None)
    if reason is not None:
        return [], unmatched_need(need, reason, config, labels)
    cand = e["cand"].astype(np.int64)
    total = e["pair"].astype(np.int64) + pool.slot_bonus(cand, np.zeros(len(cand), np.int64))
    order = sorted(range(len(cand)), key=lambda k: (-int(total[k]), pool.cands[cand[k]].key))
    ranked = [
        Ranked(
            need_id=need.id,
            candidate=pool.cands[int(cand[k])],
            score=int(total[k]) / SCALE,
            components=components(pool, need, e, k, 0),
            distance_m=None if np.isnan(e["distance"][k]) else float(e["distance"][k]),
            skill_level=int(e["level"][k]),
            overlap=float(e["overlap"][k]),
            times_served=int(e["times"][k]),
            explanation=explain(pool, need, e, k, labels),
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
        batch_edges(pool, needs, lo, min(lo + BATCH, len(needs)), config.max_edges_per_need)
        for lo in range(0, len(needs), BATCH)
    ]
    e = {key: np.concatenate([p[key] for p in parts]) for key in parts[0]} if parts else {}
    need_of = e["need"].astype(np.int64) if e else np.zeros(0, np.int64)
    counts = np.bincount(need_of, minlength=len(needs))
    unmatched: dict[int, Unmatched] = {}
    for k in np.flatnonzero(counts == 0).tolist():
        _, reason = edges_for(pool, needs[k], limit=1)
        unmatched[k] = unmatched_need(needs[k], reason or "capacity", config, labels)
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

    proposals, total = _proposals(pool, needs, e, chosen, labels)
    served = {int(need_of[a]) for a in chosen.tolist()}
    for k in range(len(needs)):
        if k not in served and k not in unmatched:
            unmatched[k] = unmatched_need(needs[k], "competition", config, labels, int(counts[k]))
    return MatchResult(
        proposals=tuple(proposals),
        unmatched=tuple(unmatched[k] for k in sorted(unmatched)),
        total_score=total / SCALE,
        method=method,
        edges=n_edges,
    )


def _proposals(
    pool: Pool,
    needs: Sequence[MatchNeed],
    e: Edges,
    chosen: IntArray,
    labels: Mapping[str, str],
) -> tuple[list[Proposal], int]:
    """The chosen arcs as explained proposals, and their quantised total score. Slots in need
    order per candidate, so that each proposal's score is reproducible."""
    proposals: list[Proposal] = []
    used: dict[int, int] = {}
    total = 0
    for arc in chosen.tolist():
        k = int(e["need"][arc])
        i = int(e["cand"][arc])
        slot = used.get(i, 0)
        used[i] = slot + 1
        score = int(e["pair"][arc]) + pool.slot_bonus_one(i, slot)
        total += score
        d = float(e["distance"][arc])
        proposals.append(
            Proposal(
                need_id=needs[k].id,
                candidate=pool.cands[i],
                score=score / SCALE,
                components=components(pool, needs[k], e, arc, slot),
                distance_m=None if d != d else d,
                explanation=explain(pool, needs[k], e, arc, labels),
            )
        )
    return proposals, total


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
