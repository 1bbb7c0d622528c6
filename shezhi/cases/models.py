"""Casework (个案工作, MZ/T 094-2017): 接案 → 预估 → 计划 → 介入 → 评估 → 结案.

A case file is the most sensitive record of the platform: read it only through `selectors`
(which check the team, the supervisor line and emergency access, and log every read), change it
only through `services`. The most sensitive texts are encrypted at rest (`crypto`).
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from shezhi.care.models import CareAlert, Visit
from shezhi.cases.crypto import EncryptedTextField
from shezhi.core.models import TimeStampedModel
from shezhi.needs.models import Need
from shezhi.org.models import OrgUnit
from shezhi.people.models import Resident

USER = settings.AUTH_USER_MODEL


class Stage(models.TextChoices):
    INTAKE = "intake", "接案"
    ASSESSMENT = "assessment", "预估"
    PLANNING = "planning", "计划"
    INTERVENTION = "intervention", "介入"
    EVALUATION = "evaluation", "评估"
    CLOSED = "closed", "结案"


STAGE_ORDER = [s.value for s in Stage]


class RiskLevel(models.TextChoices):
    URGENT = "urgent", "紧急"
    HIGH = "high", "高"
    MEDIUM = "medium", "中"
    LOW = "low", "低"


class Case(TimeStampedModel):
    class Source(models.TextChoices):
        NEED = "need", "需求"
        VISIT = "visit", "走访"
        CRISIS_ALERT = "crisis_alert", "危机预警"
        REFERRAL_IN = "referral_in", "外部转介"
        WALK_IN = "walk_in", "主动求助"

    class ProblemType(models.TextChoices):
        FAMILY = "family", "家庭关系"
        MENTAL_HEALTH = "mental_health", "心理与精神健康"
        YOUTH = "youth", "青少年成长与行为"
        ABUSE = "abuse", "暴力与伤害"
        POVERTY = "poverty", "经济困难"
        DISABILITY = "disability", "残障"
        ELDERLY = "elderly", "养老照护"
        OTHER = "other", "其他"

    client = models.ForeignKey(
        Resident, verbose_name="服务对象", on_delete=models.PROTECT, related_name="cases"
    )
    # Copied from the client so that aggregates by community need no join to personal data.
    community = models.ForeignKey(
        OrgUnit, verbose_name="社区", on_delete=models.PROTECT, related_name="+", editable=False
    )
    worker = models.ForeignKey(
        USER, verbose_name="个案社工", on_delete=models.PROTECT, related_name="cases_worked"
    )
    source = models.CharField("来源", max_length=20, choices=Source.choices)
    need = models.ForeignKey(
        Need,
        verbose_name="来源需求",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cases",
    )
    care_alert = models.ForeignKey(
        CareAlert,
        verbose_name="来源预警",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cases",
    )
    visit = models.ForeignKey(
        Visit,
        verbose_name="来源走访",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cases",
    )
    problem_type = models.CharField("问题类型", max_length=20, choices=ProblemType.choices)
    status = models.CharField(
        "阶段", max_length=20, choices=Stage.choices, default=Stage.INTAKE, db_index=True
    )
    risk_level = models.CharField("风险等级", max_length=10, choices=RiskLevel.choices)
    opened_on = models.DateField("接案日期")
    next_review_on = models.DateField("下次复核", db_index=True)
    client_consent_at = models.DateTimeField("本人同意时间", null=True, blank=True)
    guardian_name = models.CharField("监护人", max_length=30, blank=True)
    guardian_consent_at = models.DateTimeField("监护人同意时间", null=True, blank=True)
    created_by = models.ForeignKey(
        USER, verbose_name="登记人", on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "个案"
        verbose_name_plural = verbose_name
        ordering = ["-opened_on", "-id"]
        indexes = [models.Index(fields=["worker", "status"])]

    def __str__(self) -> str:
        return f"个案#{self.pk}"


class CaseTransition(models.Model):
    """Every stage change, kept for good: a reopened case keeps its earlier closure here."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField("原阶段", max_length=20, choices=Stage.choices, blank=True)
    to_status = models.CharField("新阶段", max_length=20, choices=Stage.choices)
    at = models.DateTimeField("时间")
    by = models.ForeignKey(USER, verbose_name="操作人", on_delete=models.PROTECT, related_name="+")
    note = models.CharField("说明", max_length=300, blank=True)

    class Meta:
        verbose_name = "个案阶段记录"
        verbose_name_plural = verbose_name
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name}#{self.pk}"


class CaseClosure(models.Model):
    """One closure. Reopening marks it reopened rather than deleting it."""

    class Reason(models.TextChoices):
        GOALS_MET = "goals_met", "目标达成"
        CLIENT_WITHDREW = "client_withdrew", "服务对象退出"
        REFERRED = "referred", "转介至其他机构"
        MOVED = "moved", "迁出服务区域"
        DECEASED = "deceased", "服务对象离世"
        OTHER = "other", "其他"

    class Outcome(models.TextChoices):
        ACHIEVED = "achieved", "目标全部达成"
        PARTLY = "partly", "目标部分达成"
        NOT_ACHIEVED = "not_achieved", "目标未达成"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="closures")
    closed_on = models.DateField("结案日期")
    reason = models.CharField("结案原因", max_length=20, choices=Reason.choices)
    outcome = models.CharField("结案成效", max_length=20, choices=Outcome.choices)
    outcome_note = models.CharField("成效说明", max_length=500, blank=True)
    follow_up_on = models.DateField("跟进回访日期", null=True, blank=True)
    closed_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    reopened_at = models.DateTimeField("重开时间", null=True, blank=True)
    reopened_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reopen_reason = models.CharField("重开原因", max_length=300, blank=True)

    class Meta:
        verbose_name = "结案记录"
        verbose_name_plural = verbose_name
        ordering = ["closed_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(follow_up_on__isnull=True) | Q(follow_up_on__gte=F("closed_on")),
                name="case_closure_follow_up_after_closure",
            ),
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(reopened_at__isnull=True),
                name="case_closure_one_current",
            ),
        ]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name}#{self.pk}"


class Assessment(models.Model):
    """预估: structured, with the most sensitive parts (risks, narrative) encrypted at rest."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assessments")
    assessed_on = models.DateField("预估日期")
    assessed_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    presenting_problem = models.TextField("主要问题", max_length=2000)
    family_support = models.TextField("家庭与支持网络", max_length=2000, blank=True)
    health = models.TextField("健康状况", max_length=2000, blank=True)
    risks = EncryptedTextField("风险与受害情况", blank=True)
    strengths = models.TextField("优势与资源", max_length=2000, blank=True)
    narrative = EncryptedTextField("预估叙述", blank=True)
    risk_level = models.CharField("风险等级", max_length=10, choices=RiskLevel.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "预估"
        verbose_name_plural = verbose_name
        ordering = ["-assessed_on", "-id"]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name}#{self.pk}"


class ServicePlan(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="plans")
    version = models.PositiveSmallIntegerField("版本")
    summary = models.CharField("计划概述", max_length=500, blank=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "服务计划"
        verbose_name_plural = verbose_name
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["case", "version"], name="case_plan_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name}#{self.pk}"


class Goal(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "进行中"
        ACHIEVED = "achieved", "已达成"
        PARTLY = "partly", "部分达成"
        NOT_ACHIEVED = "not_achieved", "未达成"

    plan = models.ForeignKey(ServicePlan, on_delete=models.CASCADE, related_name="goals")
    description = models.CharField("目标", max_length=300)
    interventions = models.TextField("介入策略", max_length=2000)
    responsible = models.ForeignKey(
        USER, verbose_name="负责人", on_delete=models.PROTECT, related_name="+"
    )
    due_on = models.DateField("完成期限")
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.OPEN)

    class Meta:
        verbose_name = "服务目标"
        verbose_name_plural = verbose_name
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name}#{self.pk}"


class InterventionLog(models.Model):
    class Form(models.TextChoices):
        HOME_VISIT = "home_visit", "入户面谈"
        OFFICE = "office", "站内面谈"
        PHONE = "phone", "电话"
        VIDEO = "video", "视频"
        ACCOMPANY = "accompany", "陪同"
        GROUP = "group", "小组"
        COUNSELLING = "counselling", "心理辅导"
        OTHER = "other", "其他"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="interventions")
    goal = models.ForeignKey(
        Goal, null=True, blank=True, on_delete=models.SET_NULL, related_name="logs"
    )
    on = models.DateField("日期")
    form = models.CharField("形式", max_length=20, choices=Form.choices)
    content = EncryptedTextField("内容")
    duration_minutes = models.PositiveIntegerField("时长（分钟）")
    by = models.ForeignKey(USER, verbose_name="服务人", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "介入记录"
        verbose_name_plural = verbose_name
        ordering = ["-on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=1, duration_minutes__lte=24 * 60),
                name="case_intervention_duration_range",
            )
        ]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name}#{self.pk}"


class TeamRole(models.TextChoices):
    CASEWORKER = "caseworker", "个案社工"
    COLLEAGUE = "colleague", "协作社工"
    COUNSELLOR = "counsellor", "心理咨询师"
    FAMILY_ADVISER = "family_adviser", "家庭教育指导师"
    VOLUNTEER = "volunteer", "专业志愿者"


# Roles that work the whole file; the others see the plan and their own sessions.
FULL_TEAM_ROLES = frozenset({TeamRole.CASEWORKER, TeamRole.COLLEAGUE})


class CaseTeamMember(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="team")
    user = models.ForeignKey(USER, verbose_name="成员", on_delete=models.PROTECT, related_name="+")
    role = models.CharField("角色", max_length=20, choices=TeamRole.choices)
    started_on = models.DateField("加入日期")
    ended_on = models.DateField("结束日期", null=True, blank=True)
    added_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "个案团队成员"
        verbose_name_plural = verbose_name
        ordering = ["started_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                name="case_team_end_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name}#{self.pk}"


class CaseReview(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="reviews")
    reviewed_on = models.DateField("复核日期")
    by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    risk_level = models.CharField("风险等级", max_length=10, choices=RiskLevel.choices)
    note = models.CharField("复核意见", max_length=500, blank=True)

    class Meta:
        verbose_name = "个案复核"
        verbose_name_plural = verbose_name
        ordering = ["-reviewed_on", "-id"]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name}#{self.pk}"


class CrisisIntervention(models.Model):
    """危机干预: a protocol checklist (steps in settings), the supervisor told at once."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="crises")
    started_at = models.DateTimeField("开始时间")
    started_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    # [{"code": ..., "label": ..., "done_at": iso or None, "by": user id or None}]
    steps = models.JSONField("处置步骤", default=list)
    safety_plan = EncryptedTextField("安全计划", blank=True)
    supervisor_notified_at = models.DateTimeField("通知督导时间", null=True, blank=True)
    ended_at = models.DateTimeField("结束时间", null=True, blank=True)

    class Meta:
        verbose_name = "危机干预"
        verbose_name_plural = verbose_name
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name}#{self.pk}"


class Referral(models.Model):
    class Direction(models.TextChoices):
        OUT = "out", "转出"
        IN = "in", "转入"

    class InstitutionKind(models.TextChoices):
        HOSPITAL = "hospital", "医院"
        POLICE = "police", "公安"
        LEGAL_AID = "legal_aid", "法律援助"
        SCHOOL = "school", "学校"
        CIVIL_AFFAIRS = "civil_affairs", "民政"
        OTHER = "other", "其他机构"

    class Status(models.TextChoices):
        SENT = "sent", "已发出"
        RECEIVED = "received", "已接收"
        ANSWERED = "answered", "已回复"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="referrals")
    direction = models.CharField("方向", max_length=4, choices=Direction.choices)
    institution_kind = models.CharField("机构类型", max_length=20, choices=InstitutionKind.choices)
    institution_name = models.CharField("机构名称", max_length=100)
    contact = models.CharField("联系人及电话", max_length=100, blank=True)
    reason = models.CharField("转介原因", max_length=500)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.SENT)
    sent_at = models.DateTimeField("发出时间")
    received_at = models.DateTimeField("接收时间", null=True, blank=True)
    answered_at = models.DateTimeField("回复时间", null=True, blank=True)
    answer = models.CharField("回复内容", max_length=500, blank=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "转介"
        verbose_name_plural = verbose_name
        ordering = ["-sent_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(institution_name=""), name="case_referral_institution_required"
            )
        ]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name}#{self.pk}"


class BenefitTask(models.Model):
    """A benefits application run for the client (低保, 残疾证 …); one visit may start several."""

    class Kind(models.TextChoices):
        DIBAO = "dibao", "低保"
        DISABILITY_CARD = "disability_card", "残疾证"
        TEKUN = "tekun", "特困供养"
        TEMPORARY_RELIEF = "temporary_relief", "临时救助"
        MEDICAL_AID = "medical_aid", "医疗救助"
        DISABILITY_SUBSIDY = "disability_subsidy", "残疾人两项补贴"
        OTHER = "other", "其他"

    class Status(models.TextChoices):
        TODO = "todo", "待办"
        SUBMITTED = "submitted", "已提交"
        APPROVED = "approved", "已批准"
        REJECTED = "rejected", "未获批"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="benefit_tasks")
    kind = models.CharField("类型", max_length=20, choices=Kind.choices)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.TODO)
    visit = models.ForeignKey(
        Visit, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField("说明", max_length=300, blank=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "救助申请事项"
        verbose_name_plural = verbose_name
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "kind"],
                condition=Q(status__in=["todo", "submitted"]),
                name="case_benefit_one_open_per_kind",
            )
        ]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name}#{self.pk}"

    def next_statuses(self) -> list["BenefitTask.Status"]:
        """The statuses the application may move to from its current one."""
        return BENEFIT_NEXT.get(self.status, [])


# The order of a benefits application: 待办 → 已提交 → 已批准 or 未获批.
BENEFIT_NEXT: dict[str, list[BenefitTask.Status]] = {
    BenefitTask.Status.TODO: [BenefitTask.Status.SUBMITTED],
    BenefitTask.Status.SUBMITTED: [BenefitTask.Status.APPROVED, BenefitTask.Status.REJECTED],
}


class SupervisionNote(models.Model):
    """督导记录: seen by the worker and the supervisor line, not by the case team."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="supervision_notes")
    author = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    text = EncryptedTextField("督导意见")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "督导记录"
        verbose_name_plural = verbose_name
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name}#{self.pk}"


class CaseAccessLog(models.Model):
    """Every read and export of a case, and every refused attempt (case_ref keeps the number
    asked for, even when no such case exists)."""

    class Action(models.TextChoices):
        READ = "read", "查看"
        LIST = "list", "列表"
        EXPORT = "export", "导出"
        DENIED = "denied", "拒绝访问"

    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.SET_NULL, related_name="access_logs"
    )
    case_ref = models.PositiveBigIntegerField("个案编号")
    # Users are deactivated, never deleted; the snapshot keeps who it was at the time.
    user = models.ForeignKey(USER, null=True, on_delete=models.PROTECT, related_name="+")
    user_identity = models.CharField("访问人身份", max_length=120, blank=True)
    at = models.DateTimeField("时间", db_index=True)
    action = models.CharField("操作", max_length=10, choices=Action.choices)
    part = models.CharField("内容", max_length=20, blank=True)
    relation = models.CharField("访问身份", max_length=20, blank=True)

    class Meta:
        verbose_name = "个案访问记录"
        verbose_name_plural = verbose_name
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["case_ref", "at"])]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name}#{self.pk}"


class EmergencyAccess(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="emergency_accesses")
    user = models.ForeignKey(
        USER, verbose_name="管理员", on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField("理由", max_length=300)
    granted_at = models.DateTimeField("开始时间")
    expires_at = models.DateTimeField("到期时间")
    revoked_at = models.DateTimeField("撤销时间", null=True, blank=True)

    class Meta:
        verbose_name = "紧急访问"
        verbose_name_plural = verbose_name
        ordering = ["-granted_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=F("granted_at")), name="case_emergency_expires_after"
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="case_emergency_reason_required"),
        ]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name}#{self.pk}"
