"""Matching-engine benchmark: optimality against an exact dense solver, and the speed/memory curve.

    .venv/bin/python benchmarks/matching.py                    # everything except 50k × 500k
    .venv/bin/python benchmarks/matching.py --huge             # also 50,000 × 500,000
    .venv/bin/python benchmarks/matching.py --only-quality     # just the optimality section

Instances are city-like and seeded: residents and helpers clustered around 150 neighbourhood
centres near (30.5, 114.3) (+20 % spread uniformly), a Zipf-skewed skill mix, availability
blocks skewed to evenings and weekends, 10 % 马上办 / 30 % 贴心办, some gender preferences,
5 % minor volunteers, 1–3 open orders out of a 1–4 maximum, some previous helpers.

1. Optimality (2,000 needs × 5,000 candidates): an independent exact method — every pair is
   checked densely with numpy (no spatial index), each candidate's free order slots become
   columns (slot k worth the workload bonus of a (k+1)-th order), and
   scipy.optimize.linear_sum_assignment maximises the total score on the dense matrix.
   The engine's total must be within 0.5 % of it. Also a greedy nearest-first baseline (most
   urgent need first, nearest feasible helper with room) and the ratios engine / greedy.
2. Speed and peak memory of `match()` at 1,000 × 10,000, 10,000 × 100,000 (goal: < 10 s and
   < 2 GB) and, with --huge, 50,000 × 500,000. Each size runs in a fresh subprocess; memory is
   that process's peak RSS (VmHWM, including the generated input).
Results: benchmarks/out/matching.json."""

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from shezhi.matching.engine import match  # noqa: E402
from shezhi.matching.geometry import hour_mask  # noqa: E402
from shezhi.matching.model import MatchCandidate, MatchConfig, MatchNeed  # noqa: E402
from shezhi.matching.pool import SCALE  # noqa: E402

OUT = ROOT / "benchmarks" / "out"
CENTRE = (30.5, 114.3)
SKILLS = [f"s{i:02d}" for i in range(12)]
CLUSTERS = 150  # neighbourhoods of about 1.3 km (sd), over roughly 38 km × 40 km
GOAL_SECONDS = 10.0
GOAL_BYTES = 2 * 1024**3
GOAL_GAP = 0.005


def generate(n_needs: int, n_cands: int, seed: int) -> tuple[list[MatchNeed], list[MatchCandidate]]:
    rng = np.random.default_rng(seed)
    centres = np.column_stack(
        [
            CENTRE[0] + rng.uniform(-0.15, 0.15, CLUSTERS),
            CENTRE[1] + rng.uniform(-0.18, 0.18, CLUSTERS),
        ]
    )
    weight = rng.pareto(2.5, CLUSTERS) + 0.3
    weight /= weight.sum()

    def points(n: int) -> np.ndarray:
        which = rng.choice(CLUSTERS, n, p=weight)
        pts = centres[which] + rng.normal(0, 0.012, (n, 2))
        uniform = rng.random(n) < 0.2
        pts[uniform, 0] = CENTRE[0] + rng.uniform(-0.17, 0.17, uniform.sum())
        pts[uniform, 1] = CENTRE[1] + rng.uniform(-0.2, 0.2, uniform.sum())
        return pts

    zipf = 1.0 / np.arange(1, len(SKILLS) + 1) ** 1.1
    zipf /= zipf.sum()
    blocks = [(18, 22), (42, 46), (66, 70), (90, 94), (114, 118), (129, 141), (153, 165), (8, 12)]

    cpts = points(n_cands)
    n_sk = rng.integers(1, 4, n_cands)
    sk = rng.choice(len(SKILLS), (n_cands, 3), p=zipf)
    lv = rng.integers(1, 6, (n_cands, 3))
    has_av = rng.random(n_cands) < 0.4
    av = rng.integers(0, len(blocks), (n_cands, 2))
    open_o = rng.integers(0, 3, n_cands)
    max_o = rng.integers(1, 5, n_cands)
    rating = np.round(rng.uniform(3.0, 5.0, n_cands), 1)
    female = rng.random(n_cands) < 0.6
    minor = rng.random(n_cands) < 0.05
    cands = [
        MatchCandidate(
            kind="volunteer",
            id=i + 1,
            name=f"v{i + 1}",
            location=(float(cpts[i, 0]), float(cpts[i, 1])),
            skills={SKILLS[sk[i, j]]: int(lv[i, j]) for j in range(n_sk[i])},
            availability=(
                (blocks[av[i, 0]], blocks[av[i, 1]], (0, 8), (120, 168)) if has_av[i] else None
            ),
            open_orders=int(open_o[i]),
            max_orders=int(max_o[i]),
            rating=float(rating[i]),
            gender="F" if female[i] else "M",
            is_minor=bool(minor[i]),
        )
        for i in range(n_cands)
    ]

    npts = points(n_needs)
    u = rng.random(n_needs)
    nsk = rng.choice(len(SKILLS), n_needs, p=zipf)
    no_skill = rng.random(n_needs) < 0.2
    has_w = rng.random(n_needs) < 0.5
    wstart = rng.integers(0, 160, n_needs)
    wlen = rng.integers(2, 8, n_needs)
    pref = rng.random(n_needs)
    prev = rng.random(n_needs) < 0.1
    prev_c = rng.integers(1, n_cands + 1, n_needs)
    needs = [
        MatchNeed(
            id=k + 1,
            category="c",
            location=(float(npts[k, 0]), float(npts[k, 1])),
            required_skills=frozenset() if no_skill[k] else frozenset({SKILLS[nsk[k]]}),
            window=(int(wstart[k]), int(min(168, wstart[k] + wlen[k]))) if has_w[k] else None,
            urgency="immediate" if u[k] < 0.1 else ("caring" if u[k] < 0.4 else "general"),
            preferred_gender="F" if pref[k] < 0.05 else None,
            previous_helpers={("volunteer", int(prev_c[k])): 2} if prev[k] else {},
        )
        for k in range(n_needs)
    ]
    return needs, cands


# -- the independent exact method ------------------------------------------------------------


def dense_scores(needs, cands, cfg: MatchConfig):
    """Pair scores (without workload) for every pair, NaN where a hard constraint fails."""
    n, m = len(needs), len(cands)
    clat = np.radians([c.location[0] for c in cands])
    clon = np.radians([c.location[1] for c in cands])
    nlat = np.radians([x.location[0] for x in needs])[:, None]
    nlon = np.radians([x.location[1] for x in needs])[:, None]
    h = (
        np.sin((clat - nlat) / 2) ** 2
        + np.cos(nlat) * np.cos(clat) * np.sin((clon - nlon) / 2) ** 2
    )
    dist = 2 * 6_371_000.0 * np.arcsin(np.sqrt(h))
    radius = np.array([cfg.radius_for(x) for x in needs])[:, None]
    ok = dist <= radius
    level = np.zeros((n, m))
    for k, x in enumerate(needs):
        if not x.required_skills:
            level[k] = 5.0
            continue
        s = next(iter(x.required_skills))
        level[k] = [c.skills.get(s, 0) for c in cands]
    ok &= level > 0
    cmask = [hour_mask(c.availability) if c.availability is not None else None for c in cands]
    overlap = np.ones((n, m))
    for k, x in enumerate(needs):
        if x.window is None:
            continue
        w = hour_mask([x.window])
        total = bin(w).count("1")
        overlap[k] = [1.0 if cm is None else bin(cm & w).count("1") / total for cm in cmask]
    ok &= overlap > 0
    gender = np.array([c.gender for c in cands])
    for k, x in enumerate(needs):
        if x.preferred_gender:
            ok[k] &= gender == x.preferred_gender
    ok &= ~np.array([c.is_minor for c in cands])[None, :]  # every need is a home visit
    remaining = np.array([max(c.max_orders - c.open_orders, 0) for c in cands])
    ok &= (remaining > 0)[None, :]
    cont = np.zeros((n, m))
    for k, x in enumerate(needs):
        for (_, cid), t in x.previous_helpers.items():
            cont[k, cid - 1] = min(t, cfg.continuity_cap) / cfg.continuity_cap
    rating = np.array([c.rating for c in cands])[None, :] / 5.0
    urg = np.array([cfg.urgency_value(x.urgency) for x in needs])[:, None]
    score = (
        cfg.serve_bonus
        + urg
        + cfg.w_skill * level / 5.0
        + cfg.w_distance * np.clip(1 - dist / radius, 0, 1)
        + cfg.w_availability * overlap
        + cfg.w_continuity * cont
        + cfg.w_rating * rating
    )
    return np.where(ok, score, np.nan), dist


def slot_values(cands, cfg):
    cols, vals = [], []
    for i, c in enumerate(cands):
        for k in range(max(c.max_orders - c.open_orders, 0)):
            cols.append(i)
            vals.append(cfg.w_workload * max(0.0, 1 - (c.open_orders + k) / max(c.max_orders, 1)))
    return np.array(cols), np.array(vals)


def exact_total(score, cands, cfg) -> tuple[float, list[int]]:
    from scipy.optimize import linear_sum_assignment

    cols, vals = slot_values(cands, cfg)
    useful = ~np.all(np.isnan(score), axis=0)
    keep = useful[cols]
    cols, vals = cols[keep], vals[keep]
    w = np.nan_to_num(score[:, cols], nan=0.0)
    w = np.where(w > 0, w + vals[None, :], 0.0)
    rows, picked = linear_sum_assignment(w, maximize=True)
    served = w[rows, picked] > 0
    return float(w[rows, picked][served].sum()), rows[served].tolist()


def greedy_total(needs, cands, score, dist, cfg) -> tuple[float, list[int]]:
    """Most urgent first (then by id), each to the nearest feasible candidate with room."""
    rank = {"immediate": 0, "caring": 1}
    used = np.zeros(len(cands), int)
    remaining = np.array([max(c.max_orders - c.open_orders, 0) for c in cands])
    total, served = 0.0, []
    for k in sorted(range(len(needs)), key=lambda k: (rank.get(needs[k].urgency, 2), k)):
        ok = ~np.isnan(score[k]) & (used < remaining)
        if not ok.any():
            continue
        i = int(np.flatnonzero(ok)[np.argmin(dist[k][ok])])
        c = cands[i]
        total += score[k, i] + cfg.w_workload * max(
            0.0, 1 - (c.open_orders + used[i]) / max(c.max_orders, 1)
        )
        used[i] += 1
        served.append(k)
    return total, served


def quality_section(seed: int) -> dict:
    cfg = MatchConfig()
    n, m = 2000, 5000
    needs, cands = generate(n, m, seed)
    t = time.perf_counter()
    result = match(needs, cands, cfg)
    engine_s = time.perf_counter() - t
    t = time.perf_counter()
    score, dist = dense_scores(needs, cands, cfg)
    exact, exact_served = exact_total(score, cands, cfg)
    exact_s = time.perf_counter() - t
    greedy, greedy_served = greedy_total(needs, cands, score, dist, cfg)
    # The part of a served need's score that does not depend on who serves it (serving bonus
    # + urgency bonus); what remains is the fit (skill, distance, time, load, continuity, rating).
    const = [cfg.serve_bonus + cfg.urgency_value(x.urgency) for x in needs]
    index = {x.id: k for k, x in enumerate(needs)}
    engine_fit = result.total_score - sum(const[index[p.need_id]] for p in result.proposals)
    exact_fit = exact - sum(const[k] for k in exact_served)
    greedy_fit = greedy - sum(const[k] for k in greedy_served)
    gap = (exact - result.total_score) / exact
    out = {
        "needs": n,
        "candidates": m,
        "seed": seed,
        "engine_total": result.total_score,
        "engine_served": len(result.proposals),
        "engine_seconds": round(engine_s, 3),
        "engine_fit_part": round(engine_fit, 3),
        "exact_total": round(exact, 3),
        "exact_fit_part": round(exact_fit, 3),
        "exact_served": len(exact_served),
        "exact_seconds": round(exact_s, 3),
        "gap_vs_exact": gap,
        "greedy_total": round(greedy, 3),
        "greedy_fit_part": round(greedy_fit, 3),
        "greedy_served": len(greedy_served),
        "ratio_engine_vs_greedy": result.total_score / greedy,
        "ratio_fit_engine_vs_greedy": engine_fit / greedy_fit,
        "served_urgent": {
            "engine": sum(needs[index[p.need_id]].urgency == "immediate" for p in result.proposals),
            "greedy": sum(needs[k].urgency == "immediate" for k in greedy_served),
            "total": sum(x.urgency == "immediate" for x in needs),
        },
        "pass": gap <= GOAL_GAP,
        "quantum": 1 / SCALE,
    }
    print(
        f"optimality {n} × {m}: engine {result.total_score:,.3f} ({len(result.proposals)} served, "
        f"{engine_s:.2f} s) · exact {exact:,.3f} ({len(exact_served)} served, {exact_s:.1f} s) · "
        f"gap {gap:.4%} · greedy nearest-first {greedy:,.3f} ({len(greedy_served)} served) · "
        f"engine/greedy {result.total_score / greedy:.4f} (fit part only: "
        f"{engine_fit:,.1f} / {greedy_fit:,.1f} = {engine_fit / greedy_fit:.3f}) · "
        f"{'PASS' if out['pass'] else 'FAIL'} (goal ≤ {GOAL_GAP:.1%})"
    )
    return out


def peak_rss_bytes() -> int:
    """This process's peak RSS. VmHWM, because ru_maxrss keeps the parent's peak across exec."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def one_size(n: int, m: int, seed: int) -> dict:
    t = time.perf_counter()
    needs, cands = generate(n, m, seed)
    gen_s = time.perf_counter() - t
    rss_input = peak_rss_bytes()
    t = time.perf_counter()
    result = match(needs, cands, MatchConfig())
    seconds = time.perf_counter() - t
    peak = peak_rss_bytes()
    return {
        "needs": n,
        "candidates": m,
        "seconds": round(seconds, 3),
        "generate_seconds": round(gen_s, 3),
        "peak_rss_bytes": peak,
        "rss_after_input_bytes": rss_input,
        "edges": result.edges,
        "served": len(result.proposals),
        "unmatched": len(result.unmatched),
        "method": result.method,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--huge", action="store_true", help="also run 50,000 × 500,000")
    parser.add_argument("--only-quality", action="store_true")
    parser.add_argument("--only-speed", action="store_true")
    parser.add_argument("--one", nargs=2, type=int, metavar=("NEEDS", "CANDIDATES"))
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one_size(*args.one, args.seed)))
        return 0
    report: dict = {"seed": args.seed}
    ok = True
    if not args.only_speed:
        report["optimality"] = quality_section(args.seed)
        ok &= report["optimality"]["pass"]
    if not args.only_quality:
        sizes = [(1_000, 10_000), (10_000, 100_000)] + ([(50_000, 500_000)] if args.huge else [])
        curve = []
        for n, m in sizes:
            proc = subprocess.run(
                [sys.executable, __file__, "--one", str(n), str(m), "--seed", str(args.seed)],
                capture_output=True,
                text=True,
                check=True,
            )
            row = json.loads(proc.stdout.strip().splitlines()[-1])
            if (n, m) == (10_000, 100_000):
                row["pass"] = row["seconds"] < GOAL_SECONDS and row["peak_rss_bytes"] < GOAL_BYTES
                ok &= row["pass"]
            curve.append(row)
            print(
                f"{n:>7,} × {m:>8,}: match {row['seconds']:7.2f} s · peak RSS "
                f"{row['peak_rss_bytes'] / 2**20:7.0f} MiB (input alone "
                f"{row['rss_after_input_bytes'] / 2**20:.0f} MiB) · {row['edges']:,} edges · "
                f"{row['served']:,} served"
                + (f" · {'PASS' if row['pass'] else 'FAIL'}" if "pass" in row else "")
            )
        report["curve"] = curve
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "matching.json").write_text(json.dumps(report, indent=2, ensure_ascii=False))
    print("written", OUT / "matching.json")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
