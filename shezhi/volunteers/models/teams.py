"""Service teams, their members and the membership history."""

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models

from shezhi.core.models import TimeStampedModel
from shezhi.org.models import OrgUnit
from shezhi.volunteers.models.volunteer import Volunteer


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
