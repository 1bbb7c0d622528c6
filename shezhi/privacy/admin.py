from django.contrib import admin

from shezhi.core.admin import ReadOnlyAuditedAdmin, ReadOnlyMixin
from shezhi.privacy.models import RetentionRun, RightsRequest


@admin.register(RightsRequest)
class RightsRequestAdmin(ReadOnlyAuditedAdmin):
    """Read only: requests are filed and answered through the services (pages and API)."""

    list_display = ["id", "kind", "status", "community", "due_on", "created_at", "answered_at"]
    list_filter = ["kind", "status"]
    exclude = ["details"]  # may repeat the personal data a correction is about


@admin.register(RetentionRun)
class RetentionRunAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """What each run of the retention job removed, per record type."""

    list_display = ["ran_at", "total", "report"]
