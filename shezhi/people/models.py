"""Residents, their households and vulnerability tags. This is sensitive personal information
(PIPL art. 28): read it only through `selectors`, change it only through `services`."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from shezhi.core.masking import mask_id_number, mask_mobile, mask_name
from shezhi.core.models import TimeStampedModel
from shezhi.core.validators import InvalidValue, validate_id_number, validate_mobile
from shezhi.org.models import Level, OrgUnit


def id_number_validator(value: str) -> None:
    try:
        validate_id_number(value, today=timezone.localdate())
    except InvalidValue as exc:
        raise ValidationError(str(exc)) from None


def mobile_validator(value: str) -> None:
    try:
        validate_mobile(value)
    except InvalidValue as exc:
        raise ValidationError(str(exc)) from None


class Gender(models.TextChoices):
    MALE = "M", "男"
    FEMALE = "F", "女"


class VulnerabilityTag(models.Model):
    """独居老人, 高龄, 残障, 困境儿童, 低保/低收入, 流动儿童 … (editable in the admin)."""

    code = models.SlugField("编码", max_length=30, unique=True)
    name = models.CharField("名称", max_length=30, unique=True)
    sort_order = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = "关爱标签"
        verbose_name_plural = verbose_name
        ordering = ["sort_order", "id"]

    def __str__(self) -> str:
        return self.name


class Household(TimeStampedModel):
    compound = models.ForeignKey(
        OrgUnit, verbose_name="小区", on_delete=models.PROTECT, related_name="households"
    )
    address = models.CharField("门牌", max_length=60, help_text="楼栋-单元-室，如 3栋2单元501")

    class Meta:
        verbose_name = "家庭户"
        verbose_name_plural = verbose_name
        constraints = [
            models.UniqueConstraint(fields=["compound", "address"], name="household_unique_address")
        ]

    def __str__(self) -> str:
        return f"{self.compound.name}{self.address}"


class Resident(TimeStampedModel):
    name = models.CharField("姓名", max_length=30)
    gender = models.CharField("性别", max_length=1, choices=Gender.choices)
    birth_date = models.DateField("出生日期")
    id_number = models.CharField(
        "身份证号码", max_length=18, unique=True, validators=[id_number_validator]
    )
    phone = models.CharField("手机号", max_length=11, blank=True, validators=[mobile_validator])
    household = models.ForeignKey(
        Household,
        verbose_name="家庭户",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
    )
    community = models.ForeignKey(
        OrgUnit, verbose_name="社区", on_delete=models.PROTECT, related_name="+", editable=False
    )
    compound = models.ForeignKey(
        OrgUnit, verbose_name="小区", on_delete=models.PROTECT, related_name="+"
    )
    grid = models.ForeignKey(
        OrgUnit, verbose_name="网格", on_delete=models.PROTECT, related_name="+"
    )
    address = models.CharField("详细地址", max_length=60, blank=True, help_text="楼栋-单元-室")
    tags = models.ManyToManyField(
        VulnerabilityTag, verbose_name="关爱标签", blank=True, related_name="residents"
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name="账号",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="resident",
    )
    # No smartphone, or prefers it: notices about the resident's needs also go by SMS to `phone`
    # (the only way to reach a resident without an account).
    sms_notices = models.BooleanField(
        "短信通知", default=False, help_text="没有智能手机或希望收短信的居民，需求进展以短信告知"
    )
    consent_version = models.CharField("同意书版本", max_length=20, blank=True)
    consent_at = models.DateTimeField("同意时间", null=True, blank=True)
    consent_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="同意记录人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Set when the resident's personal data was deleted at their request (shezhi.privacy): the
    # row stays for counts and the records that must be kept, with no one's identity in it.
    anonymised_at = models.DateTimeField("个人信息删除时间", null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "居民"
        verbose_name_plural = verbose_name
        ordering = ["id"]
        indexes = [models.Index(fields=["community", "name"])]

    def __str__(self) -> str:
        return mask_name(self.name)

    def clean(self) -> None:
        errors = {}
        if self.compound_id and self.compound.level != Level.COMPOUND:
            errors["compound"] = "请选择小区"
        if self.grid_id and self.grid.level != Level.GRID:
            errors["grid"] = "请选择网格"
        if self.compound_id and self.grid_id and self.grid.parent_id != self.compound_id:
            errors["grid"] = "网格不属于所选小区"
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs) -> None:
        self.community_id = self.compound.parent_id
        super().save(*args, **kwargs)

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def masked_phone(self) -> str:
        return mask_mobile(self.phone)

    @property
    def masked_name(self) -> str:
        return mask_name(self.name)

    @property
    def location(self) -> tuple[float, float] | None:
        c = self.compound
        return (c.latitude, c.longitude) if c.latitude is not None else None


def resident_mobile(user: object) -> str | None:
    """The mobile registered for the resident behind an account (for SMS notices)."""
    return Resident.objects.filter(user=user).values_list("phone", flat=True).first()
