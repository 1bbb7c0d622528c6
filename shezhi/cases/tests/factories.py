"""Cases built through the services, and moved to any stage with the work each stage needs."""

from datetime import timedelta

from django.utils import timezone

from shezhi.accounts.models import User
from shezhi.cases import services
from shezhi.cases.models import Case, Stage
from shezhi.people.models import Resident


def open_case(worker: User, client: Resident, **kwargs) -> Case:
    params = {
        "source": Case.Source.WALK_IN,
        "problem_type": Case.ProblemType.FAMILY,
        "risk_level": "medium",
        "client_consent": True,
    }
    params.update(kwargs)
    return services.case_open(actor=worker, client_id=client.pk, **params)


def assess(case: Case, worker: User, **kwargs):
    params = {
        "presenting_problem": "亲子冲突，孩子逃学",
        "risk_level": "high",
        "family_support": "母亲照顾，父亲外出务工",
        "risks": "曾遭父亲殴打",
        "strengths": "喜欢篮球",
        "narrative": "案主自述长期被忽视",
    }
    params.update(kwargs)
    return services.assessment_record(actor=worker, case_id=case.pk, **params)


def plan(case: Case, worker: User, responsible: User | None = None):
    goal = services.GoalInput(
        description="减少逃学次数",
        interventions="每周面谈一次；联系学校",
        responsible_id=(responsible or worker).pk,
        due_on=timezone.localdate() + timedelta(days=60),
    )
    return services.plan_create(actor=worker, case_id=case.pk, goals=[goal], summary="三个月计划")


def to_stage(case: Case, worker: User, stage: str) -> Case:
    """Walk the case forward from intake to `stage`, doing each stage's work."""
    order = [Stage.ASSESSMENT, Stage.PLANNING, Stage.INTERVENTION, Stage.EVALUATION]
    for step in order:
        if case.status == stage:
            break
        if step == Stage.PLANNING:
            assess(case, worker)
        if step == Stage.INTERVENTION:
            plan(case, worker)
        case = services.case_advance(actor=worker, case_id=case.pk, to_status=step)
    return case


def log_session(case: Case, who: User, content: str = "面谈：讨论学校情况", **kwargs):
    params = {"on": timezone.localdate(), "form": "office", "duration_minutes": 50}
    params.update(kwargs)
    return services.intervention_log(actor=who, case_id=case.pk, content=content, **params)
