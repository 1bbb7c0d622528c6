"""Import jobs: one uploaded .xlsx file, checked as a whole, staged in short transactions, then
published in one transaction (all rows or none)."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from shezhi.core.models import TimeStampedModel
from shezhi.org.models import OrgUnit


class ImportJob(TimeStampedModel):
    class Kind(models.TextChoices):
        VOLUNTEERS = "volunteers", "志愿者"
        RECORDS = "records", "服务记录"

    class Status(models.TextChoices):
        PENDING = "pending", "排队中"
        VALIDATING = "validating", "校验中"
        IMPORTING = "importing", "导入中"
        FAILED = "failed", "未导入"
        DONE = "done", "已导入"

    kind = models.CharField("类型", max_length=12, choices=Kind.choices)
    file_name = models.CharField("文件名", max_length=200)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="上传人", on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey(
        OrgUnit, verbose_name="导入单位", on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.PENDING)
    total_rows = models.PositiveIntegerField("总行数", default=0)
    processed_rows = models.PositiveIntegerField("已处理行数", default=0)
    imported_rows = models.PositiveIntegerField("已导入行数", default=0)
    # [{"row": 3, "column": "身份证号码", "reason": "…"}], row 0 = the file as a whole.
    errors = models.JSONField("错误报告", default=list, blank=True)
    summary = models.JSONField("结果摘要", default=dict, blank=True)
    # The uploaded file, kept only until the job has run (it carries ID numbers).
    content = models.BinaryField("文件内容", default=b"", blank=True)
    # Runs that claimed the job: a run whose worker died is taken over by the next one, and every
    # write a run makes is conditional on its own attempt, so a run taken for dead writes nothing.
    attempt = models.PositiveSmallIntegerField("运行次数", default=0)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "导入任务"
        verbose_name_plural = verbose_name
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(processed_rows__lte=models.F("total_rows")),
                name="import_job_progress_bounded",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.file_name}"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.FAILED, self.Status.DONE)


class StagedRow(models.Model):
    """One checked row of a running job, ready to publish (parsed values, JSON). Staged in short
    transactions so that a big import does not hold SQLite's write lock for its whole run;
    deleted when the job ends (and by the stale-job sweep). Carries ID numbers: never shown."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="+")
    row = models.PositiveIntegerField("行号")
    data = models.JSONField("数据", default=dict)

    class Meta:
        verbose_name = "待发布的导入行"
        verbose_name_plural = verbose_name
        constraints = [
            models.UniqueConstraint(fields=["job", "row"], name="import_staged_row_unique")
        ]

    def __str__(self) -> str:
        return f"{self.job_id}:{self.row}"
