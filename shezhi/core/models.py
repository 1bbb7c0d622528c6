from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        abstract = True


class AuditEvent(models.Model):
    """Who did what to which sensitive record, and who saw it unmasked (PIPL art. 51, 55)."""

    class Action(models.TextChoices):
        CREATE = "create", "新建"
        UPDATE = "update", "修改"
        TRANSITION = "transition", "状态变更"
        READ_UNMASKED = "read_unmasked", "查看完整信息"
        EXPORT = "export", "导出"

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        # Users are deactivated, never deleted: who did what must survive (PIPL art. 55).
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Who the actor was at the time (username · role · unit), kept even if the account changes.
    actor_identity = models.CharField("操作人身份", max_length=120, blank=True)
    at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    action = models.CharField("操作", max_length=20, choices=Action.choices)
    object_type = models.CharField("对象类型", max_length=40)
    object_id = models.CharField("对象编号", max_length=40)
    summary = models.CharField("内容", max_length=300, blank=True)
    changes = models.JSONField("变更", default=dict, blank=True)

    class Meta:
        verbose_name = "审计日志"
        verbose_name_plural = verbose_name
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        at = timezone.localtime(self.at)
        return f"{at:%Y-%m-%d %H:%M} {self.action} {self.object_type}#{self.object_id}"


def identity_snapshot(user: Any) -> str:
    """ "username · role · unit" of a user as it is now, for records that must outlive changes."""
    if not getattr(user, "pk", None):
        return ""
    unit = getattr(user, "unit", None)
    parts = [user.username, user.get_role_display(), unit.name if unit else ""]
    return " · ".join(p for p in parts if p)[:120]


class TaskRun(models.Model):
    """One run of a background task (shezhi/core/tasks.py): written in the caller's transaction —
    the outbox, so a broker that is down loses nothing — then its state as a runner works on it,
    which is what admins see. Arguments are ids and names only, never personal data."""

    class Status(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "运行中"
        RETRYING = "retrying", "等待重试"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

    name = models.CharField("任务", max_length=80)
    label = models.CharField("说明", max_length=120, blank=True)
    kwargs = models.JSONField("参数", default=dict, blank=True)
    status = models.CharField("状态", max_length=8, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField("已尝试次数", default=0)
    max_attempts = models.PositiveSmallIntegerField("最多尝试次数", default=3)
    # Effects outside the database (an SMS) must not happen twice: one run per key.
    dedupe_key = models.CharField("去重键", max_length=120, blank=True)
    request_id = models.CharField("请求编号", max_length=64, blank=True)
    last_error = models.TextField("错误", blank=True)
    created_at = models.DateTimeField("排队时间", auto_now_add=True)
    run_after = models.DateTimeField("最早运行时间", default=timezone.now)
    sent_at = models.DateTimeField("交给执行者的时间", null=True, blank=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)

    class Meta:
        verbose_name = "后台任务"
        verbose_name_plural = verbose_name
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["dedupe_key"],
                condition=~models.Q(dedupe_key=""),
                name="taskrun_dedupe_key_once",
            )
        ]
        indexes = [models.Index(fields=["status", "run_after"], name="taskrun_status_due")]

    def __str__(self) -> str:
        return f"{self.name}#{self.pk}:{self.status}"
