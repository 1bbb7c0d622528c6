"""The notification outbox: one Notification per recipient and event (also the in-app inbox),
one Delivery per configured channel. The dedupe key (unique per recipient) makes enqueueing the
same reminder or notice twice a no-op, also under concurrent job runs."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from shezhi.core.masking import mask_mobile


class Notification(models.Model):
    class Kind(models.TextChoices):
        ACTIVITY_REMINDER = "activity_reminder", "活动提醒"
        ACTIVITY_CHANGED = "activity_changed", "活动变更"
        ACTIVITY_CANCELLED = "activity_cancelled", "活动取消"
        WAITLIST_PROMOTED = "waitlist_promoted", "候补转正"
        CASE_CRISIS = "case_crisis", "个案危机干预"
        CASE_EMERGENCY_ACCESS = "case_emergency_access", "个案紧急访问"
        CARE_CRISIS = "care_crisis", "危机预警"
        CARE_ALERT = "care_alert", "关爱预警"
        CARE_ESCALATED = "care_escalated", "预警升级"
        SIGNUP = "signup", "活动报名"
        ORDER_DISPATCHED = "order_dispatched", "新派单"
        ORDER_WITHDRAWN = "order_withdrawn", "订单撤回"
        NEED_PROGRESS = "need_progress", "需求进展"
        NEED_RATE = "need_rate", "请您评价"
        NEED_DEADLINE = "need_deadline", "需求时限"
        NEED_ATTENTION = "need_attention", "需求待处理"
        DATA_RIGHTS = "data_rights", "个人信息请求"
        GENERAL = "general", "通知"

    class Audience(models.TextChoices):
        USER = "", "用户"
        RESIDENT = "resident", "服务对象"
        HELPER = "helper", "服务者"
        STAFF = "staff", "社工"

    # A resident without an account (or a partner's contact) is told by SMS only: the notice
    # has no recipient and goes to `mobile`; it never appears in anybody's inbox.
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="接收人",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    mobile = models.CharField("短信号码", max_length=11, blank=True)
    audience = models.CharField(
        "接收人身份", max_length=10, blank=True, choices=Audience.choices, default=""
    )
    # What the notice is about ("need:12"), so a desk page can show who was told what.
    subject = models.CharField("关于", max_length=40, blank=True, db_index=True)
    kind = models.CharField("类型", max_length=24, choices=Kind.choices)
    title = models.CharField("标题", max_length=100)
    body = models.CharField("内容", max_length=500, blank=True)
    link = models.CharField("链接", max_length=200, blank=True, help_text="站内路径")
    dedupe_key = models.CharField("去重键", max_length=120, blank=True)
    created_at = models.DateTimeField("时间", auto_now_add=True)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)

    class Meta:
        verbose_name = "通知"
        verbose_name_plural = verbose_name
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "dedupe_key"],
                condition=~Q(dedupe_key=""),
                name="notification_dedupe_once",
            ),
            models.UniqueConstraint(
                fields=["mobile", "dedupe_key"],
                condition=Q(recipient__isnull=True) & ~Q(dedupe_key=""),
                name="notification_sms_dedupe_once",
            ),
            models.CheckConstraint(
                condition=Q(recipient__isnull=False) | ~Q(mobile=""),
                name="notification_has_addressee",
            ),
        ]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_unread"),
        ]

    def __str__(self) -> str:
        return f"{self.recipient_id or 'sms'}:{self.title}"

    @property
    def masked_mobile(self) -> str:
        return mask_mobile(self.mobile)

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class Delivery(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "待发送"
        SENDING = "sending", "发送中"
        SENT = "sent", "已发送"
        FAILED = "failed", "发送失败"

    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="deliveries"
    )
    channel = models.CharField("渠道", max_length=20)
    status = models.CharField("状态", max_length=8, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    # When a run claimed it for sending; a claim older than the lease is taken as a crashed run.
    claimed_at = models.DateTimeField("领取时间", null=True, blank=True)
    last_error = models.CharField("失败原因", max_length=300, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)

    class Meta:
        verbose_name = "通知投递"
        verbose_name_plural = verbose_name
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["notification", "channel"], name="delivery_once_per_channel"
            )
        ]
        indexes = [models.Index(fields=["status", "id"], name="delivery_status")]

    def __str__(self) -> str:
        return f"{self.notification_id}:{self.channel}:{self.status}"


class Preference(models.Model):
    """A user's choice of channels. The inbox is always on; SMS goes out when the deployment
    has the SMS channel and the user has not turned it off (no row: the default, on)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name="用户",
        on_delete=models.CASCADE,
        related_name="notification_preference",
    )
    sms = models.BooleanField("短信通知", default=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = "通知偏好"
        verbose_name_plural = verbose_name

    def __str__(self) -> str:
        return f"{self.user_id}:sms={self.sms}"
