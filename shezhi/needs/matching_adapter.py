"""The thin adapter between the platform and the pure matching engine (shezhi.matching).

It reads the database into plain engine inputs (needs with their category's skills, location,
urgency, previous helpers and declined helpers; volunteers, teams, social workers and partner
organisations with skills, coordinates, open orders) and turns engine results into rows the
desk, the API and the services use. It writes nothing: writes go through services.py.

Volunteers bring their skills with their registered levels (1–5, `VolunteerSkill`), their
weekly availability (none registered = any time) and their unexpired certificates; a team
offers each skill at the best level among its members. Needs bring the wanted time, the
helper's gender the resident asked for and whether it is a home visit. What the schema does not
hold yet is filled with documented defaults: social workers and partner organisations offer
their skills at DEFAULT_LEVEL (3), and the maxima of open orders per kind (MAX_OPEN_ORDERS)."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.db.models import Avg, Count, Prefetch, Q
from django.utils import timezone

from shezhi.accounts.models import Role, User
from shezhi.core.ages import is_minor
from shezhi.matching.engine import match, rank_candidates
from shezhi.matching.model import (
    CandidateKey,
    Interval,
    MatchCandidate,
    MatchConfig,
    MatchNeed,
    MatchResult,
    Ranked,
    Unmatched,
    week_interval,
)
from shezhi.needs.models import Need, NeedCategory, NeedTransition
from shezhi.needs.workflow import OPEN, Action, Status
from shezhi.org.models import Level, OrgUnit, PartnerOrganisation
from shezhi.volunteers.models import Availability, SkillTag, Team, Volunteer, VolunteerSkill

DEFAULT_LEVEL = 3
MAX_OPEN_ORDERS = {
    Need.AssigneeKind.VOLUNTEER: 3,
    Need.AssigneeKind.TEAM: 5,
    Need.AssigneeKind.SOCIAL_WORKER: 10,
    Need.AssigneeKind.PARTNER: 10,
}
CONFIG = MatchConfig()
REASON_LABELS = {
    "no_location": "缺少位置信息",
    "no_nearby": "超出服务半径",
    "skill": "技能不匹配",
    "certificate": "缺少所需证书",
    "availability": "时段无空",
    "preference": "不符合居民偏好或曾退单",
    "minor": "未成年人不能单独上门",
    "capacity": "在办订单已满",
    "competition": "已分配给其他需求",
}


@dataclass(frozen=True)
class EngineCandidate:
    """One row of the dispatch screen: the fields the desk and API read (as the foundation's
    RankedCandidate), plus the engine's score and whether the engine recommends it."""

    candidate: MatchCandidate
    skill_fit: bool
    distance_m: float | None
    explanation: str
    score: float | None
    recommended: bool


def skill_labels() -> dict[str, str]:
    return dict(SkillTag.objects.values_list("code", "name"))


def weekly_hours(windows: list[Availability]) -> tuple[Interval, ...] | None:
    """Weekly windows as engine intervals (whole hours, widened outward); None = any time."""
    if not windows:
        return None
    return tuple(
        (
            w.weekday * 24 + w.start.hour,
            w.weekday * 24 + w.end.hour + (1 if (w.end.minute or w.end.second) else 0),
        )
        for w in windows
    )


def _open_counts(field: str, ids: list[int], extra: Q | None = None) -> dict[int, int]:
    q = Q(**{f"{field}__in": ids}, status__in=list(OPEN))
    rows = Need.objects.filter(q & extra if extra else q).order_by().values(field)
    return {r[field]: r["n"] for r in rows.annotate(n=Count("id"))}


def _with_skill(lookup: str) -> Prefetch:
    """Skill rows with their tag in one query (as the plain `skills` prefetch did)."""
    return Prefetch(lookup, queryset=VolunteerSkill.objects.select_related("skill"))


def candidates_for(community: OrgUnit) -> list[MatchCandidate]:
    """Everyone a need of `community` may be dispatched to (see services.common.assignee_fields)."""
    centre = _centre(community)
    return [
        *_volunteer_candidates(community, centre),
        *_team_candidates(community, centre),
        *_worker_candidates(community, centre),
        *_partner_candidates(community),
    ]


def _centre(community: OrgUnit) -> tuple[float, float] | None:
    """Where helpers without their own location stand: the community's coordinates, if any."""
    if community.latitude is None or community.longitude is None:
        return None
    return (community.latitude, community.longitude)


@dataclass(frozen=True)
class _VolunteerLoad:
    """Per volunteer user: orders accepted and still open, and the average rating received;
    per volunteer: orders dispatched to them and not yet accepted."""

    taken: dict[int, int]
    offered: dict[int, int]
    ratings: dict[int, float]

    def open_orders(self, v: Volunteer) -> int:
        return self.taken.get(v.user_id, 0) + self.offered.get(v.pk, 0)


def _volunteer_load(volunteers: list[Volunteer]) -> _VolunteerLoad:
    users = [v.user_id for v in volunteers]
    taken = _open_counts("accepted_by_id", users)
    offered = _open_counts(
        "assignee_volunteer_id", [v.pk for v in volunteers], Q(status=Status.DISPATCHED)
    )
    ratings = dict(
        Need.objects.filter(accepted_by_id__in=users, rating__isnull=False)
        .order_by()
        .values("accepted_by_id")
        .annotate(r=Avg("rating"))
        .values_list("accepted_by_id", "r")
    )
    return _VolunteerLoad(taken, offered, ratings)


def _volunteer_candidates(
    community: OrgUnit, centre: tuple[float, float] | None
) -> list[MatchCandidate]:
    """Active volunteers of the community, at their compound (else the community's centre)."""
    today = timezone.localdate()  # the Asia/Shanghai date, not the server clock's
    volunteers = list(
        Volunteer.objects.filter(community=community, is_active=True)
        .select_related("compound")
        .prefetch_related(_with_skill("skill_levels"), "availability", "certificates")
    )
    load = _volunteer_load(volunteers)
    return [_volunteer_candidate(v, centre, load, today) for v in volunteers]


def _volunteer_candidate(
    v: Volunteer, centre: tuple[float, float] | None, load: _VolunteerLoad, today: date
) -> MatchCandidate:
    c = v.compound
    loc = (c.latitude, c.longitude) if c and c.latitude is not None else centre
    return MatchCandidate(
        kind=Need.AssigneeKind.VOLUNTEER,
        id=v.pk,
        name=v.name,
        location=loc,
        skills={r.skill.code: r.level for r in v.skill_levels.all()},
        certificates=frozenset(
            c.kind for c in v.certificates.all() if c.expires_on is None or c.expires_on >= today
        ),
        availability=weekly_hours(list(v.availability.all())),
        open_orders=load.open_orders(v),
        max_orders=MAX_OPEN_ORDERS[Need.AssigneeKind.VOLUNTEER],
        rating=load.ratings.get(v.user_id),
        gender=v.gender,
        is_minor=is_minor(v.birth_date, today),
    )


def _team_candidates(
    community: OrgUnit, centre: tuple[float, float] | None
) -> list[MatchCandidate]:
    """Founded teams of the community, each skill at the best level among its members."""
    teams = list(
        Team.objects.filter(community=community, status=Team.Status.FOUNDED).prefetch_related(
            _with_skill("members__skill_levels")
        )
    )
    team_busy = _open_counts("assignee_team_id", [t.pk for t in teams])
    out = []
    for t in teams:
        team_skills: dict[str, int] = {}
        for m in t.members.all():
            for r in m.skill_levels.all():
                team_skills[r.skill.code] = max(r.level, team_skills.get(r.skill.code, 0))
        out.append(
            MatchCandidate(
                kind=Need.AssigneeKind.TEAM,
                id=t.pk,
                name=t.name,
                location=centre,
                skills=team_skills,
                open_orders=team_busy.get(t.pk, 0),
                max_orders=MAX_OPEN_ORDERS[Need.AssigneeKind.TEAM],
            )
        )
    return out


def _worker_candidates(
    community: OrgUnit, centre: tuple[float, float] | None
) -> list[MatchCandidate]:
    """Active social workers of the community (or a unit below it), any skill at DEFAULT_LEVEL."""
    all_skills = {code: DEFAULT_LEVEL for code in SkillTag.objects.values_list("code", flat=True)}
    workers = list(
        User.objects.filter(
            role=Role.SOCIAL_WORKER, is_active=True, unit__path__startswith=community.path
        )
    )
    worker_busy = _open_counts("assignee_user_id", [w.pk for w in workers])
    return [
        MatchCandidate(
            kind=Need.AssigneeKind.SOCIAL_WORKER,
            id=w.pk,
            name=str(w),
            location=centre,
            skills=all_skills,  # a professional social worker can take any category
            open_orders=worker_busy.get(w.pk, 0),
            max_orders=MAX_OPEN_ORDERS[Need.AssigneeKind.SOCIAL_WORKER],
        )
        for w in workers
    ]


def _partner_candidates(community: OrgUnit) -> list[MatchCandidate]:
    """Active partner organisations of the community or a unit above it (no distance limit)."""
    ancestors = OrgUnit.objects.filter(path__in=_prefixes(community.path))
    partners = list(PartnerOrganisation.objects.filter(unit__in=ancestors, is_active=True))
    partner_busy = _open_counts("assignee_partner_id", [p.pk for p in partners])
    categories = list(NeedCategory.objects.filter(is_active=True).prefetch_related("skills"))
    return [
        MatchCandidate(
            kind=Need.AssigneeKind.PARTNER,
            id=p.pk,
            name=p.name,
            location=None,
            skills=_partner_skills(p, categories),
            open_orders=partner_busy.get(p.pk, 0),
            max_orders=MAX_OPEN_ORDERS[Need.AssigneeKind.PARTNER],
        )
        for p in partners
    ]


def _partner_skills(p: PartnerOrganisation, categories: list[NeedCategory]) -> dict[str, int]:
    """A partner fits the categories its declared services name, at DEFAULT_LEVEL."""
    return {
        s.code: DEFAULT_LEVEL
        for cat in categories
        if cat.name in p.services
        for s in cat.skills.all()
    }


def _prefixes(path: str) -> list[str]:
    parts = path.strip("/").split("/")
    return ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


def _helper_keys(user_ids: set[int]) -> dict[int, CandidateKey]:
    """Who a user is as a dispatch target: their volunteer record, else themselves (a worker)."""
    keys: dict[int, CandidateKey] = {
        u: (Need.AssigneeKind.SOCIAL_WORKER, u) for u in user_ids if u is not None
    }
    for vid, uid in Volunteer.objects.filter(user_id__in=user_ids).values_list("pk", "user_id"):
        keys[uid] = (Need.AssigneeKind.VOLUNTEER, vid)
    return keys


def needs_for(needs: list[Need]) -> list[MatchNeed]:
    """Engine inputs for `needs` (with category skills, previous and declined helpers)."""
    resident_ids = {n.resident_id for n in needs if n.resident_id}
    history = (
        Need.objects.filter(resident_id__in=resident_ids, accepted_by__isnull=False)
        .filter(status__in=[Status.DONE, Status.RATED])
        .order_by()
        .values("resident_id", "accepted_by_id")
        .annotate(n=Count("id"))
    )
    returns = list(
        NeedTransition.objects.filter(
            need__in=[n.pk for n in needs], action=Action.RETURN
        ).values_list("need_id", "actor_id")
    )
    keys = _helper_keys({r["accepted_by_id"] for r in history} | {a for _, a in returns})
    served: dict[int, dict[CandidateKey, int]] = defaultdict(dict)
    for r in history:
        served[r["resident_id"]][keys[r["accepted_by_id"]]] = r["n"]
    declined: dict[int, set[CandidateKey]] = defaultdict(set)
    for need_id, actor_id in returns:
        declined[need_id].add(keys[actor_id])
    skills: dict[int, frozenset[str]] = {}
    out = []
    for n in needs:
        if n.category_id not in skills:
            skills[n.category_id] = frozenset(n.category.skills.values_list("code", flat=True))
        out.append(
            MatchNeed(
                id=n.pk,
                category=n.category.code,
                location=n.location,
                required_skills=skills[n.category_id],
                urgency=n.urgency.code,
                window=_wanted_window(n),
                home_visit=n.home_visit,
                hazardous=n.hazardous,
                preferred_gender=n.helper_gender or None,
                previous_helpers=served.get(n.resident_id, {}) if n.resident_id else {},
                excluded=frozenset(declined.get(n.pk, set())),
            )
        )
    return out


def _wanted_window(need: Need) -> Interval | None:
    if need.wanted_from is None or need.wanted_until is None:
        return None
    local = timezone.localtime
    return week_interval(local(need.wanted_from), local(need.wanted_until))


def ranked(need: Need, limit: int = 20) -> list[EngineCandidate]:
    """The dispatch screen for one need: the engine's feasible candidates best first, each
    explained, then the others with the constraint that rules them out."""
    pool = candidates_for(need.community)
    (match_need,) = needs_for([need])
    labels = skill_labels()
    best, _ = rank_candidates(match_need, pool, CONFIG, labels, limit=limit)
    rows = [
        EngineCandidate(
            candidate=r.candidate,
            skill_fit=True,
            distance_m=r.distance_m,
            explanation=r.explanation,
            score=r.score,
            recommended=True,
        )
        for r in best
    ]
    chosen = {r.candidate.key for r in best}
    for c in pool:
        if c.key in chosen or len(rows) >= limit:
            continue
        result = match([match_need], [c], CONFIG, labels)
        reason = result.unmatched[0].reason if result.unmatched else "competition"
        fits = not match_need.required_skills or bool(match_need.required_skills & set(c.skills))
        rows.append(
            EngineCandidate(
                candidate=c,
                skill_fit=fits,
                distance_m=None,
                explanation=f"引擎未推荐：{REASON_LABELS[reason]}",
                score=None,
                recommended=False,
            )
        )
    return rows


def next_best(need: Need) -> MatchCandidate | None:
    """The best candidate for a need that was just declined (declined helpers excluded)."""
    best = ranked(need, limit=1)
    return best[0].candidate if best and best[0].recommended else None


def units_in(unit: OrgUnit) -> list[OrgUnit]:
    if unit.level >= Level.COMMUNITY:
        community = unit.ancestor(Level.COMMUNITY)
        return [community] if community else []
    return list(OrgUnit.objects.filter(path__startswith=unit.path, level=Level.COMMUNITY))


ALTERNATIVES = 3  # other feasible candidates offered beside each proposal


@dataclass(frozen=True)
class CommunityMatch:
    community: OrgUnit
    needs: dict[int, Need]
    result: MatchResult
    # need id -> the next best feasible candidates, so the reviewer can pick another helper
    alternatives: dict[int, list[Ranked]]


def propose(needs: list[Need]) -> list[CommunityMatch]:
    """One engine run per community (a need may only go to its own community's helpers);
    a partner serving several communities keeps its capacity across the runs."""
    labels = skill_labels()
    by_community: dict[int, list[Need]] = defaultdict(list)
    for n in needs:
        by_community[n.community_id].append(n)
    partner_load: dict[int, int] = defaultdict(int)
    out = []
    for community_id in sorted(by_community):
        group = by_community[community_id]
        community = group[0].community
        pool = [
            c
            if c.kind != Need.AssigneeKind.PARTNER
            else MatchCandidate(**{**c.__dict__, "open_orders": c.open_orders + partner_load[c.id]})
            for c in candidates_for(community)
        ]
        match_needs = needs_for(group)
        result = match(match_needs, pool, CONFIG, labels)
        by_id = {m.id: m for m in match_needs}
        alternatives = {}
        for p in result.proposals:
            if p.candidate.kind == Need.AssigneeKind.PARTNER:
                partner_load[p.candidate.id] += 1
            best, _ = rank_candidates(by_id[p.need_id], pool, CONFIG, labels, ALTERNATIVES + 1)
            others = [r for r in best if r.candidate.key != p.candidate.key]
            alternatives[p.need_id] = others[:ALTERNATIVES]
        out.append(CommunityMatch(community, {n.pk: n for n in group}, result, alternatives))
    return out


__all__ = ["EngineCandidate", "Unmatched", "propose", "ranked", "next_best", "units_in"]
