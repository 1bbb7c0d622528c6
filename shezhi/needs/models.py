"""The needs ledger (民情台账): residents' needs and the four orders that resolve them."""

from datetime import timedelta

from django.conf import settings
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext

from shezhi.core import neutral
from shezhi.core.masking import mask_mobile
from shezhi.core.models import TimeStampedModel
from shezhi.needs.workflow import CLOSED, OPEN, STATUS_LABELS, Status
from shezhi.org.models import OrgUnit, PartnerOrganisation
from shezhi.people.models import Resident, mobile_validator
from shezhi.volunteers.models import SkillTag, Team, Volunteer

# Local SVG files under static/shezhi/icons/ (no outside address).
CATEGORY_ICONS = [
    ("escort", "陪诊"),
    ("shopping", "代购"),
    ("cleaning", "助洁"),
    ("bathing", "助浴"),
    ("meals", "助餐"),
    ("repair", "维修"),
    ("heart", "心理疏导"),
    ("policy", "政策咨询"),
    ("health", "医疗健康"),
    ("other", "其他"),
]

DEFAULT_MAX_MINUTES = 240


class NeedCategory(models.Model):
    """The taxonomy of needs (生活照料, 助餐 …); editable in the admin."""

    code = models.SlugField("编码", max_length=30, unique=True)
    name = models.CharField("名称", max_length=30, unique=True)
    skills = models.ManyToManyField(
        SkillTag, verbose_name="所需技能", blank=True, related_name="categories"
    )
    sort_order = models.PositiveSmallIntegerField("排序", default=0)
    is_active = models.BooleanField("启用", default=True)
    # The big tiles of the residents' 点单 page: the service catalogue, each with its icon.
    for_residents = models.BooleanField("居民点单页显示", default=False)
    icon = models.CharField(
        "图标", max_length=20, blank=True, choices=CATEGORY_ICONS, help_text="居民点单页的图标"
    )
    # A longer claim is held for a social worker (volunteers/trust.py).
    max_minutes = models.PositiveIntegerField(
        "单次服务时长上限（分钟）",
        default=DEFAULT_MAX_MINUTES,
        validators=[MinValueValidator(1), MaxValueValidator(24 * 60)],
        help_text="志愿者办结时申报的时长超过此上限，须经社工确认后才计入",
    )

    class Meta:
        verbose_name = "需求类别"
        verbose_name_plural = verbose_name
        ordering = ["sort_order", "id"]

    def __str__(self) -> str:
        return self.name


class UrgencyLevel(models.Model):
    """急难愁盼·马上办, 困难群众·贴心办, 一般, with their response and resolution deadlines."""

    code = models.SlugField("编码", max_length=20, unique=True)
    name = models.CharField("名称", max_length=30, unique=True)
    response_hours = models.PositiveIntegerField(
        "响应时限（小时）", validators=[MinValueValidator(1)]
    )
    resolution_hours = models.PositiveIntegerField(
        "办结时限（小时）", validators=[MinValueValidator(1)]
    )
    sort_order = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = "紧急程度"
        verbose_name_plural = verbose_name
        ordering = ["sort_order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(resolution_hours__gte=models.F("response_hours")),
                name="urgency_resolution_after_response",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class NeedQuerySet(models.QuerySet):
    def overdue(self, now=None) -> "NeedQuerySet":
        now = now or timezone.now()
        return self.filter(
            Q(status=Status.PENDING, respond_by__lt=now)
            | Q(status__in=list(OPEN), resolve_by__lt=now)
        )


class HelperGender(models.TextChoices):
    ANY = "", "不限"
    MALE = "M", "男"
    FEMALE = "F", "女"


class Need(TimeStampedModel):
    class Source(models.TextChoices):
        ONLINE = "online", "居民点单"
        VISIT = "visit", "走访"
        PHONE = "phone", "电话"
        GRID = "grid", "网格员上报"
        COUNCIL = "council", "议事会"

    class AssigneeKind(models.TextChoices):
        VOLUNTEER = "volunteer", "志愿者"
        TEAM = "team", "志愿服务队"
        SOCIAL_WORKER = "social_worker", "社工"
        PARTNER = "partner", "合作单位"
        POOL = "pool", "社区志愿者（抢单）"

    title = models.CharField("标题", max_length=60)
    description = models.TextField(
        "需求描述", max_length=2000, validators=[MaxLengthValidator(2000)]
    )
    category = models.ForeignKey(NeedCategory, verbose_name="类别", on_delete=models.PROTECT)
    urgency = models.ForeignKey(UrgencyLevel, verbose_name="紧急程度", on_delete=models.PROTECT)
    source = models.CharField("来源", max_length=10, choices=Source.choices)
    status = models.CharField(
        "状态",
        max_length=14,
        choices=[(s.value, STATUS_LABELS[s]) for s in Status],
        default=Status.PENDING,
    )
    # Every change bumps the version; a write that expected another version loses (409).
    version = models.PositiveIntegerField("版本", default=1)

    resident = models.ForeignKey(
        Resident,
        verbose_name="服务对象",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="needs",
    )
    community = models.ForeignKey(
        OrgUnit, verbose_name="社区", on_delete=models.PROTECT, related_name="+"
    )
    grid = models.ForeignKey(
        OrgUnit,
        verbose_name="网格",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    address = models.CharField("服务地址", max_length=120, blank=True)
    contact_phone = models.CharField(
        "联系电话", max_length=11, blank=True, validators=[mobile_validator]
    )
    latitude = models.FloatField("纬度", null=True, blank=True)
    longitude = models.FloatField("经度", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT, related_name="+"
    )

    respond_by = models.DateTimeField("响应期限")
    resolve_by = models.DateTimeField("办结期限")
    # The ledger's default order (what needs attention) as two indexed columns the database keeps:
    # open needs before closed ones, then the next deadline the desk must meet (the response
    # deadline while pending, else the resolution deadline). Overdue needs, whose deadline has
    # passed, come first by themselves; no per-request CASE to sort 100,000 rows.
    open_rank = models.GeneratedField(
        expression=models.Case(
            models.When(status__in=sorted(OPEN), then=models.Value(0)),
            default=models.Value(1),
        ),
        output_field=models.SmallIntegerField(),
        db_persist=True,
    )
    due_at = models.GeneratedField(
        expression=models.Case(
            models.When(status=Status.PENDING, then=F("respond_by")),
            default=F("resolve_by"),
        ),
        output_field=models.DateTimeField(),
        db_persist=True,
    )

    assignee_kind = models.CharField(
        "派单对象类型", max_length=14, blank=True, choices=AssigneeKind.choices
    )
    assignee_volunteer = models.ForeignKey(
        Volunteer, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    assignee_team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    assignee_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    assignee_partner = models.ForeignKey(
        PartnerOrganisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    dispatched_at = models.DateTimeField("派单时间", null=True, blank=True)

    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="接单人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    accepted_at = models.DateTimeField("接单时间", null=True, blank=True)
    started_at = models.DateTimeField("开始服务时间", null=True, blank=True)
    # A social worker lets the helper start outside the window around the booked time.
    start_window_waived_at = models.DateTimeField("准许不按预约时间开始", null=True, blank=True)
    start_window_waiver = models.CharField("准许原因", max_length=300, blank=True)
    minutes_spent = models.PositiveIntegerField("服务分钟数", null=True, blank=True)
    completion_note = models.TextField(
        "办结说明", max_length=2000, blank=True, validators=[MaxLengthValidator(2000)]
    )
    completed_at = models.DateTimeField("办结时间", null=True, blank=True)

    rating = models.PositiveSmallIntegerField(
        "评分", null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    rating_comment = models.TextField(
        "评价", max_length=500, blank=True, validators=[MaxLengthValidator(500)]
    )
    rated_at = models.DateTimeField("评价时间", null=True, blank=True)
    needs_review = models.BooleanField("待复核", default=False)

    # What the resident asked for; the matching engine treats these as hard constraints.
    wanted_from = models.DateTimeField("期望服务开始", null=True, blank=True)
    wanted_until = models.DateTimeField("期望服务结束", null=True, blank=True)
    helper_gender = models.CharField(
        "服务者性别要求", max_length=1, blank=True, choices=HelperGender.choices
    )
    home_visit = models.BooleanField("上门服务", default=True)
    # Work at heights, with electricity or gas, ...: minors are kept off it.
    hazardous = models.BooleanField("危险作业", default=False)

    objects = NeedQuerySet.as_manager()

    class Meta:
        verbose_name = "需求"
        verbose_name_plural = "民情台账"
        ordering = ["-created_at", "-id"]
        indexes = [
            # The ledger lists newest first within a scope; (created_at, id) keeps it index-ordered.
            models.Index(
                fields=["community", "status", "-created_at", "-id"], name="need_ledger_status"
            ),
            models.Index(fields=["community", "-created_at", "-id"], name="need_ledger"),
            models.Index(fields=["-created_at", "-id"], name="need_newest"),
            models.Index(fields=["status", "resolve_by"], name="need_overdue"),
            models.Index(fields=["open_rank", "due_at", "id"], name="need_attention"),
            models.Index(
                fields=["community", "open_rank", "due_at", "id"], name="need_ledger_attention"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="need_rating_1_to_5",
            ),
            models.CheckConstraint(
                condition=Q(wanted_from__isnull=True, wanted_until__isnull=True)
                | Q(wanted_until__gt=F("wanted_from")),
                name="need_wanted_window_in_order",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.title}"

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[Status(self.status)]

    # What leaves the platform (messages, SMS, records, proofs) names the service, never the
    # resident's words: `title` is drawn from the description and may carry a third party's data.
    @property
    def public_title(self) -> str:
        """ "助餐服务": the service by its category."""
        return neutral.public_title(self.category.name)

    @property
    def public_description(self) -> str:
        """ "为社区居民提供助餐服务": the default description of the service record."""
        return neutral.neutral_description(self.category.name)

    @property
    def is_open(self) -> bool:
        return self.status not in CLOSED

    def is_overdue(self, now=None) -> bool:
        now = now or timezone.now()
        if self.status == Status.PENDING and self.respond_by < now:
            return True
        return self.status in OPEN and self.resolve_by < now

    @property
    def masked_contact_phone(self) -> str:
        return mask_mobile(self.contact_phone)

    @property
    def location(self) -> tuple[float, float] | None:
        if self.latitude is None or self.longitude is None:
            return None
        return (self.latitude, self.longitude)

    @property
    def preferences_label(self) -> str:
        """The resident's service requirements in one line, for the dispatcher and the helper."""
        parts = []
        if self.wanted_from and self.wanted_until:
            start, end = timezone.localtime(self.wanted_from), timezone.localtime(self.wanted_until)
            same_day = start.date() == end.date()
            parts.append(
                f"{start:%m-%d %H:%M}–{end:%H:%M}"
                if same_day
                else f"{start:%m-%d %H:%M}–{end:%m-%d %H:%M}"
            )
        if self.helper_gender:
            parts.append(gettext("服务者性别：%s") % self.get_helper_gender_display())
        if not self.home_visit:
            parts.append(gettext("非上门服务"))
        if self.hazardous:
            parts.append(gettext("危险作业（未成年人不可承接）"))
        return "；".join(parts) or gettext("不限")

    @property
    def assignee_label(self) -> str:
        target = {
            self.AssigneeKind.VOLUNTEER: self.assignee_volunteer,
            self.AssigneeKind.TEAM: self.assignee_team,
            self.AssigneeKind.SOCIAL_WORKER: self.assignee_user,
            self.AssigneeKind.PARTNER: self.assignee_partner,
        }.get(self.assignee_kind)
        if self.assignee_kind == self.AssigneeKind.POOL:
            return "社区志愿者（抢单）"
        return str(target) if target else ""

    def set_deadlines(self, start=None) -> None:
        start = start or timezone.now()
        self.respond_by = start + timedelta(hours=self.urgency.response_hours)
        self.resolve_by = start + timedelta(hours=self.urgency.resolution_hours)


class NeedTransition(models.Model):
    """Every change of a need's state: who, when, from what to what, and why."""

    need = models.ForeignKey(Need, on_delete=models.CASCADE, related_name="transitions")
    action = models.CharField("操作", max_length=14)
    from_status = models.CharField("原状态", max_length=14, blank=True)
    to_status = models.CharField("新状态", max_length=14)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="操作人", on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField("时间", default=timezone.now)
    note = models.CharField("说明", max_length=500, blank=True)

    class Meta:
        verbose_name = "需求流转记录"
        verbose_name_plural = verbose_name
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.need_id} {self.from_status}→{self.to_status}"

    @property
    def to_label(self) -> str:
        return STATUS_LABELS[Status(self.to_status)]

    @property
    def actor_label(self) -> str:
        """Who acted, as shown in a need's history (pages and API alike): a resident appears
        only as 居民 — the history is read by helpers who see the resident masked."""
        if self.actor.role == "resident":
            return gettext("居民")
        return str(self.actor)


class DispatchBatch(models.Model):
    """一键派单 confirmed by a dispatcher: the reviewed rows, dispatched by the task
    needs.bulk_dispatch (hundreds of needs do not hold a web request), then what happened to
    each (the ids dispatched; the ids that failed, with their Chinese message). Only the
    dispatcher who confirmed it reads it."""

    class Status(models.TextChoices):
        QUEUED = "queued", "派单中"
        DONE = "done", "已完成"

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="派单人"
    )
    # The community or street of the dispatch screen, for "continue" (None: the actor's own).
    unit = models.ForeignKey(
        OrgUnit, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    items = models.JSONField("确认的条目", default=list)  # need_id, target_kind, target_id, …
    status = models.CharField("状态", max_length=8, choices=Status.choices, default=Status.QUEUED)
    dispatched = models.JSONField("已派单", default=list)  # need ids
    failed = models.JSONField("未能派单", default=list)  # [need id, message]
    created_at = models.DateTimeField("确认时间", auto_now_add=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "一键派单批次"
        verbose_name_plural = verbose_name
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"一键派单 #{self.pk}"
