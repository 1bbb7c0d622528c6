"""Service records, their versions, correction requests and falsification findings."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxLengthValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from shezhi.core.models import TimeStampedModel
from shezhi.org.models import OrgUnit
from shezhi.volunteers.models.teams import Team
from shezhi.volunteers.models.volunteer import Volunteer


class ServiceRecord(TimeStampedModel):
    """One volunteer service, with the fields of 《志愿服务记录与证明出具办法》 art. 7."""

    class Status(models.TextChoices):
        COUNTED = "counted", "有效"
        PENDING = "pending", "逾期待审批"
        REJECTED = "rejected", "逾期未获批准"
        FALSIFIED = "falsified", "认定弄虚作假"
        # Waits for a social worker (reasons in `hold_reasons`; see volunteers/trust.py).
        HELD = "held", "待社工确认"

    volunteer = models.ForeignKey(
        Volunteer, verbose_name="志愿者", on_delete=models.PROTECT, related_name="service_records"
    )
    title = models.CharField("活动名称", max_length=100)
    service_date = models.DateField("服务日期")
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    ended_at = models.DateTimeField("结束时间", null=True, blank=True)
    period_estimated = models.BooleanField(
        "时段为推算", default=False, help_text="仅填写了时长时，按连续服务推算的起止时间"
    )
    place = models.CharField("服务地点", max_length=200)
    content = models.TextField("服务内容", max_length=2000, validators=[MaxLengthValidator(2000)])
    # The service category of an order's record ("助餐"); its content is then a neutral description.
    category = models.CharField("服务类别", max_length=30, blank=True)
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
    quality_rating = models.PositiveSmallIntegerField("服务质量评价", null=True, blank=True)
    team = models.ForeignKey(
        Team,
        verbose_name="服务队",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="service_records",
    )
    source = models.CharField("来源", max_length=40, blank=True, help_text="如 need:123")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.COUNTED)
    due_date = models.DateField("记录截止日", null=True, blank=True)
    hold_reasons = models.JSONField(
        "待确认原因", default=list, blank=True, help_text='[{"code": …, "text": …}]'
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="逾期审批人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_at = models.DateTimeField("审批时间", null=True, blank=True)
    decision_note = models.CharField("审批意见", max_length=300, blank=True)
    version = models.PositiveIntegerField("版本", default=1)

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
            models.CheckConstraint(
                condition=Q(started_at__isnull=True)
                | Q(ended_at__isnull=True)
                | Q(ended_at__gt=models.F("started_at")),
                name="service_record_period_order",
            ),
            models.CheckConstraint(
                condition=Q(quality_rating__isnull=True)
                | Q(quality_rating__gte=1, quality_rating__lte=5),
                name="service_record_rating_range",
            ),
            models.CheckConstraint(condition=Q(hours__gte=0), name="service_record_hours_positive"),
        ]
        indexes = [
            models.Index(fields=["volunteer", "status"], name="record_volunteer_status"),
            models.Index(fields=["volunteer", "started_at"], name="record_volunteer_start"),
            # The volunteer's own list: newest first.
            models.Index(
                fields=["volunteer", "-service_date", "-id"], name="record_volunteer_date"
            ),
            models.Index(fields=["status", "organiser_unit"], name="record_status_unit"),
        ]

    def __str__(self) -> str:
        return f"{self.service_date} {self.title} {self.hours}h"

    @property
    def public_description(self) -> str:
        """What the record says outside the platform (proofs, exports, messages). An order's
        record holds a neutral description written for this (need_complete); an activity's the
        organiser's published text; a desk or imported record the recorder's."""
        return self.content

    @property
    def counts(self) -> bool:
        return self.status == self.Status.COUNTED


# The fields a correction may change, and that each version keeps.
RECORD_VERSIONED_FIELDS = (
    "title",
    "service_date",
    "started_at",
    "ended_at",
    "place",
    "content",
    "minutes",
    "hours",
    "organiser",
    "person_in_charge",
    "beneficiary",
    "quality_rating",
    "status",
    "hold_reasons",
)


class ServiceRecordVersion(models.Model):
    """Every version of a record, the first one included (the record's full history)."""

    record = models.ForeignKey(ServiceRecord, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField("版本")
    data = models.JSONField("内容")
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    changed_at = models.DateTimeField("时间", auto_now_add=True)
    reason = models.CharField("原因", max_length=300, blank=True)

    class Meta:
        verbose_name = "服务记录版本"
        verbose_name_plural = verbose_name
        ordering = ["record", "version"]
        constraints = [
            models.UniqueConstraint(fields=["record", "version"], name="record_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.record_id} v{self.version}"


class CorrectionRequest(TimeStampedModel):
    """A volunteer asks the recording unit to correct a record (更正申请)."""

    class Status(models.TextChoices):
        PENDING = "pending", "待核实"
        APPROVED = "approved", "已更正"
        REJECTED = "rejected", "不予更正"

    record = models.ForeignKey(ServiceRecord, on_delete=models.CASCADE, related_name="corrections")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="申请人", on_delete=models.PROTECT, related_name="+"
    )
    changes = models.JSONField("申请更正内容", help_text="{字段: 新值}")
    reason = models.CharField("申请理由", max_length=500)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="核实人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField("核实时间", null=True, blank=True)
    decision_reason = models.CharField("核实意见", max_length=300, blank=True)

    class Meta:
        verbose_name = "服务记录更正申请"
        verbose_name_plural = verbose_name
        ordering = ["-created_at", "-id"]
        constraints = [
            # One open request per record at a time.
            models.UniqueConstraint(
                fields=["record"],
                condition=Q(status="pending"),
                name="one_open_correction_per_record",
            )
        ]


class FalsificationFinding(TimeStampedModel):
    """A finding that a volunteer's hours were falsified: the records concerned stop counting
    and the volunteer is barred from star levels until `barred_until`."""

    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="findings")
    records = models.ManyToManyField(ServiceRecord, related_name="findings")
    reason = models.CharField("认定事实", max_length=500)
    found_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="认定人", on_delete=models.PROTECT, related_name="+"
    )
    barred_until = models.DateField("禁止评星至")

    class Meta:
        verbose_name = "弄虚作假认定"
        verbose_name_plural = verbose_name
        ordering = ["-created_at", "-id"]
