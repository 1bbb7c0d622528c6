"""Volunteers: identity, skills and levels, the 统一编号 counter, availability, certificates and
consents."""

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from shezhi.core.ages import age_on
from shezhi.core.masking import mask_id_number, mask_mobile, mask_name
from shezhi.core.models import TimeStampedModel
from shezhi.org.models import OrgUnit
from shezhi.people.models import Gender, id_number_validator, mobile_validator


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
        from shezhi.volunteers.models.records import ServiceRecord  # records refer to volunteers

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
