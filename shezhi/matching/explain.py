"""Chinese explanations of proposals and of unmatched needs. Pure: no Django import."""

from collections.abc import Mapping

from shezhi.matching.model import IMMEDIATE, Components, MatchConfig, MatchNeed, Unmatched
from shezhi.matching.pool import Edges, Pool

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


def unmatched_need(
    need: MatchNeed, reason: str, config: MatchConfig, labels: Mapping[str, str], n: int = 0
) -> Unmatched:
    text = UNMATCHED_TEXT[reason].format(
        radius=config.radius_for(need),
        skills="、".join(labels.get(s, s) for s in sorted(need.required_skills)),
        certs="、".join(sorted(need.required_certificates)),
        n=n,
    )
    return Unmatched(need_id=need.id, reason=reason, explanation=text)


def components(pool: Pool, need: MatchNeed, e: Edges, k: int, slot: int) -> Components:
    """The score components of pair `k` of `e` when it takes the candidate's `slot`-th order."""
    cfg = pool.config
    i = int(e["cand"][k])
    d = float(e["distance"][k])
    radius = cfg.radius_for(need)
    times = int(e["times"][k])
    mx = max(int(pool.max[i]), 1)
    return Components(
        skill=1.0 if int(e["skill"][k]) < 0 else min(int(e["level"][k]), 5) / 5.0,
        distance=0.5 if d != d else max(0.0, 1.0 - d / radius),
        availability=float(e["overlap"][k]),
        workload=max(0.0, min(1.0, 1.0 - (int(pool.open[i]) + slot) / mx)),
        continuity=min(times, cfg.continuity_cap) / max(cfg.continuity_cap, 1),
        rating=min(max(float(pool.rating[i]), 0.0), 5.0) / 5.0,
        urgency=cfg.urgency_value(need.urgency),
    )


def explain(pool: Pool, need: MatchNeed, e: Edges, k: int, labels: Mapping[str, str]) -> str:
    """Why pair `k` of `e` fits, in plain Chinese."""
    i = int(e["cand"][k])
    cand = pool.cands[i]
    parts: list[str] = []
    skill = int(e["skill"][k])
    if skill >= 0:
        code = pool.skill_codes[skill]
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
