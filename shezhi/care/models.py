"""Care coverage (关爱不漏一人): the care registry, one-on-one contact persons with history,
visits, alerts (no contact person, nobody home twice, overdue, crisis) and the editable
triage lexicon. Read through `selectors`, write through `services`."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from shezhi.care import triage
from shezhi.care.cadence import RISK_LABELS, RiskLevel
from shezhi.core.models import TimeStampedModel
from shezhi.org.models import OrgUnit
from shezhi.people.models import Resident

RISK_CHOICES = [(level.value, RISK_LABELS[level]) for level in RiskLevel]
CATEGORY_CHOICES = [(c.value, triage.CATEGORY_LABELS[c]) for c in triage.Category]


class CareProfile(TimeStampedModel):
    resident = models.OneToOneField(
        Resident, verbose_name="居民", on_delete=models.PROTECT, related_name="care_profile"
    )
    # Denormalised from the resident so that coverage and overdue queries need no join.
    community = models.ForeignKey(
        OrgUnit, verbose_name="社区", on_delete=models.PROTECT, related_name="+", editable=False
    )
    compound = models.ForeignKey(
        OrgUnit, verbose_name="小区", on_delete=models.PROTECT, related_name="+", editable=False
    )
    grid = models.ForeignKey(
        OrgUnit, verbose_name="网格", on_delete=models.PROTECT, related_name="+", editable=False
    )
    risk_level = models.CharField("风险等级", max_length=10, choices=RISK_CHOICES)
    risk_reasons = models.CharField("风险原因", max_length=300)
    registered_on = models.DateField("建档日期")
    is_active = models.BooleanField("在册", default=True)
    last_visit_on = models.DateField("最近走访", null=True, blank=True)
    last_seen_on = models.DateField("最近见到本人", null=True, blank=True)
    next_visit_due = models.DateField("下次走访截止", db_index=True)
    urgent_visit_by = models.DateTimeField(
        "重大变故走访时限", null=True, blank=True, help_text="出院、丧亲等重大变故后须在时限内走访"
    )
    major_change_note = models.CharField("重大变故", max_length=200, blank=True)

    class Meta:
        verbose_name = "关爱档案"
        verbose_name_plural = verbose_name
        ordering = ["next_visit_due", "id"]
        indexes = [
            models.Index(fields=["is_active", "next_visit_due"]),
            models.Index(fields=["grid", "next_visit_due"]),
            models.Index(fields=["community", "next_visit_due"]),
        ]

    def __str__(self) -> str:
        return f"{self.resident} · {self.get_risk_level_display()}"

    def save(self, *args, **kwargs) -> None:
        r = self.resident
        self.community_id, self.compound_id, self.grid_id = r.community_id, r.compound_id, r.grid_id
        super().save(*args, **kwargs)


class ContactAssignment(models.Model):
    """一对一联系人. History is kept: an assignment is ended, never deleted."""

    class Kind(models.TextChoices):
        GRID_WORKER = "grid_worker", "网格员"
        VOLUNTEER = "volunteer", "志愿者"
        SOCIAL_WORKER = "social_worker", "社工"

    resident = models.ForeignKey(
        Resident, verbose_name="居民", on_delete=models.PROTECT, related_name="care_contacts"
    )
    contact = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="联系人",
        on_delete=models.PROTECT,
        related_name="care_assignments",
    )
    kind = models.CharField("联系人类型", max_length=20, choices=Kind.choices)
    started_on = models.DateField("开始日期")
    ended_on = models.DateField("结束日期", null=True, blank=True)
    end_reason = models.CharField("结束原因", max_length=200, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="指派人",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "一对一联系人"
        verbose_name_plural = verbose_name
        ordering = ["-started_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["resident", "contact"],
                condition=models.Q(ended_on__isnull=True),
                name="care_contact_one_active_per_pair",
            ),
            models.CheckConstraint(
                condition=models.Q(ended_on__isnull=True)
                | models.Q(ended_on__gte=models.F("started_on")),
                name="care_contact_end_after_start",
            ),
        ]
        indexes = [models.Index(fields=["contact", "ended_on"])]

    def __str__(self) -> str:
        return f"{self.resident} ← {self.contact}"

    @property
    def is_active(self) -> bool:
        return self.ended_on is None


class Check(models.TextChoices):
    OK = "ok", "正常"
    CONCERN = "concern", "需关注"
    URGENT = "urgent", "紧急"
    UNKNOWN = "unknown", "未了解"


CHECKLIST = ("health", "meals", "safety", "mood", "living", "needs")


class Visit(models.Model):
    class Mode(models.TextChoices):
        HOME = "home", "上门"
        PHONE = "phone", "电话"
        VIDEO = "video", "视频"
        THIRD_PARTY = "third_party", "第三方（邻居、亲属）"

    resident = models.ForeignKey(
        Resident, verbose_name="居民", on_delete=models.PROTECT, related_name="care_visits"
    )
    visitor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="走访人",
        on_delete=models.PROTECT,
        related_name="care_visits",
    )
    visited_on = models.DateField("走访日期")
    mode = models.CharField("方式", max_length=20, choices=Mode.choices, default=Mode.HOME)
    contact_made = models.BooleanField("见到本人", default=True)
    health = models.CharField("健康", max_length=10, choices=Check.choices, default=Check.UNKNOWN)
    health_note = models.CharField("健康说明", max_length=200, blank=True)
    meals = models.CharField("饮食", max_length=10, choices=Check.choices, default=Check.UNKNOWN)
    meals_note = models.CharField("饮食说明", max_length=200, blank=True)
    safety = models.CharField(
        "安全隐患", max_length=10, choices=Check.choices, default=Check.UNKNOWN
    )
    safety_note = models.CharField("安全隐患说明", max_length=200, blank=True)
    mood = models.CharField("情绪", max_length=10, choices=Check.choices, default=Check.UNKNOWN)
    mood_note = models.CharField("情绪说明", max_length=200, blank=True)
    living = models.CharField(
        "居住条件", max_length=10, choices=Check.choices, default=Check.UNKNOWN
    )
    living_note = models.CharField("居住条件说明", max_length=200, blank=True)
    needs = models.CharField("需求", max_length=10, choices=Check.choices, default=Check.UNKNOWN)
    needs_note = models.CharField("需求说明", max_length=200, blank=True)
    note = models.CharField("走访记录", max_length=1000, blank=True)
    suggested_risk_level = models.CharField(
        "建议风险等级", max_length=10, choices=RISK_CHOICES, blank=True
    )
    raised_need = models.ForeignKey(
        "needs.Need",
        verbose_name="登记的需求",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "走访记录"
        verbose_name_plural = verbose_name
        ordering = ["-visited_on", "-id"]
        indexes = [models.Index(fields=["resident", "-visited_on", "-id"])]

    def __str__(self) -> str:
        return f"{self.resident} {self.visited_on}"


class CareAlert(TimeStampedModel):
    class Kind(models.TextChoices):
        NO_CONTACT_PERSON = "no_contact_person", "无一对一联系人"
        NOBODY_HOME_TWICE = "nobody_home_twice", "连续两次无人应答"
        OVERDUE = "overdue", "走访逾期"
        CRISIS = "crisis", "危机信号"

    class Status(models.TextChoices):
        OPEN = "open", "待确认"
        ACKNOWLEDGED = "acknowledged", "已确认"
        ESCALATED = "escalated", "已升级"
        CLOSED = "closed", "已关闭"

    OPEN_STATUSES = (Status.OPEN, Status.ACKNOWLEDGED, Status.ESCALATED)

    kind = models.CharField("类型", max_length=20, choices=Kind.choices)
    status = models.CharField(
        "状态", max_length=20, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    resident = models.ForeignKey(
        Resident,
        verbose_name="居民",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="care_alerts",
    )
    community = models.ForeignKey(
        OrgUnit, verbose_name="社区", on_delete=models.PROTECT, related_name="+"
    )
    grid = models.ForeignKey(
        OrgUnit,
        verbose_name="网格",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    summary = models.CharField("内容", max_length=300)
    category = models.CharField("信号类别", max_length=20, choices=CATEGORY_CHOICES, blank=True)
    signals = models.JSONField("识别到的信号", default=list, blank=True)
    source_type = models.CharField("来源", max_length=40, blank=True)
    source_id = models.CharField("来源编号", max_length=40, blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="负责人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="care_alerts",
    )
    due_by = models.DateTimeField("确认时限", null=True, blank=True, db_index=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="确认人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    acknowledged_at = models.DateTimeField("确认时间", null=True, blank=True)
    escalated_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="升级给",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="care_alerts_escalated",
    )
    escalated_at = models.DateTimeField("升级时间", null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="关闭人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    closed_at = models.DateTimeField("关闭时间", null=True, blank=True)
    close_note = models.CharField("处置说明", max_length=500, blank=True)
    # 强制报告 (Minors Protection Law art. 11): a child may be harmed.
    mandatory_report = models.BooleanField("须强制报告", default=False)
    reported_at = models.DateTimeField("报告时间", null=True, blank=True)
    reported_to = models.CharField(
        "报告对象", max_length=100, blank=True, help_text="公安、民政、教育等部门及经办人"
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="报告人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = "关爱预警"
        verbose_name_plural = verbose_name
        ordering = ["-created_at", "-id"]
        constraints = [
            # The scheduled job may run twice at once: one open alert per resident and kind.
            models.UniqueConstraint(
                fields=["resident", "kind"],
                condition=models.Q(status__in=["open", "acknowledged", "escalated"])
                & ~models.Q(kind="crisis"),
                name="care_alert_one_open_per_kind",
            ),
            models.CheckConstraint(
                condition=models.Q(mandatory_report=True)
                | (models.Q(reported_at__isnull=True) & models.Q(reported_to="")),
                name="care_alert_report_only_when_mandatory",
            ),
        ]
        indexes = [models.Index(fields=["status", "due_by"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.summary[:20]}"


class LexiconEntry(TimeStampedModel):
    """Admin-curated additions to the built-in triage lexicon (which cannot be removed)."""

    term = models.CharField("词条", max_length=triage.MAX_PATTERN_LENGTH)
    is_regex = models.BooleanField("正则表达式", default=False)
    category = models.CharField("信号类别", max_length=20, choices=CATEGORY_CHOICES)
    severity = models.PositiveSmallIntegerField(
        "严重程度", default=3, choices=[(3, "立即处置"), (2, "紧急"), (1, "关注")]
    )
    is_active = models.BooleanField("启用", default=True)
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "危机信号词条"
        verbose_name_plural = verbose_name
        ordering = ["category", "term"]
        constraints = [
            models.UniqueConstraint(fields=["term", "category"], name="care_lexicon_unique_term")
        ]

    def __str__(self) -> str:
        return self.term

    def as_entry(self) -> triage.Entry:
        return triage.Entry(self.term, triage.Category(self.category), self.severity, self.is_regex)

    def clean(self) -> None:
        if self.category not in triage.Category._value2member_map_:
            return  # the field's choices already report it
        try:
            entry = triage.validate_entry(self.as_entry())
        except triage.LexiconError as exc:
            raise ValidationError({exc.field or "term": exc.message}) from None
        self.term = entry.term


class Campaign(TimeStampedModel):
    """敲门行动: a door-knocking campaign over a community or a grid (e.g. before a heat wave)."""

    class Status(models.TextChoices):
        ACTIVE = "active", "进行中"
        CLOSED = "closed", "已结束"

    name = models.CharField("名称", max_length=60)
    reason = models.CharField("缘由", max_length=200, blank=True)
    unit = models.ForeignKey(
        OrgUnit, verbose_name="范围", on_delete=models.PROTECT, related_name="+"
    )
    community = models.ForeignKey(
        OrgUnit, verbose_name="社区", on_delete=models.PROTECT, related_name="+", editable=False
    )
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.ACTIVE)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="发起人", on_delete=models.PROTECT, related_name="+"
    )
    # Whom it covers: vulnerability tag codes and risk levels; empty = the whole registry.
    target_tags = models.JSONField("目标人群标签", default=list, blank=True)
    target_risk_levels = models.JSONField("目标风险等级", default=list, blank=True)

    class Meta:
        verbose_name = "敲门行动"
        verbose_name_plural = verbose_name
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.name


class CampaignStop(models.Model):
    """One household (or a resident without one) on a campaign's list, in walking order."""

    class Outcome(models.TextChoices):
        PENDING = "pending", "待走访"
        VISITED = "visited", "已走访"
        NOT_HOME = "not_home", "不在家"
        REFUSED = "refused", "拒绝"
        CONCERN = "concern", "发现问题"

    campaign = models.ForeignKey(
        Campaign, verbose_name="敲门行动", on_delete=models.CASCADE, related_name="stops"
    )
    household = models.ForeignKey(
        "people.Household",
        verbose_name="家庭户",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    resident = models.ForeignKey(
        Resident, verbose_name="居民", on_delete=models.PROTECT, related_name="+"
    )
    grid = models.ForeignKey(
        OrgUnit, verbose_name="网格", on_delete=models.PROTECT, related_name="+"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="走访人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    team = models.ForeignKey(
        "volunteers.Team",
        verbose_name="志愿服务队",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    position = models.PositiveIntegerField("路线顺序")
    outcome = models.CharField(
        "结果", max_length=10, choices=Outcome.choices, default=Outcome.PENDING
    )
    note = models.CharField("说明", max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登记人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_at = models.DateTimeField("登记时间", null=True, blank=True)

    class Meta:
        verbose_name = "敲门行动住户"
        verbose_name_plural = verbose_name
        ordering = ["campaign", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "household"],
                condition=models.Q(household__isnull=False),
                name="care_campaign_household_once",
            ),
            models.UniqueConstraint(
                fields=["campaign", "resident"], name="care_campaign_resident_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.campaign} #{self.position}"


class ScanWatermark(models.Model):
    """How far the triage job has read a stream of texts written elsewhere (needs, ratings)."""

    name = models.CharField("名称", max_length=40, unique=True)
    scanned_until = models.DateTimeField("已扫描至")

    class Meta:
        verbose_name = "危机信号扫描进度"
        verbose_name_plural = verbose_name

    def __str__(self) -> str:
        return f"{self.name} {timezone.localtime(self.scanned_until):%Y-%m-%d %H:%M}"
