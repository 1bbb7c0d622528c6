"""Volunteer life in the demo community: profiles, activity history, late records, corrections,
training, honours, a team application and star levels.

The history is bulk-written by the region's rules; what the demo log-ins find waiting for them
(a late record, a correction request, a team application) goes through the services.
"""

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from django.utils import timezone

from shezhi.accounts.models import Role, User
from shezhi.core.errors import DomainError
from shezhi.core.hours import service_hours
from shezhi.core.workdays import due_date
from shezhi.org.models import OrgUnit
from shezhi.people.services import CONSENT_VERSION
from shezhi.timebank import services as bank
from shezhi.timebank.models import Account
from shezhi.volunteers import services, teams
from shezhi.volunteers.models import (
    Availability,
    Certificate,
    Consent,
    ServiceRecord,
    ServiceRecordVersion,
    Team,
    Volunteer,
)
from shezhi.volunteers.policy import calendar_for, policy_for
from shezhi.volunteers.services import record_snapshot
from shezhi.volunteers.stars import stars_recompute

if TYPE_CHECKING:
    from shezhi.demo.seeding import Seeder

# (title, place, content, hours) of the recurring activities a community runs.
ACTIVITIES = [
    ("为老义剪", "社区党群服务中心", "为辖区高龄、独居老人免费理发，顺带了解老人近况。", 2.5),
    ("爱心助餐送餐", "社区长者食堂", "协助长者食堂分餐，为行动不便的老人送餐上门。", 1.5),
    ("四点半课堂", "社区四点半课堂", "辅导小学生完成作业，组织阅读和手工活动。", 2),
    ("环境清洁日", "小区公共区域", "清理楼道杂物和绿化带垃圾，宣传垃圾分类。", 2),
    ("政策宣传进小区", "小区广场", "宣讲养老、医保和反诈政策，解答居民咨询。", 1.5),
    ("义诊与健康讲座", "社区卫生服务站", "协助医生测量血压血糖，登记慢病老人健康档案。", 3),
    ("独居老人探访", "居民家中", "两人一组上门探访独居老人，检查水电燃气安全。", 1),
]
ELDERLY_CARE = {"为老义剪", "爱心助餐送餐", "独居老人探访"}
CERTIFICATE_OF_SKILL = {
    "medical": Certificate.Kind.NURSE,
    "counselling": Certificate.Kind.COUNSELLOR,
    "legal": Certificate.Kind.LAWYER,
    "child_care": Certificate.Kind.TEACHER,
    "daily_care": Certificate.Kind.FIRST_AID,
}
WINDOWS = [
    [(0, time(18, 30), time(21, 0)), (2, time(18, 30), time(21, 0))],
    [(5, time(9, 0), time(12, 0)), (6, time(9, 0), time(12, 0))],
    [(d, time(9, 0), time(11, 30)) for d in range(5)],
    [(1, time(14, 0), time(17, 0)), (3, time(14, 0), time(17, 0)), (5, time(14, 0), time(17, 0))],
]
ACTIVITIES_PER_WEEK = 2


class VolunteeringReplayer:
    def __init__(self, seeder: "Seeder", communities: list[OrgUnit]):
        self.seeder = seeder
        self.communities = communities
        self.now = seeder.now
        self.tz = timezone.get_current_timezone()

    def run(self) -> int:
        self.profiles()
        made = sum(self.history(community) for community in self.communities)
        self.featured(self.communities[0])
        self.time_bank(self.communities[0])
        stars_recompute(today=timezone.localdate(self.now))
        return made

    # ---- registration details the bulk seeding leaves out ------------------------------------

    def profiles(self) -> None:
        rng = self.seeder.rng("volunteer-profiles")
        consents, windows, certificates = [], [], []
        for v in Volunteer.objects.prefetch_related("skills").order_by("pk"):
            consents.append(
                Consent(
                    volunteer=v,
                    kind=Consent.Kind.SELF,
                    text_version=CONSENT_VERSION,
                    agreed_at=self.now,
                )
            )
            for weekday, start, end in rng.choice(WINDOWS):
                windows.append(Availability(volunteer=v, weekday=weekday, start=start, end=end))
            for skill in v.skills.all():
                kind = CERTIFICATE_OF_SKILL.get(skill.code)
                if kind and rng.random() < 0.5:
                    certificates.append(
                        Certificate(
                            volunteer=v,
                            kind=kind,
                            number=f"{rng.randrange(10**11, 10**12)}",
                            expires_on=date(self.now.year + rng.randint(0, 4), 12, 31),
                        )
                    )
            v.languages = ["普通话", "武汉话"] if rng.random() < 0.6 else ["普通话"]
            v.service_categories = sorted({s.code for s in v.skills.all()})
        Consent.objects.bulk_create(consents)
        Availability.objects.bulk_create(windows)
        Certificate.objects.bulk_create(certificates)
        # Registered (and teams founded) in the year before the history starts, so the figures
        # show a street's volunteers and teams for every past month, not only from today.
        history_start = self.now - timedelta(weeks=self.seeder.scale.activity_weeks)
        for c in consents:
            c.volunteer.created_at = history_start - timedelta(days=rng.randint(1, 365))
        Volunteer.objects.bulk_update(
            [c.volunteer for c in consents],
            ["languages", "service_categories", "created_at"],
            batch_size=2000,
        )
        teams = list(Team.objects.order_by("pk"))
        for team in teams:
            team.created_at = history_start - timedelta(days=rng.randint(1, 365))
        Team.objects.bulk_update(teams, ["created_at"], batch_size=2000)

    # ---- the activity history of one community -----------------------------------------------

    def history(self, community: OrgUnit) -> int:
        """Two activities a week over the scale's weeks, bulk-written (the services would take
        minutes for years of history): hours by the region's rounding rule, due dates by its
        calendar, entered on time, one version each. A core of regulars serves most often, so
        the demo has star volunteers."""
        rng = self.seeder.rng("volunteer-history", community.path)
        worker = self.seeder.staff[community.pk].workers[0]
        volunteers = list(Volunteer.objects.filter(community=community).order_by("pk"))
        team_list = list(Team.objects.filter(community=community).order_by("pk"))
        if not volunteers:
            return 0
        weights = [6 if rng.random() < 0.2 else 1 for _ in volunteers]
        weights[0] = 6  # the community's first volunteer (volunteer1 in the first community)
        policy = policy_for(community)
        today = timezone.localdate(self.now)
        first_day = today - timedelta(weeks=self.seeder.scale.activity_weeks)
        calendar = calendar_for(community, first_day, today + timedelta(days=60))
        # Days already served (orders replayed before): no second, possibly overlapping period.
        busy = set(
            ServiceRecord.objects.filter(volunteer__community=community).values_list(
                "volunteer_id", "service_date"
            )
        )
        records = []
        for week in range(self.seeder.scale.activity_weeks, 0, -1):
            for slot in range(ACTIVITIES_PER_WEEK):
                day = today - timedelta(days=week * 7 - slot * 3)
                title, place, content, hours = ACTIVITIES[rng.randrange(len(ACTIVITIES))]
                start = datetime.combine(day, time(9 if slot == 0 else 14, 0), self.tz)
                served = max(30, int(hours * 60) + rng.choice([-20, -10, 0, 0, 10]))
                team = rng.choice(team_list) if team_list and rng.random() < 0.5 else None
                chosen = {
                    v.pk: v for v in rng.choices(volunteers, weights, k=rng.randint(4, 9))
                }.values()
                for volunteer in chosen:
                    if (volunteer.pk, day) in busy:
                        continue
                    records.append(
                        ServiceRecord(
                            volunteer=volunteer,
                            title=title,
                            service_date=day,
                            started_at=start,
                            ended_at=start + timedelta(minutes=served),
                            place=place,
                            content=content,
                            minutes=served,
                            hours=service_hours(served, policy.rounding),
                            organiser=community.name,
                            organiser_unit=community,
                            person_in_charge=worker.display_name,
                            recorded_by=worker,
                            team=team,
                            quality_rating=rng.choice([5, 5, 5, 4, 4, 3]),
                            due_date=due_date(day, policy.due_working_days, calendar),
                        )
                    )
        ServiceRecord.objects.bulk_create(records, batch_size=2000)
        ServiceRecordVersion.objects.bulk_create(
            [
                ServiceRecordVersion(
                    record=r, version=1, data=record_snapshot(r), changed_by=worker, reason="新建"
                )
                for r in records
            ],
            batch_size=2000,
        )
        return len(records)

    def record(self, worker: User, volunteer: Volunteer, **fields) -> int:
        try:
            services.service_record_create(
                recorder=worker,
                volunteer=volunteer,
                service_date=None,
                minutes=None,
                person_in_charge=worker.display_name,
                **fields,
            )
        except DomainError:  # e.g. the volunteer served elsewhere at that hour: skip, like life
            return 0
        return 1

    # ---- what the demo log-ins find waiting for them -----------------------------------------

    def featured(self, community: OrgUnit) -> None:
        worker = self.seeder.staff[community.pk].workers[0]
        volunteer = Volunteer.objects.filter(user__username="volunteer1").first()
        if volunteer is None:
            return
        today = timezone.localdate(self.now)
        # A record entered three weeks late: pending until the street supervisor approves it.
        late_day = today - timedelta(days=21)
        late_start = datetime.combine(late_day, time(19, 0), self.tz)
        self.record(
            worker,
            volunteer,
            title="社区消防安全巡查",
            place="各小区消防通道",
            content="夜间巡查消防通道占用情况并劝导挪车。",
            started_at=late_start,
            ended_at=late_start + timedelta(hours=2),
            organiser_unit=community,
            now=self.now,
        )
        latest = (
            ServiceRecord.objects.filter(volunteer=volunteer, status=ServiceRecord.Status.COUNTED)
            .order_by("-service_date")
            .first()
        )
        if latest is not None:
            services.correction_request_file(
                actor=volunteer.user,
                record_id=latest.pk,
                changes={"minutes": latest.minutes + 30},
                reason="活动结束后留下来帮忙收拾场地，实际多服务了半小时。",
            )
        services.training_record_create(
            actor=worker,
            volunteer_id=volunteer.pk,
            name="志愿者岗前培训",
            content="志愿服务理念、服务礼仪、安全须知与隐私保护",
            minutes=180,
            organiser=f"{community.name}社工室",
            day=today - timedelta(days=120),
        )
        services.honour_create(
            actor=worker,
            volunteer_id=volunteer.pk,
            name="优秀志愿者",
            day=date(today.year - 1, 12, 5),
            grantor=f"{community.parent.name if community.parent else community.name}",
        )
        leader = Volunteer.objects.filter(community=community, user__role=Role.VOLUNTEER).exclude(
            pk=volunteer.pk
        )
        applicant = leader.filter(led_teams__isnull=True).order_by("pk").first()
        if applicant is not None:
            teams.team_apply(
                actor=applicant.user,
                community_id=community.pk,
                name="楼道微光志愿服务队",
                kind=Team.Kind.YOUTH,
                charter="以楼栋为单位开展邻里互助，每月至少组织一次探访独居老人活动。",
                guide_id=worker.pk,
            )

    # ---- the time bank of the first community ------------------------------------------------

    def time_bank(self, community: OrgUnit) -> None:
        """Elderly-care records deposit time coins (a few wait for review); volunteer1 gives
        coins to a relative, who spends some on a service."""
        rng = self.seeder.rng("time-bank", community.path)
        worker = self.seeder.staff[community.pk].workers[0]
        elderly = [a[0] for a in ACTIVITIES if a[0] in ELDERLY_CARE]
        records = list(
            ServiceRecord.objects.filter(
                organiser_unit=community,
                status=ServiceRecord.Status.COUNTED,
                title__in=elderly,
                service_date__gte=timezone.localdate(self.now) - timedelta(days=365),
            )
            .select_related("volunteer__user")
            .order_by("service_date", "pk")
        )
        for i, record in enumerate(records):
            if record.volunteer.user.username != "volunteer1" and rng.random() < 0.6:
                continue  # not everyone banks their hours
            pending_review = i >= len(records) - 3
            made_at = datetime.combine(record.service_date, time(20, 0), self.tz)
            bank.deposit_from_record(
                actor=record.volunteer.user if pending_review else worker,
                record_id=record.pk,
                category="elderly",
                now=min(made_at + timedelta(days=1), self.now),
            )
        volunteer = Volunteer.objects.filter(user__username="volunteer1").first()
        mother = User.objects.filter(username="resident1").select_related("resident").first()
        account = Account.objects.filter(volunteer=volunteer).first() if volunteer else None
        if account is None or mother is None or not hasattr(mother, "resident"):
            return
        kin = bank.kinship_record(
            actor=worker,
            account_id=account.pk,
            relation="parent",
            evidence="户口簿",
            relative_resident_id=mother.resident.pk,
        )
        gift = min(Decimal("6"), bank.balance(account))
        if gift < 2:
            return
        when = self.now - timedelta(days=20)
        bank.coins_transfer(
            actor=volunteer.user,
            account_id=kin.holder_id,
            to_account_id=kin.relative_id,
            amount=gift,
            note="给家里老人用",
            now=when,
        )
        bank.coins_spend(
            actor=mother,
            account_id=kin.relative_id,
            amount=Decimal("2"),
            service="上门助浴",
            now=when + timedelta(days=3),
        )
