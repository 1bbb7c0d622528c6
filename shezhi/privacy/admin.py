from django.contrib import admin

from shezhi.core.admin import AuditedReadAdmin
from shezhi.privacy.models import RetentionRun, RightsRequest


@admin.register(RightsRequest)
class RightsRequestAdmin(AuditedReadAdmin):
    """Read only: requests are filed and answered through the services (pages and API)."""

    list_display = ["id", "kind", "status", "community", "due_on", "created_at", "answered_at"]
    list_filter = ["kind", "status"]
    exclude = ["details"]  # may repeat the personal data a correction is about
    readonly_fields = [
        "resident",
        "community",
        "kind",
        "status",
        "requested_by",
        "on_behalf",
        "due_on",
        "answer",
        "answered_by",
        "answered_at",
        "outcome",
    ]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(RetentionRun)
class RetentionRunAdmin(admin.ModelAdmin):
    """What each run of the retention job removed, per record type."""

    list_display = ["ran_at", "total", "report"]
    readonly_fields = ["ran_at", "total", "report"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
