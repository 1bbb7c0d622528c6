from django.contrib import admin

from shezhi.core.admin import AuditedReadAdmin
from shezhi.imports.models import ImportJob


@admin.register(ImportJob)
class ImportJobAdmin(AuditedReadAdmin):
    list_display = ["id", "kind", "file_name", "unit", "uploaded_by", "status", "total_rows"]
    list_filter = ["kind", "status"]
    exclude = ["content"]  # the uploaded file carries ID numbers
    readonly_fields = [
        "kind",
        "file_name",
        "uploaded_by",
        "unit",
        "status",
        "total_rows",
        "processed_rows",
        "imported_rows",
        "errors",
        "summary",
        "started_at",
        "finished_at",
    ]

    def has_add_permission(self, request) -> bool:
        return False
