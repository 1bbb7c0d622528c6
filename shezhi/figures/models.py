"""Rollup tables: the measures of `measures.py` summed per unit and day, kept current by the
rollup hook (`core/rollups.py`) and re-derived nightly by the reconciliation.

A bucket is (measure, unit, day, breakdown, key): `by` = "" and `key` = "" hold the total,
`by` = "category" and `key` = "3" the part of category 3. The unit is the most specific unit a
record knows (its grid, compound, community, or a street), so that any unit's figure is the sum
over the units under its path. Distinct counts (people) cannot be summed over days or units, so
their members are kept instead: one row per (measure, unit, day, breakdown, key, member).
"""

from django.db import models

from shezhi.org.models import OrgUnit


class FigureBucket(models.Model):
    measure = models.CharField("指标", max_length=40)
    unit = models.ForeignKey(
        OrgUnit, verbose_name="单元", on_delete=models.CASCADE, related_name="+"
    )
    day = models.DateField("日期")
    by = models.CharField("分组", max_length=20, blank=True)
    key = models.CharField("分组值", max_length=40, blank=True)
    value = models.DecimalField("数值", max_digits=18, decimal_places=2)

    class Meta:
        verbose_name = "统计汇总"
        verbose_name_plural = verbose_name
        constraints = [
            models.UniqueConstraint(
                fields=["measure", "unit", "day", "by", "key"], name="figure_bucket_once"
            )
        ]
        indexes = [models.Index(fields=["measure", "by", "day"], name="figure_bucket_day")]

    def __str__(self) -> str:
        return f"{self.measure}@{self.unit_id}/{self.day}/{self.by}:{self.key}={self.value}"


class FigureMember(models.Model):
    measure = models.CharField("指标", max_length=40)
    unit = models.ForeignKey(
        OrgUnit, verbose_name="单元", on_delete=models.CASCADE, related_name="+"
    )
    day = models.DateField("日期")
    by = models.CharField("分组", max_length=20, blank=True)
    key = models.CharField("分组值", max_length=40, blank=True)
    member = models.BigIntegerField("对象编号")

    class Meta:
        verbose_name = "统计去重对象"
        verbose_name_plural = verbose_name
        constraints = [
            models.UniqueConstraint(
                fields=["measure", "unit", "day", "by", "key", "member"],
                name="figure_member_once",
            )
        ]
        indexes = [models.Index(fields=["measure", "by", "day"], name="figure_member_day")]

    def __str__(self) -> str:
        return f"{self.measure}@{self.unit_id}/{self.day}/{self.by}:{self.key}#{self.member}"
