"""Property tests: no hard constraint is ever violated, capacities hold, the output is
deterministic, an extra candidate never lowers the optimum, both candidate generators agree."""

import random
from collections import Counter
from math import asin, cos, radians, sin, sqrt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shezhi.matching.batch import batch_edges
from shezhi.matching.edges import edges_for
from shezhi.matching.engine import cell_size, match
from shezhi.matching.geometry import hour_mask
from shezhi.matching.model import MatchCandidate, MatchConfig, MatchNeed
from shezhi.matching.pool import Pool

SKILLS = ["a", "b", "c"]
CONFIG = MatchConfig()
FAST = settings(max_examples=40, deadline=None)


def dist(p, q):
    lat1, lon1, lat2, lon2 = map(radians, (*p, *q))
    h = sin((lat2 - lat1) / 2) ** 2 + cos(lat1) * cos(lat2) * sin((lon2 - lon1) / 2) ** 2
    return 2 * 6_371_000.0 * asin(sqrt(h))


point = st.tuples(
    st.floats(30.49, 30.51, allow_nan=False), st.floats(114.29, 114.31, allow_nan=False)
)
window = st.one_of(
    st.none(), st.integers(0, 160).flatmap(lambda s: st.tuples(st.just(s), st.integers(s + 1, 168)))
)


@st.composite
def needs(draw, n_max=6):
    n = draw(st.integers(0, n_max))
    return [
        MatchNeed(
            id=i + 1,
            category="x",
            location=draw(point),
            required_skills=frozenset(draw(st.sets(st.sampled_from(SKILLS), max_size=2))),
            required_certificates=frozenset(draw(st.sets(st.sampled_from(["cert"]), max_size=1))),
            window=draw(window),
            urgency=draw(st.sampled_from(["immediate", "caring", "general"])),
            home_visit=draw(st.booleans()),
            previous_helpers={("volunteer", draw(st.integers(1, 8))): draw(st.integers(1, 4))},
            preferred_gender=draw(st.sampled_from([None, None, "F", "M"])),
            excluded=frozenset({("volunteer", draw(st.integers(1, 12)))}),
        )
        for i in range(n)
    ]


@st.composite
def candidate(draw, id):
    return MatchCandidate(
        kind=draw(st.sampled_from(["volunteer", "volunteer", "team", "partner"])),
        id=id,
        name=f"c{id}",
        location=draw(st.one_of(point, point, point, st.none())),
        skills=draw(st.dictionaries(st.sampled_from(SKILLS), st.integers(1, 5), max_size=3)),
        certificates=frozenset(draw(st.sets(st.sampled_from(["cert"]), max_size=1))),
        availability=draw(st.one_of(st.none(), st.lists(window.filter(bool), max_size=2))),
        open_orders=draw(st.integers(0, 2)),
        max_orders=draw(st.integers(0, 3)),
        rating=draw(st.one_of(st.none(), st.floats(1, 5))),
        gender=draw(st.sampled_from(["F", "M", ""])),
        is_minor=draw(st.booleans()),
    )


@st.composite
def candidates(draw, m_max=8):
    m = draw(st.integers(0, m_max))
    out = [draw(candidate(i + 1)) for i in range(m)]
    return [c if c.availability is None else _tuple_av(c) for c in out]


def _tuple_av(c):
    from dataclasses import replace

    return replace(c, availability=tuple(c.availability))


def violations(result, needs_, cands):
    by_need = {n.id: n for n in needs_}
    errors = []
    for p in result.proposals:
        n, c = by_need[p.need_id], p.candidate
        if n.required_skills and not (n.required_skills & set(c.skills)):
            errors.append("skill")
        if not n.required_certificates <= c.certificates:
            errors.append("certificate")
        if c.location is not None and dist(n.location, c.location) > CONFIG.radius_for(n):
            errors.append("radius")
        if (
            n.window
            and c.availability is not None
            and not hour_mask([n.window]) & hour_mask(c.availability)
        ):
            errors.append("availability")
        if n.preferred_gender and c.gender != n.preferred_gender:
            errors.append("gender")
        if c.key in n.excluded:
            errors.append("excluded")
        if n.home_visit and c.is_minor and c.kind != "team":
            errors.append("minor")
    load = Counter(p.candidate.key for p in result.proposals)
    for c in cands:
        if load[c.key] > max(c.max_orders - c.open_orders, 0):
            errors.append("capacity")
    if len({p.need_id for p in result.proposals}) != len(result.proposals):
        errors.append("need twice")
    return errors


@FAST
@given(needs(), candidates())
def test_no_hard_constraint_is_ever_violated(needs_, cands):
    result = match(needs_, cands, CONFIG)
    assert violations(result, needs_, cands) == []
    assert len(result.proposals) + len(result.unmatched) == len(needs_)


@FAST
@given(needs(), candidates(), st.randoms(use_true_random=False))
def test_output_is_deterministic_whatever_the_input_order(needs_, cands, rnd):
    first = match(needs_, cands, CONFIG)
    shuffled_needs, shuffled_cands = list(needs_), list(cands)
    rnd.shuffle(shuffled_needs)
    rnd.shuffle(shuffled_cands)
    again = match(shuffled_needs, shuffled_cands, CONFIG)
    assert again == first


@FAST
@given(needs(), candidates(m_max=6), candidate(99))
def test_an_added_candidate_never_lowers_the_optimum(needs_, cands, extra):
    before = match(needs_, cands, CONFIG).total_score
    after = match(needs_, [*cands, extra], CONFIG).total_score
    assert after >= before


@FAST
@given(needs(), candidates())
def test_batch_and_single_need_generation_agree(needs_, cands):
    needs_ = sorted(needs_, key=lambda n: n.id)
    pool = Pool(cands, CONFIG, cell_size(needs_, CONFIG))
    batch = batch_edges(pool, needs_, 0, len(needs_), None)
    for k, n in enumerate(needs_):
        single, _ = edges_for(pool, n, None)
        from_batch = sorted(
            (int(c), int(v))
            for c, v, j in zip(batch["cand"], batch["pair"], batch["need"], strict=False)
            if j == k
        )
        from_single = sorted(
            zip(map(int, single.get("cand", [])), map(int, single.get("pair", [])), strict=False)
        )
        assert from_batch == from_single


def test_matches_brute_force_on_random_small_instances():
    """The flow optimum equals an exhaustive search over all assignments."""
    from itertools import product

    rng = random.Random(7)
    for _ in range(25):
        ns = [
            MatchNeed(
                id=i + 1,
                category="x",
                location=(30.5 + rng.uniform(-0.004, 0.004), 114.3 + rng.uniform(-0.004, 0.004)),
                urgency=rng.choice(["general", "caring"]),
            )
            for i in range(4)
        ]
        cs = [
            MatchCandidate(
                kind="volunteer",
                id=j + 1,
                name="",
                location=(30.5 + rng.uniform(-0.004, 0.004), 114.3 + rng.uniform(-0.004, 0.004)),
                open_orders=rng.randint(0, 1),
                max_orders=rng.randint(1, 2),
            )
            for j in range(3)
        ]
        engine = match(ns, cs, CONFIG).total_score
        best = 0.0
        for choice in product([None, *cs], repeat=len(ns)):
            counted = Counter(c.key for c in choice if c)
            if any(counted[c.key] > c.max_orders - c.open_orders for c in cs):
                continue
            total = 0.0
            for n, c in zip(ns, choice, strict=False):
                if c is None:
                    continue
                r = match([n], [c], CONFIG)
                if not r.proposals:
                    total = -1e9
                    break
                total += r.proposals[0].score
            # workload slots: the k-th extra order of a helper is worth less
            for c in cs:
                for k in range(1, counted[c.key]):
                    total -= CONFIG.w_workload * k / c.max_orders
            best = max(best, total)
        assert engine == pytest.approx(best, abs=0.01)
