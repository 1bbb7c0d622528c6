"""Residents' requests under PIPL arts. 44–47 (查阅复制, 更正, 删除) and the retention job's runs.

Each request is a record the platform keeps: who asked, for whom, by when it must be answered,
who answered and what was kept. A deletion blanks the request's own free text, since it may
repeat the personal data it asked to remove."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from shezhi.core.models import TimeStampedModel
from shezhi.org.models import OrgUnit
from shezhi.people.models import Resident


class RightsRequest(TimeStampedModel):
    class Kind(models.TextChoices):
        ACCESS = "access", "查阅复制"
        CORRECTION = "correction", "更正"
        DELETION = "deletion", "删除"

    class Status(models.TextChoices):
        OPEN = "open", "待办理"
        DONE = "done", "已办结"
        PARTLY = "partly", "已办结（部分保留）"
        REFUSED = "refused", "不予办理"

    resident = models.ForeignKey(
        Resident, verbose_name="居民", on_delete=models.PROTECT, related_name="rights_requests"
    )
    # Copied from the resident so that scoping needs no join to personal data.
    community = models.ForeignKey(
        OrgUnit, verbose_name="社区", on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField("请求类型", max_length=12, choices=Kind.choices)
    status = models.CharField(
        "状态", max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    details = models.TextField("请求内容", max_length=1000, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="提出人",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    on_behalf = models.BooleanField("工作人员代为提出", default=False)
    due_on = models.DateField("答复期限")
    answer = models.TextField("答复", max_length=1000, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="办理人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    answered_at = models.DateTimeField("办理时间", null=True, blank=True)
    # A deletion: what was anonymised (counts per record type) and what was kept, and why.
    outcome = models.JSONField("办理结果", default=dict, blank=True)

    class Meta:
        verbose_name = "个人信息权利请求"
        verbose_name_plural = verbose_name
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["community", "status", "due_on"])]
        constraints = [
            models.UniqueConstraint(
                fields=["resident", "kind"],
                condition=Q(status="open"),
                name="rights_request_one_open_per_kind",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}#{self.pk}"


class RetentionRun(models.Model):
    """One run of the retention job: what it anonymised or deleted, per record type."""

    ran_at = models.DateTimeField("运行时间", auto_now_add=True, db_index=True)
    report = models.JSONField("结果", default=dict)
    total = models.PositiveIntegerField("处理条数", default=0)

    class Meta:
        verbose_name = "保存期限清理记录"
        verbose_name_plural = verbose_name
        ordering = ["-ran_at", "-id"]

    def __str__(self) -> str:
        return f"{self.ran_at:%Y-%m-%d %H:%M} · {self.total}"
