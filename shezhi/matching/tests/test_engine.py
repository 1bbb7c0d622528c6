"""Unit tests of the engine: score components, explanations, reasons, urgency first."""

import pytest

from shezhi.matching.engine import match, rank_candidates
from shezhi.matching.geometry import haversine_m
from shezhi.matching.model import MatchCandidate, MatchConfig, MatchNeed

HOME = (30.5, 114.3)


def north(metres: float) -> tuple[float, float]:
    return (HOME[0] + metres / 111_194.93, HOME[1])


def need(id=1, **kw):
    kw.setdefault("location", HOME)
    return MatchNeed(id=id, category="care", **kw)


def cand(id, metres=100.0, **kw):
    kw.setdefault("location", north(metres))
    return MatchCandidate(kind=kw.pop("kind", "volunteer"), id=id, name=f"c{id}", **kw)


def test_haversine_matches_a_known_distance():
    assert haversine_m(*HOME, *north(420)) == pytest.approx(420, abs=0.5)


def test_explanation_names_skill_distance_load_and_continuity():
    n = need(
        required_skills=frozenset({"psych"}),
        previous_helpers={("volunteer", 7): 3},
    )
    c = cand(7, 420, skills={"psych": 4}, open_orders=1, rating=4.6)
    ranked, why = rank_candidates(n, [c], labels={"psych": "心理咨询师"})
    assert why is None
    text = ranked[0].explanation
    assert "技能匹配: 心理咨询师（4级）" in text
    assert "距离 420 m" in text
    assert "在办 1 单（上限 3）" in text
    assert "曾服务该居民 3 次" in text
    assert "评分 4.6" in text


def test_score_components_are_scaled_to_one():
    n = need(required_skills=frozenset({"psych"}), previous_helpers={("volunteer", 1): 5})
    c = cand(1, 600, skills={"psych": 5}, open_orders=1, max_orders=4, rating=5.0)
    ranked, _ = rank_candidates(n, [c])
    comp = ranked[0].components
    assert comp.skill == 1.0
    assert comp.distance == pytest.approx(0.5, abs=0.01)  # 600 m of a 1,200 m radius
    assert comp.workload == pytest.approx(0.75)
    assert comp.continuity == 1.0
    assert comp.rating == 1.0
    assert comp.urgency == 0.0


def test_nearer_better_skilled_helper_ranks_first():
    n = need(required_skills=frozenset({"repair"}))
    far_novice = cand(1, 1000, skills={"repair": 1})
    near_expert = cand(2, 150, skills={"repair": 5})
    ranked, _ = rank_candidates(n, [far_novice, near_expert])
    assert [r.candidate.id for r in ranked] == [2, 1]


def test_immediate_need_uses_the_600_metre_circle():
    c = cand(1, 900)
    assert rank_candidates(need(urgency="general"), [c])[0]
    ranked, why = rank_candidates(need(urgency="immediate"), [c])
    assert ranked == [] and why is not None and why.reason == "no_nearby"
    assert "600 m" in why.explanation


@pytest.mark.parametrize(
    ("n", "c", "reason"),
    [
        (need(required_skills=frozenset({"psych"})), cand(1, skills={"repair": 3}), "skill"),
        (need(required_certificates=frozenset({"护理证"})), cand(1), "certificate"),
        (need(window=(10, 12)), cand(1, availability=((18, 22),)), "availability"),
        (need(preferred_gender="F"), cand(1, gender="M"), "preference"),
        (need(excluded=frozenset({("volunteer", 1)})), cand(1), "preference"),
        (need(), cand(1, is_minor=True), "minor"),
        (need(), cand(1, open_orders=3, max_orders=3), "capacity"),
        (need(), cand(1, 5000), "no_nearby"),
    ],
)
def test_unmatched_need_says_which_constraint_emptied_the_list(n, c, reason):
    result = match([n], [c])
    assert result.proposals == ()
    assert result.unmatched[0].reason == reason
    assert result.unmatched[0].explanation


def test_minor_may_go_with_a_team_or_off_a_home_visit():
    assert match([need()], [cand(1, kind="team", is_minor=True)]).proposals
    assert match([need(home_visit=False)], [cand(1, is_minor=True)]).proposals


def test_urgent_need_is_served_first_when_capacity_is_short():
    general = need(1, urgency="general")
    urgent = need(2, urgency="immediate")
    only = cand(1, 100, max_orders=1)
    result = match([general, urgent], [only])
    assert [p.need_id for p in result.proposals] == [2]
    assert result.unmatched[0].need_id == 1
    assert result.unmatched[0].reason == "competition"


def test_workload_spreads_orders_over_helpers():
    needs = [need(1), need(2)]
    a = cand(1, 100, max_orders=2)
    b = cand(2, 110, max_orders=2)
    result = match(needs, [a, b])
    assert {p.candidate.id for p in result.proposals} == {1, 2}


def test_continuity_keeps_the_familiar_helper():
    n = need(previous_helpers={("volunteer", 2): 3})
    result = match([n, need(2, location=north(5000))], [cand(1, 50), cand(2, 400)])
    assert result.proposals[0].candidate.id == 2
    assert "曾服务该居民 3 次" in result.proposals[0].explanation


def test_partner_without_location_is_not_distance_bound():
    partner = MatchCandidate(kind="partner", id=1, name="p", location=None)
    result = match([need(), need(2)], [partner])
    assert len(result.proposals) == 2
    assert "不受距离限制" in result.proposals[0].explanation


def test_weights_come_from_the_config():
    n = need(required_skills=frozenset({"r"}))
    near_novice = cand(1, 50, skills={"r": 1})
    far_expert = cand(2, 1100, skills={"r": 5})
    skill_heavy = MatchConfig(w_skill=10.0, w_distance=0.1)
    distance_heavy = MatchConfig(w_skill=0.1, w_distance=10.0)
    assert match([n], [near_novice, far_expert], skill_heavy).proposals[0].candidate.id == 2
    assert match([n], [near_novice, far_expert], distance_heavy).proposals[0].candidate.id == 1


def test_no_needs_or_no_candidates_give_an_empty_result():
    assert match([], []).proposals == ()
    result = match([need()], [])
    assert result.method == "empty" and result.unmatched[0].reason == "no_nearby"


def test_no_minor_takes_hazardous_work_not_even_in_a_team_or_off_a_home_visit():
    hazardous = need(home_visit=False, hazardous=True)
    for minor in (cand(1, is_minor=True), cand(1, kind="team", is_minor=True)):
        result = match([hazardous], [minor])
        assert not result.proposals
    assert match([hazardous], [cand(2)]).proposals
    ranked, _why = rank_candidates(hazardous, [cand(1, is_minor=True), cand(2)])
    assert [r.candidate.id for r in ranked] == [2]
