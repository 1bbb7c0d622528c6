"""Reports a unit sends upward (社工站月报, the annual report): a draft the station writes, and
the versions it issued. An issued version is archived with its files and never changes; issuing
again (after a correction of the data or the text) makes the next version beside it."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from shezhi.core.models import TimeStampedModel
from shezhi.org.models import OrgUnit

NARRATIVE_MAX = 5000


class Report(TimeStampedModel):
    class Kind(models.TextChoices):
        MONTHLY = "monthly", "月报"
        ANNUAL = "annual", "年度报告"

    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        ISSUED = "issued", "已印发"

    unit = models.ForeignKey(
        OrgUnit, verbose_name="单位", on_delete=models.PROTECT, related_name="reports"
    )
    kind = models.CharField("类型", max_length=8, choices=Kind.choices)
    period_start = models.DateField("期间开始")
    period_end = models.DateField("期间结束")
    title = models.CharField("标题", max_length=80)
    narrative = models.TextField("工作小结", max_length=NARRATIVE_MAX, blank=True)
    status = models.CharField(
        "状态", max_length=8, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    # Bumped by every edit and every issue: a page or client sends the revision it saw, so a
    # second click (or someone else's edit in between) is refused instead of applied twice.
    revision = models.PositiveIntegerField("修订号", default=1)
    issued_version = models.PositiveIntegerField("已印发版本", default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="起草人", on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "统计报告"
        verbose_name_plural = verbose_name
        ordering = ["-period_start", "unit__path", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "kind", "period_start"], name="report_one_per_unit_period"
            ),
            models.CheckConstraint(
                condition=Q(period_start__lte=F("period_end")), name="report_period_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title}（{self.period_label}）"

    @property
    def period_label(self) -> str:
        if self.kind == self.Kind.ANNUAL:
            return f"{self.period_start.year}年"
        return f"{self.period_start.year}年{self.period_start.month}月"

    @property
    def period_value(self) -> str:
        """The period as the figures' pickers write it: 2026-11, or 2026 for a year."""
        if self.kind == self.Kind.ANNUAL:
            return f"{self.period_start.year}"
        return f"{self.period_start:%Y-%m}"


class ReportVersion(models.Model):
    """One issued version, archived: what it said (`content`, the document as JSON) and the files
    handed out. Never updated; the report's later versions sit beside it."""

    report = models.ForeignKey(
        Report, verbose_name="报告", on_delete=models.PROTECT, related_name="versions"
    )
    number = models.PositiveIntegerField("版本")
    issued_at = models.DateTimeField("印发时间")
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="印发人", on_delete=models.PROTECT, related_name="+"
    )
    issued_by_identity = models.CharField("印发人身份", max_length=120, blank=True)
    content = models.JSONField("内容")
    pdf = models.BinaryField("PDF 文件")
    pdf_sha256 = models.CharField("PDF SHA-256", max_length=64)
    xlsx = models.BinaryField("Excel 文件")

    class Meta:
        verbose_name = "报告版本"
        verbose_name_plural = verbose_name
        ordering = ["report", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["report", "number"], name="report_version_once"),
        ]

    def __str__(self) -> str:
        return f"{self.report} 第{self.number}版"
