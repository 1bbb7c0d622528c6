"""Organised activities in the demo's first community, made through the activity services so that
every rule applies: past activities whose attendance was confirmed into hours, rated by the
volunteers and a beneficiary and written up in a summary; a weekly class generated from a rule;
upcoming activities with sign-ups, a waiting list, a sign-up awaiting approval and a team
leader's bulk sign-up. Each service gets the moment it happened as `now`."""

from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING

from django.utils import timezone

from shezhi.accounts.models import User
from shezhi.activities import after, services, signups
from shezhi.activities import attendance as checkins
from shezhi.activities.models import Activity
from shezhi.activities.recurrence import Rule
from shezhi.activities.services import PositionSpec
from shezhi.core.errors import DomainError
from shezhi.org.models import OrgUnit
from shezhi.people.models import Resident
from shezhi.volunteers.models import Volunteer

if TYPE_CHECKING:
    from shezhi.demo.seeding import Seeder

# (title, category, venue, description, days ago, start hour, hours, stars given)
PAST = [
    (
        "为老义剪",
        "elderly",
        "社区党群服务中心",
        "为辖区高龄、独居老人免费理发。",
        9,
        9,
        2,
        [5, 5, 4],
    ),
    ("义诊与健康讲座", "health", "社区卫生服务站", "协助医生测量血压血糖。", 16, 14, 3, [4, 5, 3]),
    ("环境清洁日", "environment", "小区公共区域", "清理楼道杂物，宣传垃圾分类。", 23, 9, 2, [4, 4]),
]
# (title, category, venue, description, days ahead, start hour, hours, quota, approval)
UPCOMING = [
    (
        "重阳敬老文艺汇演",
        "elderly",
        "社区广场",
        "为社区老人表演节目，协助搬运座椅。",
        5,
        9,
        3,
        3,
        False,
    ),
    (
        "反诈宣传进小区",
        "community",
        "小区广场",
        "发放反诈宣传单，讲解常见骗局。",
        8,
        14,
        2,
        4,
        True,
    ),
]
SUMMARY = (
    "本次活动共有{volunteers}名志愿者参加，服务居民{beneficiaries}人次。活动流程顺畅，"
    "居民反馈良好。下次活动将提前一周在居民群发布通知，并增加一名引导岗位。"
)


class ActivityDemo:
    def __init__(self, seeder: "Seeder", community: OrgUnit):
        self.seeder = seeder
        self.community = community
        self.worker: User = seeder.staff[community.pk].workers[0]
        self.now = seeder.now
        self.volunteers = list(
            Volunteer.objects.filter(community=community, is_active=True)
            .select_related("user")
            .order_by("volunteer_no")
        )
        self.residents = list(
            Resident.objects.filter(community=community, user__isnull=False).order_by("id_number")
        )

    def run(self) -> int:
        if len(self.volunteers) < 4:
            return 0
        made = [self.past(*row) for row in PAST]
        made += self.weekly_class()
        made += [self.upcoming(*row) for row in UPCOMING]
        return len(made)

    def _at(self, days: int, hour: int) -> datetime:
        day = timezone.localdate(self.now) + timedelta(days=days)
        return timezone.make_aware(datetime.combine(day, time(hour, 0)))

    def _create(
        self, *, title, category, venue, description, starts_at, hours, positions, now, **kw
    ):
        spec = services.ActivitySpec(
            title=title,
            category=category,
            description=description,
            venue=venue,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(hours=hours),
            person_in_charge=self.worker.display_name or self.worker.username,
            positions=positions,
            organiser_unit_id=self.community.pk,
            **kw,
        )
        return services.activity_create(actor=self.worker, spec=spec, now=now)

    def _publish(self, activity: Activity, now: datetime) -> Activity:
        return services.activity_publish(actor=self.worker, activity_id=activity.pk, now=now)

    def past(self, title, category, venue, description, days_ago, hour, hours, stars) -> Activity:
        """Held, checked in by hand, closed and confirmed into service records, rated, summed up."""
        start = self._at(-days_ago, hour)
        end = start + timedelta(hours=hours)
        created = start - timedelta(days=7)
        activity = self._create(
            title=title,
            category=category,
            venue=venue,
            description=description,
            starts_at=start,
            hours=hours,
            positions=[PositionSpec(name="志愿者", quota=len(stars) + 1)],
            now=created,
        )
        self._publish(activity, created)
        position = activity.positions.get()
        came = []
        for volunteer in self.volunteers[: len(stars) + 1]:
            try:
                signup = signups.signup_create(
                    actor=volunteer.user, position_id=position.pk, now=created
                )
            except DomainError:
                continue
            if len(came) < len(stars):  # the last one signed up but did not come
                checkins.checkin_manual(
                    actor=self.worker,
                    signup_id=signup.pk,
                    reason="现场统一签到",
                    at=start,
                    now=start + timedelta(minutes=5),
                )
                came.append(volunteer)
        checkins.checkout_close_forgotten(
            actor=self.worker, activity_id=activity.pk, now=end + timedelta(minutes=30)
        )
        checkins.attendance_confirm(
            actor=self.worker, activity_id=activity.pk, now=end + timedelta(hours=1)
        )
        for resident in self.residents[:1]:
            services.beneficiary_add(
                actor=self.worker, activity_id=activity.pk, resident_id=resident.pk
            )
        services.activity_set_headcount(actor=self.worker, activity_id=activity.pk, headcount=12)
        rated_at = end + timedelta(hours=3)
        for volunteer, n in zip(came, stars, strict=False):
            after.rating_create(
                actor=volunteer.user, activity_id=activity.pk, stars=n, comment="", now=rated_at
            )
        for resident in self.residents[:1]:
            after.rating_create(
                actor=resident.user,  # type: ignore[arg-type]
                activity_id=activity.pk,
                stars=5,
                comment="志愿者很耐心，谢谢大家。",
                now=rated_at,
            )
        figures = after.figures(activity)
        after.summary_save(
            actor=self.worker,
            activity_id=activity.pk,
            text=SUMMARY.format(volunteers=figures.volunteers, beneficiaries=figures.beneficiaries),
            now=end + timedelta(days=1),
        )
        return activity

    def weekly_class(self) -> list[Activity]:
        """四点半课堂 every Wednesday for eight weeks, generated from a rule, all published."""
        start = self._at(1, 16) + timedelta(minutes=30)
        while start.weekday() != 2:
            start += timedelta(days=1)
        made = services.activity_create_recurring(
            actor=self.worker,
            rule=Rule("weekly", count=8),
            now=self.now,
            spec=services.ActivitySpec(
                title="四点半课堂",
                category="children",
                description="辅导小学生完成作业，组织阅读和手工活动。",
                venue="社区四点半课堂",
                starts_at=start,
                ends_at=start + timedelta(hours=1, minutes=30),
                person_in_charge=self.worker.display_name or self.worker.username,
                positions=[PositionSpec(name="课业辅导", quota=3, min_age=18)],
                organiser_unit_id=self.community.pk,
            ),
        )
        for activity in made:
            self._publish(activity, self.now)
        return made

    def upcoming(self, title, category, venue, description, days, hour, hours, quota, approval):
        """Published with one more sign-up than places (the rest wait), or awaiting approval."""
        activity = self._create(
            title=title,
            category=category,
            venue=venue,
            description=description,
            starts_at=self._at(days, hour),
            hours=hours,
            positions=[PositionSpec(name="志愿者", quota=quota)],
            requires_approval=approval,
            now=self.now,
        )
        self._publish(activity, self.now)
        position = activity.positions.get()
        for volunteer in self.volunteers[: quota + 2]:
            try:
                signups.signup_create(actor=volunteer.user, position_id=position.pk, now=self.now)
            except DomainError:
                continue
        self.bulk(position.pk)
        return activity

    def bulk(self, position_id: int) -> None:
        """leader1 signs the members of the team up who are not signed up yet."""
        leader = User.objects.filter(username="leader1", volunteer__community=self.community)
        user = leader.first()
        if user is None:
            return
        members = Volunteer.objects.filter(teammembership__team__leader__user=user).exclude(
            signups__position_id=position_id
        )
        ids = list(members.order_by("volunteer_no").values_list("pk", flat=True)[:2])
        if ids:
            signups.signup_bulk(
                actor=user, position_id=position_id, volunteer_ids=ids, now=self.now
            )


def seed_activities(seeder: "Seeder", communities: list[OrgUnit]) -> int:
    """The organised activities of the demo (first community only)."""
    return ActivityDemo(seeder, communities[0]).run() if communities else 0
