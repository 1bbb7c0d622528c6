"""Organised activities: positions (岗位), sign-ups, attendance, and volunteers' insurance.

Rules live in services.py; models keep the fields and the database guarantees: one live sign-up
per volunteer and activity, one attendance per sign-up, periods in order, quotas positive.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import F, Q

from shezhi.core.models import TimeStampedModel
from shezhi.org.models import OrgUnit, Station
from shezhi.people.models import Resident
from shezhi.volunteers.models import (
    Certificate,
    ServiceCategory,
    ServiceRecord,
    SkillTag,
    Team,
    Volunteer,
)

DEFAULT_CANCEL_CUTOFF_HOURS = 24


class ActivitySeries(TimeStampedModel):
    """The recurrence rule a set of activities was generated from (每周课堂, 每月义剪)."""

    class Freq(models.TextChoices):
        WEEKLY = "weekly", "每周"
        MONTHLY = "monthly", "每月"

    freq = models.CharField("重复频率", max_length=8, choices=Freq.choices)
    interval = models.PositiveSmallIntegerField("间隔", default=1)
    weekdays = models.JSONField("星期", default=list, blank=True, help_text="0 = 星期一")
    count = models.PositiveIntegerField("次数", null=True, blank=True)
    until = models.DateField("截止日期", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="创建人", on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "重复活动规则"
        verbose_name_plural = verbose_name
        constraints = [
            models.CheckConstraint(
                condition=Q(count__isnull=False) | Q(until__isnull=False),
                name="series_count_or_until",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_freq_display()} ×{self.count or self.until}"


class Activity(TimeStampedModel):
    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        PUBLISHED = "published", "招募中"
        CANCELLED = "cancelled", "已取消"
        FINISHED = "finished", "已结束"

    class Scope(models.TextChoices):
        UNIT = "unit", "本社区/街道"
        TEAM = "team", "服务队"
        EVERYONE = "everyone", "所有志愿者"

    organiser_unit = models.ForeignKey(
        OrgUnit, verbose_name="组织单位", on_delete=models.PROTECT, related_name="+"
    )
    station = models.ForeignKey(
        Station,
        verbose_name="组织站点",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="activities",
    )
    team = models.ForeignKey(
        Team,
        verbose_name="组织服务队",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="activities",
    )
    series = models.ForeignKey(
        ActivitySeries,
        verbose_name="重复规则",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="activities",
    )
    title = models.CharField("活动名称", max_length=100)
    category = models.CharField("服务类别", max_length=12, choices=ServiceCategory.choices)
    description = models.TextField(
        "活动内容", max_length=2000, validators=[MaxLengthValidator(2000)]
    )
    venue = models.CharField("活动地点", max_length=200)
    latitude = models.FloatField("纬度", null=True, blank=True)
    longitude = models.FloatField("经度", null=True, blank=True)
    checkin_radius_m = models.PositiveIntegerField(
        "签到范围（米）", null=True, blank=True, help_text="留空表示不校验位置"
    )
    starts_at = models.DateTimeField("开始时间")
    ends_at = models.DateTimeField("结束时间")
    scope = models.CharField("发布范围", max_length=10, choices=Scope.choices, default=Scope.UNIT)
    scope_unit = models.ForeignKey(
        OrgUnit,
        verbose_name="发布到单元",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    scope_team = models.ForeignKey(
        Team,
        verbose_name="发布到服务队",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    risk_statement = models.TextField(
        "风险告知",
        max_length=2000,
        blank=True,
        validators=[MaxLengthValidator(2000)],
        help_text="《志愿服务条例》第十二条：如实说明可能发生的风险",
    )
    requires_approval = models.BooleanField("报名需审核", default=False)
    cancel_cutoff_hours = models.PositiveSmallIntegerField(
        "开始前多少小时停止取消报名", default=DEFAULT_CANCEL_CUTOFF_HOURS
    )
    person_in_charge = models.CharField("活动负责人", max_length=30)
    beneficiaries_headcount = models.PositiveIntegerField("服务对象人次", default=0)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="创建人", on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    cancel_reason = models.CharField("取消原因", max_length=300, blank=True)
    attendance_confirmed_at = models.DateTimeField("考勤确认时间", null=True, blank=True)
    attendance_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="考勤确认人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = "志愿活动"
        verbose_name_plural = verbose_name
        ordering = ["-starts_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="activity_period_order"
            ),
            models.CheckConstraint(
                condition=~Q(scope="unit") | Q(scope_unit__isnull=False),
                name="activity_unit_scope_has_unit",
            ),
            models.CheckConstraint(
                condition=~Q(scope="team") | Q(scope_team__isnull=False),
                name="activity_team_scope_has_team",
            ),
        ]
        indexes = [models.Index(fields=["status", "starts_at"], name="activity_status_start")]

    def __str__(self) -> str:
        return self.title

    @property
    def has_risks(self) -> bool:
        return bool(self.risk_statement.strip())

    @property
    def has_geofence(self) -> bool:
        return (
            self.checkin_radius_m is not None
            and self.latitude is not None
            and self.longitude is not None
        )


class Position(models.Model):
    """A 岗位 of an activity with its quota and who may take it."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="positions")
    name = models.CharField("岗位名称", max_length=60)
    duties = models.CharField("岗位职责", max_length=300, blank=True)
    quota = models.PositiveSmallIntegerField("招募人数")
    skills = models.ManyToManyField(SkillTag, verbose_name="所需技能", blank=True, related_name="+")
    certificates = models.JSONField(
        "所需证书", default=list, blank=True, help_text="证书类型编码列表"
    )
    min_age = models.PositiveSmallIntegerField("最低年龄", null=True, blank=True)
    max_age = models.PositiveSmallIntegerField("最高年龄", null=True, blank=True)
    hazardous = models.BooleanField(
        "危险性岗位", default=False, help_text="须先为志愿者办理保险；未成年人不得参加"
    )

    class Meta:
        verbose_name = "岗位"
        verbose_name_plural = verbose_name
        ordering = ["activity", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(quota__gte=1), name="position_quota_positive"),
            models.CheckConstraint(
                condition=Q(min_age__isnull=True)
                | Q(max_age__isnull=True)
                | Q(max_age__gte=F("min_age")),
                name="position_age_range_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.activity_id}:{self.name}"

    def certificate_labels(self) -> list[str]:
        labels = dict(Certificate.Kind.choices)
        return [str(labels.get(k, k)) for k in self.certificates]


class InsuranceRecord(TimeStampedModel):
    """Accident insurance arranged for a volunteer (条例 art. 17)."""

    volunteer = models.ForeignKey(
        Volunteer, verbose_name="志愿者", on_delete=models.CASCADE, related_name="insurances"
    )
    policy_no = models.CharField("保单号", max_length=40)
    insurer = models.CharField("保险公司", max_length=60)
    valid_from = models.DateField("生效日期")
    valid_to = models.DateField("到期日期")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "志愿者保险"
        verbose_name_plural = verbose_name
        ordering = ["-valid_to", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__gte=F("valid_from")), name="insurance_period_order"
            ),
            models.UniqueConstraint(
                fields=["volunteer", "insurer", "policy_no"], name="insurance_policy_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.insurer} {self.policy_no}"


class SignUp(TimeStampedModel):
    class Status(models.TextChoices):
        PENDING = "pending", "待确认"
        CONFIRMED = "confirmed", "已确认"
        WAITLISTED = "waitlisted", "候补"
        CANCELLED = "cancelled", "已取消"

    # Statuses that hold one of the position's places.
    HOLDING = (Status.PENDING, Status.CONFIRMED)

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="signups")
    position = models.ForeignKey(Position, on_delete=models.CASCADE, related_name="signups")
    volunteer = models.ForeignKey(
        Volunteer, verbose_name="志愿者", on_delete=models.PROTECT, related_name="signups"
    )
    status = models.CharField("状态", max_length=10, choices=Status.choices)
    risk_acknowledged_at = models.DateTimeField("确认风险告知时间", null=True, blank=True)
    insurance = models.ForeignKey(
        InsuranceRecord,
        verbose_name="保险",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="signups",
    )
    signed_up_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="报名人", on_delete=models.PROTECT, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审核人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField("审核时间", null=True, blank=True)
    cancelled_at = models.DateTimeField("取消时间", null=True, blank=True)
    cancel_reason = models.CharField("取消原因", max_length=300, blank=True)

    class Meta:
        verbose_name = "活动报名"
        verbose_name_plural = verbose_name
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "volunteer"],
                condition=~Q(status="cancelled"),
                name="signup_one_live_per_activity",
            )
        ]
        indexes = [models.Index(fields=["position", "status"], name="signup_position_status")]

    def __str__(self) -> str:
        return f"{self.activity_id}:{self.volunteer_id}:{self.status}"


class Attendance(models.Model):
    class Method(models.TextChoices):
        QR = "qr", "扫码"
        MANUAL = "manual", "手工"
        CLOSED = "closed", "组织者补签退"

    signup = models.OneToOneField(SignUp, on_delete=models.PROTECT, related_name="attendance")
    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, related_name="attendances")
    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="attendances")
    checked_in_at = models.DateTimeField("签到时间")
    checkin_method = models.CharField("签到方式", max_length=8, choices=Method.choices)
    checkin_reason = models.CharField("手工签到原因", max_length=200, blank=True)
    checkin_latitude = models.FloatField("签到纬度", null=True, blank=True)
    checkin_longitude = models.FloatField("签到经度", null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="签到操作人",
        on_delete=models.PROTECT,
        related_name="+",
    )
    checked_out_at = models.DateTimeField("签退时间", null=True, blank=True)
    checkout_method = models.CharField("签退方式", max_length=8, choices=Method.choices, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="补签退人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    minutes = models.PositiveIntegerField("服务分钟数", null=True, blank=True)
    hours = models.DecimalField(
        "服务时长（小时）", max_digits=5, decimal_places=1, null=True, blank=True
    )
    service_record = models.OneToOneField(
        ServiceRecord,
        verbose_name="服务记录",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="activity_attendance",
    )
    confirm_note = models.CharField("确认说明", max_length=300, blank=True)

    class Meta:
        verbose_name = "签到记录"
        verbose_name_plural = verbose_name
        ordering = ["checked_in_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "volunteer"], name="attendance_once_per_activity"
            ),
            models.CheckConstraint(
                condition=Q(checked_out_at__isnull=True)
                | Q(checked_out_at__gte=F("checked_in_at")),
                name="attendance_out_after_in",
            ),
            models.CheckConstraint(
                condition=Q(hours__isnull=True) | Q(hours__gte=Decimal("0")),
                name="attendance_hours_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.activity_id}:{self.volunteer_id}"


class Beneficiary(models.Model):
    """A registered resident served at an activity (服务对象). Unregistered people are counted in
    `Activity.beneficiaries_headcount`; the total is the sum of both."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="beneficiaries")
    resident = models.ForeignKey(
        Resident, verbose_name="居民", on_delete=models.PROTECT, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "活动服务对象"
        verbose_name_plural = verbose_name
        ordering = ["activity", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "resident"], name="beneficiary_once_per_activity"
            )
        ]

    def __str__(self) -> str:
        return f"{self.activity_id}:{self.resident_id}"


class Rating(models.Model):
    """One rating of an ended activity by a volunteer who attended or a registered beneficiary
    (1–5 stars and an optional comment). The database allows one per person and activity."""

    class Role(models.TextChoices):
        VOLUNTEER = "volunteer", "志愿者"
        BENEFICIARY = "beneficiary", "服务对象"

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="ratings")
    rater = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="评价人", on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField("评价人身份", max_length=12, choices=Role.choices)
    stars = models.PositiveSmallIntegerField("评分")
    comment = models.TextField(
        "评价内容", max_length=500, blank=True, validators=[MaxLengthValidator(500)]
    )
    created_at = models.DateTimeField("评价时间", auto_now_add=True)

    class Meta:
        verbose_name = "活动评价"
        verbose_name_plural = verbose_name
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "rater"], name="rating_once_per_person"),
            models.CheckConstraint(
                condition=Q(stars__gte=1) & Q(stars__lte=5), name="rating_stars_1_to_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.activity_id}:{self.rater_id}:{self.stars}"


class Summary(TimeStampedModel):
    """The organiser's write-up of an ended activity (活动总结); the figures are computed."""

    activity = models.OneToOneField(Activity, on_delete=models.CASCADE, related_name="summary")
    text = models.TextField("总结内容", max_length=5000, validators=[MaxLengthValidator(5000)])
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="撰写人", on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "活动总结"
        verbose_name_plural = verbose_name

    def __str__(self) -> str:
        return f"{self.activity_id}"


class SummaryPhoto(models.Model):
    """A photo of the summary, stored in MEDIA under a generated name and served only through
    a view that checks who may see the activity."""

    summary = models.ForeignKey(Summary, on_delete=models.CASCADE, related_name="photos")
    image = models.FileField("照片", upload_to="activities/summaries/", max_length=200)
    content_type = models.CharField("文件类型", max_length=30)
    size = models.PositiveIntegerField("大小（字节）")
    width = models.PositiveIntegerField("宽度")
    height = models.PositiveIntegerField("高度")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="上传人", on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "活动照片"
        verbose_name_plural = verbose_name
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.image.name
