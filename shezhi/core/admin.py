from django.contrib import admin, messages
from django.contrib.admin.utils import unquote

from shezhi.core import audit, tasks
from shezhi.core.models import AuditEvent, TaskRun


class ReadOnlyMixin:
    """For records that change only through the services (checked and audited): the admin shows
    them and nothing more."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class AuditedReadAdmin(admin.ModelAdmin):
    """For models that hold personal data (ID numbers, phones, notes): list columns are masked,
    and every change page read — which shows the record in full — writes a read_unmasked row."""

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        if request.method == "GET" and response.status_code == 200:
            obj = self.get_object(request, unquote(object_id))
            if obj is not None:
                audit.record(
                    actor=request.user,
                    action=AuditEvent.Action.READ_UNMASKED,
                    obj=obj,
                    summary="后台查看完整信息",
                )
        return response


class ReadOnlyAuditedAdmin(ReadOnlyMixin, AuditedReadAdmin):
    """Personal records that change only through the services: shown, each full read audited."""


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = [
        "at",
        "actor",
        "actor_identity",
        "action",
        "object_type",
        "object_id",
        "summary",
    ]
    list_filter = ["action", "object_type"]
    search_fields = ["object_id", "summary", "actor_identity"]
    # The audit trail is append-only, even for administrators.


@admin.register(TaskRun)
class TaskRunAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Background task runs: queued, running, waiting to retry, done or failed with the error.
    Read-only (the runners own the state); a failed run can be run again."""

    list_display = ["id", "name", "label", "status", "tries", "created_at", "short_error"]
    list_filter = ["status", "name"]
    search_fields = ["label", "request_id", "last_error"]
    date_hierarchy = "created_at"
    actions = ["retry"]

    @admin.display(description="尝试次数")
    def tries(self, run: TaskRun) -> str:
        return f"{run.attempts}/{run.max_attempts}"

    @admin.display(description="错误")
    def short_error(self, run: TaskRun) -> str:
        return run.last_error.splitlines()[-1][:80] if run.last_error else ""

    @admin.action(description="重新运行选中的失败任务")
    def retry(self, request, queryset):
        ids = list(queryset.filter(status=TaskRun.Status.FAILED).values_list("pk", flat=True))
        again = sum(tasks.task_run_retry(actor=request.user, run_id=pk) for pk in ids)
        self.message_user(request, f"已重新排队 {again} 个失败的任务", messages.SUCCESS)
