"""Volunteers, their teams and the service records that carry their hours.

Rules live in services (registration, records, corrections, stars, teams); models keep the fields,
database constraints and single-row checks. Records are never deleted: corrections amend them and
every version is kept in `ServiceRecordVersion`.
"""

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from shezhi.core.ages import age_on
from shezhi.core.masking import mask_id_number, mask_mobile, mask_name
from shezhi.core.models import TimeStampedModel
from shezhi.org.models import OrgUnit
from shezhi.people.models import Gender, id_number_validator, mobile_validator

DEFAULT_STAR_THRESHOLDS = (100, 300, 600, 1000, 1500)
DEFAULT_ROUNDING_STEPS = ((45, "1"), (15, "0.5"))
DEFAULT_BAR_DAYS = 365
DEFAULT_DUE_WORKING_DAYS = 10


class SkillTag(models.Model):
    """A skill a helper offers and a need category asks for (助餐, 维修, 心理咨询 …)."""

    code = models.SlugField("编码", max_length=30, unique=True)
    name = models.CharField("名称", max_length=30, unique=True)

    class Meta:
        verbose_name = "技能标签"
        verbose_name_plural = verbose_name
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class PoliticalStatus(models.TextChoices):
    MASSES = "masses", "群众"
    PARTY_MEMBER = "party", "中共党员"
    PROBATIONARY = "probationary", "中共预备党员"
    LEAGUE_MEMBER = "league", "共青团员"
    DEMOCRATIC_PARTY = "democratic", "民主党派"


PARTY_STATUSES = frozenset({PoliticalStatus.PARTY_MEMBER, PoliticalStatus.PROBATIONARY})


class ServiceCategory(models.TextChoices):
    """服务类别 (Measures art. 5)."""

    ELDERLY = "elderly", "助老服务"
    DISABLED = "disabled", "助残服务"
    CHILDREN = "children", "关爱儿童"
    COMMUNITY = "community", "社区治理"
    ENVIRONMENT = "environment", "环境保护"
    HEALTH = "health", "医疗卫生"
    LEGAL = "legal", "法律援助"
    EDUCATION = "education", "支教助学"
    CULTURE = "culture", "文体活动"
    EMERGENCY = "emergency", "应急救援"
    OTHER = "other", "其他"


class Volunteer(TimeStampedModel):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name="账号",
        on_delete=models.PROTECT,
        related_name="volunteer",
    )
    volunteer_no = models.CharField("志愿者编号", max_length=20, unique=True)
    name = models.CharField("姓名", max_length=30)
    gender = models.CharField("性别", max_length=1, choices=Gender.choices)
    birth_date = models.DateField("出生日期")
    id_number = models.CharField(
        "身份证号码", max_length=18, unique=True, validators=[id_number_validator]
    )
    phone = models.CharField("手机号", max_length=11, validators=[mobile_validator])
    community = models.ForeignKey(
        OrgUnit, verbose_name="所属社区", on_delete=models.PROTECT, related_name="+"
    )
    compound = models.ForeignKey(
        OrgUnit,
        verbose_name="居住小区",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    address = models.CharField("居住地址", max_length=100, blank=True)
    skills = models.ManyToManyField(
        SkillTag,
        verbose_name="专业技能",
        blank=True,
        related_name="volunteers",
        through="VolunteerSkill",
    )
    service_categories = models.JSONField("服务类别", default=list, blank=True)
    languages = models.JSONField("语言", default=list, blank=True)
    political_status = models.CharField(
        "政治面貌",
        max_length=12,
        choices=PoliticalStatus.choices,
        default=PoliticalStatus.MASSES,
    )
    dual_report_community = models.ForeignKey(
        OrgUnit,
        verbose_name="在职党员“双报到”社区",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    is_sensitive = models.BooleanField(
        "敏感信息", default=False, help_text="未满14周岁的未成年人，其个人信息按敏感信息处理"
    )
    is_active = models.BooleanField("在册", default=True)
    # Derived by the star recompute (stars.py); never written by hand.
    verified_hours = models.DecimalField(
        "有效服务时长", max_digits=9, decimal_places=1, default=Decimal("0")
    )
    star = models.PositiveSmallIntegerField("星级", default=0)
    star_barred_until = models.DateField("星级认定禁止至", null=True, blank=True)

    class Meta:
        verbose_name = "志愿者"
        verbose_name_plural = verbose_name
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(star__lte=5), name="volunteer_star_range"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.volunteer_no}）"

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def masked_phone(self) -> str:
        return mask_mobile(self.phone)

    @property
    def masked_name(self) -> str:
        return mask_name(self.name)

    def age_on(self, day: date) -> int:
        return age_on(self.birth_date, day)

    def total_hours(self) -> Decimal:
        """Hours of records that count (on time, or late and approved)."""
        return self.service_records.filter(status=ServiceRecord.Status.COUNTED).aggregate(
            h=models.Sum("hours")
        )["h"] or Decimal("0")


SKILL_LEVELS = range(1, 6)
DEFAULT_SKILL_LEVEL = 3


def split_skill_level(item: str) -> tuple[str, int | None]:
    """The notation of forms and import sheets: "维修:4" → ("维修", 4), "维修" → ("维修", None).
    Raises ValueError when a level is given but is not a whole number (the range is the
    services' rule: SKILL_LEVELS)."""
    name, sep, level = item.strip().replace("：", ":").rpartition(":")
    if not sep:
        return level.strip(), None
    level = level.strip()
    if not name.strip() or not level.isdigit():
        raise ValueError(item)
    return name.strip(), int(level)


class VolunteerSkill(models.Model):
    """A volunteer's skill with its level (1 = beginner … 5 = expert); matching scores it.

    `volunteer.skills.add/set(...)` still work and give the default level."""

    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="skill_levels")
    skill = models.ForeignKey(
        SkillTag, on_delete=models.CASCADE, related_name="volunteer_skills", verbose_name="技能"
    )
    level = models.PositiveSmallIntegerField(
        "技能等级",
        default=DEFAULT_SKILL_LEVEL,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text="1（入门）至5（专家）",
    )

    class Meta:
        verbose_name = "志愿者技能"
        verbose_name_plural = verbose_name
        ordering = ["volunteer_id", "skill_id"]
        constraints = [
            models.UniqueConstraint(fields=["volunteer", "skill"], name="volunteer_skill_unique"),
            models.CheckConstraint(
                condition=Q(level__gte=1, level__lte=5), name="volunteer_skill_level_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.volunteer_id}:{self.skill_id}:{self.level}"


class VolunteerNumberSequence(models.Model):
    """The counter behind public volunteer numbers (统一编号), one row per year."""

    year = models.PositiveSmallIntegerField("年份", unique=True)
    last = models.PositiveIntegerField("已发号", default=0)

    class Meta:
        verbose_name = "志愿者编号序列"
        verbose_name_plural = verbose_name

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class Availability(models.Model):
    """A weekly time window the volunteer can serve in (Monday = 0)."""

    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="availability")
    weekday = models.PositiveSmallIntegerField(
        "星期", choices=[(i, n) for i, n in enumerate("一二三四五六日")]
    )
    start = models.TimeField("开始")
    end = models.TimeField("结束")

    class Meta:
        verbose_name = "可服务时段"
        verbose_name_plural = verbose_name
        ordering = ["weekday", "start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=models.F("start")), name="availability_order"
            ),
            models.CheckConstraint(condition=Q(weekday__lte=6), name="availability_weekday"),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start:%H:%M}–{self.end:%H:%M}"


class Certificate(models.Model):
    class Kind(models.TextChoices):
        COUNSELLOR = "counsellor", "心理咨询师"
        LAWYER = "lawyer", "律师"
        DOCTOR = "doctor", "医师"
        NURSE = "nurse", "护士"
        TEACHER = "teacher", "教师"
        SOCIAL_WORKER = "social_worker", "社会工作者"
        FIRST_AID = "first_aid", "急救员"
        OTHER = "other", "其他"

    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="certificates")
    kind = models.CharField("证书类型", max_length=20, choices=Kind.choices)
    number = models.CharField("证书编号", max_length=40)
    expires_on = models.DateField("有效期至", null=True, blank=True)

    class Meta:
        verbose_name = "职业资格证书"
        verbose_name_plural = verbose_name
        ordering = ["id"]

    def __str__(self) -> str:
        return self.get_kind_display()


class Consent(models.Model):
    """Consent to the processing of personal information, with the version of the text agreed to.

    A minor's registration carries a second row, the guardian's consent."""

    class Kind(models.TextChoices):
        SELF = "self", "本人同意"
        GUARDIAN = "guardian", "监护人同意"

    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="consents")
    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    text_version = models.CharField("协议版本", max_length=20)
    agreed_at = models.DateTimeField("同意时间")
    guardian_name = models.CharField("监护人姓名", max_length=30, blank=True)
    guardian_phone = models.CharField("监护人电话", max_length=11, blank=True)
    guardian_relation = models.CharField("与志愿者关系", max_length=10, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登记人",
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = "个人信息处理同意"
        verbose_name_plural = verbose_name
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.text_version}"


class Team(TimeStampedModel):
    class Kind(models.TextChoices):
        PARTY = "party", "党员志愿服务队"
        SILVER = "silver", "银龄志愿服务队"
        YOUTH = "youth", "青年志愿服务队"
        WOMEN = "women", "巾帼志愿服务队"
        PROFESSIONAL = "professional", "专业志愿服务队"
        GENERAL = "general", "综合志愿服务队"

    class Status(models.TextChoices):
        APPLIED = "applied", "待审核"
        FOUNDED = "founded", "已成立"
        REFUSED = "refused", "未通过"
        DISSOLVED = "dissolved", "已解散"

    name = models.CharField("队名", max_length=60)
    community = models.ForeignKey(
        OrgUnit, verbose_name="所属社区", on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField("类型", max_length=15, choices=Kind.choices, default=Kind.GENERAL)
    # Teams made before the founding workflow existed count as founded.
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.FOUNDED)
    charter = models.TextField(
        "队伍章程", max_length=5000, blank=True, validators=[MaxLengthValidator(5000)]
    )
    leader = models.ForeignKey(
        Volunteer,
        verbose_name="队长",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="led_teams",
    )
    guide = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="指导社工",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="guided_teams",
    )
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="申请人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审核人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)
    refusal_reason = models.CharField("未通过原因", max_length=300, blank=True)
    members = models.ManyToManyField(Volunteer, through="TeamMembership", related_name="teams")

    class Meta:
        verbose_name = "志愿服务队"
        verbose_name_plural = verbose_name
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["community", "name"], name="team_name_unique")
        ]

    def __str__(self) -> str:
        return self.name


class TeamMembership(models.Model):
    """Current membership. Leaving deletes the row; `TeamMembershipEvent` keeps the history."""

    class TeamRole(models.TextChoices):
        LEADER = "leader", "队长"
        DEPUTY = "deputy", "副队长"
        MEMBER = "member", "队员"

    team = models.ForeignKey(Team, on_delete=models.CASCADE)
    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE)
    role = models.CharField(
        "队内角色", max_length=10, choices=TeamRole.choices, default=TeamRole.MEMBER
    )
    joined_at = models.DateField("加入日期", auto_now_add=True)

    class Meta:
        verbose_name = "队员"
        verbose_name_plural = verbose_name
        constraints = [
            models.UniqueConstraint(fields=["team", "volunteer"], name="membership_unique")
        ]

    def __str__(self) -> str:
        return f"{self.team_id}:{self.volunteer_id}:{self.role}"


class TeamMembershipEvent(models.Model):
    class Kind(models.TextChoices):
        JOIN = "join", "加入"
        LEAVE = "leave", "离队"
        ROLE = "role", "调整角色"

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="membership_events")
    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField("事件", max_length=5, choices=Kind.choices)
    role = models.CharField("队内角色", max_length=10, choices=TeamMembership.TeamRole.choices)
    at = models.DateTimeField("时间", auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "队员变动记录"
        verbose_name_plural = verbose_name
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.team_id}:{self.volunteer_id}:{self.kind}"


class RegionPolicy(models.Model):
    """Rules a region (district, street or community) sets for its volunteers; the nearest
    ancestor's policy applies, and the defaults apply where none is set."""

    unit = models.OneToOneField(
        OrgUnit, verbose_name="适用区域", on_delete=models.CASCADE, related_name="volunteer_policy"
    )
    rounding_steps = models.JSONField(
        "时长折算规则",
        default=list,
        help_text='[[余数分钟下限, 折算小时], …]，如 [[45, "1"], [15, "0.5"]]',
    )
    star_thresholds = models.JSONField(
        "星级时长门槛",
        default=list,
        help_text="一星到五星所需小时数，如 [100, 300, 600, 1000, 1500]",
    )
    falsification_bar_days = models.PositiveIntegerField(
        "弄虚作假禁评天数", default=DEFAULT_BAR_DAYS
    )
    due_working_days = models.PositiveSmallIntegerField(
        "记录时限（工作日）", default=DEFAULT_DUE_WORKING_DAYS
    )

    class Meta:
        verbose_name = "区域志愿服务规则"
        verbose_name_plural = verbose_name

    def __str__(self) -> str:
        return f"{self.unit}的规则"


class Holiday(models.Model):
    """A public holiday, or a 调休 weekend made a working day. `unit` empty = nationwide."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", "节假日"
        WORKDAY = "workday", "调休上班"

    day = models.DateField("日期")
    kind = models.CharField("类型", max_length=8, choices=Kind.choices, default=Kind.HOLIDAY)
    name = models.CharField("名称", max_length=30, blank=True)
    unit = models.ForeignKey(
        OrgUnit,
        verbose_name="适用区域",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )

    class Meta:
        verbose_name = "节假日"
        verbose_name_plural = verbose_name
        ordering = ["day"]
        constraints = [
            models.UniqueConstraint(
                fields=["day", "unit"], name="holiday_unique_day_unit", nulls_distinct=False
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.get_kind_display()} {self.name}"


class ServiceRecord(TimeStampedModel):
    """One volunteer service, with the fields of 《志愿服务记录与证明出具办法》 art. 7."""

    class Status(models.TextChoices):
        COUNTED = "counted", "有效"
        PENDING = "pending", "逾期待审批"
        REJECTED = "rejected", "逾期未获批准"
        FALSIFIED = "falsified", "认定弄虚作假"
        # Waits for a social worker (reasons in `hold_reasons`; see volunteers/trust.py).
        HELD = "held", "待社工确认"

    volunteer = models.ForeignKey(
        Volunteer, verbose_name="志愿者", on_delete=models.PROTECT, related_name="service_records"
    )
    title = models.CharField("活动名称", max_length=100)
    service_date = models.DateField("服务日期")
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    ended_at = models.DateTimeField("结束时间", null=True, blank=True)
    period_estimated = models.BooleanField(
        "时段为推算", default=False, help_text="仅填写了时长时，按连续服务推算的起止时间"
    )
    place = models.CharField("服务地点", max_length=200)
    content = models.TextField("服务内容", max_length=2000, validators=[MaxLengthValidator(2000)])
    # The service category of an order's record ("助餐"); its content is then a neutral description.
    category = models.CharField("服务类别", max_length=30, blank=True)
    minutes = models.PositiveIntegerField("实际服务分钟数")
    hours = models.DecimalField(
        "服务时长（小时）",
        max_digits=7,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0"))],
    )
    organiser = models.CharField("活动组织单位", max_length=100)
    organiser_unit = models.ForeignKey(
        OrgUnit, verbose_name="组织单元", null=True, on_delete=models.PROTECT, related_name="+"
    )
    person_in_charge = models.CharField("活动负责人", max_length=30)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="记录人", on_delete=models.PROTECT, related_name="+"
    )
    beneficiary = models.CharField("服务对象", max_length=60, blank=True)
    quality_rating = models.PositiveSmallIntegerField("服务质量评价", null=True, blank=True)
    team = models.ForeignKey(
        Team,
        verbose_name="服务队",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="service_records",
    )
    source = models.CharField("来源", max_length=40, blank=True, help_text="如 need:123")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.COUNTED)
    due_date = models.DateField("记录截止日", null=True, blank=True)
    hold_reasons = models.JSONField(
        "待确认原因", default=list, blank=True, help_text='[{"code": …, "text": …}]'
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="逾期审批人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_at = models.DateTimeField("审批时间", null=True, blank=True)
    decision_note = models.CharField("审批意见", max_length=300, blank=True)
    version = models.PositiveIntegerField("版本", default=1)

    class Meta:
        verbose_name = "志愿服务记录"
        verbose_name_plural = verbose_name
        ordering = ["-service_date", "-id"]
        constraints = [
            # One order credits its helper once, however often completion is retried.
            models.UniqueConstraint(
                fields=["volunteer", "source"],
                name="service_record_once",
                condition=~models.Q(source=""),
            ),
            models.CheckConstraint(
                condition=Q(started_at__isnull=True)
                | Q(ended_at__isnull=True)
                | Q(ended_at__gt=models.F("started_at")),
                name="service_record_period_order",
            ),
            models.CheckConstraint(
                condition=Q(quality_rating__isnull=True)
                | Q(quality_rating__gte=1, quality_rating__lte=5),
                name="service_record_rating_range",
            ),
            models.CheckConstraint(condition=Q(hours__gte=0), name="service_record_hours_positive"),
        ]
        indexes = [
            models.Index(fields=["volunteer", "status"], name="record_volunteer_status"),
            models.Index(fields=["volunteer", "started_at"], name="record_volunteer_start"),
            # The volunteer's own list: newest first.
            models.Index(
                fields=["volunteer", "-service_date", "-id"], name="record_volunteer_date"
            ),
            models.Index(fields=["status", "organiser_unit"], name="record_status_unit"),
        ]

    def __str__(self) -> str:
        return f"{self.service_date} {self.title} {self.hours}h"

    @property
    def public_description(self) -> str:
        """What the record says outside the platform (proofs, exports, messages). An order's
        record holds a neutral description written for this (need_complete); an activity's the
        organiser's published text; a desk or imported record the recorder's."""
        return self.content

    @property
    def counts(self) -> bool:
        return self.status == self.Status.COUNTED


# The fields a correction may change, and that each version keeps.
RECORD_VERSIONED_FIELDS = (
    "title",
    "service_date",
    "started_at",
    "ended_at",
    "place",
    "content",
    "minutes",
    "hours",
    "organiser",
    "person_in_charge",
    "beneficiary",
    "quality_rating",
    "status",
    "hold_reasons",
)


class ServiceRecordVersion(models.Model):
    """Every version of a record, the first one included (the record's full history)."""

    record = models.ForeignKey(ServiceRecord, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField("版本")
    data = models.JSONField("内容")
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    changed_at = models.DateTimeField("时间", auto_now_add=True)
    reason = models.CharField("原因", max_length=300, blank=True)

    class Meta:
        verbose_name = "服务记录版本"
        verbose_name_plural = verbose_name
        ordering = ["record", "version"]
        constraints = [
            models.UniqueConstraint(fields=["record", "version"], name="record_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.record_id} v{self.version}"


class CorrectionRequest(TimeStampedModel):
    """A volunteer asks the recording unit to correct a record (更正申请)."""

    class Status(models.TextChoices):
        PENDING = "pending", "待核实"
        APPROVED = "approved", "已更正"
        REJECTED = "rejected", "不予更正"

    record = models.ForeignKey(ServiceRecord, on_delete=models.CASCADE, related_name="corrections")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="申请人", on_delete=models.PROTECT, related_name="+"
    )
    changes = models.JSONField("申请更正内容", help_text="{字段: 新值}")
    reason = models.CharField("申请理由", max_length=500)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="核实人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField("核实时间", null=True, blank=True)
    decision_reason = models.CharField("核实意见", max_length=300, blank=True)

    class Meta:
        verbose_name = "服务记录更正申请"
        verbose_name_plural = verbose_name
        ordering = ["-created_at", "-id"]
        constraints = [
            # One open request per record at a time.
            models.UniqueConstraint(
                fields=["record"],
                condition=Q(status="pending"),
                name="one_open_correction_per_record",
            )
        ]


class TrainingRecord(TimeStampedModel):
    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="trainings")
    name = models.CharField("培训名称", max_length=100)
    content = models.TextField("培训内容", max_length=2000, validators=[MaxLengthValidator(2000)])
    minutes = models.PositiveIntegerField("培训时长（分钟）")
    organiser = models.CharField("组织单位", max_length=100)
    day = models.DateField("培训日期")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="记录人", on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "培训记录"
        verbose_name_plural = verbose_name
        ordering = ["-day", "-id"]


class Honour(TimeStampedModel):
    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="honours")
    name = models.CharField("荣誉名称", max_length=100)
    day = models.DateField("获得日期")
    grantor = models.CharField("授予单位", max_length=100)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="记录人", on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "荣誉"
        verbose_name_plural = verbose_name
        ordering = ["-day", "-id"]


class FalsificationFinding(TimeStampedModel):
    """A finding that a volunteer's hours were falsified: the records concerned stop counting
    and the volunteer is barred from star levels until `barred_until`."""

    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="findings")
    records = models.ManyToManyField(ServiceRecord, related_name="findings")
    reason = models.CharField("认定事实", max_length=500)
    found_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="认定人", on_delete=models.PROTECT, related_name="+"
    )
    barred_until = models.DateField("禁止评星至")

    class Meta:
        verbose_name = "弄虚作假认定"
        verbose_name_plural = verbose_name
        ordering = ["-created_at", "-id"]
