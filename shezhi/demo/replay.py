"""Demo needs, made by replaying the real service functions (点单→派单→接单→办结→评单), so that
transitions, service records and the audit trail are what the platform itself would write.
Afterwards each need's timeline is moved back in time (a seeder may backdate with updates)."""

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from shezhi.accounts.models import Role, User
from shezhi.core.models import AuditEvent
from shezhi.demo import data
from shezhi.needs import services
from shezhi.needs.models import Need, NeedTransition, UrgencyLevel
from shezhi.needs.workflow import Status
from shezhi.org.models import OrgUnit, PartnerOrganisation
from shezhi.people.models import Resident
from shezhi.volunteers.models import ServiceRecord, TeamMembership, Volunteer

if TYPE_CHECKING:
    from shezhi.demo.seeding import Seeder

CATEGORY_WEIGHTS: list[tuple[str, float]] = [
    ("daily_care", 14),
    ("meals", 10),
    ("health", 10),
    ("emotional", 7),
    ("legal_aid", 5),
    ("policy", 10),
    ("repair", 12),
    ("sanitation", 6),
    ("mediation", 6),
    ("child_care", 6),
    ("employment", 4),
    ("other", 5),
]
URGENCY_WEIGHTS: list[tuple[str, float]] = [("immediate", 15), ("caring", 35), ("general", 50)]
STATUS_WEIGHTS: list[tuple[Status, float]] = [
    (Status.PENDING, 10),
    (Status.DISPATCHED, 8),
    (Status.ACCEPTED, 7),
    (Status.IN_SERVICE, 5),
    (Status.DONE, 12),
    (Status.RATED, 45),
    (Status.CANCELLED, 7),
    (Status.UNRESOLVABLE, 6),
]
KIND_WEIGHTS: list[tuple[str, float]] = [
    (Need.AssigneeKind.VOLUNTEER, 55),
    (Need.AssigneeKind.TEAM, 15),
    (Need.AssigneeKind.POOL, 10),
    (Need.AssigneeKind.SOCIAL_WORKER, 12),
    (Need.AssigneeKind.PARTNER, 8),
]
SCORE_WEIGHTS: list[tuple[int, float]] = [(5, 68), (4, 20), (3, 6), (2, 4), (1, 2)]
OPEN_STATUSES = {Status.PENDING, Status.DISPATCHED, Status.ACCEPTED, Status.IN_SERVICE}


def weighted(rng: random.Random, pairs: list[tuple[Any, float]]) -> Any:
    return rng.choices([p[0] for p in pairs], weights=[p[1] for p in pairs])[0]


@dataclass
class Context:
    community: OrgUnit
    workers: list[User]
    grid_workers: dict[int, User]
    volunteers: list[Volunteer]
    team_members: dict[int, list[User]]
    partners: list[tuple[PartnerOrganisation, User]]
    tagged: list[Resident]
    others: list[Resident]
    resident_users: dict[int, User]


@dataclass
class Plan:
    """What one need should go through; unset fields are chosen at random."""

    target: Status
    resident: Resident | None = None
    creator: User | None = None
    worker: User | None = None
    kind: str | None = None
    volunteer: Volunteer | None = None
    score: int | None = None
    overdue: bool | None = None
    review: bool | None = None


class NeedReplayer:
    def __init__(self, seeder: "Seeder", communities: list[OrgUnit]):
        self.seeder = seeder
        self.communities = communities
        self.now = seeder.now
        self.urgencies = {u.code: u for u in UrgencyLevel.objects.all()}
        self.contexts: dict[int, Context] = {}

    def context(self, community: OrgUnit) -> Context:
        if community.pk in self.contexts:
            return self.contexts[community.pk]
        staff = self.seeder.staff[community.pk]
        volunteers = list(
            Volunteer.objects.filter(community=community).select_related("user").order_by("pk")
        )
        members: dict[int, list[User]] = {}
        for m in (
            TeamMembership.objects.filter(team__community=community)
            .select_related("volunteer__user")
            .order_by("pk")
        ):
            members.setdefault(m.team_id, []).append(m.volunteer.user)
        partners = [
            (p, self.seeder.partner_users[p.pk])
            for p in PartnerOrganisation.objects.select_related("unit").order_by("pk")
            if community.path.startswith(p.unit.path) and p.pk in self.seeder.partner_users
        ]
        residents = Resident.objects.filter(community=community).order_by("pk")
        ctx = Context(
            community=community,
            workers=staff.workers,
            grid_workers=staff.grid_workers,
            volunteers=volunteers,
            team_members=members,
            partners=partners,
            tagged=list(residents.filter(tags__isnull=False).distinct()[:400]),
            others=list(residents[:400]),
            resident_users={
                u.pk: u for u in User.objects.filter(role=Role.RESIDENT, unit=community)
            },
        )
        self.contexts[community.pk] = ctx
        return ctx

    # ---- the plan ---------------------------------------------------------------------------

    def run(self, count: int) -> None:
        featured = self.featured()
        for i, (plan_ctx, plan) in enumerate(featured):
            self.replay(plan_ctx, self.seeder.rng("need", "featured", i), plan)
        # Needs are replayed community by community so that only one community's context
        # (residents, volunteers, teams) is held at a time, whatever the scale.
        rng = self.seeder.rng("needs")
        per_community = [0] * len(self.communities)
        for _ in range(max(0, count - len(featured))):
            per_community[rng.randrange(len(self.communities))] += 1
        done = 0
        for community, n in zip(self.communities, per_community, strict=True):
            ctx = self.context(community)
            for _ in range(n):
                target = weighted(rng, STATUS_WEIGHTS)
                self.replay(ctx, self.seeder.rng("need", done), Plan(target))
                done += 1
            if community != self.communities[0]:
                self.contexts.pop(community.pk, None)

    def featured(self) -> list[tuple[Context, Plan]]:
        """Needs around the demo log-ins (resident1, volunteer1, worker1) so every step of the
        loop can be tried at once, plus one of every status."""
        ctx = self.context(self.communities[0])
        resident = Resident.objects.filter(user__username="resident1").first()
        user = resident.user if resident else None
        volunteer = Volunteer.objects.filter(user__username="volunteer1").first()
        worker = ctx.workers[0]
        v = Need.AssigneeKind.VOLUNTEER
        own = {"resident": resident, "creator": user, "worker": worker, "overdue": False}
        mine = {**own, "kind": v, "volunteer": volunteer} if volunteer else own
        plans = [
            Plan(Status.PENDING, **own),
            Plan(Status.DISPATCHED, **mine),
            Plan(Status.ACCEPTED, **mine),
            Plan(Status.IN_SERVICE, **mine),
            Plan(Status.DONE, **mine),
            Plan(Status.RATED, score=5, **mine),
            Plan(Status.DISPATCHED, worker=worker, kind=Need.AssigneeKind.POOL, overdue=False),
            Plan(Status.PENDING, creator=worker, worker=worker, overdue=True),
            Plan(Status.RATED, worker=worker, score=2, review=False),
            Plan(Status.CANCELLED, worker=worker),
            Plan(Status.UNRESOLVABLE, worker=worker),
        ]
        return [(ctx, p) for p in plans]

    def pick_resident(self, ctx: Context, rng: random.Random) -> Resident | None:
        pool = ctx.tagged if ctx.tagged and rng.random() < 0.6 else ctx.others
        return rng.choice(pool) if pool else None

    def assignee(
        self, ctx: Context, rng: random.Random, plan: Plan, exclude: User | None = None
    ) -> tuple[str, int | None, list[User]]:
        kind = plan.kind or weighted(rng, KIND_WEIGHTS)
        if kind == Need.AssigneeKind.TEAM and not ctx.team_members:
            kind = Need.AssigneeKind.VOLUNTEER
        if kind == Need.AssigneeKind.PARTNER and not ctx.partners:
            kind = Need.AssigneeKind.VOLUNTEER
        if kind in (Need.AssigneeKind.VOLUNTEER, Need.AssigneeKind.POOL) and not ctx.volunteers:
            kind = Need.AssigneeKind.SOCIAL_WORKER
        if kind == Need.AssigneeKind.VOLUNTEER:
            candidates = [v for v in ctx.volunteers if v.user != exclude] or ctx.volunteers
            volunteer = plan.volunteer or rng.choice(candidates)
            return kind, volunteer.pk, [volunteer.user]
        if kind == Need.AssigneeKind.TEAM:
            team_id = rng.choice(sorted(ctx.team_members))
            return kind, team_id, ctx.team_members[team_id]
        if kind == Need.AssigneeKind.POOL:
            return kind, None, [v.user for v in ctx.volunteers]
        if kind == Need.AssigneeKind.PARTNER:
            partner, user = rng.choice(ctx.partners)
            return kind, partner.pk, [user]
        worker = rng.choice(ctx.workers)
        return Need.AssigneeKind.SOCIAL_WORKER, worker.pk, [worker]

    # ---- one need ---------------------------------------------------------------------------

    def replay(self, ctx: Context, rng: random.Random, plan: Plan) -> Need:
        code = weighted(rng, CATEGORY_WEIGHTS)
        title, description = rng.choice(data.NEED_TEXTS[code])
        urgency = weighted(rng, URGENCY_WEIGHTS)
        resident = plan.resident
        community_wide = code in ("sanitation", "mediation") and rng.random() < 0.5
        staff_creator = plan.creator is None or plan.creator.role != Role.RESIDENT
        if resident is None and not community_wide and staff_creator:
            resident = self.pick_resident(ctx, rng)
        creator = plan.creator
        if creator is None:
            if resident and resident.user_id and rng.random() < 0.75:
                creator = ctx.resident_users[resident.user_id]
            elif resident and rng.random() < 0.3:
                creator = ctx.grid_workers[resident.grid_id]
            else:
                creator = rng.choice(ctx.workers)
        if creator.role == Role.RESIDENT:
            source = None
        elif creator.role == Role.GRID_WORKER:
            source = Need.Source.GRID
        elif resident is None:
            source = rng.choice([Need.Source.COUNCIL, Need.Source.VISIT])
        else:
            source = rng.choice([Need.Source.PHONE, Need.Source.PHONE, Need.Source.VISIT])
        need = services.need_create(
            actor=creator,
            category=code,
            urgency=urgency,
            title=title,
            description=description,
            source=source,
            resident_id=resident.pk if resident and creator.role != Role.RESIDENT else None,
            community_id=ctx.community.pk if resident is None else None,
        )
        self.advance(ctx, rng, plan, need, creator)
        self.backdate(rng, plan, need.pk)
        return need

    def advance(self, ctx: Context, rng: random.Random, plan: Plan, need: Need, creator: User):
        target = plan.target
        worker = plan.worker or rng.choice(ctx.workers)
        pk = need.pk
        if target == Status.PENDING:
            return
        if target == Status.CANCELLED and rng.random() < 0.5:
            canceller = creator if creator.role == Role.RESIDENT else worker
            services.need_cancel(
                actor=canceller, need_id=pk, reason=rng.choice(data.CANCEL_REASONS)
            )
            return
        if target == Status.UNRESOLVABLE and rng.random() < 0.4:
            reason = rng.choice(data.UNRESOLVABLE_REASONS)
            services.need_mark_unresolvable(actor=worker, need_id=pk, reason=reason)
            return
        kind, target_id, takers = self.assignee(ctx, rng, plan)
        services.need_dispatch(actor=worker, need_id=pk, target_kind=kind, target_id=target_id)
        if plan.kind is None and target not in (Status.DISPATCHED,) and rng.random() < 0.08:
            declined = rng.choice(takers)
            reason = rng.choice(data.RETURN_REASONS)
            services.need_return(actor=declined, need_id=pk, reason=reason)
            kind, target_id, takers = self.assignee(ctx, rng, plan, exclude=declined)
            services.need_dispatch(actor=worker, need_id=pk, target_kind=kind, target_id=target_id)
        if target == Status.DISPATCHED:
            return
        if target == Status.CANCELLED:
            services.need_cancel(actor=worker, need_id=pk, reason=rng.choice(data.CANCEL_REASONS))
            return
        taker = rng.choice(takers)
        services.need_accept(actor=taker, need_id=pk)
        if target == Status.ACCEPTED:
            return
        if target == Status.UNRESOLVABLE:
            reason = rng.choice(data.UNRESOLVABLE_REASONS)
            services.need_mark_unresolvable(actor=worker, need_id=pk, reason=reason)
            return
        if target == Status.IN_SERVICE or rng.random() < 0.6:
            services.need_start(actor=taker, need_id=pk)
        if target == Status.IN_SERVICE:
            return
        minutes = rng.choice([30, 40, 45, 60, 60, 90, 120, 150, 180])
        if rng.random() < 0.9:
            # The service took its time on the server's clock; the rest show the desk's
            # 时长确认 list (claims beyond the time that passed are held).
            Need.objects.filter(pk=pk, started_at__isnull=False).update(
                started_at=timezone.now() - timedelta(minutes=minutes + rng.randint(0, 20))
            )
        services.need_complete(
            actor=taker, need_id=pk, minutes=minutes, note=rng.choice(data.COMPLETION_NOTES)
        )
        if target == Status.DONE:
            return
        need.refresh_from_db()
        rater = creator
        if need.resident_id and need.resident.user_id in ctx.resident_users:
            rater = ctx.resident_users[need.resident.user_id]
        score = plan.score or weighted(rng, SCORE_WEIGHTS)
        comment = rng.choice(data.RATING_COMMENTS[score])
        services.need_rate(actor=rater, need_id=pk, score=score, comment=comment)
        review = plan.review if plan.review is not None else rng.random() < 0.5
        if score <= services.LOW_RATING and review:
            services.need_review(
                actor=worker,
                need_id=pk,
                reopen=False,
                note="已电话回访，向居民致歉并说明情况，居民表示理解",
            )

    def backdate(self, rng: random.Random, plan: Plan, pk: int) -> None:
        """Move the need's timeline into the past: open needs are recent unless meant to be
        overdue; closed needs spread over the last four months."""
        need = Need.objects.select_related("urgency").get(pk=pk)
        response = need.urgency.response_hours
        resolution = need.urgency.resolution_hours
        status = Status(need.status)
        overdue = plan.overdue if plan.overdue is not None else rng.random() < 0.2
        if status == Status.PENDING:
            hours = response + rng.uniform(1, 48) if overdue else rng.uniform(0.05, 0.8) * response
        elif status in OPEN_STATUSES:
            hours = (
                resolution + rng.uniform(2, 96)
                if overdue
                else rng.uniform(0.1, 0.8) * min(response * 2, resolution)
            )
        else:
            hours = rng.uniform(1, 120) * 24
        t0 = self.now - timedelta(hours=hours)
        transitions = list(NeedTransition.objects.filter(need_id=pk).order_by("id"))
        if status in OPEN_STATUSES:
            span = hours * rng.uniform(0.5, 0.95)
        else:
            span = min(hours * 0.95, resolution * rng.uniform(0.3, 1.1))
        steps = max(1, len(transitions) - 1)
        times = [t0 + timedelta(hours=span * k / steps) for k in range(len(transitions))]
        fields: dict[str, datetime] = {"created_at": t0, "updated_at": times[-1]}
        fields["respond_by"] = t0 + timedelta(hours=response)
        fields["resolve_by"] = t0 + timedelta(hours=resolution)
        stamp = {"dispatch": "dispatched_at", "redispatch": "dispatched_at"}
        stamp.update(accept="accepted_at", complete="completed_at", rate="rated_at")
        for transition, at in zip(transitions, times, strict=True):
            NeedTransition.objects.filter(pk=transition.pk).update(at=at)
            name = stamp.get(transition.action)
            if name and getattr(need, name) is not None:
                fields[name] = at
        Need.objects.filter(pk=pk).update(**fields)
        events = AuditEvent.objects.filter(object_type="needs.need", object_id=str(pk))
        for event_pk, at in zip(
            events.order_by("id").values_list("pk", flat=True), times, strict=False
        ):
            AuditEvent.objects.filter(pk=event_pk).update(at=at)
        if "completed_at" in fields:
            done = fields["completed_at"]
            records = ServiceRecord.objects.filter(source=f"need:{pk}")
            # The period moves too: left on today, it would fill the volunteer's day and refuse
            # the next completion when the demo is loaded early in the morning.
            for record_pk, started, ended in records.values_list("pk", "started_at", "ended_at"):
                ServiceRecord.objects.filter(pk=record_pk).update(
                    service_date=timezone.localdate(done),
                    started_at=done - (ended - started) if started and ended else started,
                    ended_at=done if started and ended else ended,
                    created_at=done,
                    updated_at=done,
                )
                AuditEvent.objects.filter(
                    object_type="volunteers.servicerecord", object_id=str(record_pk)
                ).update(at=done)
