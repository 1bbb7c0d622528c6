"""Issued volunteer-service proofs (志愿服务证明). A proof is never changed after issue."""

from django.db import models

from shezhi.volunteers.models import Volunteer


class Proof(models.Model):
    proof_no = models.CharField("证明编号", max_length=24, unique=True)
    volunteer = models.ForeignKey(
        Volunteer, verbose_name="志愿者", on_delete=models.PROTECT, related_name="proofs"
    )
    volunteer_no = models.CharField("志愿者统一编号", max_length=20)
    date_from = models.DateField("起始日期")
    date_to = models.DateField("截止日期")
    total_hours = models.DecimalField("累计服务时长（小时）", max_digits=9, decimal_places=1)
    record_count = models.PositiveIntegerField("记录条数")
    record_ids = models.JSONField("服务记录编号", default=list)
    issuer = models.CharField("出具单位", max_length=300)
    issued_at = models.DateTimeField("出具时间", db_index=True)
    signature = models.CharField("签名", max_length=43)
    pdf_sha256 = models.CharField("文件 SHA-256", max_length=64, db_index=True)
    seal = models.CharField("文件封签", max_length=43)
    pdf = models.BinaryField("证明文件")

    class Meta:
        verbose_name = "志愿服务证明"
        verbose_name_plural = verbose_name
        ordering = ["-issued_at", "-id"]
        indexes = [models.Index(fields=["volunteer", "-issued_at"], name="proof_volunteer_recent")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(date_from__lte=models.F("date_to")), name="proof_period_order"
            ),
        ]

    def __str__(self) -> str:
        return self.proof_no
