"""User accounts. Each account has one role and one org unit; the unit bounds what it sees."""

from django.contrib.auth.models import AbstractUser
from django.db import models

from shezhi.org.models import OrgUnit, PartnerOrganisation


class Role(models.TextChoices):
    SYSTEM_ADMIN = "system_admin", "系统管理员"
    DISTRICT_ADMIN = "district_admin", "区级管理员"
    STREET_ADMIN = "street_admin", "街道管理员"
    SUPERVISOR = "supervisor", "督导"
    SOCIAL_WORKER = "social_worker", "社区社工"
    GRID_WORKER = "grid_worker", "网格员"
    TEAM_LEADER = "team_leader", "志愿服务队队长"
    VOLUNTEER = "volunteer", "志愿者"
    RESIDENT = "resident", "居民"
    PARTNER = "partner", "合作单位"


# Roles that work at a desk over a unit's ledger and residents.
STAFF_ROLES = frozenset(
    {
        Role.SYSTEM_ADMIN,
        Role.DISTRICT_ADMIN,
        Role.STREET_ADMIN,
        Role.SUPERVISOR,
        Role.SOCIAL_WORKER,
        Role.GRID_WORKER,
    }
)
# Roles that may dispatch, cancel and review needs in their unit.
DISPATCH_ROLES = frozenset({Role.SUPERVISOR, Role.SOCIAL_WORKER})
# Roles whose work needs residents' full ID numbers and phones (each reveal is audited).
UNMASK_ROLES = frozenset({Role.SUPERVISOR, Role.SOCIAL_WORKER, Role.GRID_WORKER})
# Roles that take orders.
HELPER_ROLES = frozenset({Role.VOLUNTEER, Role.TEAM_LEADER, Role.SOCIAL_WORKER, Role.PARTNER})


class User(AbstractUser):
    display_name = models.CharField("姓名", max_length=30, blank=True)
    role = models.CharField("角色", max_length=20, choices=Role.choices, default=Role.RESIDENT)
    unit = models.ForeignKey(
        OrgUnit,
        verbose_name="所属单元",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    partner = models.ForeignKey(
        PartnerOrganisation,
        verbose_name="合作单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    phone = models.CharField("手机号", max_length=11, blank=True)
    # Set on accounts given a shared or issued password: they must choose their own first.
    must_change_password = models.BooleanField("须修改密码", default=False)
    # 长辈模式 (larger text, bigger buttons): None follows the age rule (people.selectors).
    elder_mode = models.BooleanField(
        "长辈模式", null=True, blank=True, help_text="留空则按年龄：70岁及以上的居民默认开启"
    )

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = verbose_name

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def is_staff_role(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def can_dispatch(self) -> bool:
        return self.is_superuser or self.role in DISPATCH_ROLES or self.role == Role.SYSTEM_ADMIN

    @property
    def can_unmask(self) -> bool:
        return self.role in UNMASK_ROLES


class ApiToken(models.Model):
    """A bearer token for the REST API. Only the SHA-256 hash of the token is stored."""

    user = models.ForeignKey(
        User, verbose_name="用户", on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField("名称", max_length=60)
    token_hash = models.CharField("令牌摘要", max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)

    class Meta:
        verbose_name = "接口令牌"
        verbose_name_plural = verbose_name
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.user} · {self.name}"
