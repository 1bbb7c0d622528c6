"""Per-region policy (rounding, star thresholds, due days) and the working-day calendar."""

from django.db import models

from shezhi.org.models import OrgUnit

DEFAULT_STAR_THRESHOLDS = (100, 300, 600, 1000, 1500)
DEFAULT_ROUNDING_STEPS = ((45, "1"), (15, "0.5"))
DEFAULT_BAR_DAYS = 365
DEFAULT_DUE_WORKING_DAYS = 10


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
