"""Export of one case file as text, logged and audited."""

from datetime import datetime

from django.utils import timezone

from shezhi.accounts.models import User
from shezhi.cases.models import CaseAccessLog
from shezhi.cases.selectors.access import ASSESSMENT, PLAN, SESSIONS, case_access, log_access
from shezhi.core import audit
from shezhi.core.models import AuditEvent


def case_export(*, actor: User, case_id: int, now: datetime | None = None) -> str:
    """The parts of a case file the actor may see, as plain text watermarked with who exported
    it and when; logged as an export and as an audit event."""
    now = now or timezone.now()
    access = case_access(actor=actor, case_id=case_id, now=now)
    case = access.case
    stamp = f"{timezone.localtime(now):%Y-%m-%d %H:%M}"
    who = f"{actor.display_name or actor.username}（{actor.username}）"
    watermark = f"【保密】导出人：{who} 导出时间：{stamp} 仅限个案服务使用，不得外传"
    lines = [
        watermark,
        f"个案编号：{case.pk}",
        f"服务对象：{case.client.masked_name}",
        f"阶段：{case.get_status_display()}  风险等级：{case.get_risk_level_display()}",
        f"接案日期：{case.opened_on}  下次复核：{case.next_review_on}",
    ]
    if access.can(ASSESSMENT):
        for a in case.assessments.all():
            lines += [
                f"— 预估（{a.assessed_on}）",
                f"主要问题：{a.presenting_problem}",
                f"家庭与支持网络：{a.family_support}",
                f"健康状况：{a.health}",
                f"风险与受害情况：{a.risks}",
                f"优势与资源：{a.strengths}",
                f"预估叙述：{a.narrative}",
            ]
    if access.can(PLAN):
        plan = case.plans.order_by("-version").first()
        if plan is not None:
            lines.append(f"— 服务计划（第{plan.version}版）{plan.summary}")
            lines += [
                f"目标：{g.description}（{g.due_on}，{g.responsible}）" for g in plan.goals.all()
            ]
    if access.can(SESSIONS):
        logs = case.interventions.select_related("by")
        if access.own_sessions_only:
            logs = logs.filter(by=actor)
        lines += [
            f"— 介入 {i.on} {i.get_form_display()} {i.duration_minutes}分钟 {i.by}：{i.content}"
            for i in logs
        ]
    lines.append(watermark)
    log_access(
        user=actor,
        case_ref=case.pk,
        case=case,
        action=CaseAccessLog.Action.EXPORT,
        now=now,
        part="export",
        relation=access.relation,
    )
    audit.record(actor=actor, action=AuditEvent.Action.EXPORT, obj=case, summary="导出个案档案")
    return "\n".join(lines)
