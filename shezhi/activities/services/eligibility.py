"""Who may take a position: eligibility on the activity's dates, and insurance cover."""

from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from shezhi.activities.models import (
    Activity,
    InsuranceRecord,
    Position,
)
from shezhi.activities.services.access import (
    in_publication_scope,
)
from shezhi.core.ages import age_on
from shezhi.volunteers.models import (
    Certificate,
    TeamMembership,
    Volunteer,
)
from shezhi.volunteers.services import (
    may_take_hazardous_position,
)


@dataclass(frozen=True)
class VolunteerFacts:
    """What eligibility needs to know about a volunteer beyond the row itself, read once so that a
    list of positions is judged without a query per position."""

    team_ids: frozenset[int]
    skill_ids: frozenset[int]
    certificates: tuple[tuple[str, date | None], ...]  # (kind, expires_on)


def volunteer_facts(volunteer: Volunteer) -> VolunteerFacts:
    return VolunteerFacts(
        team_ids=frozenset(
            TeamMembership.objects.filter(volunteer=volunteer).values_list("team_id", flat=True)
        ),
        skill_ids=frozenset(volunteer.skills.values_list("pk", flat=True)),
        certificates=tuple(volunteer.certificates.values_list("kind", "expires_on")),
    )


def eligibility_problems(
    *, volunteer: Volunteer, position: Position, facts: VolunteerFacts | None = None
) -> list[str]:
    """Why `volunteer` may not take `position` (empty: eligible). Ages and certificates are
    judged on the activity's dates; art. 15–16 of the 条例 and the rule that minors never take
    hazardous positions. With `facts` (and the position's skills prefetched) it runs no query."""
    facts = facts or volunteer_facts(volunteer)
    activity = position.activity
    day = timezone.localdate(activity.starts_at)
    last_day = timezone.localdate(activity.ends_at)
    problems = []
    if not volunteer.is_active:
        problems.append("志愿者不在册")
    in_scope = (
        activity.scope_team_id in facts.team_ids
        if activity.scope == Activity.Scope.TEAM
        else in_publication_scope(volunteer, activity)
    )
    if not in_scope:
        problems.append("不在活动的招募范围内")
    age = age_on(volunteer.birth_date, day)
    if position.min_age is not None and age < position.min_age:
        problems.append(f"该岗位要求年满{position.min_age}周岁")
    if position.max_age is not None and age > position.max_age:
        problems.append(f"该岗位要求年龄不超过{position.max_age}周岁")
    if position.hazardous and not may_take_hazardous_position(volunteer, on=day):
        problems.append("未成年人不能参加危险性岗位")
    missing = [s.name for s in position.skills.all() if s.pk not in facts.skill_ids]
    if missing:
        problems.append(f"缺少所需技能：{'、'.join(missing)}")
    if position.certificates:
        held = {k for k, expires in facts.certificates if expires is None or expires >= last_day}
        labels = dict(Certificate.Kind.choices)
        missing_certs = [str(labels[k]) for k in position.certificates if k not in held]
        if missing_certs:
            problems.append(f"缺少有效的证书：{'、'.join(missing_certs)}")
    return problems


def valid_insurance(volunteer: Volunteer, activity: Activity) -> InsuranceRecord | None:
    """An insurance of the volunteer covering every day of the activity."""
    return (
        InsuranceRecord.objects.filter(
            volunteer=volunteer,
            valid_from__lte=timezone.localdate(activity.starts_at),
            valid_to__gte=timezone.localdate(activity.ends_at),
        )
        .order_by("-valid_to")
        .first()
    )
