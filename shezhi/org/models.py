"""The administrative tree district → street → community → compound → grid, and the places
where service is delivered: social-work stations at three tiers and party-mass service centres."""

from django.core.exceptions import ValidationError
from django.db import models

from shezhi.core.models import TimeStampedModel


class Level(models.IntegerChoices):
    DISTRICT = 1, "区"
    STREET = 2, "街道"
    COMMUNITY = 3, "社区"
    COMPOUND = 4, "小区"
    GRID = 5, "网格"


class OrgUnitQuerySet(models.QuerySet):
    def within(self, unit: "OrgUnit") -> "OrgUnitQuerySet":
        """The unit itself and everything below it."""
        return self.filter(path__startswith=unit.path)

    def communities(self) -> "OrgUnitQuerySet":
        return self.filter(level=Level.COMMUNITY)


class OrgUnit(TimeStampedModel):
    """One node of the tree. `path` is the chain of codes from the district ("/110105/001/")
    so that "everything under this unit" is one indexed prefix query."""

    level = models.PositiveSmallIntegerField("层级", choices=Level.choices)
    code = models.CharField("编码", max_length=12)
    name = models.CharField("名称", max_length=60)
    parent = models.ForeignKey(
        "self",
        verbose_name="上级",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField("路径", max_length=120, unique=True, editable=False)
    latitude = models.FloatField("纬度", null=True, blank=True)
    longitude = models.FloatField("经度", null=True, blank=True)

    objects = OrgUnitQuerySet.as_manager()

    class Meta:
        verbose_name = "组织单元"
        verbose_name_plural = verbose_name
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(
                fields=["parent", "code"], name="orgunit_code_unique_in_parent"
            ),
            models.CheckConstraint(
                condition=models.Q(level__gte=1, level__lte=5), name="orgunit_level_range"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        expected_parent_level = self.level - 1
        if self.level == Level.DISTRICT:
            if self.parent_id:
                raise ValidationError({"parent": "区没有上级单元"})
        elif not self.parent or self.parent.level != expected_parent_level:
            expected = Level(expected_parent_level).label
            raise ValidationError({"parent": f"{self.get_level_display()}的上级应为{expected}"})

    def save(self, *args, **kwargs) -> None:
        self.path = f"{self.parent.path if self.parent else '/'}{self.code}/"
        super().save(*args, **kwargs)

    def ancestor(self, level: int) -> "OrgUnit | None":
        node: OrgUnit | None = self
        while node is not None and node.level > level:
            node = node.parent
        return node if node is not None and node.level == level else None


class Station(TimeStampedModel):
    """Social-work stations at three tiers, each attached to the unit it serves."""

    class Tier(models.TextChoices):
        STREET = "street", "街道社工站"
        COMMUNITY = "community", "社区社工室"
        COMPOUND = "compound", "小区社工点"

    TIER_LEVEL = {
        Tier.STREET: Level.STREET,
        Tier.COMMUNITY: Level.COMMUNITY,
        Tier.COMPOUND: Level.COMPOUND,
    }

    tier = models.CharField("层级", max_length=12, choices=Tier.choices)
    name = models.CharField("名称", max_length=80)
    unit = models.ForeignKey(
        OrgUnit, verbose_name="所属单元", on_delete=models.PROTECT, related_name="stations"
    )
    address = models.CharField("地址", max_length=200, blank=True)
    # Shown on every resident page ("不会填？请拨打社区电话").
    phone = models.CharField("联系电话", max_length=20, blank=True)
    latitude = models.FloatField("纬度", null=True, blank=True)
    longitude = models.FloatField("经度", null=True, blank=True)

    class Meta:
        verbose_name = "社工站点"
        verbose_name_plural = verbose_name
        ordering = ["unit__path", "name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.unit_id and self.unit.level != self.TIER_LEVEL[self.Tier(self.tier)]:
            expected = Level(self.TIER_LEVEL[self.Tier(self.tier)]).label
            raise ValidationError({"unit": f"{self.get_tier_display()}应设在{expected}"})


class ServiceCentre(TimeStampedModel):
    """党群服务中心: the physical centre where residents come and activities happen."""

    name = models.CharField("名称", max_length=80)
    unit = models.ForeignKey(
        OrgUnit, verbose_name="所属单元", on_delete=models.PROTECT, related_name="service_centres"
    )
    address = models.CharField("地址", max_length=200)
    latitude = models.FloatField("纬度")
    longitude = models.FloatField("经度")
    phone = models.CharField("电话", max_length=20, blank=True)

    class Meta:
        verbose_name = "党群服务中心"
        verbose_name_plural = verbose_name
        ordering = ["unit__path", "name"]

    def __str__(self) -> str:
        return self.name


class PartnerOrganisation(TimeStampedModel):
    """A social organisation, business or institution that takes orders (共建单位)."""

    name = models.CharField("名称", max_length=100)
    unit = models.ForeignKey(
        OrgUnit, verbose_name="服务范围", on_delete=models.PROTECT, related_name="partners"
    )
    contact_name = models.CharField("联系人", max_length=30, blank=True)
    contact_phone = models.CharField("联系电话", max_length=20, blank=True)
    services = models.CharField("服务内容", max_length=200, blank=True)
    is_active = models.BooleanField("有效", default=True)

    class Meta:
        verbose_name = "合作单位"
        verbose_name_plural = verbose_name
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
