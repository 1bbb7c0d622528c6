from shezhi.needs.candidates import Candidate, distance_m, rank

HOME = (30.5500, 114.3000)


def cand(id_, lat, skills=(), busy=0, kind="volunteer"):
    return Candidate(
        kind=kind,
        id=id_,
        name=f"c{id_}",
        location=(lat, 114.3000),
        skills=frozenset(skills),
        open_orders=busy,
    )


def test_distance_is_metres_on_the_sphere():
    # 0.01 degree of latitude is about 1.11 km
    assert 1100 < distance_m(HOME, (30.5600, 114.3000)) < 1125


def test_skill_fit_beats_distance_and_nearest_comes_first():
    ranked = rank(
        need_location=HOME,
        need_skills=frozenset({"repair"}),
        candidates=[cand(1, 30.5501), cand(2, 30.5600, {"repair"}), cand(3, 30.5510, {"repair"})],
    )
    assert [r.candidate.id for r in ranked] == [3, 2, 1]
    assert ranked[0].skill_fit and not ranked[2].skill_fit


def test_equal_distance_prefers_the_less_busy():
    ranked = rank(
        need_location=HOME,
        need_skills=frozenset(),
        candidates=[cand(1, 30.551, busy=3), cand(2, 30.551, busy=0)],
    )
    assert [r.candidate.id for r in ranked] == [2, 1]


def test_unknown_locations_go_last_and_explanations_say_why():
    far = Candidate(kind="partner", id=9, name="p", location=None, skills=frozenset({"repair"}))
    ranked = rank(
        need_location=HOME,
        need_skills=frozenset({"repair"}),
        candidates=[far, cand(1, 30.552, {"repair"}, busy=1)],
    )
    assert ranked[-1].candidate.id == 9
    assert ranked[0].explanation == "技能匹配；距离 222 米；在办 1 单"


def test_limit_and_determinism():
    pool = [cand(i, 30.55 + i / 1000) for i in range(30)]
    first = rank(need_location=HOME, need_skills=frozenset(), candidates=pool, limit=5)
    again = rank(
        need_location=HOME, need_skills=frozenset(), candidates=list(reversed(pool)), limit=5
    )
    assert [r.candidate.id for r in first] == [r.candidate.id for r in again] == [0, 1, 2, 3, 4]
