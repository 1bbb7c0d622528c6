"""The time bank (时间银行): accounts, an append-only double-entry ledger, deposits from counted
service records (with one or two reviewers), recorded kinships for transfers, and regional rules.

Every movement of coins is a `Transaction` with two or more `Posting`s that sum to zero. Holder
accounts (a volunteer's or a resident's) never go below zero; each community has one clearing
account that issues coins on deposits and takes them back when they are spent on services, so its
balance is minus the coins in circulation. Balances are always derived from the postings; postings
are never updated or deleted (enforced here and in the admin).
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from shezhi.org.models import OrgUnit
from shezhi.people.models import Resident
from shezhi.volunteers.models import ServiceCategory, ServiceRecord, Volunteer

DEFAULT_RATES = {ServiceCategory.ELDERLY.value: "1"}
DEFAULT_BALANCE_CAP = Decimal("1500")
DEFAULT_REVIEWERS = 1
COIN = {"max_digits": 12, "decimal_places": 2}


class AppendOnlyError(Exception):
    """A posting or transaction was about to be changed or deleted."""


class TimeBankPolicy(models.Model):
    """Rules a region sets for its time bank; the nearest ancestor's policy applies."""

    unit = models.OneToOneField(
        OrgUnit, verbose_name="适用区域", on_delete=models.CASCADE, related_name="timebank_policy"
    )
    rates = models.JSONField(
        "可存入的服务类别及折算比例",
        default=dict,
        blank=True,
        help_text='{服务类别: 每小时时间币}，如 {"elderly": "1", "disabled": "1.5"}；'
        "空 = 仅助老服务，1小时折1个时间币",
    )
    balance_cap = models.DecimalField("余额上限（时间币）", default=DEFAULT_BALANCE_CAP, **COIN)
    reviewers_required = models.PositiveSmallIntegerField(
        "存入所需审核人数", default=DEFAULT_REVIEWERS
    )

    class Meta:
        verbose_name = "区域时间银行规则"
        verbose_name_plural = verbose_name
        constraints = [
            models.CheckConstraint(
                condition=Q(reviewers_required__gte=1, reviewers_required__lte=2),
                name="timebank_policy_reviewers_1_2",
            ),
            models.CheckConstraint(
                condition=Q(balance_cap__gt=0), name="timebank_policy_cap_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit}的时间银行规则"


class Account(models.Model):
    class Kind(models.TextChoices):
        VOLUNTEER = "volunteer", "志愿者账户"
        RESIDENT = "resident", "居民账户"
        CLEARING = "clearing", "社区清算账户"

    account_no = models.CharField("账号", max_length=20, unique=True)
    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    volunteer = models.OneToOneField(
        Volunteer,
        verbose_name="志愿者",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="timebank_account",
    )
    resident = models.OneToOneField(
        Resident,
        verbose_name="居民",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="timebank_account",
    )
    community = models.ForeignKey(
        OrgUnit, verbose_name="所属社区", on_delete=models.PROTECT, related_name="+"
    )
    opened_at = models.DateTimeField("开户时间", auto_now_add=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="开户人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = "时间银行账户"
        verbose_name_plural = verbose_name
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind="volunteer", volunteer__isnull=False, resident__isnull=True)
                    | Q(kind="resident", volunteer__isnull=True, resident__isnull=False)
                    | Q(kind="clearing", volunteer__isnull=True, resident__isnull=True)
                ),
                name="timebank_account_holder_matches_kind",
            ),
            models.UniqueConstraint(
                fields=["community"],
                condition=Q(kind="clearing"),
                name="timebank_one_clearing_per_community",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.holder_name}（{self.account_no}）"

    @property
    def is_clearing(self) -> bool:
        return self.kind == self.Kind.CLEARING

    @property
    def holder_name(self) -> str:
        if self.volunteer_id:
            return self.volunteer.name
        if self.resident_id:
            # Residents' names are masked outside the audited reveal (people app rule).
            return self.resident.masked_name
        return f"时间银行·{self.community.name}"

    @property
    def holder_user_id(self) -> int | None:
        if self.volunteer_id:
            return self.volunteer.user_id
        if self.resident_id:
            return self.resident.user_id
        return None


class Kinship(models.Model):
    """A direct relative of an account holder, recorded by staff after checking the evidence
    (户口簿, 结婚证, 出生证明 …). Coins go from `holder` to `relative` only along such a row."""

    class Relation(models.TextChoices):
        SPOUSE = "spouse", "配偶"
        PARENT = "parent", "父母"
        CHILD = "child", "子女"
        GRANDPARENT = "grandparent", "祖父母、外祖父母"
        GRANDCHILD = "grandchild", "孙子女、外孙子女"

    holder = models.ForeignKey(
        Account, verbose_name="转出账户", on_delete=models.PROTECT, related_name="kinships"
    )
    relative = models.ForeignKey(
        Account, verbose_name="亲属账户", on_delete=models.PROTECT, related_name="+"
    )
    relation = models.CharField("亲属关系", max_length=12, choices=Relation.choices)
    evidence = models.CharField("核验依据", max_length=100)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="核验人", on_delete=models.PROTECT, related_name="+"
    )
    verified_at = models.DateTimeField("核验时间", auto_now_add=True)

    class Meta:
        verbose_name = "直系亲属关系"
        verbose_name_plural = verbose_name
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["holder", "relative"], name="timebank_kinship_once"),
            models.CheckConstraint(
                condition=~Q(holder=models.F("relative")), name="timebank_kinship_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.holder_id}→{self.relative_id} {self.get_relation_display()}"


class Deposit(models.Model):
    """A request to turn one counted service record into coins. One record deposits once."""

    class Status(models.TextChoices):
        PENDING = "pending", "待审核"
        APPROVED = "approved", "已存入"
        REJECTED = "rejected", "未通过"
        REVERSED = "reversed", "已冲正"

    record = models.OneToOneField(
        ServiceRecord,
        verbose_name="服务记录",
        on_delete=models.PROTECT,
        related_name="timebank_deposit",
    )
    account = models.ForeignKey(
        Account, verbose_name="存入账户", on_delete=models.PROTECT, related_name="deposits"
    )
    category = models.CharField("服务类别", max_length=20, choices=ServiceCategory.choices)
    hours = models.DecimalField("服务时长（小时）", max_digits=7, decimal_places=1)
    rate = models.DecimalField("折算比例（时间币/小时）", max_digits=6, decimal_places=2)
    amount = models.DecimalField("时间币", **COIN)
    reviewers_required = models.PositiveSmallIntegerField("所需审核人数")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="申请人", on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField("申请时间", default=timezone.now)
    decided_at = models.DateTimeField("办结时间", null=True, blank=True)
    refusal_reason = models.CharField("未通过原因", max_length=300, blank=True)

    class Meta:
        verbose_name = "时间币存入"
        verbose_name_plural = verbose_name
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="timebank_deposit_positive"),
        ]
        indexes = [models.Index(fields=["status", "account"], name="timebank_deposit_status")]

    def __str__(self) -> str:
        return f"存入 {self.amount}（记录 #{self.record_id}）"


class DepositReview(models.Model):
    deposit = models.ForeignKey(Deposit, on_delete=models.PROTECT, related_name="reviews")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="审核人", on_delete=models.PROTECT, related_name="+"
    )
    approve = models.BooleanField("同意")
    reason = models.CharField("意见", max_length=300, blank=True)
    at = models.DateTimeField("审核时间", default=timezone.now)

    class Meta:
        verbose_name = "存入审核"
        verbose_name_plural = verbose_name
        ordering = ["at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["deposit", "reviewer"], name="timebank_review_once_per_reviewer"
            )
        ]

    def __str__(self) -> str:
        return f"{self.deposit_id}:{self.reviewer_id}:{'同意' if self.approve else '不同意'}"


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):  # noqa: ARG002
        raise AppendOnlyError("时间银行流水只能追加，不能修改")

    def delete(self):
        raise AppendOnlyError("时间银行流水只能追加，不能删除")


class AppendOnly(models.Model):
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("时间银行流水只能追加，不能修改")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("时间银行流水只能追加，不能删除")


class Transaction(AppendOnly):
    class Kind(models.TextChoices):
        DEPOSIT = "deposit", "服务存入"
        SPEND = "spend", "兑换服务"
        TRANSFER = "transfer", "转赠亲属"
        REVERSAL = "reversal", "冲正"

    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    memo = models.CharField("摘要", max_length=200)
    deposit = models.OneToOneField(
        Deposit,
        verbose_name="存入申请",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="transaction",
    )
    need = models.OneToOneField(
        "needs.Need",
        verbose_name="所兑换的服务订单",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="timebank_payment",
    )
    kinship = models.ForeignKey(
        Kinship,
        verbose_name="亲属关系",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="transfers",
    )
    reverses = models.OneToOneField(
        "self",
        verbose_name="冲正的交易",
        null=True,
        blank=True,
        on_delete=models.RESTRICT,
        related_name="reversed_by",
    )
    created_at = models.DateTimeField("时间", default=timezone.now, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="经办人", on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "时间银行交易"
        verbose_name_plural = verbose_name
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"


class Posting(AppendOnly):
    """One line of a transaction: a signed amount on one account."""

    transaction = models.ForeignKey(
        Transaction, verbose_name="交易", on_delete=models.PROTECT, related_name="postings"
    )
    account = models.ForeignKey(
        Account, verbose_name="账户", on_delete=models.PROTECT, related_name="postings"
    )
    amount = models.DecimalField("金额（时间币）", **COIN)

    class Meta:
        verbose_name = "记账分录"
        verbose_name_plural = verbose_name
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="timebank_posting_not_zero"),
        ]
        indexes = [
            # The balance is SUM(amount) over this index; the statement walks it in order.
            models.Index(
                fields=["account", "id"], include=["amount"], name="timebank_posting_account"
            )
        ]

    def __str__(self) -> str:
        return f"{self.account_id} {self.amount:+}"
