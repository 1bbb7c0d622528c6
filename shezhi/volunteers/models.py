"""Volunteers, their teams and the service records that carry their hours."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxLengthValidator, MinValueValidator
from django.db import models
from django.db.models import Sum

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
    skills = models.ManyToManyField(
        SkillTag, verbose_name="专业技能", blank=True, related_name="volunteers"
    )
    is_active = models.BooleanField("在册", default=True)

    class Meta:
        verbose_name = "志愿者"
        verbose_name_plural = verbose_name
        ordering = ["id"]

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

    def total_hours(self) -> Decimal:
        return self.service_records.aggregate(h=Sum("hours"))["h"] or Decimal("0")


class Team(TimeStampedModel):
    name = models.CharField("队名", max_length=60)
    community = models.ForeignKey(
        OrgUnit, verbose_name="所属社区", on_delete=models.PROTECT, related_name="+"
    )
    leader = models.ForeignKey(
        Volunteer,
        verbose_name="队长",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="led_teams",
    )
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


class ServiceRecord(TimeStampedModel):
    """One volunteer service, with the fields of 《志愿服务记录与证明出具办法》 art. 7."""

    volunteer = models.ForeignKey(
        Volunteer, verbose_name="志愿者", on_delete=models.PROTECT, related_name="service_records"
    )
    title = models.CharField("活动名称", max_length=100)
    service_date = models.DateField("服务日期")
    place = models.CharField("服务地点", max_length=200)
    content = models.TextField("服务内容", max_length=2000, validators=[MaxLengthValidator(2000)])
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
    source = models.CharField("来源", max_length=40, blank=True, help_text="如 need:123")

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
        ]

    def __str__(self) -> str:
        return f"{self.service_date} {self.title} {self.hours}h"
