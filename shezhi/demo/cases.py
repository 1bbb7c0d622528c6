"""Casework in the demo community (个案), written through the case services with their clock
(`now=`) so that stages, dates, notices and the audit trail are what the platform would write:

- a client in a suicide crisis: the crisis protocol running (supervisor notified, safety plan)
  and a referral to a hospital's psychiatric department, received;
- a teenager in intervention, with a team of professional volunteers (a counsellor — the demo
  log-in volunteer1 — a family-education adviser and a sports teacher), sessions and a
  supervision note;
- a closed case of a disabled client whose two benefits applications were approved.
"""

from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from shezhi.accounts.models import User
from shezhi.cases import services
from shezhi.cases.models import BenefitTask, Case, Stage
from shezhi.cases.selectors import supervisors_of
from shezhi.core.ages import age_on
from shezhi.org.models import OrgUnit
from shezhi.people.models import Resident

if TYPE_CHECKING:
    from shezhi.demo.seeding import Seeder

HOSPITAL = "区精神卫生中心（市第六人民医院精神科）"


def _at(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


class CaseDemo:
    def __init__(self, seeder: "Seeder", community: OrgUnit):
        self.community = community
        self.today = timezone.localdate(seeder.now)
        self.worker = seeder.staff[community.pk].workers[0]
        self.supervisor = supervisors_of(self.worker).first()
        self.residents = list(
            Resident.objects.filter(community=community).order_by("pk").only("pk", "birth_date")
        )
        self.used: set[int] = set()

    def client(self, lo: int, hi: int) -> Resident:
        """The first unused resident aged lo..hi, or else the first unused one."""
        pool = [r for r in self.residents if r.pk not in self.used]
        fit = [r for r in pool if lo <= age_on(r.birth_date, self.today) <= hi]
        chosen = (fit or pool)[0]
        self.used.add(chosen.pk)
        return chosen

    def day(self, days_ago: int, hour: int = 10) -> datetime:
        return _at(self.today - timedelta(days=days_ago), hour)

    def run(self) -> int:
        if len(self.residents) < 3:
            return 0
        self.crisis_case()
        self.team_case()
        self.closed_case()
        return Case.objects.filter(community=self.community).count()

    # ---- the three cases ----------------------------------------------------------------------

    def _open(self, client: Resident, days_ago: int, **kw: Any) -> Case:
        return services.case_open(
            actor=self.worker,
            client_id=client.pk,
            client_consent=True,
            now=self.day(days_ago, 9),
            **kw,
        )

    def _assess(self, case: Case, days_ago: int, **kw: Any) -> None:
        services.case_advance(
            actor=self.worker, case_id=case.pk, to_status=Stage.ASSESSMENT, now=self.day(days_ago)
        )
        services.assessment_record(actor=self.worker, case_id=case.pk, now=self.day(days_ago), **kw)

    def _plan(self, case: Case, days_ago: int, goals: list[tuple[str, str, User, int]]) -> None:
        now = self.day(days_ago)
        services.case_advance(actor=self.worker, case_id=case.pk, to_status=Stage.PLANNING, now=now)
        services.plan_create(
            actor=self.worker,
            case_id=case.pk,
            summary="三个月服务计划",
            goals=[
                services.GoalInput(
                    description=d,
                    interventions=i,
                    responsible_id=who.pk,
                    due_on=self.today + timedelta(days=due),
                )
                for d, i, who, due in goals
            ],
            now=now,
        )
        services.case_advance(
            actor=self.worker, case_id=case.pk, to_status=Stage.INTERVENTION, now=now
        )

    def crisis_case(self) -> None:
        case = self._open(
            self.client(25, 60),
            3,
            source=Case.Source.WALK_IN,
            problem_type=Case.ProblemType.MENTAL_HEALTH,
            risk_level="high",
        )
        self._assess(
            case,
            3,
            presenting_problem="精神分裂症病史，近期停药，情绪低落，多次表达轻生念头",
            family_support="与母亲同住，母亲年迈，照顾吃力",
            health="长期门诊服药，近一个月自行停药",
            risks="曾有一次割腕自伤史（两年前）",
            strengths="愿意与社工交谈，喜欢养花",
            narrative="案主称“活着没意思”，夜间失眠，拒绝出门。",
            risk_level="urgent",
        )
        crisis = services.crisis_start(actor=self.worker, case_id=case.pk, now=self.day(2, 20))
        for step, hour in (("safety", 20), ("risk", 21), ("guardian", 21)):
            services.crisis_step_done(
                actor=self.worker, crisis_id=crisis.pk, step=step, now=self.day(2, hour)
            )
        services.crisis_safety_plan(
            actor=self.worker,
            crisis_id=crisis.pk,
            text="母亲24小时陪护并收起家中药物和刀具；社工每天早晚电话联系；情绪失控时拨打心理援助热线或120。",
            now=self.day(2, 22),
        )
        referral = services.referral_create(
            actor=self.worker,
            case_id=case.pk,
            institution_kind="hospital",
            institution_name=HOSPITAL,
            contact="门诊王医生",
            reason="自伤风险评估，恢复规律服药",
            now=self.day(1, 9),
        )
        services.referral_advance(
            actor=self.worker,
            referral_id=referral.pk,
            to_status="received",
            now=self.day(1, 15),
        )

    def team_case(self) -> None:
        teen = self.client(12, 17)
        case = self._open(
            teen,
            50,
            source=Case.Source.REFERRAL_IN,
            problem_type=Case.ProblemType.YOUTH,
            risk_level="medium",
            guardian_name="监护人（母亲）",
            guardian_consent=True,
            referral_in=services.ReferralIn(
                institution_kind="school",
                institution_name="社区对口中学德育处",
                reason="长期逃学、与同学冲突",
            ),
        )
        self._assess(
            case,
            48,
            presenting_problem="逃学、沉迷手机游戏，与父亲冲突激烈",
            family_support="父亲外出务工，母亲独自照顾",
            health="身体健康，睡眠不规律",
            risks="曾遭父亲打骂",
            strengths="喜欢篮球，与班主任关系尚可",
            narrative="案主自述在家里没人听他说话。",
            risk_level="medium",
        )
        team = self.team(case, 47)
        goals = [
            ("减少逃学次数", "每周面谈一次；与学校联动", self.worker, 60),
        ]
        if team:
            goals.append(("改善情绪管理", "心理咨询每两周一次", team[0], 60))
        self._plan(case, 45, goals)
        for days_ago, who, form, text in [
            (40, self.worker, "home_visit", "入户面谈，了解家庭作息与冲突情况"),
            (33, team[0] if team else self.worker, "counselling", "第一次心理辅导：建立关系"),
            (26, self.worker, "phone", "与班主任沟通出勤情况，本周逃学一次"),
            (19, team[0] if team else self.worker, "counselling", "第二次心理辅导：情绪识别"),
        ]:
            services.intervention_log(
                actor=who,
                case_id=case.pk,
                on=self.today - timedelta(days=days_ago),
                form=form,
                content=text,
                duration_minutes=50,
                now=self.day(days_ago, 17),
            )
        if self.supervisor is not None:
            services.supervision_note_add(
                actor=self.supervisor,
                case_id=case.pk,
                text="注意与父亲的沟通方式，必要时引入家庭教育指导。",
                now=self.day(20, 16),
            )

    def team(self, case: Case, days_ago: int) -> list[User]:
        """volunteer1 as counsellor (if in this community), then a family-education adviser
        and a sports teacher from the community's volunteers."""
        volunteers = list(
            User.objects.filter(volunteer__community=self.community, is_active=True).order_by(
                "username"
            )[:20]
        )
        volunteers.sort(key=lambda u: u.username != "volunteer1")
        members = []
        for user, role in zip(
            volunteers, ("counsellor", "family_adviser", "volunteer"), strict=False
        ):
            services.team_add(
                actor=self.worker,
                case_id=case.pk,
                user_id=user.pk,
                role=role,
                now=self.day(days_ago),
            )
            members.append(user)
        return members

    def closed_case(self) -> None:
        case = self._open(
            self.client(30, 70),
            120,
            source=Case.Source.VISIT,
            problem_type=Case.ProblemType.DISABILITY,
            risk_level="medium",
        )
        self._assess(
            case,
            118,
            presenting_problem="夫妻双方残疾，无固定收入，未办理低保和残疾人补贴",
            family_support="无子女，亲属较少往来",
            health="肢体残疾二级",
            strengths="夫妻互相扶持，邻里关系好",
            risk_level="medium",
        )
        self._plan(
            case,
            115,
            [("办理低保和残疾人两项补贴", "协助准备材料，陪同递交申请", self.worker, 0)],
        )
        tasks = services.benefit_tasks_start(
            actor=self.worker,
            case_id=case.pk,
            kinds=[BenefitTask.Kind.DIBAO, BenefitTask.Kind.DISABILITY_SUBSIDY],
            note="一次走访发现两项",
            now=self.day(114),
        )
        for task in tasks:
            for status, days_ago in (("submitted", 100), ("approved", 60)):
                services.benefit_task_set_status(
                    actor=self.worker, task_id=task.pk, status=status, now=self.day(days_ago)
                )
        services.case_advance(
            actor=self.worker, case_id=case.pk, to_status=Stage.EVALUATION, now=self.day(30)
        )
        goal_ids = list(case.plans.get().goals.values_list("pk", flat=True))
        services.case_close(
            actor=self.worker,
            case_id=case.pk,
            reason="goals_met",
            outcome="achieved",
            outcome_note="低保和两项补贴均已获批，生活有了基本保障",
            closed_on=self.today - timedelta(days=28),
            follow_up_on=self.today + timedelta(days=30),
            goal_statuses=dict.fromkeys(goal_ids, "achieved"),
            now=self.day(28),
        )


def seed_cases(seeder: "Seeder", communities: list[OrgUnit]) -> int:
    """The casework demo (first community only); returns the number of cases written."""
    return CaseDemo(seeder, communities[0]).run() if communities else 0
